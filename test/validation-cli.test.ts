/**
 * VERIFY / CLI-1: `shomei verify FILE` run as the real binary on a service's data directory. The
 * samples are made in-process by the format code with the service's CA, TSA and OCSP; the exit code
 * is 0 only when every signature is TOTAL-PASSED. openssl cms -verify is the independent oracle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaAuthority } from '../src/ca/index.js';
import { prepareCades } from '../src/formats/cades/index.js';
import { prepareJades } from '../src/formats/jades/index.js';
import { inProcessTimestampSource } from '../src/tsa/index.js';
import { appRevocation, cmsVerify, testSigner } from './formats-support.js';
import { certPem } from './keys-openssl.js';
import { OIDS, startApp } from './support/app.js';
import { cli } from './support/cli.js';

const TIMEOUT = 120_000;
const content = Buffer.from('CLI validation sample\n');

describe('shomei verify (VERIFY, CLI-1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-verify-cli-'));
  const file = (name: string) => join(dir, name);
  let root: Buffer;

  beforeAll(async () => {
    const t = await startApp({ dataDir: join(dir, 'data'), demo: false });
    try {
      root = ((await t.app.ca.authorities()) as [CaAuthority])[0].certificate;
      const s = await testSigner(t.app, 'EC-P256', OIDS.ecdsaSha256, { signingTime: new Date() });
      const services = { timestamps: inProcessTimestampSource(t.app.tsa), revocation: appRevocation(t.app) };
      const cades = await prepareCades(content, s.signer, { level: 'B-LT', packaging: 'attached' }, services);
      const valid = Buffer.from(await cades.finish(await s.sign(cades.digest)));
      const tampered = Buffer.from(valid);
      const at = tampered.indexOf('CLI validation');
      tampered[at] = (tampered[at] as number) ^ 0x01;
      const jades = await prepareJades(
        content,
        s.signer,
        { level: 'B-T', serialization: 'json', detached: true },
        services,
      );
      writeFileSync(file('valid.p7m'), valid);
      writeFileSync(file('tampered.p7m'), tampered);
      writeFileSync(file('detached.json'), await jades.finish(await s.sign(jades.digest)));
      writeFileSync(file('content.txt'), content);
      writeFileSync(file('root.pem'), certPem(root));
      writeFileSync(file('plain.txt'), 'no signature here');
    } finally {
      await t.close();
    }
  }, TIMEOUT);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const verify = (args: string[]) => cli(join(dir, 'data'), ['verify', ...args]);

  it(
    'VERIFY shomei verify --json: a valid CAdES B-LT exits 0 with TOTAL-PASSED against the service root; openssl agrees',
    async () => {
      const r = await verify([file('valid.p7m'), '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.allPassed).toBe(true);
      expect(r.json.signatures[0]).toMatchObject({ format: 'CAdES', indication: 'TOTAL-PASSED', level: 'B-LT' });
      expect(cmsVerify(readFileSync(file('valid.p7m')), root).ok).toBe(true);
    },
    TIMEOUT,
  );

  it(
    'VERIFY shomei verify: a tampered CAdES exits 1 and says TOTAL-FAILED (HASH_FAILURE); openssl rejects it too',
    async () => {
      const r = await verify([file('tampered.p7m')]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('TOTAL-FAILED (HASH_FAILURE)');
      expect(cmsVerify(readFileSync(file('tampered.p7m')), root).ok).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'VERIFY shomei verify --detached --anchor --html --out: the JAdES detached report is written as HTML, exit 0',
    async () => {
      const args = ['--detached', file('content.txt'), '--anchor', file('root.pem'), '--html', '--out', file('r.html')];
      const r = await verify([file('detached.json'), ...args]);
      expect(r.code, r.stderr).toBe(0);
      const html = readFileSync(file('r.html'), 'utf8');
      expect(html).toContain('JAdES signature JWS1: TOTAL-PASSED');
      expect(html).not.toMatch(/<script/i);
      const missing = await verify([file('detached.json'), '--anchor', file('root.pem'), '--json']);
      expect([missing.code, missing.json.signatures[0].subIndication]).toEqual([1, 'SIGNED_DATA_NOT_FOUND']);
    },
    TIMEOUT,
  );

  it(
    'VERIFY shomei verify: an unreadable file or a document without signatures is one catalogue line, exit 1',
    async () => {
      const none = await verify([file('missing.pdf')]);
      expect([none.code, none.stderr.trim()]).toEqual([1, `shomei: cannot read ${file('missing.pdf')}: no such file`]);
      const plain = await verify([file('plain.txt'), '--anchor', file('root.pem')]);
      expect(plain.code).toBe(1);
      expect(plain.stderr).toMatch(/^shomei: validation_unsupported_document: /);
    },
    TIMEOUT,
  );
});
