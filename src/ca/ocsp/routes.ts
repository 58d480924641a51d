/**
 * OCSP over HTTP (RFC 6960 Appendix A.1; RFC 5019 §5–6): POST /ocsp with an
 * application/ocsp-request body, and GET /ocsp/{base64 of the DER request, URL-encoded}. Every
 * answer is a DER OCSPResponse (application/ocsp-response) with HTTP 200, errors included — the
 * status is inside (RFC 6960 §2.3). Only HTTP-level faults are HTTP errors: a body over the size
 * limit (413) or of another media type (415), through the service's one error handler.
 *
 * Caching: a GET answer carries `max-age` up to nextUpdate, `public, no-transform,
 * must-revalidate`, Last-Modified (thisUpdate), Expires (nextUpdate) and an ETag (RFC 5019 §6.2),
 * so that a CDN or proxy serves it. POST answers are `no-store`: HTTP caches do not key responses
 * by request body, RFC 5019 §5 sends clients that want caching to GET, and a cache that reused a
 * POST answer would give one certificate's status for another.
 */
import type { FastifyReply } from 'fastify';
import { Type as T } from 'typebox';
import type { HttpApp } from '../../http/server.js';
import type { Clock } from '../../platform/index.js';
import { createSigningBudget } from './budget.js';
import { MAX_REQUEST_BYTES } from './request.js';
import type { OcspAnswer, OcspResponder } from './responder.js';

export interface OcspRouteDeps {
  readonly responder: OcspResponder;
  readonly clock: Clock;
  /** Signatures per second per client address for answers not kept already (0 = no limit). */
  readonly signingPerSecond?: number;
  readonly signingBurst?: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_BASE64 = Math.ceil(MAX_REQUEST_BYTES / 3) * 4;

/** RFC 6960 A.1: the request is in the path; an invalid one decodes to nothing (malformedRequest). */
function fromPath(param: string): Buffer {
  return param.length <= MAX_BASE64 && BASE64.test(param) ? Buffer.from(param, 'base64') : Buffer.alloc(0);
}

export function ocspRoutes(app: HttpApp, deps: OcspRouteDeps): void {
  const { responder, clock } = deps;
  const budget = createSigningBudget({
    clock,
    perSecond: deps.signingPerSecond ?? 0,
    burst: deps.signingBurst ?? 100,
  });
  /** The responder's answer, within the asker's signing budget. */
  async function answer(request: Uint8Array, address: string): Promise<OcspAnswer> {
    const a = await responder.respond(request, { maySign: budget.allows(address) });
    if (a.signed) budget.charge(address);
    return a;
  }

  /** `get`: the request came by GET (cacheable), with this If-None-Match. */
  function send(reply: FastifyReply, answer: OcspAnswer, get?: { ifNoneMatch: string | undefined }): FastifyReply {
    reply.type('application/ocsp-response');
    if (!get || !('etag' in answer)) return reply.header('Cache-Control', 'no-store').send(answer.der);
    const maxAge = Math.max(0, Math.floor((answer.nextUpdate - clock.now()) / 1000));
    reply
      .header('Cache-Control', `max-age=${maxAge}, public, no-transform, must-revalidate`)
      .header('Last-Modified', new Date(answer.thisUpdate).toUTCString())
      .header('Expires', new Date(answer.nextUpdate).toUTCString())
      .header('ETag', answer.etag);
    // RFC 9110 §13.1.2: a CDN revalidating with the ETag gets 304 while the bytes are unchanged.
    return get.ifNoneMatch === answer.etag ? reply.code(304).send() : reply.send(answer.der);
  }

  // Its own scope, so that the binary body parser applies to /ocsp only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      'application/ocsp-request',
      { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES },
      (_req, body, done) => done(null, body),
    );
    scope.post(
      '/ocsp',
      { bodyLimit: MAX_REQUEST_BYTES, schema: { tags: ['ocsp'], summary: 'OCSP request (RFC 6960 A.1.1, POST)' } },
      async (req, reply) => send(reply, await answer(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), req.ip)),
    );
    scope.get(
      '/ocsp/*',
      {
        schema: {
          tags: ['ocsp'],
          summary: 'OCSP request (RFC 6960 A.1.1, GET: base64 of the DER request, URL-encoded)',
          params: T.Object({ '*': T.String() }),
        },
      },
      async (req, reply) => {
        const a = await answer(fromPath((req.params as { '*': string })['*']), req.ip);
        return send(reply, a, { ifNoneMatch: req.headers['if-none-match'] });
      },
    );
  });
  app.addHook('onReady', async () => responder.start());
  app.addHook('onClose', async () => responder.stop());
}
