/**
 * The PKCS#11 key store (SIGN-5): keys are generated and used inside a token, addressed in DB-2 by
 * a PKCS#11 URI (RFC 7512) holding the token label, CKA_ID and CKA_LABEL (never the PIN). Calls
 * that take time (key generation, signing) use pkcs11js' *Async variants, which run on libuv's
 * thread pool and leave the event loop free; the rest are short synchronous calls.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pkcs11js from 'pkcs11js';
import { ShomeiError } from '../../errors.js';
import type { Random } from '../../platform/index.js';
import { KEY_TYPES, type KeyType, type KeyTypeInfo } from '../algorithms.js';
import type { KeyHandle, KeyStore, KeyUsage, StoredKey } from '../keystore.js';
import type { ResolvedSignature } from '../signature.js';
import type { OaepHash } from '../transport.js';
import { importTemplates, parsePkcs8, parseSpki, unwrapPrivateKey } from './import.js';
import { ecdsaRawToDer, signInput, signMechanism } from './mechanisms.js';
import { acquireModule, findSlot, releaseModule } from './module.js';
import { findKey, findObjects, readSpki } from './objects.js';
import { SessionPool } from './session.js';
import { keyPairTemplates } from './templates.js';
import { importTransfer, OAEP_SHA1, OAEP_SHA256 } from './transfer.js';
import { keyRef, parseKeyRef } from './uri.js';

export interface Pkcs11KeyStoreOptions {
  readonly modulePath: string;
  readonly tokenLabel: string;
  readonly pin: string;
  readonly random: Random;
  /** Sessions in the pool (default 4); a batch is spread over them. */
  readonly sessions?: number;
}

interface Context {
  readonly opts: Pkcs11KeyStoreOptions;
  readonly p11: pkcs11js.PKCS11;
  readonly pool: SessionPool;
}

const CKA_ID_BYTES = 16;
/** Digests per session: below this, spreading a batch costs more than it gains. */
const MIN_CHUNK = 8;
const SIGNATURE_BUFFER = 1024; // ≥ RSA-4096's 512 bytes and P-521's 132-byte r||s

/** PKCS#11 v3.0 §2.3.14 CKM_EDDSA; without parameters it is PureEdDSA Ed25519 (RFC 8032 §5.1). */
const CKM_EDDSA = 0x1057;

/** Ed25519 over the whole message (the log's checkpoints): the module hashes, as RFC 8032 requires. */
async function signWholeMessage(ctx: Context, h: KeyHandle, message: Uint8Array): Promise<Buffer> {
  if (h.keyType !== 'Ed25519') {
    throw new ShomeiError('unsupported_algorithm', { detail: `signMessage with ${h.keyType}` });
  }
  const id = ckaIdOf(ctx, h);
  return ctx.pool.use(async (session) => {
    ctx.p11.C_SignInit(session, { mechanism: CKM_EDDSA }, findKey(ctx.p11, session, pkcs11js.CKO_PRIVATE_KEY, id));
    return ctx.p11.C_SignAsync(session, Buffer.from(message), Buffer.alloc(SIGNATURE_BUFFER));
  });
}

function checkScheme(info: KeyTypeInfo, sig: ResolvedSignature): void {
  const ok = sig.scheme === 'ecdsa' ? info.family === 'ec' : info.family === 'rsa';
  if (!ok) throw new ShomeiError('unsupported_algorithm', { detail: `${sig.scheme} with a ${info.name} key` });
}

/** The CKA_ID of a handle on this token. */
function ckaIdOf(ctx: Context, h: KeyHandle): Buffer {
  const ref = parseKeyRef(h.ref);
  if (ref.token !== ctx.opts.tokenLabel) {
    throw new ShomeiError('invalid_state', { detail: `key ${h.id} is on another token` });
  }
  return ref.id;
}

const stored = (ctx: Context, info: KeyTypeInfo, id: Buffer, label: string, publicKey: Buffer): StoredKey => ({
  ref: keyRef(ctx.opts.tokenLabel, id, label),
  keyType: info.name,
  publicKey,
  wrapped: null,
  kekId: null,
});

/** SIGN-2: C_GenerateKeyPair (v2.40 §5.14) inside the token; only the public half is read back. */
async function generateKey(ctx: Context, keyType: KeyType, label: string, usage?: KeyUsage): Promise<StoredKey> {
  const info = KEY_TYPES[keyType];
  const id = ctx.opts.random.bytes(CKA_ID_BYTES);
  const t = keyPairTemplates(info, id, label, usage);
  const spki = await ctx.pool.use(async (session) => {
    const pair = await ctx.p11.C_GenerateKeyPairAsync(session, t.mechanism, t.publicKey, t.privateKey);
    return readSpki(ctx.p11, session, pair.publicKey, info);
  });
  return stored(ctx, info, id, label, spki);
}

/** KEY-2: C_UnwrapKey of the private half under a session key (import.ts), C_CreateObject of the public half. */
async function importKey(ctx: Context, pkcs8: Uint8Array, label: string): Promise<StoredKey> {
  const key = parsePkcs8(pkcs8);
  const info = KEY_TYPES[key.keyType];
  const id = ctx.opts.random.bytes(CKA_ID_BYTES);
  const t = importTemplates(key, id, label);
  try {
    const spki = await ctx.pool.use(async (session) => {
      unwrapPrivateKey(ctx.p11, session, pkcs8, t.privateKey, ctx.opts.random);
      return readSpki(ctx.p11, session, ctx.p11.C_CreateObject(session, t.publicKey), info);
    });
    return stored(ctx, info, id, label, spki);
  } finally {
    for (const s of t.secrets) s.value.fill(0);
  }
}

