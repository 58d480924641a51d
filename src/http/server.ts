/**
 * The HTTP edge: fastify with TypeBox schemas on every route, strict JSON parsing, one error
 * handler, redacted logs, and the OpenAPI document generated from the route schemas (API-3).
 */
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import sjson from 'secure-json-parse';
import type { Config } from '../config/index.js';
import { ShomeiError } from '../errors.js';
import { errorHandler } from './errors.js';
import { redactPaths } from './redact.js';

export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface HttpOptions {
  readonly config: Readonly<Config>;
  readonly version: string;
  /** Replace the logger (tests pass `false`). */
  readonly logger?: boolean;
  /** Where log lines go (default stdout); tests capture them to prove redaction. */
  readonly logStream?: { write(line: string): void };
}

export async function createHttpServer(opts: HttpOptions): Promise<HttpApp> {
  const { config } = opts;
  const https =
    config.http.tlsCert && config.http.tlsKey
      ? { cert: readFileSync(config.http.tlsCert), key: readFileSync(config.http.tlsKey) }
      : null;
  const app = Fastify({
    ...(https ? { https } : {}),
    logger:
      opts.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: { paths: redactPaths, censor: '[redacted]' },
            ...(opts.logStream ? { stream: opts.logStream } : {}),
          },
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    return503OnClosing: true,
    ajv: {
      // CSC types are strict: "3" is not an integer. Unknown fields are dropped (forward compatible
      // with clients that send newer CSC fields), never echoed, never reach the core.
      customOptions: { coerceTypes: false, removeAdditional: true, useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpApp;

  // CSC: `{}` if the body is empty; treat `null` members as absent (csc-api-v2.md §1).
  // JSON only: fastify's text/plain parser would hand a string to the schemas (CSC is JSON-only).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      // secure-json-parse (fastify's own default) refuses __proto__ / constructor.prototype keys.
      done(null, dropNulls(sjson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })));
    } catch {
      done(new ShomeiError('invalid_body'), undefined);
    }
  });

  app.addHook('preValidation', async (req) => {
    if (req.method === 'POST' && req.body === undefined) req.body = {};
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => errorHandler(new ShomeiError('not_found'), req, reply));
  app.addHook('onSend', async (_req, reply, payload) => {
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    reply.header('X-Content-Type-Options', 'nosniff');
    return payload;
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'shomei', description: config.service.description, version: opts.version },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, basic: { type: 'http', scheme: 'basic' } },
      },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}

function dropNulls(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== null) out[k] = x;
  return out;
}
