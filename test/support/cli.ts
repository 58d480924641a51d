/**
 * The `shomei` command run as a real process (`node --import tsx src/cli/main.ts`) on a data
 * directory, with a cheap scrypt cost and no inherited database settings.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  // biome-ignore lint/suspicious/noExplicitAny: CLI JSON output is inspected field by field
  readonly json: any;
}

export interface CliOptions {
  /** Extra environment (e.g. SHOMEI_DATABASE_URL); SHOMEI_*DATABASE* from the caller is dropped. */
  readonly env?: NodeJS.ProcessEnv;
}

export async function cli(dataDir: string, args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, SHOMEI_AUTH__SCRYPT_LOG_N: '10', SHOMEI_LOG_LEVEL: 'silent' };
  for (const k of Object.keys(env)) if (k.startsWith('SHOMEI_') && k.includes('DATABASE')) delete env[k];
  Object.assign(env, opts.env ?? {});
  try {
    const r = await exec('node', ['--import', 'tsx', MAIN, '--data-dir', dataDir, ...args], {
      cwd: ROOT,
      env,
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr, json: parseJson(r.stdout) };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '', json: parseJson(err.stdout ?? '') };
  }
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
