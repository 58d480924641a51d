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
export { REVOCATION_REASONS, type RevocationReason } from './certificate-store.js';
export type { CertificateInfo } from './certificates.js';
export { formatDn, parseDn } from './dn.js';
export { keyTypeOfKeyObject } from './key-object.js';
export type { KeyHandle, KeyStore, StoredKey } from './keystore.js';
export {
  createPkcs11KeyStore,
  formatPkcs11Uri,
  type Pkcs11KeyStoreOptions,
  type Pkcs11Uri,
  parsePkcs11Uri,
} from './pkcs11/index.js';
export { type Pkcs12Contents, readPkcs12 } from './pkcs12.js';
export {
  type ChallengeSigner,
  checkKeyMatchesChain,
  checkValidityNow,
  proveKeyPossession,
  signingKeyType,
} from './proof-of-possession.js';
export {
  checkKeyChange,
  createKeyService,
  type KeyChange,
  type KeyRecord,
  type KeyService,
  type KeyServiceDeps,
} from './service.js';
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
  createKeyring,
  createSoftwareKeyStore,
  KEK_FILE,
  KEK_NEXT_FILE,
  type Kek,
  type KekConfig,
  type KekRotationOptions,
  type KekRotationResult,
  type Keyring,
  type KeyringState,
  kekFromBase64,
  loadKeyringState,
  loadOrCreateKek,
  rotateKek,
  type SoftwareKeyStoreOptions,
} from './software/index.js';
export {
  checkTransportKey,
  encodeTransfer,
  type KeyTransfer,
  parseTransfer,
  TRANSFER_FORMAT,
  TRANSPORT_KEY_TYPE,
  TRANSPORT_PURPOSE,
  transportKeyId,
  wrapForTransport,
} from './transport.js';
export { type VerifyRequest, type VerifyScheme, verifySignature } from './verify.js';
export {
  algorithmIdentifier,
  type DigestSigner,
  type SignablePkiObject,
  signPkiObject,
  signPkiObjects,
} from './x509.js';
