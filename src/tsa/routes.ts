/**
 * RFC 3161 over HTTP (§3.4): `POST /tsa` with an application/timestamp-query body, answered with
 * application/timestamp-reply and HTTP 200 — refusals included, since the status is inside the
 * TimeStampResp. Only HTTP-level faults are HTTP errors, from the catalogue: another media type
 * (415), a body over MAX_REQUEST_BYTES (413), another method (405). They are decided before the
 * body is read, so an oversized or mistyped body is never buffered or parsed.
 */
import { ShomeiError } from '../errors.js';
import type { HttpApp } from '../http/server.js';
import type { Tsa } from './authority.js';
import { MAX_REQUEST_BYTES } from './request.js';

export const TSA_PATH = '/tsa';
const QUERY = 'application/timestamp-query';
const REPLY = 'application/timestamp-reply';

/** The media type without parameters, lower-cased (RFC 9110 §8.3.1). */
const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

export function tsaRoutes(app: HttpApp, deps: { readonly tsa: Tsa }): void {
  // Its own scope, so that the binary body parser applies to /tsa only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(QUERY, { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(
      TSA_PATH,
      {
        bodyLimit: MAX_REQUEST_BYTES,
        schema: { tags: ['tsa'], summary: 'RFC 3161 time-stamp request (application/timestamp-query)' },
        onRequest: async (req) => {
          if (mediaType(req.headers['content-type']) !== QUERY) throw new ShomeiError('tsa_unsupported_media_type');
          const length = Number(req.headers['content-length'] ?? 0);
          if (length > MAX_REQUEST_BYTES) throw new ShomeiError('body_too_large');
        },
      },
      async (req, reply) => {
        const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const answer = await deps.tsa.issue(body);
        return reply.type(REPLY).header('Cache-Control', 'no-store').send(answer);
      },
    );
    scope.route({
      method: ['GET', 'PUT', 'DELETE', 'PATCH'],
      url: TSA_PATH,
      schema: { hide: true },
      handler: async (_req, reply) => {
        reply.header('Allow', 'POST');
        throw new ShomeiError('tsa_method_not_allowed');
      },
    });
  });
}
