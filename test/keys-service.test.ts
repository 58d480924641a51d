import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKeyService,
  createSoftwareKeyStore,
  HASHES,
  type KeyService,
  kekFromBase64,
  OID,
  resolveSignature,
} from '../src/keys/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import type { Store } from '../src/store/index.js';
import { openssl, spkiPem } from './keys-openssl.js';
import { backends } from './support/stores.js';

const digest = createHash('sha256').update('to be signed').digest();

describe.each(await backends())('keys/service on $name (KEY-1, KEY-2, SIGN-2)', (backend) => {
  let store: Store;
  let drop: () => Promise<void>;
  let keys: KeyService;
  const keystore = createSoftwareKeyStore({
    kek: kekFromBase64(systemRandom.bytes(32).toString('base64')),
    random: systemRandom,
    poolSize: 2,
  });
  const clock = manualClock();

  beforeAll(async () => {
    ({ store, drop } = await backend.create());
    keys = createKeyService({ store, keystore, clock, random: systemRandom });
  });
  afterAll(async () => {
    await keystore.close();
    await drop();
  });

  it('KEY-2: generates a key, stores it wrapped and signs with it', async () => {
    const k = await keys.generate('EC-P256', 'signing');
    expect(k).toMatchObject({ keyType: 'EC-P256', status: 'active', ref: `soft:${k.id}` });
    const row = await store.db.selectFrom('keys').selectAll().where('id', '=', k.id).executeTakeFirstOrThrow();
    expect(row.wrapped?.length).toBeGreaterThan(29);
    expect(row.kek_id).toMatch(/^[0-9a-f]{16}$/);
    const sig = resolveSignature({ keyType: k.keyType, signAlgo: OID.ecdsaWithSHA256 });
    const [s] = await keys.signDigests(k.id, sig, [digest]);
    const pub = createPublicKey({ key: await keys.publicKey(k.id), format: 'der', type: 'spki' });
    expect(verify('sha256', Buffer.from('to be signed'), pub, s as Buffer)).toBe(true);
  });

  it('SIGN-4: the key service refuses a scheme for another key family and wrong digest lengths', async () => {
    const k = await keys.generate('EC-P384', 'signing');
    const rsa = { scheme: 'rsa-pkcs1', hash: HASHES['SHA-256'] } as const;
    await expect(keys.signDigests(k.id, rsa, [digest])).rejects.toMatchObject({ code: 'invalid_parameter' });
    const ec = { scheme: 'ecdsa', hash: HASHES['SHA-384'] } as const;
    await expect(keys.signDigests(k.id, ec, [digest])).rejects.toMatchObject({ code: 'invalid_digest_length' });
  });

  it('KEY-2: imports a PKCS#8 key; RSA-1024 and unknown keys are refused', async () => {
    const pkcs8 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({
      type: 'pkcs8',
      format: 'der',
    });
    expect((await keys.importPkcs8(pkcs8, 'imported')).keyType).toBe('EC-P521');
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'der',
    });
    await expect(keys.importPkcs8(weak, 'x')).rejects.toMatchObject({ code: 'unsupported_algorithm' });
    await expect(keys.importPkcs8(Buffer.from('junk'), 'x')).rejects.toMatchObject({ code: 'invalid_parameter' });
    await expect(keys.get('no-such-key')).rejects.toMatchObject({ code: 'unknown_key' });
  });

  it('SIGN-4: Ed25519 only with allowEd25519; it signs messages (the log key)', async () => {
    await expect(keys.generate('Ed25519', 'log')).rejects.toMatchObject({ code: 'unsupported_algorithm' });
    const logKeys = createKeyService({ store, keystore, clock, random: systemRandom, policy: { allowEd25519: true } });
    const k = await logKeys.generate('Ed25519', 'log');
    const msg = Buffer.from('checkpoint');
    const s = await logKeys.signMessage(k.id, msg);
    expect(verify(null, msg, createPublicKey({ key: k.publicKey, format: 'der', type: 'spki' }), s)).toBe(true);
  });

  it('SIGN-2: destroy zeroises the wrapped key; signing afterwards fails with invalid_state', async () => {
    const k = await keys.generate('RSA-2048', 'signing');
    await keys.destroy(k.id, { actor: 'admin:test', reason: 'test' });
    const row = await store.db.selectFrom('keys').selectAll().where('id', '=', k.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ wrapped: null, status: 'destroyed', destroyed_at: clock.now() });
    const sig = resolveSignature({ keyType: 'RSA-2048', signAlgo: OID.sha256WithRSAEncryption });
    await expect(keys.signDigests(k.id, sig, [digest])).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('KEY-2: a retired key keeps its material but no longer signs', async () => {
    const k = await keys.generate('EC-P256', 'signing');
    await keys.retire(k.id, { actor: 'admin:test', reason: 'test' });
    expect((await keys.get(k.id)).status).toBe('retired');
    const sig = resolveSignature({ keyType: 'EC-P256', signAlgo: OID.ecdsaWithSHA256 });
    await expect(keys.signDigests(k.id, sig, [digest])).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it.each(['RSA-2048', 'EC-P256', 'EC-P384', 'EC-P521'] as const)(
    'KEY-3: the %s CSR passes openssl req -verify',
    async (keyType) => {
      const k = await keys.generate(keyType, 'signing');
      const csr = await keys.csr(k.id, 'CN=Alice Example, O=Shomei Test\\, Inc., C=JP');
      const o = openssl({ 'req.der': csr }, [
        'req',
        '-inform',
        'DER',
        '-in',
        '{req.der}',
        '-verify',
        '-noout',
        '-text',
      ]);
      expect(o.ok, o.out).toBe(true);
      expect(o.out).toMatch(/verify OK|Certificate request self-signature verify OK/);
      expect(o.out).toContain('C = JP, O = "Shomei Test, Inc.", CN = Alice Example');
      const pub = openssl({ 'req.der': csr }, ['req', '-inform', 'DER', '-in', '{req.der}', '-pubkey', '-noout']);
      expect(pub.out.trim()).toBe(spkiPem(k.publicKey).trim());
    },
  );

  it('KEY-3: a CSR with an empty or malformed subject is refused', async () => {
    const k = await keys.generate('EC-P256', 'signing');
    await expect(keys.csr(k.id, '')).rejects.toMatchObject({ code: 'invalid_parameter' });
    await expect(keys.csr(k.id, 'NOTATYPE=x')).rejects.toMatchObject({ code: 'invalid_parameter' });
  });
});
