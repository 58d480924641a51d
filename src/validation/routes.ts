/**
 * `POST /validation` (VERIFY): a signed document (and the content of a detached signature) in
 * base64 JSON, the AdES validation report out — as JSON, or as a server-rendered HTML page when
 * the client accepts text/html or asks `?format=html`. Input is checked at the edge (STYLE.md 7):
 * sizes bounded before decoding, strict base64, every refusal a catalogue error.
 */
import { type Static, Type as T } from 'typebox';
import { ShomeiError } from '../errors.js';
import type { HttpApp } from '../http/server.js';
import type { Clock } from '../platform/index.js';
import { type RevocationFetch, validateSignatures } from './ades/index.js';
import { renderReportHtml } from './report/index.js';

export const VALIDATION_PATH = '/validation';
/** Largest document (and detached content) accepted, decoded. */
export const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;
const MAX_B64 = Math.ceil(MAX_DOCUMENT_BYTES / 3) * 4;
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const ValidationRequest = T.Object(
  {
    document: T.String({ minLength: 1, maxLength: MAX_B64 }),
    detachedContent: T.Optional(T.String({ maxLength: MAX_B64 })),
  },
  { additionalProperties: false },
);
const ValidationQuery = T.Object({ format: T.Optional(T.Union([T.Literal('json'), T.Literal('html')])) });

export interface ValidationRouteDeps {
  /** The trust anchors (e.g. the built-in CA's root), asked per request so a new root applies at once. */
  anchors(): Promise<readonly Uint8Array[]>;
  readonly clock: Clock;
  /** Revocation status for signatures that carry none. */
  readonly fetch?: RevocationFetch;
  readonly serviceName?: string;
}

function decode(value: string, name: string): Uint8Array {
  if (!B64.test(value)) throw new ShomeiError('invalid_parameter', { name });
  return new Uint8Array(Buffer.from(value, 'base64'));
}

const wantsHtml = (accept: string | undefined, format: string | undefined): boolean =>
  format === 'html' || (format !== 'json' && /(^|,)\s*text\/html/i.test(accept ?? ''));

export function validationRoutes(app: HttpApp, deps: ValidationRouteDeps): void {
  app.post(
    VALIDATION_PATH,
    {
      bodyLimit: 2 * MAX_B64 + 1024,
      schema: {
        tags: ['validation'],
        summary: 'Validate the signatures of a PDF, CMS, XML or JWS document (ETSI TS 119 102-2 style report)',
        body: ValidationRequest,
        querystring: ValidationQuery,
      },
    },
    async (req, reply) => {
      const body = req.body as Static<typeof ValidationRequest>;
      const query = req.query as Static<typeof ValidationQuery>;
      const document = decode(body.document, 'document');
      const detached = body.detachedContent === undefined ? undefined : decode(body.detachedContent, 'detachedContent');
      const report = await validateSignatures(document, {
        anchors: await deps.anchors(),
        clock: deps.clock,
        revocationMode: 'prefer',
        ...(detached ? { detachedContent: detached } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      });
      reply.header('Cache-Control', 'no-store');
      if (!wantsHtml(req.headers.accept, query.format)) return reply.send(report);
      return reply
        .header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'")
        .type('text/html; charset=utf-8')
        .send(renderReportHtml(report, deps.serviceName));
    },
  );
}
