/**
 * `shomei admin …`: the admin API of a running service (API-2), as a signed-in administrator —
 * unlike `shomei user …`, which works on the data directory in-process. `admin login` keeps the
 * short-lived token in a 0600 file; the other commands use it until it expires.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { AdminApiError, AdminClient, type AdminSession, type UserRecord } from '../../admin/http/index.js';
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
    if (e instanceof TypeError)
      throw new CliError(`cannot reach the server: ${(e.cause as Error)?.message ?? e.message}`);
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
    .description('sign in with password + TOTP (level 3); keeps a short-lived token in a 0600 file')
    .requiredOption('--server <url>', 'the service, e.g. https://rssp.example')
    .requiredOption('--username <name>')
    .requiredOption('--totp <code>', 'the current code of your authenticator app')
    .option('--password-stdin', 'read the password from standard input (default: SHOMEI_ADMIN_PASSWORD)')
    .action(async (o: { server: string; username: string; totp: string; passwordStdin?: boolean }, cmd: Command) => {
      const g = globals(cmd) as AdminOptions;
      const password = await readPassword(o.passwordStdin);
      const session = await remote(() => AdminClient.login(o.server, o.username, password, o.totp));
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
