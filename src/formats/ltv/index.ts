/** Revocation data for long-term signatures (B-LT): OCSP and CRLs found through the certificates. */
export {
  createHttpRevocationSource,
  createRevocationSource,
  type RevocationSourceDeps,
} from './collector.js';
export { type CrlVerdict, checkCrl } from './crl.js';
export {
  checkUrl,
  createHttpFetch,
  type FetchRequest,
  type FetchResponse,
  type HttpFetch,
  type HttpFetchOptions,
  type InjectFn,
  injectFetch,
  routeFetch,
} from './fetch.js';
export { checkOcspResponse, type OcspQuery, type OcspVerdict, ocspQuery } from './ocsp.js';
export { type CertificateUrls, certificateUrls } from './urls.js';
