/**
 * The key-store contract (STYLE.md 4, after step-ca's kms.KeyManager): small on purpose. The
 * software key store and PKCS#11 implement it and pass one contract suite; audit, policy and the
 * DB-2 rows live in the key service around it, not inside it.
 */
import type { KeyType } from './algorithms.js';
import type { ResolvedSignature } from './signature.js';
import type { OaepHash } from './transport.js';

/** Everything a key store needs to use a key: one DB-2 row (KEY-1). */
export interface KeyHandle {
  readonly id: string;
  /** `soft:<id>` or a PKCS#11 URI (RFC 7512). */
  readonly ref: string;
  readonly keyType: KeyType;
  /** Wrapped PKCS#8 for the software key store; null for keys held in a module. */
  readonly wrapped: Buffer | null;
  /**
   * DB-2 kek_id: which KEK `wrapped` is under, so the software key store can unwrap during a KEK
   * rotation; absent means its current KEK. Module keys ignore it.
   */
  readonly kekId?: string | null;
}

export interface StoredKey {
  readonly ref: string;
  readonly keyType: KeyType;
  /** SubjectPublicKeyInfo, DER. */
  readonly publicKey: Buffer;
  readonly wrapped: Buffer | null;
  /** Which wrapping key protects `wrapped` (null for module keys). */
  readonly kekId: string | null;
}

/**
 * What a generated key is for: signing, or only unwrapping transfers (the transport key, KEY-2) —
 * NIST SP 800-57 Pt 1 §5.2, one key one purpose.
 */
export type KeyUsage = 'sign' | 'unwrap';

export interface KeyStore {
  readonly kind: 'software' | 'pkcs11';
  /**
   * True where the store enforces `KeyUsage` itself (PKCS#11: CKA_SIGN / CKA_UNWRAP), so an
   * 'unwrap' key cannot sign; absent where a key does whatever the service asks of it.
   */
  readonly enforcesUsage?: boolean;
  /** SIGN-2: the key is generated inside the key store; `usage` defaults to 'sign'. */
  generate(keyType: KeyType, id: string, usage?: KeyUsage): Promise<StoredKey>;
  /** KEY-2: an uploaded or transferred key, PKCS#8 DER; its type is taken from the key. */
  import(pkcs8Der: Uint8Array, id: string): Promise<StoredKey>;
  /** Signs precomputed digests, never re-hashing them (csc-api-v2.md §9 pitfall 6). */
  sign(handle: KeyHandle, signature: ResolvedSignature, digests: readonly Uint8Array[]): Promise<Buffer[]>;
  /** Signs a whole message (Ed25519, e.g. the log's checkpoints). */
  signMessage(handle: KeyHandle, message: Uint8Array): Promise<Buffer>;
  publicKey(handle: KeyHandle): Promise<Buffer>;
  /**
   * BACKUP-1: the private key as PKCS#8, only to be sealed at once under a signer's passphrase.
   * Absent where keys cannot leave the store by design (an HSM's non-extractable keys).
   */
  exportForBackup?(handle: KeyHandle): Promise<Buffer>;
  /**
   * KEY-2 transfer from a CA: a key wrapped for the transport key `transport` as CKM_RSA_AES_KEY_WRAP
   * wraps it (transport.ts), imported like `import`. `publicKey` is the SPKI the CA certified for it
   * (end-entity certificate): a module must name the key type before unwrapping and may not expose
   * an EC private key's point; the key is proven against it afterwards. Absent where the store
   * cannot unwrap.
   */
  importWrapped?(
    transport: KeyHandle,
    wrapped: Uint8Array,
    id: string,
    publicKey: Uint8Array,
    oaepHash: OaepHash,
  ): Promise<StoredKey>;
  /** SIGN-2: zeroise what the key store holds (module object); the service wipes DB-2. */
  destroy(handle: KeyHandle): Promise<void>;
  close(): Promise<void>;
}
