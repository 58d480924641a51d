/**
 * Key management (SPEC ⑤, DB-2): the algorithm table, the key-store contract with its software
 * implementation, and the key service — the only holder of key handles (KEY-1).
 */
export {
  HASHES,
  type HashAlgorithm,
  type HashName,
  hashByOid,
  KEY_TYPES,
  type KeyFamily,
  type KeyPolicy,
  type KeyType,
  type KeyTypeInfo,
  keyTypeInfo,
  OID,
} from './algorithms.js';
export type { CertificateInfo } from './certificates.js';
export { formatDn, parseDn } from './dn.js';
export type { KeyHandle, KeyStore, StoredKey } from './keystore.js';
export { createKeyService, type KeyRecord, type KeyService, type KeyServiceDeps } from './service.js';
export {
  checkDigests,
  defaultSignature,
  keyAlgoOids,
  keyInfo,
  type ResolvedSignature,
  resolveSignature,
  type SchemeName,
  SIGN_ALGORITHMS,
  type SignAlgorithm,
  type SignatureRequest,
  signatureAlgorithmOid,
} from './signature.js';
export {
  createSoftwareKeyStore,
  type Kek,
  kekFromBase64,
  loadOrCreateKek,
  type SoftwareKeyStoreOptions,
} from './software/index.js';
export { algorithmIdentifier, type DigestSigner, type SignablePkiObject, signPkiObject } from './x509.js';
