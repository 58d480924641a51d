/**
 * CSC asynchronous mode (csc-api-v2.md §5.1 `operationMode: "A"`, §5.3 `signatures/signPolling`):
 * the synchronous domain calls run to their acceptance point, then finish in the background with
 * their result sealed in the database until fetched once, expired, or delivered to `response_uri`.
 */
export type { PostJson } from './notify.js';
export { checkResponseUri, fetchPostJson } from './notify.js';
export type { AsyncKind } from './results.js';
export type { AsyncRequest, AsyncRun, AsyncSigning, AsyncSigningOptions, PollResult } from './service.js';
export { createAsyncSigning } from './service.js';
