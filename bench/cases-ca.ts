/**
 * B4 (BENCH.md): certificates issued and stored per second from CSRs, against cfssl 1.2 (Debian
 * golang-cfssl) `serve` + its sign endpoint, same loader, same CSR, CA keys of the same type
 * (EC P-384). Ours goes through the admin API (`POST /admin/v1/ca/certificates`, a key admin's
 * level-3 token) and records every certificate in the registry before answering; cfssl is run
 * without a certificate database, so it stores nothing — the comparison favours the reference.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generate } from 'otplib';
import { prepare, timing } from './cases-sign.js';
import { cli, freePort, load } from './lib.js';
import type { Row, RunOptions } from './report.js';

const csrPem = (dir: string): string => {
  execFileSync(
    'openssl',
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'ee.key'),
      '-subj',
      '/CN=bench device',
      '-out',
      join(dir, 'ee.csr'),
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(join(dir, 'ee.csr'), 'utf8');
};

async function startCfssl(dir: string) {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes'];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      join(dir, 'ca.pem'),
      '-subj',
      '/CN=cfssl bench CA',
      '-days',
      '30',
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(
    join(dir, 'cfssl.json'),
    JSON.stringify({ signing: { default: { expiry: '8760h', usages: ['digital signature', 'content commitment'] } } }),
  );
  const port = await freePort();
  const proc = spawn(
    'cfssl',
    [
      'serve',
      '-address',
      '127.0.0.1',
      '-port',
      String(port),
      '-ca',
      join(dir, 'ca.pem'),
      '-ca-key',
      join(dir, 'ca.key'),
      '-config',
      join(dir, 'cfssl.json'),
      '-loglevel',
      '5',
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  // cfssl 1.2 has no health endpoint: any HTTP answer to /info means it listens.
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`${url}/api/v1/cfssl/info`, { method: 'POST', body: '{}' }).then(
        () => true,
        () => false,
      )
    )
      break;
    if (i === 99) throw new Error('cfssl did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => proc.kill('SIGTERM') };
}

/** A level-3 admin token for the demo user made key admin (password + TOTP, as an operator would). */
async function adminToken(url: string, env: Record<string, string>, username: string, password: string) {
  await cli(['user', 'grant-role', username, 'key_admin'], env);
  const { uri } = JSON.parse(await cli(['user', 'totp-enrol', username, '--json'], env)) as { uri: string };
  const secret = new URL(uri).searchParams.get('secret') as string;
  const totp = await generate({ secret, algorithm: 'sha1', digits: 6, period: 30 });
  const r = await fetch(`${url}/admin/v1/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    },
    body: JSON.stringify({ totp }),
  });
  const body = (await r.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`admin login failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

const recorded = (dbFile: string): number => {
  const db = new Database(dbFile, { readonly: true });
  try {
    return (
      db.prepare("SELECT count(*) AS n FROM ca_certificates WHERE profile = 'seal' AND key_id IS NULL").get() as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
};

export async function benchIssue(opts: RunOptions): Promise<Row[]> {
  const { secs } = timing(opts);
  const dir = mkdtempSync(join(tmpdir(), 'shomei-b4-'));
  const csr = csrPem(dir);
  const cfssl = await startCfssl(dir);
  const p = await prepare(opts);
  try {
    const env = { SHOMEI_DATA_DIR: p.dataDir };
    const token = await adminToken(p.server.url, env, p.demo.username, p.demo.password);
    const connections = 8;
    const ours = await load({
      kind: 'post',
      url: p.server.url,
      path: '/admin/v1/ca/certificates',
      token,
      connections,
      seconds: secs,
      body: { csr, profile: 'seal', validityDays: 365 },
    });
    const stored = recorded(join(p.dataDir, 'shomei.db'));
    const ref = await load({
      kind: 'post',
      url: cfssl.url,
      path: '/api/v1/cfssl/sign',
      connections,
      seconds: secs,
      body: { certificate_request: csr },
    });
    const ratio = ours.rps / ref.rps;
    return [
      {
        case: 'B4 issue',
        figure: ours.rps,
        unit: 'certificates/s',
        reference: ref.rps,
        referenceLabel: 'cfssl 1.2 serve /api/v1/cfssl/sign',
        ratio,
        goal: '>= 1.0',
        notes: `${stored} recorded in the registry; non2xx=${ours.non2xx} (cfssl non2xx=${ref.non2xx}); cfssl stores nothing`,
      },
    ];
  } finally {
    cfssl.stop();
    await p.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}