/** KEY-2 transfer from a CA: unwrapped in the token under the transport key (transfer.ts). */
async function importWrapped(
  ctx: Context,
  transport: KeyHandle,
  wrapped: Uint8Array,
  label: string,
  spki: Uint8Array,
  oaepHash: OaepHash,
) {
  const key = parseSpki(spki);
  const transportId = ckaIdOf(ctx, transport);
  const id = ctx.opts.random.bytes(CKA_ID_BYTES);
  const publicKey = await ctx.pool.use(async (session) => {
    const transportKey = findKey(ctx.p11, session, pkcs11js.CKO_PRIVATE_KEY, transportId);
    const modulusBytes = Math.ceil(KEY_TYPES[transport.keyType].bits / 8);
    const oaep = oaepHash === 'SHA-1' ? OAEP_SHA1 : OAEP_SHA256;
    return importTransfer(ctx.p11, session, { transportKey, modulusBytes, wrapped, key, id, label, oaep });
  });
  return stored(ctx, KEY_TYPES[key.keyType], id, label, publicKey);
}

/** One session signs a run of digests: C_SignInit + C_Sign per digest (v2.40 §5.11). */
function signChunk(ctx: Context, id: Buffer, info: KeyTypeInfo, sig: ResolvedSignature, digests: Uint8Array[]) {
  return ctx.pool.use(async (session) => {
    const key = findKey(ctx.p11, session, pkcs11js.CKO_PRIVATE_KEY, id);
    const mechanism = signMechanism(sig);
    const out: Buffer[] = [];
    for (const digest of digests) {
      ctx.p11.C_SignInit(session, mechanism, key);
      const raw = await ctx.p11.C_SignAsync(session, signInput(sig, digest), Buffer.alloc(SIGNATURE_BUFFER));
      out.push(sig.scheme === 'ecdsa' && info.curve ? ecdsaRawToDer(info.curve, raw) : raw);
    }
    return out;
  });
}

async function signDigests(ctx: Context, h: KeyHandle, sig: ResolvedSignature, digests: readonly Uint8Array[]) {
  const info = KEY_TYPES[h.keyType];
  checkScheme(info, sig);
  const id = ckaIdOf(ctx, h);
  // A batch is spread over the pool's sessions, which the module serves on separate threads.
  const chunk = Math.max(MIN_CHUNK, Math.ceil(digests.length / ctx.pool.size));
  const parts: Promise<Buffer[]>[] = [];
  for (let i = 0; i < digests.length; i += chunk) {
    parts.push(signChunk(ctx, id, info, sig, digests.slice(i, i + chunk)));
  }
  return (await Promise.all(parts)).flat();
}

/** SIGN-2 zeroisation: C_DestroyObject (v2.40 §5.7) on both halves; idempotent, so a retry after a crash works. */
async function destroyKey(ctx: Context, h: KeyHandle): Promise<void> {
  const id = ckaIdOf(ctx, h);
  await ctx.pool.use(async (s) => {
    for (const cls of [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY]) {
      for (const o of findObjects(ctx.p11, s, cls, id)) ctx.p11.C_DestroyObject(s, o);
    }
  });
}

function buildStore(ctx: Context, release: () => void): KeyStore {
  return {
    kind: 'pkcs11',
    // CKA_SIGN / CKA_UNWRAP (templates.ts): the transport key cannot sign.
    enforcesUsage: true,
    generate: (keyType, id, usage) => generateKey(ctx, keyType, id, usage),
    import: (pkcs8, id) => importKey(ctx, pkcs8, id),
    importWrapped: (transport, wrapped, id, spki, oaepHash) =>
      importWrapped(ctx, transport, wrapped, id, spki, oaepHash),
    sign: (h, sig, digests) => signDigests(ctx, h, sig, digests),
    signMessage: (h, message) => signWholeMessage(ctx, h, message),
    async publicKey(h) {
      const id = ckaIdOf(ctx, h);
      const info = KEY_TYPES[h.keyType];
      return ctx.pool.use(async (s) => readSpki(ctx.p11, s, findKey(ctx.p11, s, pkcs11js.CKO_PUBLIC_KEY, id), info));
    },
    // No exportForBackup: CKA_EXTRACTABLE=false keys cannot leave the token by design (BACKUP-1).
    destroy: (h) => destroyKey(ctx, h),
    async close() {
      // Let running C_Sign calls finish first; a hung token gets 10 s, not forever.
      await Promise.race([ctx.pool.idle(), sleep(10_000, undefined, { ref: false })]);
      ctx.pool.close();
      release();
    },
  };
}

/** Loads the module, finds the token and logs in now, so a wrong PIN or module fails at start. */
export async function createPkcs11KeyStore(opts: Pkcs11KeyStoreOptions): Promise<KeyStore> {
  const module = acquireModule(opts.modulePath);
  try {
    const findToken = () => findSlot(module, opts.tokenLabel);
    const pool = new SessionPool({ module, findSlot: findToken, pin: opts.pin, size: opts.sessions ?? 4 });
    await pool.use(async () => undefined);
    return buildStore({ opts, p11: module.p11, pool }, () => releaseModule(module));
  } catch (e) {
    releaseModule(module);
    throw e;
  }
}
