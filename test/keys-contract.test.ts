/**
 * One KeyStore contract (STYLE.md 4), run against every backend: the software key store and
 * PKCS#11 through a throwaway SoftHSM2 token. Signatures are checked with openssl and node:crypto
 * against the SPKI the store returned, never with our own code (STYLE.md 14).
 */
import { constants, createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSoftwareKeyStore,
  HASHES,
  type HashName,
  type KeyHandle,
  type KeyStore,
  type KeyType,
  kekFromBase64,
  type ResolvedSignature,
  type StoredKey,
} from '../src/keys/index.js';
import { createPkcs11KeyStore, createPkcs11ProcessKeyStore } from '../src/keys/pkcs11/index.js';
import { systemRandom } from '../src/platform/index.js';
import { openssl, pkeyutlVerify, spkiPem } from './keys-openssl.js';
import { createSoftHsm, type SoftHsm, softHsmUnavailable } from './support/softhsm.js';

interface Backend {
  readonly name: 'software' | 'pkcs11' | 'pkcs11 in 2 child processes';
  readonly skip: string | null;
  open(): Promise<KeyStore>;
  /** The DB-2 row as the key service leaves it after destroy (it wipes `wrapped`, SIGN-2). */
  afterDestroy(h: KeyHandle): KeyHandle;
  cleanup(): void;
}

let hsm: SoftHsm | undefined;
const backends: Backend[] = [
  {
    name: 'software',
    skip: null,
    open: async () =>
      createSoftwareKeyStore({
        kek: kekFromBase64(randomBytes(32).toString('base64')),
        random: systemRandom,
        poolSize: 2,
      }),
    afterDestroy: (h) => ({ ...h, wrapped: null }),
    cleanup: () => undefined,
  },
  {
    name: 'pkcs11',
    skip: softHsmUnavailable(),
    open: async () => {
      hsm = createSoftHsm(['shomei-contract']);
      return createPkcs11KeyStore({
        modulePath: hsm.modulePath,
        tokenLabel: 'shomei-contract',
        pin: hsm.pin,
        random: systemRandom,
      });
    },
    // The ref alone is all DB-2 holds for a module key: once the token objects are gone it is useless.
    afterDestroy: (h) => h,
    cleanup: () => hsm?.cleanup(),
  },
  {
    // The same token contract when signing runs in child processes, each with its own context.
    name: 'pkcs11 in 2 child processes',
    skip: softHsmUnavailable(),
    open: async () => {
      hsm = createSoftHsm(['shomei-contract']);
      return createPkcs11ProcessKeyStore({
        modulePath: hsm.modulePath,
        tokenLabel: 'shomei-contract',
        pin: hsm.pin,
        random: systemRandom,
        processes: 2,
        sessions: 2,
      });
    },
    afterDestroy: (h) => h,
    cleanup: () => hsm?.cleanup(),
  },
];

type Case = { keyType: KeyType; sig: ResolvedSignature };
const pkcs1 = (h: HashName): ResolvedSignature => ({ scheme: 'rsa-pkcs1', hash: HASHES[h] });
const pss = (h: HashName): ResolvedSignature => ({ scheme: 'rsa-pss', hash: HASHES[h], saltLength: HASHES[h].length });
const ecdsa = (h: HashName): ResolvedSignature => ({ scheme: 'ecdsa', hash: HASHES[h] });
const ALL: HashName[] = ['SHA-256', 'SHA-384', 'SHA-512'];
const CASES: Case[] = [
  ...ALL.flatMap((h) => [pkcs1(h), pss(h)].map((sig) => ({ keyType: 'RSA-2048' as const, sig }))),
  { keyType: 'RSA-3072', sig: pkcs1('SHA-384') },
  { keyType: 'RSA-3072', sig: pss('SHA-256') },
  // One RSA-4096 key only: generation in a token takes seconds.
  { keyType: 'RSA-4096', sig: pkcs1('SHA-512') },
  { keyType: 'RSA-4096', sig: pss('SHA-512') },
  ...(['EC-P256', 'EC-P384', 'EC-P521'] as const).flatMap((keyType) => ALL.map((h) => ({ keyType, sig: ecdsa(h) }))),
];

