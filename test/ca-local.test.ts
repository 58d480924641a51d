import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/audit/index.js';
import { createCrls, createLocalCa, type LocalCa, ROOT_ID } from '../src/ca/index.js';
import { createKeyService, createSoftwareKeyStore, type KeyService, kekFromBase64 } from '../src/keys/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import type { Store } from '../src/store/index.js';
import { certPem, openssl } from './keys-openssl.js';
import { backends } from './support/stores.js';

const x509Text = (der: Uint8Array) =>
  openssl({ 'c.der': der }, ['x509', '-inform', 'DER', '-in', '{c.der}', '-noout', '-text']);

describe.each(await backends())('ca/local on $name (KEY-3)', (backend) => {
  let store: Store;
  let drop: () => Promise<void>;
  let keys: KeyService;
  let ca: LocalCa;
  const keystore = createSoftwareKeyStore({
    kek: kekFromBase64(systemRandom.bytes(32).toString('base64')),
    random: systemRandom,
    poolSize: 2,
  });
  // Pinned to "now" so openssl verify (which uses the real time) accepts the validity period.
  const clock = manualClock(Date.now() - 60_000);
  const events: AuditEvent[] = [];
  const audit = {
    append: async (e: AuditEvent) => {
      events.push(e);
      return { seq: events.length - 1, leafHash: '' };
    },
  };
  const deps = () => ({ store, audit, keys, clock, random: systemRandom, publicUrl: 'https://shomei.test/' });

  beforeAll(async () => {
    ({ store, drop } = await backend.create());
    keys = createKeyService({ store, keystore, clock, random: systemRandom });
    ca = createLocalCa(deps());
  });
  afterAll(async () => {
    await keystore.close();
    await drop();
  });

  it('KEY-3: the root is created once, persisted and reused by a later start', async () => {
    const root = await ca.ensure();
    const again = await createLocalCa(deps()).ensure();
    expect(again.keyId).toBe(root.keyId);
    expect(again.certificate.equals(root.certificate)).toBe(true);
    expect(events.filter((e) => e.type === 'ca.root.create')).toHaveLength(1);
    const text = x509Text(root.certificate).out;
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain('Subject Key Identifier');
    expect(text).toContain('ecdsa-with-SHA384');
    expect((await keys.get(root.keyId)).keyType).toBe('EC-P384');
  });

  it.each(['EC-P256', 'RSA-2048'] as const)(
    'KEY-3, CA-1: a %s certificate issued by the issuing CA under the root passes openssl verify',
    async (keyType) => {
      const root = await ca.ensure();
      const issuing = await ca.issuing();
      const key = await keys.generate(keyType, 'signing');
      const ee = await ca.issue({
        keyId: key.id,
        subjectDn: 'CN=Alice Example, C=JP',
        profile: 'signing',
        validityDays: 365,
      });
      const v = openssl(
        { 'root.pem': certPem(root.certificate), 'issuing.pem': certPem(issuing.certificate), 'ee.pem': certPem(ee) },
        ['verify', '-CAfile', '{root.pem}', '-untrusted', '{issuing.pem}', '{ee.pem}'],
      );
      expect(v.out).toContain('OK');
      expect(v.ok).toBe(true);
      const text = x509Text(ee).out;
      expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
      expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
      expect(text).toContain('Authority Key Identifier');
      expect(text).toContain('Subject Key Identifier');
      expect(text).toContain('CA Issuers - URI:https://shomei.test/ca/issuing-1.der');
      expect(text).toContain('OCSP - URI:https://shomei.test/ocsp');
      expect(text).toContain('URI:https://shomei.test/crl/issuing-1.crl');
      expect(text).toMatch(/Subject: C ?= ?JP, CN ?= ?Alice Example/);
      const cert = await keys.certificate(key.id);
      expect(cert?.chain.map((c) => c.toString('hex'))).toEqual(
        [ee, issuing.certificate, root.certificate].map((c) => c.toString('hex')),
      );
      expect(cert).toMatchObject({
        subjectDn: 'CN=Alice Example, C=JP',
        issuerDn: 'CN=shomei issuing CA 1',
        status: 'valid',
      });
      expect(cert?.serialNumber).toMatch(/^[0-9a-f]{32,34}$/);
      expect(cert?.notAfter).toBe(Math.floor((clock.now() + 365 * 86_400_000) / 1000) * 1000);
    },
  );

  it('CA-2: concurrent readers of a CA with no CRL yet share one issuance (one number, one row)', async () => {
    await ca.issuing();
    const crls = createCrls({ store, audit, clock, ca, keys });
    const [a, b, c] = await Promise.all([crls.current(ROOT_ID), crls.current(ROOT_ID), crls.current(ROOT_ID)]);
    expect(new Set([a?.number, b?.number, c?.number]).size).toBe(1);
    const rows = await store.db.selectFrom('ca_crls').select('number').where('issuer_id', '=', ROOT_ID).execute();
    expect(rows).toHaveLength(1);
  });

  it('KEY-3: importCertificateChain refuses a chain for another key or out of order', async () => {
    const root = await ca.ensure();
    const issuing = await ca.issuing();
    const a = await keys.generate('EC-P256', 'signing');
    const b = await keys.generate('EC-P256', 'signing');
    const ee = await ca.issue({ keyId: a.id, subjectDn: 'CN=A', profile: 'signing', validityDays: 30 });
    await expect(keys.importCertificateChain(b.id, [ee, issuing.certificate, root.certificate])).rejects.toMatchObject({
      code: 'certificate_mismatch',
      message: expect.stringContaining('another key'),
    });
    const other = await keys.generate('EC-P256', 'signing');
    const otherEe = await ca.issue({ keyId: other.id, subjectDn: 'CN=O', profile: 'signing', validityDays: 30 });
    await expect(keys.importCertificateChain(a.id, [ee, otherEe])).rejects.toMatchObject({
      code: 'certificate_mismatch',
    });
    await expect(keys.importCertificateChain(a.id, [Buffer.from('junk')])).rejects.toMatchObject({
      code: 'certificate_mismatch',
    });
    expect((await keys.importCertificateChain(a.id, [ee, issuing.certificate, root.certificate])).subjectDn).toBe(
      'CN=A',
    );
  });

  it('KEY-3: validity beyond the root, or for a destroyed key, is refused', async () => {
    const key = await keys.generate('EC-P256', 'signing');
    const req = { keyId: key.id, subjectDn: 'CN=B', profile: 'signing', validityDays: 20_000 } as const;
    await expect(ca.issue(req)).rejects.toMatchObject({ code: 'invalid_parameter' });
    await keys.destroy(key.id, { actor: 'admin:test', reason: 'test' });
    await expect(ca.issue({ ...req, validityDays: 10 })).rejects.toMatchObject({ code: 'invalid_state' });
  });
});
