/**
 * CA-1 external-CA mode, as real CLI processes: the service exports a key's CSR, an outside CA
 * (openssl) certifies it, and the chain is imported only when it leads to a configured anchor.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './support/cli.js';

const TIMEOUT = 120_000;
const run = (dir: string, args: string[]) => {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
};

describe('external-CA mode (CA-1, KEY-3)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shomei-ext-ca-'));
    expect((await cli(dir, ['init', '--json'])).code).toBe(0);
  }, TIMEOUT);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'CA-1: a chain from another CA is imported only when it leads to ca.externalAnchors and is for the key',
    async () => {
      const key = await cli(dir, ['key', 'generate', '--type', 'EC-P256', '--json']);
      expect(key.code, key.stderr).toBe(0);
      const keyId = key.json.id as string;
      const csr = await cli(dir, [
        'key',
        'csr',
        keyId,
        '--subject',
        'CN=Signer at Example,O=Example',
        '--out',
        join(dir, 'req.pem'),
      ]);
      expect(csr.code, csr.stderr).toBe(0);
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
      run(dir, [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-subj',
        '/CN=Example External CA',
        '-days',
        '30',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]);
      run(dir, [
        'x509',
        '-req',
        '-in',
        'req.pem',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'ee.pem',
        '-days',
        '10',
      ]);
      const chain = [join(dir, 'ee.pem'), join(dir, 'ca.pem')];

      const refused = await cli(dir, ['key', 'import-cert', keyId, ...chain]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('trust anchor');

      const config = join(dir, 'shomei.json');
      writeFileSync(config, JSON.stringify({ ca: { externalAnchors: [join(dir, 'ca.pem')] } }));
      const ok = await cli(dir, ['--config', config, 'key', 'import-cert', keyId, ...chain, '--json']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.json.subjectDn).toBe('CN=Signer at Example, O=Example');
      expect(ok.json.issuerDn).toBe('CN=Example External CA');

      // The same chain for another key is refused.
      const other = await cli(dir, ['key', 'generate', '--type', 'EC-P256', '--json']);
      const wrong = await cli(dir, ['--config', config, 'key', 'import-cert', other.json.id, ...chain]);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain('another key');
    },
    TIMEOUT,
  );
});
