/** Bench plumbing: processes, ports, the server as a user starts it, the loader, references. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function waitFor(url: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Server {
  readonly url: string;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
  /** Peak resident set size so far (VmHWM), MiB. */
  peakRssMiB(): number;
}

/** `node bin/shomei.js serve` exactly as `npm start` runs it, on a fresh data directory. */
export async function startShomei(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['bin/shomei.js', 'serve', '--no-demo'], {
    cwd: ROOT,
    env: { ...process.env, ...env, SHOMEI_PORT: String(port), SHOMEI_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/csc/v2/info`);
  return { url, proc, stop: () => stop(proc), peakRssMiB: () => peakRss(proc.pid) };
}

export async function startCeiling(): Promise<Server> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'bench/ceiling.ts', String(port)], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/ping`);
  return { url, proc, stop: () => stop(proc), peakRssMiB: () => peakRss(proc.pid) };
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
    setTimeout(() => proc.kill('SIGKILL'), 10_000).unref();
  });
}

function peakRss(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

export async function cli(args: string[], env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['bin/shomei.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    maxBuffer: 16 << 20,
  });
  return stdout;
}

export interface LoadResult {
  requests: number;
  rps: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  p50: number;
  p99: number;
}

/** Runs bench/load.ts in its own process (BENCH.md: the loader is a separate process). */
export async function load(scenario: Record<string, unknown>): Promise<LoadResult> {
  const json = JSON.stringify(scenario);
  // One argument may not exceed 128 KiB (MAX_ARG_STRLEN): larger scenarios go through a file.
  const dir = json.length > 64 * 1024 ? mkdtempSync(join(tmpdir(), 'shomei-load-')) : undefined;
  if (dir) writeFileSync(join(dir, 'scenario.json'), json);
  try {
    const arg = dir ? `@${join(dir, 'scenario.json')}` : json;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/load.ts', arg], {
      cwd: ROOT,
      maxBuffer: 16 << 20,
    });
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadResult;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** `openssl speed -seconds N -multi $(nproc) rsa2048` → RSA-2048 signatures per second. */
export async function opensslRsaSpeed(seconds: number, cores: number): Promise<number> {
  const { stdout } = await run('openssl', ['speed', '-seconds', String(seconds), '-multi', String(cores), 'rsa2048'], {
    maxBuffer: 16 << 20,
  });
  const m = /rsa\s+2048 bits\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`could not read openssl speed output:\n${stdout}`);
  return Number(m[1]);
}

export async function versions(): Promise<{ node: string; openssl: string; nproc: number }> {
  const { stdout } = await run('openssl', ['version']);
  const { availableParallelism } = await import('node:os');
  return { node: process.version, openssl: stdout.trim(), nproc: availableParallelism() };
}