/** Random messages and their digests: the store signs the digests, the oracles check the messages. */
function randomDigests(hash: HashName, n: number) {
  const messages = Array.from({ length: n }, () => randomBytes(64));
  return { messages, digests: messages.map((m) => createHash(HASHES[hash].node).update(m).digest()) };
}

function nodeVerify(spki: Buffer, sig: ResolvedSignature, message: Buffer, signature: Buffer): boolean {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const opts =
    sig.scheme === 'rsa-pss' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: sig.saltLength ?? 0 } : key;
  return verify(sig.hash.node, message, opts, signature);
}

function opensslVerify(spki: Buffer, sig: ResolvedSignature, digest: Buffer, signature: Buffer): string {
  const opts = [`digest:${sig.hash.node}`];
  if (sig.scheme === 'rsa-pss') opts.push('rsa_padding_mode:pss', `rsa_pss_saltlen:${sig.saltLength}`);
  return pkeyutlVerify(spki, digest, signature, opts).out;
}

describe.each(backends)('KeyStore contract: $name', (backend) => {
  let ks: KeyStore;
  const keys = new Map<KeyType, Promise<{ handle: KeyHandle; stored: StoredKey }>>();
  const handleOf = (id: string, k: StoredKey): KeyHandle => ({
    id,
    ref: k.ref,
    keyType: k.keyType,
    wrapped: k.wrapped,
  });
  const keyFor = (keyType: KeyType) => {
    let p = keys.get(keyType);
    if (!p) {
      const id = `contract-${keyType}`;
      p = ks.generate(keyType, id).then((stored) => ({ handle: handleOf(id, stored), stored }));
      keys.set(keyType, p);
    }
    return p;
  };

  beforeAll(async () => {
    if (!backend.skip) ks = await backend.open();
  });
  afterAll(async () => {
    await ks?.close();
    backend.cleanup();
  });

  it.skipIf(backend.skip)('SIGN-2: generate returns the key type, an SPKI and a ref of this backend', async () => {
    const { stored } = await keyFor('EC-P256');
    expect(stored.keyType).toBe('EC-P256');
    expect(createPublicKey({ key: stored.publicKey, format: 'der', type: 'spki' }).asymmetricKeyType).toBe('ec');
    if (backend.name !== 'software') {
      expect(stored.ref).toMatch(/^pkcs11:token=shomei-contract;id=(%[0-9a-f]{2}){16};object=contract-EC-P256$/);
      expect(stored.wrapped).toBeNull();
      expect(stored.kekId).toBeNull();
    } else expect(stored.ref).toBe('soft:contract-EC-P256');
  });

  it.skipIf(backend.skip).each(CASES)(
    'SIGN-4/SIGN-5: $keyType $sig.scheme $sig.hash.name over precomputed digests verifies with openssl and node:crypto',
    async ({ keyType, sig }) => {
      const { handle, stored } = await keyFor(keyType);
      const { messages, digests } = randomDigests(sig.hash.name, 3);
      const signatures = await ks.sign(handle, sig, digests);
      expect(signatures).toHaveLength(3);
      signatures.forEach((s, i) => {
        const [m, d] = [messages[i] as Buffer, digests[i] as Buffer];
        expect(opensslVerify(stored.publicKey, sig, d, s)).toContain('Signature Verified Successfully');
        expect(nodeVerify(stored.publicKey, sig, m, s)).toBe(true);
        expect(nodeVerify(stored.publicKey, sig, randomBytes(64), s)).toBe(false);
      });
    },
    120_000,
  );

  it.skipIf(backend.skip)('KEY-1: publicKey(handle) equals the SPKI returned by generate', async () => {
    for (const keyType of ['RSA-2048', 'EC-P384'] as const) {
      const { handle, stored } = await keyFor(keyType);
      expect((await ks.publicKey(handle)).equals(stored.publicKey)).toBe(true);
    }
  });

  it.skipIf(backend.skip)('SIGN-4: a scheme that does not fit the key is refused', async () => {
    const { handle } = await keyFor('EC-P256');
    await expect(ks.sign(handle, pkcs1('SHA-256'), [randomBytes(32)])).rejects.toThrow();
  });

  it.skipIf(backend.skip)('SIGN-2: after destroy, the key no longer signs', async () => {
    const id = 'contract-destroyed';
    const stored = await ks.generate('EC-P256', id);
    const handle = handleOf(id, stored);
    const digest = [randomBytes(32)];
    await expect(ks.sign(handle, ecdsa('SHA-256'), digest)).resolves.toHaveLength(1);
    await ks.destroy(handle);
    await expect(ks.sign(backend.afterDestroy(handle), ecdsa('SHA-256'), digest)).rejects.toThrow();
  });

  it.skipIf(backend.skip).each([
    ['RSA-2048', pss('SHA-256')],
    ['EC-P256', ecdsa('SHA-256')],
  ] as const)('KEY-2: an imported PKCS#8 %s key signs and keeps its public key', async (keyType, sig) => {
    const pair =
      keyType === 'RSA-2048'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
    const stored = await ks.import(pkcs8, `imported-${keyType}`);
    expect(stored.keyType).toBe(keyType);
    expect(stored.publicKey.equals(pair.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    const { messages, digests } = randomDigests('SHA-256', 2);
    const sigs = await ks.sign(handleOf(`imported-${keyType}`, stored), sig, digests);
    sigs.forEach((s, i) => {
      expect(nodeVerify(stored.publicKey, sig, messages[i] as Buffer, s)).toBe(true);
      expect(opensslVerify(stored.publicKey, sig, digests[i] as Buffer, s)).toContain(
        'Signature Verified Successfully',
      );
    });
  });

  it.skipIf(backend.skip)(
    'SIGN-4: Ed25519 signs whole messages (RFC 8032), verified by openssl and node:crypto',
    async () => {
      const { handle, stored } = await keyFor('Ed25519');
      const message = randomBytes(200);
      const signature = await ks.signMessage(handle, message);
      expect(signature).toHaveLength(64);
      const key = createPublicKey({ key: stored.publicKey, format: 'der', type: 'spki' });
      expect(verify(null, message, key, signature)).toBe(true);
      expect(verify(null, randomBytes(200), key, signature)).toBe(false);
      const args = [
        'pkeyutl',
        '-verify',
        '-pubin',
        '-inkey',
        '{pub.pem}',
        '-rawin',
        '-in',
        '{msg}',
        '-sigfile',
        '{sig}',
      ];
      const o = openssl({ 'pub.pem': spkiPem(stored.publicKey), msg: message, sig: signature }, args);
      expect(o.out).toContain('Signature Verified Successfully');
    },
  );

  it.skipIf(backend.skip)('SIGN-4: signMessage with a non-Ed25519 key is refused', async () => {
    const { handle } = await keyFor('EC-P256');
    await expect(ks.signMessage(handle, randomBytes(10))).rejects.toMatchObject({ code: 'unsupported_algorithm' });
  });

  it.skipIf(backend.skip)('KEY-2: an imported PKCS#8 Ed25519 key signs messages', async () => {
    const pair = generateKeyPairSync('ed25519');
    const stored = await ks.import(pair.privateKey.export({ type: 'pkcs8', format: 'der' }), 'imported-Ed25519');
    expect(stored.keyType).toBe('Ed25519');
    expect(stored.publicKey.equals(pair.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    const message = randomBytes(50);
    const signature = await ks.signMessage(handleOf('imported-Ed25519', stored), message);
    expect(verify(null, message, pair.publicKey, signature)).toBe(true);
  });
});
