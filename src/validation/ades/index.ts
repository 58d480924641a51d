/**
 * AdES validation (VERIFY): CAdES, PAdES, XAdES and JAdES signatures validated into a report in the
 * spirit of ETSI TS 119 102-2, on RFC 5280 path validation (../path) and the formats' own readers.
 */
export { type RevocationFetch, revocationFetch } from './fetch.js';
export type * from './report.js';
export { SIMPLIFICATIONS, type ValidateOptions, validateSignatures } from './validate.js';
