/** The built-in CA (CA-1, CA-2, CA-3): a root, an issuing CA, profiles, the registry of issued certificates. */

export { type BulkRequest, bulkIssue } from './bulk.js';
export { certificatePem } from './certificate.js';
export { CRL_VALIDITY_HOURS, type Crls, createCrls, type PublishedCrl } from './crl.js';
export { checkCsr } from './csr.js';
export { checkAnchored, importExternalChain, readCertificateFiles } from './external.js';
export {
  type CaAuthority,
  type CaRoot,
  type CsrIssueRequest,
  createLocalCa,
  DEFAULT_POLICY_OIDS,
  type EndEntityProfile,
  ISSUING_ID,
  type IssueRequest,
  type KeylessRequest,
  type LocalCa,
  type LocalCaOptions,
  ROOT_ID,
  type StatusListener,
} from './local-ca.js';
export { DEFAULT_ROOT_CRL_DAYS, type OfflineRootDeps, rootCeremony, takeRootOffline } from './offline-root.js';
export { type IssuerUrls, isProfileName, PROFILES, type ProfileName } from './profiles.js';
export {
  type CertificateStatus,
  CRL_REASONS,
  type CrlReasonName,
  type IssuedCertificate,
  isCrlReason,
  type Registry,
  serialHex,
} from './registry.js';
export { caRoutes, fingerprint, type RepositoryDeps } from './routes.js';
export {
  type CertifiedKey,
  certifiedKey,
  createServiceIdentity,
  retryOnce,
  type ServiceIdentity,
  type ServiceIdentityDeps,
  type ServiceIdentitySpec,
} from './service-identity.js';
