/**
 * The two ways a CSC call fails, kept apart so callers can tell "the service said no" (CscError:
 * status, `error`, `error_description` as csc-api-v2.md §2 defines them) from "no answer at all"
 * (CscTransportError: unreachable, timed out, not JSON). Neither ever carries a request body,
 * so a password, PIN, OTP, token or SAD cannot leak through a message.
 */

export class CscError extends Error {
  override name = 'CscError';
  constructor(
    /** HTTP status of the answer. */
    readonly status: number,
    /** CSC `error` (e.g. `invalid_request`, `invalid_token`, `authentication_error`). */
    readonly error: string,
    /** CSC `error_description`; '' when the service sent none. */
    readonly error_description: string,
    /** The CSC method called, e.g. `credentials/authorize`. */
    readonly method: string,
  ) {
    super(`${method}: HTTP ${status} ${error}${error_description ? `: ${error_description}` : ''}`);
  }
}

export type TransportFailure = 'timeout' | 'network' | 'bad_response' | 'insecure_url' | 'no_token';

export class CscTransportError extends Error {
  override name = 'CscTransportError';
  constructor(
    readonly reason: TransportFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The client cannot go on with what the service offered (e.g. a credential with no usable algorithm). */
export class CscUsageError extends Error {
  override name = 'CscUsageError';
}
