/**
 * CSC asynchronous mode at the edge (csc-api-v2.md §5.1 `operationMode: "A"`, §5.3
 * `signatures/signPolling`); the work is signing/async. signHash and signDoc hand their synchronous
 * call to `startAsync`, which answers `{ responseID }` (HTTP 200, like every §5.1 answer) once the
 * request has passed every synchronous check.
 *
 * A pending poll answers HTTP 202 with `error: "accepted_request"`: the transcription of the
 * standard says so (§5.3), and 202 is HTTP's own "accepted, not finished"; SIGN8's client expects a
 * 400 instead, but a 4xx makes generic clients treat a request that will succeed as failed.
 */
import { type Static, Type as T } from 'typebox';
import { ShomeiError } from '../errors.js';
import type { HttpApp } from '../http/server.js';
import type { AsyncKind, AsyncRun, AsyncSigning } from '../signing/async/index.js';
import type { Principal } from '../signing/index.js';
import { serviceCaller } from './bearer.js';
import type { CscDeps } from './deps.js';
import { postOnly } from './post-only.js';
import { ErrorBody, SignDocResponse, SignHashResponse } from './schemas.js';

/** Methods offered only with asynchronous mode (info lists them when `deps.async` is wired). */
export const ASYNC_METHODS = ['signatures/signPolling'] as const;

export const AsyncAccepted = T.Object({ responseID: T.String() });

const SignPollingRequest = T.Object({
  requestID: T.Optional(T.String({ minLength: 1, maxLength: 128 })),
  /** Some clients echo the name they received. */
  responseID: T.Optional(T.String({ minLength: 1, maxLength: 128 })),
  userID: T.Optional(T.String({ maxLength: 256 })),
  clientData: T.Optional(T.String({ maxLength: 2048 })),
});

const Polled = T.Union([SignHashResponse, SignDocResponse]);

const Pending = T.Object({ error: T.Literal('accepted_request'), error_description: T.String() });

/** The async fields of signHash/signDoc (validity_period in ms, §5.1). */
export interface AsyncFields {
  readonly validity_period?: number | undefined;
  readonly response_uri?: string | undefined;
}

export function asyncOf(deps: CscDeps): AsyncSigning {
  if (!deps.async) throw new ShomeiError('async_not_supported');
  return deps.async;
}

/** Starts `run` asynchronously; its refusals before acceptance are thrown here, as in mode S. */
export async function startAsync(
  deps: CscDeps,
  principal: Principal,
  kind: AsyncKind,
  b: AsyncFields,
  run: AsyncRun,
): Promise<{ responseID: string }> {
  const responseID = await asyncOf(deps).start(
    principal,
    {
      kind,
      ...(b.validity_period !== undefined ? { validityMs: b.validity_period } : {}),
      ...(b.response_uri !== undefined ? { responseUri: b.response_uri } : {}),
    },
    run,
  );
  return { responseID };
}

export function asyncRoutes(app: HttpApp, deps: CscDeps): void {
  postOnly(app, ASYNC_METHODS);
  app.post(
    '/signatures/signPolling',
    {
      schema: {
        tags: ['csc'],
        body: SignPollingRequest,
        response: {
          200: Polled,
          202: Pending,
          400: ErrorBody,
          401: ErrorBody,
          429: ErrorBody,
          500: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const principal = await serviceCaller(deps.session, req);
      // User-specific authentication: the caller is the user (§5.3 userID is for other schemes).
      if (req.body.userID !== undefined) throw new ShomeiError('user_id_must_be_null');
      const requestId = req.body.requestID ?? req.body.responseID;
      if (requestId === undefined) throw new ShomeiError('missing_string', { name: 'requestID' });
      const r = await asyncOf(deps).poll(principal, requestId);
      if (r.state === 'pending') {
        return reply
          .status(202)
          .send({ error: 'accepted_request', error_description: 'The request is still being processed' });
      }
      // The body was built by this service's own signHash/signDoc route and sealed (seal.ts).
      return r.body as Static<typeof Polled>;
    },
  );
}
