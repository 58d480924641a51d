/**
 * `shomei sign FILE …`: client-side signing against any CSC v2 service, as a signature application
 * does it — the document stays here, only its digest is authorised and signed remotely
 * (client/local-sign.ts); time-stamps come from the service's RFC 3161 endpoint and revocation data
 * from the certificates' own AIA/CDP URLs. The password and PIN come from SHOMEI_PASSWORD /
 * SHOMEI_PIN or a prompt, never from the command line (where `ps` and shell history would keep them).
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import {
  CscError,
  CscTransportError,
  CscUsageError,
  createCscClient,
  type LocalSignResult,
  signDocumentLocally,
} from '../../client/index.js';
import { type DocumentFormat, documentFormat, ENVELOPES, type SignatureFormat } from '../../formats/index.js';
import { createHttpRevocationSource } from '../../formats/ltv/index.js';
import { systemClock } from '../../platform/index.js';
import { createHttpTimestampSource } from '../../tsa/index.js';
import { CliError, emit, globals, writeAtomically } from '../context.js';

const FORMATS: Readonly<Record<string, { letter: SignatureFormat; name: string }>> = {
  cades: { letter: 'C', name: 'CAdES' },
  pades: { letter: 'P', name: 'PAdES' },
  xades: { letter: 'X', name: 'XAdES' },
  jades: { letter: 'J', name: 'JAdES' },
};
const LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

interface SignOptions {
  format: string;
  level: string;
  envelope?: string;
  credential: string;
  out: string;
  url: string;
  user?: string;
  tsa?: string;
}

/** The options checked here, so a typo is named as the option the user typed, not as a CSC field. */
function formatFrom(o: SignOptions): { f: DocumentFormat; name: string } {
  const fmt = FORMATS[o.format.toLowerCase()];
  if (!fmt) throw new CliError(`unknown --format ${o.format} (one of ${Object.keys(FORMATS).join(', ')})`);
  const level = LEVELS.find((l) => l.toLowerCase() === o.level.toLowerCase());
  if (!level) throw new CliError(`unknown --level ${o.level} (one of ${LEVELS.join(', ')})`);
  const offered = ENVELOPES[fmt.letter];
  const envelope = o.envelope ? offered.find((e) => e.toLowerCase() === o.envelope?.toLowerCase()) : offered[0];
  if (!envelope)
    throw new CliError(`--envelope ${o.envelope} is not offered for ${fmt.name} (one of ${offered.join(', ')})`);
  const f = documentFormat({
    signature_format: fmt.letter,
    conformance_level: `Ades-${level}`,
    signed_envelope_property: envelope,
  });
  return { f, name: fmt.name };
}

/** A secret from the environment, else typed at the terminal without echo; never an argument. */
async function secret(envName: string, label: string): Promise<string> {
  const v = process.env[envName];
  if (v !== undefined && v !== '') return v;
  if (!process.stdin.isTTY) throw new CliError(`no ${label}: set ${envName} or run in a terminal to be asked`);
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  process.stderr.write(`${label}: `);
  // Mute the echo of what is typed (readline has no option for it).
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => {};
  try {
    return await rl.question('');
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`);
  }
}

const HINTS: Readonly<Record<string, string>> = {
  authentication_error: 'check --user and SHOMEI_PASSWORD; repeated failures lock the account',
  invalid_token: 'the session ended; run the command again',
  expired_token: 'the session ended; run the command again',
};

/** The service's refusal or an unreachable service as one line; catalogue errors go to fatal(). */
async function remote<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CscError) {
      const hint = HINTS[e.error];
      throw new CliError(`${e.message}${hint ? ` (${hint})` : ''}`);
    }
    if (e instanceof CscTransportError || e instanceof CscUsageError) throw new CliError(e.message);
    throw e;
  }
}

export function signCommand(program: Command): void {
  program
    .command('sign <file>')
    .description('sign a file on this machine through a CSC service: only its digest is sent (FMT-1)')
    .requiredOption('--format <format>', 'cades | pades | xades | jades')
    .option('--level <level>', 'B-B | B-T | B-LT | B-LTA', 'B-B')
    .option(
      '--envelope <property>',
      'CAdES attached|detached, XAdES enveloped|enveloping|detached, JAdES attached|detached',
    )
    .requiredOption('--credential <id>', 'credential ID (see credentials/list)')
    .requiredOption('--out <file>', 'where the signed file or detached signature is written')
    .option('--url <url>', 'the service root (SHOMEI_URL)', process.env.SHOMEI_URL || 'http://127.0.0.1:8080')
    .option('--user <name>', 'account name (SHOMEI_USER)', process.env.SHOMEI_USER)
    .option('--tsa <url>', 'RFC 3161 time-stamping URL for B-T and up (default: the service at /tsa)')
    .action(async (file: string, o: SignOptions, cmd: Command) => {
      const g = globals(cmd);
      const { f, name } = formatFrom(o);
      if (!o.user) throw new CliError('no account: pass --user or set SHOMEI_USER');
      const document = readInput(file);
      const client = await remote(async () => createCscClient({ baseUrl: o.url }));
      const password = await secret('SHOMEI_PASSWORD', 'password');
      const pin = await secret('SHOMEI_PIN', 'PIN');
      const otp = process.env.SHOMEI_OTP;
      const services = {
        timestamps: createHttpTimestampSource({ url: o.tsa ?? `${client.baseUrl}/tsa`, timeoutMs: 30_000 }),
        revocation: createHttpRevocationSource({ clock: systemClock, timeoutMs: 10_000 }),
      };
      const result: LocalSignResult = await remote(async () => {
        const login = await client.login({ username: o.user as string, password });
        return signDocumentLocally(client.withToken(login.accessToken), {
          credentialID: o.credential,
          document,
          format: f,
          pin,
          ...(otp ? { otp } : {}),
          signingTime: new Date(systemClock.now()),
          services,
        });
      });
      writeAtomically(o.out, result.output);
      const summary = { format: name, level: f.level, envelope: f.envelope, out: o.out, subject: result.subject };
      emit(
        g,
        { ...summary, signAlgo: result.signAlgo, bytes: result.output.length },
        () => `signed: ${name} ${f.level} (${f.envelope}) → ${o.out} by ${result.subject}`,
      );
    });
}
