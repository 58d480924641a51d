/**
 * What every CLI command shares: configuration from the global options, the file and SHOMEI_*
 * variables; an app built on the same data directory as the server; output as text or --json.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { type App, buildApp } from '../app.js';
import { type Config, ConfigError, loadConfig } from '../config/index.js';
import { describe as describeError, isShomeiError } from '../errors.js';

export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
  json?: boolean;
}

export function globals(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals() as GlobalOptions;
}

export function configFrom(g: GlobalOptions, extra: Record<string, unknown> = {}): Readonly<Config> {
  return loadConfig({
    ...(g.config ? { file: g.config } : {}),
    overrides: {
      ...(g.dataDir ? { dataDir: g.dataDir } : {}),
      ...(g.databaseUrl ? { databaseUrl: g.databaseUrl } : {}),
      ...extra,
    },
  });
}

/** Admin actions are logged with the operating-system account that ran them (USER-2). */
export const cliActor = (): string => `admin:${userInfo().username}`;

/** A one-shot command signs little: one software worker, PKCS#11 in this process (no children). */
const ONE_SHOT = { keystore: { workers: 1, pkcs11: { processes: 0 } } };

export async function withApp<T>(g: GlobalOptions, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await buildApp(configFrom(g, ONE_SHOT), { logger: false });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

/** Prints a result: JSON with --json, otherwise the human text. */
export function emit(g: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(g.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** A failure the operator can act on (a refusal, a missing session): one line, no stack. */
export class CliError extends Error {
  override name = 'CliError';
}

/** One line on stderr, exit code 1 (2 for usage), never a stack trace for expected failures. */
export function fatal(e: unknown): never {
  if (isShomeiError(e)) process.stderr.write(`shomei: ${e.code}: ${describeError(e.code, e.params)}\n`);
  else if (e instanceof ConfigError || e instanceof CliError) process.stderr.write(`shomei: ${e.message}\n`);
  else if ((e as NodeJS.ErrnoException)?.code === 'EADDRINUSE')
    process.stderr.write(`shomei: ${(e as Error).message}: another process has the port; set SHOMEI_PORT or --port\n`);
  else process.stderr.write(`shomei: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
}

/**
 * Progress on stderr for long work (CLI-1): a counter redrawn at most every 200 ms; silent when
 * stderr is not a terminal (scripts, --json consumers). Call `done()` to end the line.
 */
export function progress(label: string): { add(n: number): void; done(): void } {
  let count = 0;
  let last = 0;
  const draw = () => process.stderr.write(`\r${label}: ${count.toLocaleString('en')}`);
  return {
    add(n) {
      count += n;
      if (!process.stderr.isTTY || Date.now() - last < 200) return;
      last = Date.now();
      draw();
    },
    done() {
      if (!process.stderr.isTTY) return;
      draw();
      process.stderr.write('\n');
    },
  };
}

/** Temp file in the same directory, then rename: an output file is whole or absent, never half-written. */
export function writeAtomically(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data, { flag: 'wx', mode: 0o644 });
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new CliError(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
