/**
 * JAdES (FMT-1, ETSI TS 119 182-1): JSON Web Signatures with the baseline signed properties and,
 * from B-T, the unsigned ones in `etsiU`. Signing follows the two steps of ../ports.ts; the
 * verifier checks what this module produces.
 */
export { JWS_ALGORITHMS, type JwsAlg, type JwsAlgorithm } from './alg.js';
export { OBJECT_ID_BY_URI_HASH } from './header.js';
export type { CheckedOptions, JadesOptions, JadesSerialization } from './options.js';
export { prepareJades } from './prepare.js';
export { type JadesVerification, type JadesVerifyOptions, verifyJades } from './verify.js';
export type { StampReport } from './verify-unsigned.js';
