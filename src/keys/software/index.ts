/**
 * The software key store (SIGN-5's embedded default): keys are generated with node:crypto and kept
 * as PKCS#8 wrapped under the KEK (wrap.ts); signing happens in a worker pool (pool.ts). Plaintext
 * private keys appear in this thread only at generation/import time, and are wiped there.
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ShomeiError } from '../../errors.js';
import type { Random } from '../../platform/index.js';
import { KEY_TYPES, type KeyType } from '../algorithms.js';
import { keyTypeOfKeyObject } from '../key-object.js';
import type { KeyHandle, KeyStore, StoredKey } from '../keystore.js';
import type { ResolvedSignature } from '../signature.js';
import { unwrapWithPrivateKey } from '../transport.js';
import type { Kek } from './kek.js';
import { createKeyring, type Keyring } from './keyring.js';
import type { WorkerRequest } from './operations.js';
import { createSigningPool } from './pool.js';
import { unwrapKey, wrapKey } from './wrap.js';

export { KEK_FILE, KEK_NEXT_FILE, type Kek, kekFromBase64, loadOrCreateKek } from './kek.js';
export { type KekRotationOptions, type KekRotationResult, rotateKek } from './kek-rotation.js';
export { createKeyring, type KekConfig, type Keyring, type KeyringState, loadKeyringState } from './keyring.js';

const generateKeyPairAsync = promisify(generateKeyPair);
/** Digests per worker request: below this, splitting costs more (key parsing) than it gains. */
const MIN_CHUNK = 16;

export interface SoftwareKeyStoreOptions {
  /** The KEKs (keyring.ts: current, and next during a rotation); or `kek`, one fixed KEK. */
  readonly keyring?: Keyring;
  readonly kek?: Kek;
  readonly random: Random;
  /** Worker threads; default os.availableParallelism(). */
  readonly poolSize?: number;
}

async function generateKeyObject(keyType: KeyType): Promise<KeyObject> {
  const info = KEY_TYPES[keyType];
  const pair =
    info.family === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: info.bits, publicExponent: 0x10001 })
      : info.family === 'ec' && info.curve
        ? await generateKeyPairAsync('ec', { namedCurve: info.curve })
        : await generateKeyPairAsync('ed25519');
  return pair.privateKey;
}

const spkiOf = (key: KeyObject): Buffer => createPublicKey(key).export({ type: 'spki', format: 'der' });

function parsePkcs8(der: Uint8Array): KeyObject {
  try {
    return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'key' });
  }
}

export function createSoftwareKeyStore(opts: SoftwareKeyStoreOptions): KeyStore {
  const ring = opts.keyring ?? fixedKeyring(opts.kek);
  const pool = createSigningPool(opts.poolSize ? { size: opts.poolSize } : {});
  /** The KEK a handle's blob is under, by its DB-2 kek_id (KeyHandle.kekId). */
  const kekOf = (h: KeyHandle): Buffer => ring.forUnwrap(h.kekId).key;

  const seal = (id: string, keyType: KeyType, publicKey: Buffer, pkcs8: Buffer): StoredKey => {
    try {
      const kek = ring.forWrap();
      const wrapped = wrapKey(kek.key, id, pkcs8, opts.random.bytes(12));
      return { ref: `soft:${id}`, keyType, publicKey, wrapped, kekId: kek.id };
    } finally {
      pkcs8.fill(0);
    }
  };

  const run = async <T>(req: WorkerRequest): Promise<T> => {
    try {
      return (await pool.run(req)) as T;
    } catch (e) {
      throw new ShomeiError('keystore_error', {}, { cause: e });
    }
  };

  const wrappedOf = (h: KeyHandle): Buffer => {
    if (!h.wrapped) throw new ShomeiError('invalid_state', { detail: `key ${h.id} has no key material` });
    return h.wrapped;
  };

  const signChunk = (h: KeyHandle, signature: ResolvedSignature, digests: readonly Uint8Array[]) => {
    const salts = signature.scheme === 'rsa-pss' ? digests.map(() => opts.random.bytes(signature.saltLength ?? 0)) : [];
    const req: WorkerRequest = {
      op: 'sign',
      kek: kekOf(h),
      keyId: h.id,
      keyType: h.keyType,
      wrapped: wrappedOf(h),
      signature,
      digests,
      salts,
    };
    return run<Uint8Array[]>(req);
  };

  return {
    kind: 'software',
    async generate(keyType, id) {
      const key = await generateKeyObject(keyType);
      return seal(id, keyType, spkiOf(key), key.export({ type: 'pkcs8', format: 'der' }));
    },
    async import(pkcs8Der, id) {
      const key = parsePkcs8(pkcs8Der);
      const keyType = keyTypeOfKeyObject(key);
      return seal(id, keyType, spkiOf(key), key.export({ type: 'pkcs8', format: 'der' }));
    },
    async sign(h, signature, digests) {
      // A large batch is split across workers; each chunk unwraps the key once.
      const chunk = Math.max(MIN_CHUNK, Math.ceil(digests.length / pool.size));
      const parts: Promise<Uint8Array[]>[] = [];
      for (let i = 0; i < digests.length; i += chunk) parts.push(signChunk(h, signature, digests.slice(i, i + chunk)));
      return (await Promise.all(parts)).flat().map((s) => Buffer.from(s));
    },
    async signMessage(h, message) {
      if (h.keyType !== 'Ed25519')
        throw new ShomeiError('unsupported_algorithm', { detail: `signMessage with ${h.keyType}` });
      return Buffer.from(
        await run<Uint8Array>({
          op: 'signMessage',
          kek: kekOf(h),
          keyId: h.id,
          keyType: h.keyType,
          wrapped: wrappedOf(h),
          message,
        }),
      );
    },
    async publicKey(h) {
      return Buffer.from(
        await run<Uint8Array>({
          op: 'publicKey',
          kek: kekOf(h),
          keyId: h.id,
          keyType: h.keyType,
          wrapped: wrappedOf(h),
        }),
      );
    },
    // The wrapped blob lives in DB-2; the key service overwrites it. Nothing is held here.
    // Unwrapped here rather than in a worker: the caller seals it under the backup key at once.
    exportForBackup: async (h) => unwrapKey(kekOf(h), h.id, wrappedOf(h)),
    // KEY-2 transfer: like exportForBackup, the transport key is unwrapped in this thread for the
    // one RSA-OAEP decryption, then wiped; the transferred PKCS#8 is sealed at once by `seal`.
    async importWrapped(transport, wrapped, id, _publicKey, oaepHash) {
      const pkcs8 = unwrapKey(kekOf(transport), transport.id, wrappedOf(transport));
      let plain: Buffer;
      try {
        plain = unwrapWithPrivateKey(parsePkcs8(pkcs8), wrapped, oaepHash);
      } finally {
        pkcs8.fill(0);
      }
      try {
        const key = parsePkcs8(plain);
        return seal(id, keyTypeOfKeyObject(key), spkiOf(key), key.export({ type: 'pkcs8', format: 'der' }));
      } finally {
        plain.fill(0);
      }
    },
    async destroy() {},
    async close() {
      ring.close();
      await pool.close();
    },
  };
}

function fixedKeyring(kek: Kek | undefined): Keyring {
  if (!kek) throw new Error('createSoftwareKeyStore: a keyring or a KEK is needed');
  return createKeyring({ state: { current: kek, next: null } });
}
