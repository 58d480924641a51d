import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createSoftwareKeyStore,
  HASHES,
  type HashName,
  type KeyHandle,
  type KeyType,
  kekFromBase64,
  loadOrCreateKek,
  type ResolvedSignature,
} from '../src/keys/index.js';
import { emsaPssEncode } from '../src/keys/software/rsa.js';
import { unwrapKey, wrapKey } from '../src/keys/software/wrap.js';
import { systemRandom } from '../src/platform/index.js';
import { pkeyutlVerify } from './keys-openssl.js';

const kek = kekFromBase64(systemRandom.bytes(32).toString('base64'));
const ks = createSoftwareKeyStore({ kek, random: systemRandom, poolSize: 2 });
afterAll(() => ks.close());

const message = Buffer.from('shomei: the document to be signed');
const digestOf = (h: HashName) => createHash(HASHES[h].node).update(message).digest();
const opensslDigest = (h: HashName) => HASHES[h].node;

type Case = { keyType: KeyType; sig: ResolvedSignature };
const rsaCases = (keyType: KeyType, hashes: HashName[]): Case[] =>
  hashes.flatMap((h) => [
    { keyType, sig: { scheme: 'rsa-pkcs1', hash: HASHES[h] } },
    { keyType, sig: { scheme: 'rsa-pss', hash: HASHES[h], saltLength: HASHES[h].length } },
  ]);
const ecCases = (keyType: KeyType): Case[] =>
  (['SHA-256', 'SHA-384', 'SHA-512'] as const).map((h) => ({ keyType, sig: { scheme: 'ecdsa', hash: HASHES[h] } }));

const cases: Case[] = [
  ...rsaCases('RSA-2048', ['SHA-256', 'SHA-384', 'SHA-512']),
  ...rsaCases('RSA-3072', ['SHA-256']),
  ...rsaCases('RSA-4096', ['SHA-512']),
  ...ecCases('EC-P256'),
  ...ecCases('EC-P384'),
  ...ecCases('EC-P521'),
];

const handles = new Map<KeyType, Promise<{ handle: KeyHandle; spki: Buffer }>>();
function keyFor(keyType: KeyType) {
  let p = handles.get(keyType);
  if (!p) {
    const id = `k-${keyType}`;
    p = ks
      .generate(keyType, id)
      .then((k) => ({ handle: { id, ref: k.ref, keyType, wrapped: k.wrapped }, spki: k.publicKey }));
    handles.set(keyType, p);
  }
  return p;
}

function nodeVerify(spki: Buffer, sig: ResolvedSignature, signature: Buffer): boolean {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const opts =
    sig.scheme === 'rsa-pss' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: sig.saltLength ?? 0 } : key;
  return verify(sig.hash.node, message, opts, signature);
}

describe('keys/software — signing precomputed digests (SIGN-1, SIGN-4)', () => {
  it.each(cases)(
    'SIGN-4: $keyType $sig.scheme $sig.hash.name verifies with openssl and node:crypto',
    async ({ keyType, sig }) => {
      const { handle, spki } = await keyFor(keyType);
      const digest = digestOf(sig.hash.name);
      const [signature, second] = await ks.sign(handle, sig, [digest, digest]);
      if (!signature || !second) throw new Error('no signature');
      const opts = [`digest:${opensslDigest(sig.hash.name)}`];
      if (sig.scheme === 'rsa-pss') opts.push('rsa_padding_mode:pss', `rsa_pss_saltlen:${sig.saltLength}`);
      const o = pkeyutlVerify(spki, digest, signature, opts);
      expect(o.out).toContain('Signature Verified Successfully');
      const wrong = Buffer.from(digest);
      wrong[0] = (wrong[0] as number) ^ 1;
      expect(pkeyutlVerify(spki, wrong, signature, opts).ok).toBe(false); // the oracle can say no
      expect(nodeVerify(spki, sig, signature)).toBe(true);
      expect(nodeVerify(spki, sig, second)).toBe(true);
      if (sig.scheme === 'rsa-pss') expect(second.equals(signature)).toBe(false); // random salt per signature
    },
  );

  it('SIGN-1: a batch larger than one chunk keeps the order of the digests', async () => {
    const { handle, spki } = await keyFor('EC-P256');
    const sig: ResolvedSignature = { scheme: 'ecdsa', hash: HASHES['SHA-256'] };
    const msgs = Array.from({ length: 50 }, (_, i) => Buffer.from(`document ${i}`));
    const sigs = await ks.sign(
      handle,
      sig,
      msgs.map((m) => createHash('sha256').update(m).digest()),
    );
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    expect(sigs.every((s, i) => verify('sha256', msgs[i] as Buffer, key, s))).toBe(true);
  });

  it('SIGN-4: an imported RSA-1024 key is refused', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'der',
    });
    await expect(ks.import(weak, 'weak')).rejects.toMatchObject({ code: 'unsupported_algorithm' });
  });

  it('RFC 8017 §9.1.1: EMSA-PSS encoding has the 0xbc trailer and a cleared top bit', () => {
    const em = emsaPssEncode(HASHES['SHA-256'], Buffer.alloc(32, 1), 2047, Buffer.alloc(32, 2));
    expect(em.length).toBe(256);
    expect(em[255]).toBe(0xbc);
    expect((em[0] as number) & 0x80).toBe(0);
  });
});

describe('keys/software — wrapping under the KEK (SIGN-3)', () => {
  const pkcs8 = Buffer.from('not really a key, but bytes to wrap');
  const blob = wrapKey(kek.key, 'key-a', pkcs8, systemRandom.bytes(12));

  it('SIGN-3: a wrapped blob unwraps only under its own key id', () => {
    expect(blob[0]).toBe(1);
    expect(unwrapKey(kek.key, 'key-a', blob).equals(pkcs8)).toBe(true);
    expect(() => unwrapKey(kek.key, 'key-b', blob)).toThrow();
  });

  it('SIGN-3: a tampered blob or another KEK fails to unwrap', () => {
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    expect(() => unwrapKey(kek.key, 'key-a', tampered)).toThrow();
    expect(() => unwrapKey(systemRandom.bytes(32), 'key-a', blob)).toThrow();
  });

  it('SIGN-3: a key blob moved to another key id does not sign (keystore_error)', async () => {
    const { handle } = await keyFor('EC-P256');
    const moved = { ...handle, id: 'another-key' };
    const sig: ResolvedSignature = { scheme: 'ecdsa', hash: HASHES['SHA-256'] };
    await expect(ks.sign(moved, sig, [digestOf('SHA-256')])).rejects.toMatchObject({ code: 'keystore_error' });
  });

  it('SIGN-3: the KEK file is created with mode 0600 and reused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shomei-kek-'));
    const a = loadOrCreateKek(dir);
    expect(statSync(join(dir, 'kek')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateKek(dir).key.equals(a.key)).toBe(true);
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('SIGN-3: a group/world-readable KEK file is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shomei-kek-'));
    writeFileSync(join(dir, 'kek'), systemRandom.bytes(32).toString('base64'));
    chmodSync(join(dir, 'kek'), 0o644);
    expect(() => loadOrCreateKek(dir)).toThrow(/mode 644/);
  });

  it('SIGN-3: a KEK from the environment must be 32 bytes', () => {
    expect(() => loadOrCreateKek('/nonexistent', Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
    expect(loadOrCreateKek('/nonexistent', kek.key.toString('base64')).id).toBe(kek.id);
  });
});
