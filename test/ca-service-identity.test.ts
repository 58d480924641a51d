/**
 * CA-1 / CA-2: the service's own signing identities (ca/service-identity.ts, behind the OCSP
 * responder and the TSA): a key certified by the built-in CA under its profile, checked with
 * `openssl verify` / `openssl x509` / `openssl pkeyutl`; found again by a restart or another
 * instance; renewed before expiry with the old key retired; replaced at once when its certificate
 * is revoked; a signing failure (key retired by another instance) retried once with the new key.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertifiedKey,
  createServiceIdentity,
  ISSUING_ID,
  retryOnce,
  type ServiceIdentitySpec,
} from '../src/ca/index.js';
import { defaultSignature } from '../src/keys/index.js';
import { manualClock, systemPlatform } from '../src/platform/index.js';
import { certPem, openssl, pkeyutlVerify } from './keys-openssl.js';
import { ACTOR, startApp, type TestApp } from './support/app.js';

const DAY = 86_400_000;
const clock = manualClock(Date.now() - 60_000);
let t: TestApp;

beforeAll(async () => {
  t = await startApp({ demo: false, platform: { ...systemPlatform, clock } });
});
afterAll(async () => {
  await t?.close();
});

/** A spec of its own purpose per test; `built` counts the build calls (one per key, cached). */
function spec(purpose: string): ServiceIdentitySpec<CertifiedKey> & { built: CertifiedKey[] } {
  const built: CertifiedKey[] = [];
  return {
    built,
    purpose,
    profile: 'ocsp',
    subjectDn: `CN=shomei ${purpose}`,
    keyType: 'EC-P256',
    validityDays: 30,
    renewBeforeMs: 7 * DAY,
    retireReason: 'test renewal',
    build: (c) => {
      built.push(c);
      return c;
    },
  };
}

const identity = (s: ServiceIdentitySpec<CertifiedKey>) =>
  createServiceIdentity({ ca: t.app.ca, keys: t.app.keys, clock }, s);

/** Signs a digest with the identity's key (throws if the key service refuses, e.g. a retired key). */
async function signWith(c: CertifiedKey): Promise<{ digest: Buffer; sig: Buffer }> {
  const digest = createHash('sha256').update(c.key.id).digest();
  const [sig] = await t.app.keys.signDigests(c.key.id, defaultSignature(c.key.keyType), [digest]);
  return { digest, sig: sig as Buffer };
}

