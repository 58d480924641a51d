/**
 * Key management (function ⑤, DB-2). The only module that reads or writes the `keys` and
 * `key_certificates` tables and holds key handles (KEY-1); everyone else asks it by key id.
 */
import type { AuditSink } from '../audit/event.js';
import { ShomeiError } from '../errors.js';
import type { Clock, Random } from '../platform/index.js';
import type { KeysTable, Store } from '../store/index.js';
import { KEY_TYPES, type KeyPolicy, type KeyType, keyTypeInfo } from './algorithms.js';
import { loadCertificate, markRevoked, type RevocationReason, releaseHold, storeChain } from './certificate-store.js';
import { type CertificateInfo, checkChain } from './certificates.js';
import { buildCsr } from './csr.js';
import type { KeyHandle, KeyStore, KeyUsage, StoredKey } from './keystore.js';
import { checkDigests, type ResolvedSignature } from './signature.js';
import type { OaepHash } from './transport.js';

export interface KeyRecord {
  readonly id: string;
  readonly ref: string;
  readonly keyType: KeyType;
  readonly purpose: string;
  readonly status: KeysTable['status'];
  /** SubjectPublicKeyInfo, DER. */
  readonly publicKey: Buffer;
  readonly createdAt: number;
  readonly destroyedAt: number | null;
}

/** Who and why, for every lifecycle change of a key (KEY-2; LOG-1 administrative actions). */
export interface KeyChange {
  /** 'admin:<name>', a user id, or 'system'. */
  readonly actor: string;
  /** Free text, required: why the key changes. */
  readonly reason: string;
}

export interface KeyService {
  /** `usage` 'unwrap' is for the transport key only (keystore.ts KeyUsage). */
  generate(keyType: KeyType, purpose: string, usage?: KeyUsage): Promise<KeyRecord>;
  importPkcs8(pkcs8Der: Uint8Array, purpose: string): Promise<KeyRecord>;
  /**
   * KEY-2 transfer: a key wrapped for the transport key `transportKeyId` (transport.ts), unwrapped
   * by the key store and stored like an imported key; `publicKey` is the SPKI the CA certified.
   */
  importWrapped(
    transportKeyId: string,
    wrapped: Uint8Array,
    purpose: string,
    publicKey: Uint8Array,
    oaepHash: OaepHash,
  ): Promise<KeyRecord>;
  /** Whether this key store can unwrap transfers (importWrapped). */
  readonly acceptsTransfers: boolean;
  /** Whether a key generated for 'unwrap' can sign too (software: yes; PKCS#11: no, CKA_SIGN=false). */
  readonly unwrapKeysSign: boolean;
  get(id: string): Promise<KeyRecord>;
  /** Every key record, oldest first (administration). */
  list(): Promise<KeyRecord[]>;
  /** Keys not destroyed with this purpose and/or SubjectPublicKeyInfo, oldest first (KEY-2). */
  find(query: { purpose?: string; publicKey?: Uint8Array }): Promise<KeyRecord[]>;
  /** Signs raw digests (never re-hashed) with an active key; `sig` comes from resolveSignature. */
  signDigests(keyId: string, sig: ResolvedSignature, digests: readonly Uint8Array[]): Promise<Buffer[]>;
  signMessage(keyId: string, message: Uint8Array): Promise<Buffer>;
  /**
   * A message signer bound to one active key, resolved now: signing later reads no table, so it
   * may run inside another module's transaction (the log signs checkpoints under its lock).
   */
  messageSigner(keyId: string): Promise<(message: Uint8Array) => Promise<Buffer>>;
  publicKey(id: string): Promise<Buffer>;
  /** BACKUP-1: PKCS#8 of an active software key, for sealing under a signer's passphrase. */
  exportForBackup(keyId: string): Promise<Buffer>;
  /** PKCS#10 DER for the key (KEY-3). */
  csr(keyId: string, subjectDn: string): Promise<Buffer>;
  importCertificateChain(keyId: string, chainDer: readonly Uint8Array[]): Promise<CertificateInfo>;
  certificate(keyId: string): Promise<CertificateInfo | null>;
  /** KEY-2: the key stops signing but stays, with its certificate, for the record. Logged. */
  retire(id: string, why: KeyChange): Promise<void>;
  /** SIGN-2: zeroise. The wrapped blob is overwritten, then removed; the row stays as a record. Logged. */
  destroy(id: string, why: KeyChange): Promise<void>;
  /** KEY-2: marks the key's certificate revoked (RFC 5280 §5.3.1 reason); signing stops at once. Logged. */
  revokeCertificate(keyId: string, reason: RevocationReason, why: KeyChange): Promise<CertificateInfo>;
  /** KEY-2: ends a certificateHold; the key signs again. Logged. */
  releaseCertificateHold(keyId: string, why: KeyChange): Promise<CertificateInfo>;
  /**
   * Where lifecycle events go. The log's own key is made before the log exists, so the log is
   * attached once built (app.ts); until then (first start only) nothing can be logged.
   */
  attachAudit(audit: AuditSink): void;
}

