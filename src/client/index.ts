/**
 * The CSC client (package export `shomei/client`): a typed CSC API v2 client for signature
 * applications, the OAuth2 code + PKCE helper, and client-side signing in any format (FMT-1) where
 * only a digest leaves the machine — what `shomei sign` runs. One CscClient interface over CSC v2
 * and v1 (1.0.4.0), with asynchronous signHash and polling; the transport is also the admin CLI's.
 */

export { type ChosenAlgorithm, chooseSignAlgorithm } from './algorithms.js';
export type { AsyncHandle, AsyncOptions, PollResult, Sleep, WaitOptions } from './async.js';
export { CscError, CscTransportError, CscUsageError, type TransportFailure } from './errors.js';
export { type LocalSignRequest, type LocalSignResult, signDocumentLocally } from './local-sign.js';
export {
  type AuthorizationUrlRequest,
  authorizationUrl,
  type CodeExchange,
  createPkce,
  exchangeCode,
  type Pkce,
  type TokenResult,
} from './oauth.js';
export {
  type CallOptions,
  checkBaseUrl,
  createTransport,
  type Json,
  type Transport,
  type TransportOptions,
} from './transport.js';
export type * from './types.js';
export { type CscClient, type CscClientOptions, createCscClient } from './v2.js';
export type { CscVersion } from './wire.js';
