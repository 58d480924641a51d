/**
 * The time-stamping authority (TSA-1): an RFC 3161 TSA built in, with its own key and certificate
 * from the built-in CA, served at POST /tsa and through CSC signatures/timestamp; and the
 * TimestampSource (formats/ports.ts) implementations for the built-in TSA and for an external one.
 */
export { createTsa, type Tsa, type TsaDeps } from './authority.js';
export { MAX_NONCE_BITS, type StampRequest } from './check.js';
export { FAILURE_BITS, type FailureInfo } from './failure.js';
export { RENEW_BEFORE_MS, TSA_PURPOSE, TSA_VALIDITY_DAYS } from './identity.js';
export { findToken, type TokenRecord } from './records.js';
export { decodeTimeStampReq, encodeTimeStampReq, MAX_REQUEST_BYTES, type TimeStampReqFields } from './request.js';
export { type DecodedResponse, decodeTimeStampResp, PKI_STATUS } from './response.js';
export { TSA_PATH, tsaRoutes } from './routes.js';
export { createHttpTimestampSource, type HttpTimestampSourceOptions, inProcessTimestampSource } from './sources.js';
export { type TokenExpectation, type VerifiedToken, verifyToken } from './verify-token.js';
