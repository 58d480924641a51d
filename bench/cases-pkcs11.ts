/**
 * B1 with the PKCS#11 key store: the same request chain as B1 (authorize 100 hashes → signHash,
 * 4 clients, RSA-2048, every signature durably logged), with the keys in a SoftHSM2 token made in
 * a temp dir, once per process layout: signing in the server process on 1, 2 or 4 sessions
 * (pkcs11js *Async calls on libuv's thread pool, UV_THREADPOOL_SIZE threads, default 4), or in 1 or
 * 2 child processes with their own PKCS#11 context. Besides openssl (BENCH.md's reference), the
 * token's own ceiling is measured in the same run (bench/pkcs11-raw.ts): SoftHSM2 reads, decrypts
 * and rebuilds the private key on every C_SignInit, so it signs several times slower than openssl. One data directory and token serve every
 * layout; the server is restarted between them with different settings.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSoftHsm, type SoftHsm, softHsmUnavailable } from '../test/support/softhsm.js';
import { b1Scenario, countSignatures, type Demo, timing } from './cases-sign.js';
import { cli, load, opensslRsaSpeed, ROOT, startShomei } from './lib.js';
import type { Row, RunOptions } from './report.js';

const TOKEN = 'shomei-bench';

interface Layout {
  readonly processes: number;
  readonly sessions: number;
}

const FULL: Layout[] = [
  { processes: 0, sessions: 1 },
  { processes: 0, sessions: 2 },
  { processes: 0, sessions: 4 },
  { processes: 1, sessions: 2 },
  { processes: 2, sessions: 1 },
  { processes: 2, sessions: 2 },
];
/** --quick: the default layout (2 children × 2 sessions) and in-process, so CI proves both paths work. */
const QUICK: Layout[] = [
  { processes: 2, sessions: 2 },
  { processes: 0, sessions: 1 },
];

/** BENCH_PKCS11_LAYOUTS="2x1,0x1,2x1,0x1" (processes x sessions) runs these instead, e.g. interleaved A/B. */
function layouts(quick: boolean): Layout[] {
  const custom = process.env.BENCH_PKCS11_LAYOUTS;
  if (!custom) return quick ? QUICK : FULL;
  return custom.split(',').map((l) => {
    const [processes, sessions] = l.split('x').map(Number);
    if (!Number.isInteger(processes) || !Number.isInteger(sessions)) throw new Error(`bad layout ${l}`);
    return { processes: processes as number, sessions: sessions as number };
  });
}

const label = (l: Layout) =>
  l.processes === 0
    ? `in-process, ${l.sessions} session${l.sessions > 1 ? 's' : ''}`
    : `${l.processes} child process${l.processes > 1 ? 'es' : ''} × ${l.sessions} session${l.sessions > 1 ? 's' : ''}`;

/** `processes` raw signers (bench/pkcs11-raw.ts) at once: what the token itself sustains, sig/s. */
async function softHsmCeiling(hsm: SoftHsm, processes: number, seconds: number): Promise<number> {
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const args = ['--import', 'tsx', 'bench/pkcs11-raw.ts', hsm.modulePath, TOKEN, String(seconds)];
      const p = execFile(process.execPath, args, { cwd: ROOT }, (e, stdout) =>
        e ? reject(e) : resolve((JSON.parse(stdout) as { rate: number }).rate),
      );
      p.stdin?.end(hsm.pin);
    });
  const rates = await Promise.all(Array.from({ length: processes }, one));
  return rates.reduce((a, b) => a + b, 0);
}

async function login(url: string, demo: Demo): Promise<string> {
  const r = await fetch(`${url}/csc/v2/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${demo.username}:${demo.password}`).toString('base64')}`,
    },
    body: '{}',
  });
  return ((await r.json()) as { access_token: string }).access_token;
}

export async function benchSignPkcs11(opts: RunOptions): Promise<Row[]> {
  const { secs, warm } = timing(opts);
  if (softHsmUnavailable()) return []; // prints why; in CI a missing SoftHSM throws instead
  const hsm = createSoftHsm([TOKEN]); // also sets SOFTHSM2_CONF for the servers started below
  const dataDir = mkdtempSync(join(tmpdir(), 'shomei-bench-p11-'));
  const base = {
    SHOMEI_DATA_DIR: dataDir,
    SHOMEI_KEYSTORE: 'pkcs11',
    SHOMEI_PKCS11_MODULE: hsm.modulePath,
    SHOMEI_PKCS11_TOKEN: TOKEN,
    SHOMEI_PKCS11_PIN: hsm.pin,
    SOFTHSM2_CONF: hsm.conf,
  };
  const uv = process.env.UV_THREADPOOL_SIZE ?? '4 (default)';
  const rows: Row[] = [];
  try {
    const ref = await opensslRsaSpeed(opts.quick ? 1 : 5, opts.nproc);
    const ceiling = await softHsmCeiling(hsm, opts.nproc, opts.quick ? 1 : 5);
    rows.push({
      case: 'B1 PKCS#11 ceiling: SoftHSM2 alone',
      figure: ceiling,
      unit: 'RSA-2048 sig/s',
      reference: ref,
      referenceLabel: `openssl speed -multi ${opts.nproc} rsa2048`,
      ratio: ceiling / ref,
      goal: '(report)',
      notes: `${opts.nproc} processes × 1 session C_Sign flat out, no service`,
    });
    let demo: Demo | undefined;
    let token = '';
    for (const layout of layouts(opts.quick)) {
      const server = await startShomei({
        ...base,
        SHOMEI_KEYSTORE__PKCS11__PROCESSES: String(layout.processes),
        SHOMEI_KEYSTORE__PKCS11__SESSIONS: String(layout.sessions),
      });
      try {
        if (!demo) {
          demo = JSON.parse(await cli(['demo', '--json'], { ...base, SHOMEI_PUBLIC_URL: server.url })) as Demo;
          token = await login(server.url, demo);
        }
        const scenario = b1Scenario(server.url, token, demo);
        await load({ ...scenario, seconds: warm });
        const before = countSignatures(join(dataDir, 'shomei.db'));
        const r = await load({ ...scenario, seconds: secs });
        const rate = (countSignatures(join(dataDir, 'shomei.db')) - before) / r.duration;
        if (!opts.quiet) process.stderr.write(`  B1 PKCS#11 ${label(layout)}: ${rate.toFixed(0)} sig/s\n`);
        rows.push({
          case: `B1 PKCS#11 (SoftHSM2) ${label(layout)}`,
          figure: rate,
          unit: 'RSA-2048 sig/s',
          reference: ref,
          referenceLabel: `openssl speed -multi ${opts.nproc} rsa2048`,
          ratio: rate / ref,
          goal: '(report)',
          notes: `${((100 * rate) / ceiling).toFixed(0)} % of SoftHSM2 alone; non2xx=${r.non2xx} errors=${r.errors} UV_THREADPOOL_SIZE=${uv}`,
        });
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    hsm.cleanup();
  }
  return rows;
}
