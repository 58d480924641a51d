/**
 * `shomei admin …`: the admin API of a running service (API-2), as a signed-in administrator —
 * unlike `shomei user …`, which works on the data directory in-process. `admin login` keeps the
 * short-lived token in a 0600 file; the other commands use it until it expires.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { AdminApiError, AdminClient, type AdminSession, type UserRecord } from '../../admin/http/index.js';
import { CscTransportError } from '../../client/index.js';
import { s256 } from '../../oauth/index.js';
import { CliError, emit, type GlobalOptions, globals } from '../context.js';
import { describeReport } from './audit.js';
import { type RegistrationOptions, registrationCommand, registrationFrom } from './users.js';

interface AdminOptions extends GlobalOptions {
  tokenFile?: string;
}

const defaultTokenFile = () =>
  join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'shomei', 'admin-token.json');

const tokenFile = (g: AdminOptions) => g.tokenFile ?? defaultTokenFile();

/** Atomically, owner-only from the first byte: the token is a bearer secret. */
function saveSession(file: string, session: AdminSession): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(session, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

function loadSession(file: string): AdminSession {
  if (!existsSync(file)) throw new CliError(`not signed in (no ${file}): run \`shomei admin login\` first`);
  if ((statSync(file).mode & 0o077) !== 0)
    throw new CliError(`${file} is readable by others: delete it and run \`shomei admin login\` again`);
  const session = JSON.parse(readFileSync(file, 'utf8')) as AdminSession;
  if (session.expiresAt <= Date.now())
    throw new CliError(
      `the admin session expired at ${new Date(session.expiresAt).toISOString()}: run \`shomei admin login\` again`,
    );
  return session;
}

const HINTS: Readonly<Record<string, string>> = {
  authentication_error: 'check the username, password and TOTP code (repeated failures lock the account)',
  invalid_token: 'run `shomei admin login` again',
  expired_token: 'run `shomei admin login` again',
  admin_scope_required: 'sign in with `shomei admin login`, not a CSC token',
  admin_role_required: 'ask an operator to run `shomei user grant-role <you> <role>` on the server',
  admin_level_required: 'sign in with a security key on the RSSP page',
  admin_security_key_required: 'sign in with a security key on the RSSP page',
};

/** Refusals as one line with what to do next; network failures as what could not be reached. */
async function remote<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof AdminApiError) {
      const hint = HINTS[e.error];
      const status = e.status > 0 ? `HTTP ${e.status} ` : '';
      throw new CliError(`${status}${e.message}${hint ? ` (${hint})` : ''}`);
    }
    if (e instanceof CscTransportError) {
      // network: fetch's TypeError, whose cause is the socket error (ECONNREFUSED, ENOTFOUND …).
      const socket = ((e.cause as Error | undefined)?.cause as Error | undefined)?.message;
      throw new CliError(e.reason === 'network' && socket ? `cannot reach the server: ${socket}` : e.message);
    }
    throw e;
  }
}

