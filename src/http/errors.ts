/**
 * The one place where failures become HTTP responses (STYLE.md 8). Catalogue errors keep their
 * code; framework errors are translated to catalogue codes; anything else is an internal error,
 * logged with its stack and answered without internals.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, isShomeiError, ShomeiError, toCscBody } from '../errors.js';

interface SchemaProperty {
  type?: string | string[];
}
interface BodySchema {
  properties?: Record<string, SchemaProperty>;
}

const MISSING_BY_TYPE: Record<string, ErrorCode> = {
  string: 'missing_string',
  integer: 'missing_integer',
  number: 'missing_integer',
  array: 'missing_array',
  boolean: 'missing_boolean',
};

/** AJV's first complaint → the CSC string the reference lists ("Missing (or invalid type) …"). */
function fromValidation(err: FastifyError, req: FastifyRequest): ShomeiError {
  const first = err.validation?.[0];
  const schema = (req.routeOptions.schema?.body ?? {}) as BodySchema;
  if (!first) return new ShomeiError('invalid_body');
  const params = first.params as Record<string, unknown>;
  const path = first.instancePath.split('/').filter(Boolean);
  const name =
    first.keyword === 'required' ? String(params.missingProperty) : (path[0] ?? String(params.missingProperty ?? ''));
  const declared = schema.properties?.[name]?.type;
  const type = Array.isArray(declared) ? declared[0] : declared;
  if (first.keyword === 'required' || (first.keyword === 'type' && path.length === 1)) {
    const code = MISSING_BY_TYPE[type ?? ''];
    if (code) return new ShomeiError(code, { name });
  }
  if (first.keyword === 'type' && path.length === 0) return new ShomeiError('invalid_body');
  return new ShomeiError('invalid_parameter', { name: name || 'body' });
}

const FRAMEWORK: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_body',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_body',
};

export function toShomeiError(err: unknown, req: FastifyRequest): ShomeiError | undefined {
  if (isShomeiError(err)) return err;
  const fe = err as FastifyError;
  if (fe?.validation) return fromValidation(fe, req);
  const mapped = fe?.code ? FRAMEWORK[fe.code] : undefined;
  if (mapped) return new ShomeiError(mapped);
  // JSON.parse failures from the body parser and other client errors fastify marks with 4xx.
  if (fe?.statusCode === 400) return new ShomeiError('invalid_body');
  if (fe?.statusCode === 413) return new ShomeiError('body_too_large');
  if (fe?.statusCode === 415) return new ShomeiError('unsupported_media_type');
  return undefined;
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const known = toShomeiError(err, req);
  if (known) {
    if (known.status >= 500) req.log.error({ err: known.cause ?? known, code: known.code }, 'request failed');
    if (known.status === 401) {
      // auth/login takes HTTP Basic (RFC 7617); every other method a bearer token (RFC 6750 §3).
      reply.header(
        'WWW-Authenticate',
        known.code === 'authentication_error' || known.code === 'invalid_client'
          ? 'Basic realm="shomei", charset="UTF-8"'
          : 'Bearer',
      );
    }
    if (known.code === 'account_locked' && known.params.retryAfter)
      reply.header('Retry-After', known.params.retryAfter);
    return reply.status(known.status).send(toCscBody(known));
  }
  req.log.error({ err }, 'unexpected error');
  return reply.status(500).send(toCscBody(new ShomeiError('internal')));
}
