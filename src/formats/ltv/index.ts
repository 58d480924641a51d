/**
 * Revocation data for long-term signatures (B-LT): OCSP and CRLs found through the certificates,
 * and the merge every format does of what was collected for the signer's and the TSAs' chains.
 */
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
export { collectValidationData, uniqueDer } from './validation-data.js';
