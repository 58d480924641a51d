/** The OCSP responder (CA-2): RFC 6960 with RFC 5019's HTTP profile, pre-generated and cached responses. */
export type { PregenerateOptions, PregenerateResult } from './pregenerate.js';
export {
  type CertId,
  MAX_CERT_IDS,
  MAX_REQUEST_BYTES,
  MalformedRequest,
  type OcspRequest,
  parseOcspRequest,
} from './request.js';
export { createOcspResponder, type OcspAnswer, type OcspResponder, type OcspResponderDeps } from './responder.js';
export { type OcspRouteDeps, ocspRoutes } from './routes.js';
export { RENEW_BEFORE_MS, RESPONDER_PURPOSE, RESPONDER_VALIDITY_DAYS } from './signer.js';
