import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openssl, opensslCsr } from './keys-openssl.js';
import { cli } from './support/cli.js';

const TIMEOUT = 120_000;

describe('shomei ca (CLI-1, CA-1..CA-3)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shomei-ca-cli-'));
    const init = await cli(dir, ['init', '--json']);
    expect(init.code, init.stderr).toBe(0);
  }, TIMEOUT);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'CA-3: ca list prints each CA certificate with the fingerprint openssl computes',
    async () => {
      const r = await cli(dir, ['ca', 'list', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.map((a: { role: string }) => a.role)).toEqual(['root', 'issuing']);
      for (const a of r.json as { sha256: string }[]) expect(a.sha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    },
    TIMEOUT,
  );

  it(
    'CA-1: ca tls-cert writes a 0600 key and a chain that openssl accepts as an SSL server certificate for the name',
    async () => {
      const out = join(dir, 'tls');
      const r = await cli(dir, ['ca', 'tls-cert', '--dns', 'rssp.test,www.rssp.test', '--out-dir', out, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(statSync(r.json.keyFile).mode & 0o777).toBe(0o600);
      const chain = readFileSync(r.json.chainFile, 'utf8');
      const [ee, issuing] = chain.split(/(?=-----BEGIN CERTIFICATE-----)/);
      const v = openssl({ 'ee.pem': ee as string, 'issuing.pem': issuing as string }, [
        'verify',
        '-partial_chain',
        '-purpose',
        'sslserver',
        '-verify_hostname',
        'www.rssp.test',
        '-CAfile',
        '{issuing.pem}',
        '{ee.pem}',
      ]);
      expect(v.ok, v.out).toBe(true);
      const key = openssl({ 'k.pem': readFileSync(r.json.keyFile) }, ['pkey', '-in', '{k.pem}', '-noout']);
      expect(key.ok).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'CA-1: ca issue certifies an openssl CSR; a tampered one is refused with a clear message',
    async () => {
      const csrFile = join(dir, 'req.pem');
      writeFileSync(csrFile, opensslCsr('/CN=sensor 9'));
      const certFile = join(dir, 'cert.der');
      const r = await cli(dir, ['ca', 'issue', '--csr', csrFile, '--profile', 'seal', '--out', certFile]);
      expect(r.code, r.stderr).toBe(0);
      const x = openssl({ 'c.der': readFileSync(certFile) }, [
        'x509',
        '-inform',
        'DER',
        '-in',
        '{c.der}',
        '-noout',
        '-subject',
      ]);
      expect(x.out).toMatch(/CN ?= ?sensor 9/);
      writeFileSync(csrFile, 'not a request');
      const bad = await cli(dir, ['ca', 'issue', '--csr', csrFile]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('csr');
    },
    TIMEOUT,
  );

  it(
    'CA-2: ca bulk-issue reports how many it issued and how fast',
    async () => {
      const r = await cli(dir, ['ca', 'bulk-issue', '--count', '1000', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.issued).toBe(1000);
      expect(r.json.perSecond).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});