describe('CA-1 / CA-2 service signing identities', () => {
  it('CA-1 a key of the purpose is generated once and certified under the profile; openssl verifies chain and EKU', async () => {
    const s = spec('test-svc-issue');
    const ids = identity(s);
    const [a, b] = await Promise.all([ids.current(), ids.current()]);
    expect(b).toBe(a); // one provisioning at a time
    expect(await ids.current()).toBe(a); // cached, built once
    expect(s.built).toHaveLength(1);
    const keys = await t.app.keys.find({ purpose: 'test-svc-issue' });
    expect(keys.map((k) => k.id)).toEqual([a.key.id]);
    expect(a.chain).toHaveLength(3);

    const x = new X509Certificate(a.chain[0] as Buffer);
    expect(x.subject).toBe('CN=shomei test-svc-issue');
    expect(Date.parse(x.validTo)).toBe(a.notAfter);
    expect(x.serialNumber.toLowerCase().replace(/^0+/, '')).toBe(a.serial.replace(/^0+/, ''));
    expect(x.publicKey.export({ type: 'spki', format: 'der' }).equals(a.key.publicKey)).toBe(true);
    const files = {
      'ee.pem': certPem(a.chain[0] as Buffer),
      'ca.pem': certPem(a.chain[1] as Buffer),
      'root.pem': certPem(a.chain[2] as Buffer),
    };
    const verified = openssl(files, ['verify', '-CAfile', '{root.pem}', '-untrusted', '{ca.pem}', '{ee.pem}']);
    expect(verified.out).toContain('OK');
    expect(verified.ok).toBe(true);
    const text = openssl(files, ['x509', '-in', '{ee.pem}', '-noout', '-ext', 'extendedKeyUsage']);
    expect(text.out).toContain('OCSP Signing');

    const { digest, sig } = await signWith(a);
    const checked = pkeyutlVerify(a.key.publicKey, digest, sig, []);
    expect(checked.out).toContain('Signature Verified Successfully');
  });

  it('CA-2 a restart or another instance reuses the stored key; near expiry a new key is made and the old retired', async () => {
    const first = await identity(spec('test-svc-renew')).current();
    clock.advance(22 * DAY); // 8 days left
    const other = spec('test-svc-renew');
    expect((await identity(other).current()).key.id).toBe(first.key.id);
    expect(other.built).toHaveLength(1);

    const staying = identity(spec('test-svc-renew'));
    expect((await staying.current()).key.id).toBe(first.key.id);
    clock.advance(2 * DAY); // 6 days left: no longer used
    const renewed = await identity(spec('test-svc-renew')).current();
    expect(renewed.key.id).not.toBe(first.key.id);
    expect(renewed.notAfter).toBeGreaterThan(first.notAfter);
    expect((await t.app.keys.get(first.key.id)).status).toBe('retired');
    expect((await staying.current()).key.id).toBe(renewed.key.id); // the cached one expired too
    expect(await t.app.keys.find({ purpose: 'test-svc-renew' })).toHaveLength(2);
  });

  it('CA-2 a signing failure (key retired by another instance) finds the new key and retries once', async () => {
    const mine = identity(spec('test-svc-retry'));
    const old = await mine.current();
    // Another instance's key replaces ours: its certificate is revoked there, so it retires the old key.
    await t.app.ca.revoke(ISSUING_ID, old.serial, 'superseded', ACTOR);
    const theirs = await identity(spec('test-svc-retry')).current();
    expect(theirs.key.id).not.toBe(old.key.id);
    expect((await t.app.keys.get(old.key.id)).status).toBe('retired');

    const used: string[] = [];
    const { digest, sig } = await mine.use(async (c) => {
      used.push(c.key.id);
      return signWith(c);
    });
    expect(used).toEqual([old.key.id, theirs.key.id]);
    expect(pkeyutlVerify(theirs.key.publicKey, digest, sig, []).ok).toBe(true);

    // A failure that persists is thrown after the one retry.
    let calls = 0;
    const failing = mine.use(async () => {
      calls++;
      throw new Error('HSM down');
    });
    await expect(failing).rejects.toThrow('HSM down');
    expect(calls).toBe(2);
  });

  it('CA-2 statusChanged for the identity’s certificate replaces it at once; other serials change nothing', async () => {
    const ids = identity(spec('test-svc-revoke'));
    const first = await ids.current();
    ids.statusChanged('0badc0ffee');
    expect(await ids.current()).toBe(first);

    await t.app.ca.revoke(ISSUING_ID, first.serial, 'keyCompromise', ACTOR);
    ids.statusChanged(first.serial);
    const second = await ids.current();
    expect(second.key.id).not.toBe(first.key.id);
    expect((await t.app.keys.get(first.key.id)).status).toBe('retired');
    const subject = openssl({ 'ee.pem': certPem(second.chain[0] as Buffer) }, [
      'x509',
      '-in',
      '{ee.pem}',
      '-noout',
      '-subject',
    ]);
    expect(subject.out).toContain('shomei test-svc-revoke');
  });

  it('CA-2 retryOnce resets between the two attempts and returns the second result', async () => {
    let n = 0;
    let resets = 0;
    const r = await retryOnce(
      async () => {
        if (n++ === 0) throw new Error('first');
        return 'second';
      },
      () => resets++,
    );
    expect([r, n, resets]).toEqual(['second', 2, 1]);
  });
});
