/** B1 (RSA-2048 batches), B2 (ECDSA P-256 one by one, against the HTTP ceiling) and M1 (peak RSS). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cli, load, opensslRsaSpeed, startCeiling, startShomei } from './lib.js';
import type { Row, RunOptions } from './report.js';

const SHA256 = '2.16.840.1.101.3.4.2.1';

export interface Demo {
  url: string;
  username: string;
  password: string;
  pin: string;
  credentials: { rsa2048: string; p256: string };
}

export async function prepare(opts: RunOptions, extraEnv: Record<string, string> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'shomei-bench-'));
  const env = { ...extraEnv, SHOMEI_DATA_DIR: dataDir };
  const server = await startShomei(env);
  const demo = JSON.parse(await cli(['demo', '--json'], { ...env, SHOMEI_PUBLIC_URL: server.url })) as Demo;
  const r = await fetch(`${server.url}/csc/v2/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${demo.username}:${demo.password}`).toString('base64')}`,
    },
    body: '{}',
  });
  const token = ((await r.json()) as { access_token: string }).access_token;
  const signatures = () => countSignatures(join(dataDir, 'shomei.db'));
  const cleanup = async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  if (!opts.quiet) process.stderr.write(`  server ${server.url} (data ${dataDir})\n`);
  return { server, demo, token, signatures, cleanup, dataDir };
}

/** Signatures that reached the log: the durable entries, not what the loader believes. */
export function countSignatures(dbFile: string): number {
  const db = new Database(dbFile, { readonly: true });
  try {
    const row = db
      .prepare('SELECT count(*) AS n FROM audit_leaves WHERE CAST(data AS TEXT) LIKE \'%"signature.create"%\'')
      .get() as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

/** B1's request chain: authorize 100 hashes, then signHash them, 4 clients (BENCH.md). */
export const b1Scenario = (url: string, token: string, demo: Demo) => ({
  kind: 'sign',
  url,
  connections: 4,
  token,
  credentialID: demo.credentials.rsa2048,
  pin: demo.pin,
  hashesPerCall: 100,
  signAlgo: '1.2.840.113549.1.1.11',
  hashAlgorithmOID: SHA256,
});

export const timing = (opts: RunOptions) => ({ secs: opts.quick ? 2 : 10, warm: opts.quick ? 1 : 3 });

export async function benchSign(opts: RunOptions, cases: { b1: boolean; b2: boolean } = { b1: true, b2: true }) {
  const rows: Row[] = [];
  const { secs, warm } = timing(opts);

  // B1: 100-hash batches on RSA-2048.
  if (cases.b1) {
    const p = await prepare(opts);
    const scenario = b1Scenario(p.server.url, p.token, p.demo);
    await load({ ...scenario, seconds: warm });
    const before = p.signatures();
    const r = await load({ ...scenario, seconds: secs });
    const rate = (p.signatures() - before) / r.duration;
    const ref = await opensslRsaSpeed(opts.quick ? 1 : 5, opts.nproc);
    rows.push({
      case: 'B1 sign-batch',
      figure: rate,
      unit: 'RSA-2048 sig/s',
      reference: ref,
      referenceLabel: `openssl speed -multi ${opts.nproc} rsa2048`,
      ratio: rate / ref,
      goal: '>= 0.80',
      notes: `non2xx=${r.non2xx} errors=${r.errors}`,
    });
    await p.cleanup();
  }

  // B2 + M1: one authorize + one signHash per ECDSA P-256 signature, many clients.
  if (cases.b2) {
    const p = await prepare(opts);
    const connections = opts.quick ? 16 : 32;
    const scenario = {
      kind: 'sign',
      url: p.server.url,
      connections,
      token: p.token,
      credentialID: p.demo.credentials.p256,
      pin: p.demo.pin,
      hashesPerCall: 1,
      signAlgo: '1.2.840.10045.4.3.2',
      hashAlgorithmOID: SHA256,
    };
    await load({ ...scenario, seconds: warm });
    const before = p.signatures();
    const r = await load({ ...scenario, seconds: secs });
    const rate = (p.signatures() - before) / r.duration;
    // p99 at half the sustained signature rate: two requests per signature.
    const half = await load({ ...scenario, seconds: secs, overallRate: Math.max(2, Math.round(rate)) });
    const rss = p.server.peakRssMiB();
    await p.cleanup();
    const ceiling = await startCeiling();
    await load({ kind: 'ping', url: ceiling.url, connections, seconds: warm });
    const c = await load({ kind: 'ping', url: ceiling.url, connections, seconds: secs });
    await ceiling.stop();
    rows.push({
      case: 'B2 sign-single',
      figure: rate,
      unit: 'P-256 sig/s',
      reference: c.rps,
      referenceLabel: `fastify bare JSON req/s (${connections} conns)`,
      ratio: rate / c.rps,
      goal: '>= 0.30',
      notes: `non2xx=${r.non2xx}`,
    });
    rows.push({
      case: 'B2 p99 @ half rate',
      figure: half.p99,
      unit: 'ms',
      reference: Number.NaN,
      referenceLabel: `${Math.round(rate / 2)} sig/s offered`,
      ratio: Number.NaN,
      goal: '<= 20 ms',
      notes: `p50=${half.p50} ms non2xx=${half.non2xx}`,
    });
    rows.push({
      case: 'M1 memory',
      figure: rss,
      unit: 'MiB peak RSS (B2)',
      reference: Number.NaN,
      referenceLabel: '-',
      ratio: Number.NaN,
      goal: '<= 256 MB',
      notes: '',
    });
  }
  return rows;
}