async function readPassword(fromStdin: boolean | undefined): Promise<string> {
  if (fromStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  const env = process.env.SHOMEI_ADMIN_PASSWORD;
  if (env === undefined || env === '')
    throw new CliError('no password: pass --password-stdin or set SHOMEI_ADMIN_PASSWORD');
  return env;
}

interface LoginOptions {
  server: string;
  securityKey?: boolean;
  username?: string;
  totp?: string;
  passwordStdin?: boolean;
}

async function passwordLogin(o: LoginOptions): Promise<AdminSession> {
  if (!o.username || !o.totp) throw new CliError('--username and --totp are needed (or use --security-key)');
  const password = await readPassword(o.passwordStdin);
  return remote(() => AdminClient.login(o.server, o.username as string, password, o.totp as string));
}

const LOGIN_WAIT_MS = 5 * 60_000;

/**
 * Level 4 (RFC 8252): listen on a loopback port, send the browser to the service's sign-in page,
 * take the code it redirects back with (state checked), and redeem it with the PKCE verifier.
 */
async function securityKeyLogin(server: string): Promise<AdminSession> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  let done: (code: string) => void = () => {};
  const received = new Promise<string>((resolve) => {
    done = resolve;
  });
  const listener = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    const code = u.searchParams.get('code');
    const ok = u.pathname === '/callback' && code !== null && u.searchParams.get('state') === state;
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(ok ? 'Signed in. You can close this window and return to the terminal.' : 'Not a valid sign-in.');
    if (ok) done(code);
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  try {
    const redirectUri = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/callback`;
    const url = new AdminClient(server).signInUrl(redirectUri, s256(verifier), state);
    process.stderr.write(`Open this address in your browser and sign in with your security key:\n\n  ${url}\n\n`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CliError('no sign-in within 5 minutes')), LOGIN_WAIT_MS);
    });
    const code = await Promise.race([received, timeout]).finally(() => clearTimeout(timer));
    return await remote(() => AdminClient.loginWithCode(server, code, verifier, redirectUri));
  } finally {
    listener.close();
  }
}

const line = (u: UserRecord) =>
  `${u.id}  ${u.username.padEnd(20)} ${u.status.padEnd(10)} ${u.displayName}${u.roles.length ? `  [${u.roles.join(', ')}]` : ''}`;

/** The client of the saved session, for one command. */
function client(cmd: Command): { g: AdminOptions; api: AdminClient } {
  const g = globals(cmd) as AdminOptions;
  return { g, api: AdminClient.of(loadSession(tokenFile(g))) };
}

export function adminRemoteCommands(program: Command): void {
  const admin = program
    .command('admin')
    .description('call the admin API of a running service (API-2) as a signed-in administrator')
    .option('--token-file <file>', 'where the admin session is kept (default ~/.config/shomei/admin-token.json)');

  admin
    .command('login')
    .description(
      'sign in with a security key in the browser (level 4) or password + TOTP (level 3); keeps a short-lived token in a 0600 file',
    )
    .requiredOption('--server <url>', 'the service, e.g. https://rssp.example')
    .option('--security-key', "sign in on the service's page with a security key (RFC 8252 loopback redirect)")
    .option('--username <name>', 'for password + TOTP')
    .option('--totp <code>', 'the current code of your authenticator app')
    .option('--password-stdin', 'read the password from standard input (default: SHOMEI_ADMIN_PASSWORD)')
    .action(async (o: LoginOptions, cmd: Command) => {
      const g = globals(cmd) as AdminOptions;
      const session = o.securityKey ? await securityKeyLogin(o.server) : await passwordLogin(o);
      const file = tokenFile(g);
      saveSession(file, session);
      const out = {
        server: session.server,
        username: session.username,
        level: session.level,
        expiresAt: new Date(session.expiresAt).toISOString(),
        tokenFile: file,
      };
      emit(g, out, () => `signed in to ${out.server} as ${out.username} (level ${out.level}) until ${out.expiresAt}`);
    });

  const users = admin.command('users').description('signers (registration officer)');
  users.command('list').action(async (_o: unknown, cmd: Command) => {
    const { g, api } = client(cmd);
    const list = await remote(() => api.listUsers());
    emit(g, list, () => list.map(line).join('\n') || '(no users)');
  });
  registrationCommand(users).action(async (o: RegistrationOptions, cmd: Command) => {
    const { g, api } = client(cmd);
    const u = await remote(() => api.registerUser(registrationFrom(o)));
    emit(g, u, () => `registered ${line(u)}\nnext: shomei admin enrol-code ${u.username}`);
  });

  admin
    .command('enrol-code <user>')
    .description('issue a one-time enrolment code (USER-4): shown once, single use, expiring')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const { g, api } = client(cmd);
      const r = await remote(async () => {
        const u = await api.findUser(ref);
        return { username: u.username, ...(await api.enrolmentCode(u.id)) };
      });
      emit(
        g,
        r,
        () => `enrolment code for ${r.username}: ${r.code}  (expires ${r.expiresAt}; redeem at ${r.enrolUrl})`,
      );
    });

  admin
    .command('audit')
    .description('the signing log (auditor)')
    .command('verify')
    .description('run the log verifier on the server; exit 1 if anything was altered')
    .option('--key <verifierKey>', 'the log verifier key you trust; default: the service’s own')
    .action(async (o: { key?: string }, cmd: Command) => {
      const { g, api } = client(cmd);
      const report = await remote(() => api.verifyAudit(o.key));
      const source = o.key ? 'given with --key' : "the service's own (pin it and pass --key for an independent check)";
      emit(g, report, () => describeReport(report, source));
      if (!report.ok) process.exitCode = 1;
    });
}