export interface KeyServiceDeps {
  readonly store: Store;
  readonly keystore: KeyStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly policy?: KeyPolicy;
  readonly audit?: AuditSink;
}

const toRecord = (r: KeysTable): KeyRecord => ({
  id: r.id,
  ref: r.ref,
  keyType: r.key_type as KeyType,
  purpose: r.purpose,
  status: r.status,
  publicKey: Buffer.from(r.public_key),
  createdAt: Number(r.created_at),
  destroyedAt: r.destroyed_at === null ? null : Number(r.destroyed_at),
});

/** Who and why, both required for every change to a key's state (KEY-2, LOG-1). */
export function checkKeyChange(why: KeyChange): void {
  if (!why.actor?.trim()) throw new ShomeiError('missing_string', { name: 'actor' });
  if (!why.reason?.trim()) throw new ShomeiError('missing_string', { name: 'reason' });
}

export function createKeyService(deps: KeyServiceDeps): KeyService {
  const { store, keystore, clock } = deps;
  const db = store.db;
  const policy = deps.policy ?? {};
  let audit = deps.audit;
  /** One log entry per lifecycle change; never key material (LOG-1). */
  const logChange = async (type: string, r: KeysTable, why: KeyChange, extra: Record<string, string> = {}) => {
    await audit?.append({
      type,
      actor: why.actor,
      outcome: 'success',
      keyId: r.id,
      keyType: r.key_type,
      purpose: r.purpose,
      reason: why.reason,
      ...extra,
    });
  };

  const row = async (id: string): Promise<KeysTable> => {
    const r = await db.selectFrom('keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new ShomeiError('unknown_key');
    return r;
  };

  const insert = async (id: string, k: StoredKey, purpose: string): Promise<KeyRecord> => {
    keyTypeInfo(k.keyType, policy); // an imported Ed25519 key is policy-gated too
    const r: KeysTable = {
      id,
      ref: k.ref,
      key_type: k.keyType,
      purpose,
      wrapped: k.wrapped,
      kek_id: k.kekId,
      public_key: k.publicKey,
      status: 'active',
      created_at: clock.now(),
      destroyed_at: null,
    };
    await db.insertInto('keys').values(r).execute();
    return toRecord(r);
  };

  /** The handle of a key that may sign now. */
  const activeHandle = async (id: string): Promise<KeyHandle> => {
    const r = await row(id);
    if (r.status !== 'active') throw new ShomeiError('invalid_state', { detail: `key is ${r.status}` });
    const wrapped = r.wrapped && Buffer.from(r.wrapped);
    return { id: r.id, ref: r.ref, keyType: r.key_type as KeyType, wrapped, kekId: r.kek_id };
  };

  const service: KeyService = {
    async generate(keyType, purpose, usage) {
      keyTypeInfo(keyType, policy);
      const id = deps.random.uuid();
      return insert(id, await keystore.generate(keyType, id, usage), purpose);
    },
    async importPkcs8(pkcs8Der, purpose) {
      const id = deps.random.uuid();
      return insert(id, await keystore.import(pkcs8Der, id), purpose);
    },
    async importWrapped(transportKeyId, wrapped, purpose, publicKey, oaepHash) {
      const t = await row(transportKeyId);
      if (t.purpose !== 'transport') throw new ShomeiError('invalid_state', { detail: 'not a transport key' });
      if (!keystore.importWrapped) {
        throw new ShomeiError('invalid_state', { detail: `the ${keystore.kind} key store cannot unwrap transfers` });
      }
      const id = deps.random.uuid();
      const h = await activeHandle(transportKeyId);
      return insert(id, await keystore.importWrapped(h, wrapped, id, publicKey, oaepHash), purpose);
    },
    acceptsTransfers: keystore.importWrapped !== undefined,
    unwrapKeysSign: keystore.enforcesUsage !== true,
    get: async (id) => toRecord(await row(id)),
    async signDigests(keyId, sig, digests) {
      const h = await activeHandle(keyId);
      const family = sig.scheme === 'ecdsa' ? 'ec' : 'rsa';
      if (KEY_TYPES[h.keyType].family !== family) throw new ShomeiError('invalid_parameter', { name: 'signAlgo' });
      checkDigests(sig.hash, digests);
      return keystore.sign(h, sig, digests);
    },
    list: async () => (await db.selectFrom('keys').selectAll().orderBy('created_at').execute()).map(toRecord),
    async find(query) {
      let q = db.selectFrom('keys').selectAll().where('status', '!=', 'destroyed');
      if (query.purpose !== undefined) q = q.where('purpose', '=', query.purpose);
      if (query.publicKey !== undefined) q = q.where('public_key', '=', Buffer.from(query.publicKey));
      return (await q.orderBy('created_at').orderBy('id').execute()).map(toRecord);
    },
    signMessage: async (keyId, message) => keystore.signMessage(await activeHandle(keyId), message),
    async exportForBackup(keyId) {
      if (!keystore.exportForBackup) {
        throw new ShomeiError('invalid_state', { detail: `keys in the ${keystore.kind} key store cannot be exported` });
      }
      return keystore.exportForBackup(await activeHandle(keyId));
    },
    async messageSigner(keyId) {
      let handle = await activeHandle(keyId);
      // A KEK rotation re-wraps the row under this handle: after each use, read it again — not
      // awaited, since the caller may hold the only (SQLite) connection — so the handle follows.
      const refresh = () => {
        activeHandle(keyId).then(
          (h) => {
            handle = h;
          },
          () => {},
        );
      };
      return async (message) => {
        try {
          return await keystore.signMessage(handle, message);
        } finally {
          refresh();
        }
      };
    },
    publicKey: async (id) => Buffer.from((await row(id)).public_key),
    csr: async (keyId, subjectDn) => buildCsr(service, keyId, (await row(keyId)).public_key, subjectDn),
    importCertificateChain: async (keyId, chainDer) =>
      storeChain(store, keyId, checkChain(Buffer.from((await row(keyId)).public_key), chainDer), clock.now()),
    certificate: (keyId) => loadCertificate(store, keyId),
    async retire(id, why) {
      checkKeyChange(why);
      const r = await row(id);
      const res = await db
        .updateTable('keys')
        .set({ status: 'retired' })
        .where('id', '=', id)
        .where('status', '=', 'active')
        .executeTakeFirst();
      if (res.numUpdatedRows === 0n) throw new ShomeiError('invalid_state', { detail: `key is ${r.status}` });
      await logChange('key.retire', r, why);
    },
    async destroy(id, why) {
      checkKeyChange(why);
      const r = await row(id);
      if (r.status === 'destroyed') return;
      await destroyKey(deps, r);
      await logChange('key.destroy', r, why);
    },
    async revokeCertificate(keyId, reason, why) {
      checkKeyChange(why);
      const r = await row(keyId);
      const cert = await markRevoked(store, keyId, reason, clock.now());
      await logChange('certificate.revoke', r, why, { serialNumber: cert.serialNumber, revocationReason: reason });
      return cert;
    },
    async releaseCertificateHold(keyId, why) {
      checkKeyChange(why);
      const r = await row(keyId);
      const cert = await releaseHold(store, keyId);
      await logChange('certificate.release', r, why, { serialNumber: cert.serialNumber });
      return cert;
    },
    attachAudit(sink) {
      audit = sink;
    },
  };
  return service;
}

async function destroyKey(deps: KeyServiceDeps, r: KeysTable): Promise<void> {
  const id = r.id;
  const handle: KeyHandle = { id, ref: r.ref, keyType: r.key_type as KeyType, wrapped: r.wrapped };
  await deps.keystore.destroy(handle);
  await deps.store.transaction(async (tx) => {
    // Overwrite first, so the blob's bytes are replaced in place where the engine allows (SQLite
    // additionally needs secure_delete to scrub freed pages; PostgreSQL's MVCC keeps old tuples
    // until VACUUM) — the KEK remains the real protection of deleted blobs.
    if (r.wrapped) {
      const zeros = Buffer.alloc(r.wrapped.length);
      await tx.updateTable('keys').set({ wrapped: zeros }).where('id', '=', id).execute();
    }
    const set = { wrapped: null, status: 'destroyed' as const, destroyed_at: deps.clock.now() };
    await tx.updateTable('keys').set(set).where('id', '=', id).execute();
  });
}
