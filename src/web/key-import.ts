/**
 * KEY-2 over HTTP. `POST /keys/import`: a signer uploads their own key as PKCS#12 (base64, with its
 * password) under their bearer token, over TLS only (plain HTTP is accepted only on a loopback
 * address in development mode), size-limited; the key is proven against its certificate before
 * the signer gets a credential (admin/key-import.ts). The password and the file are never logged
 * (`password` is a redacted path, bodies are not logged) and the plaintext key is wiped after use.
 * `GET /keys/transport`: the transport key a CA wraps transferred keys for (keys/transport.ts).
 */
import { createPublicKey } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Type as T } from 'typebox';
import { ensureTransportKey, importUserKey, type LifecycleDeps } from '../admin/lifecycle.js';
import { type Config, isLoopback, tlsEnabled } from '../config/index.js';
import { bearerToken } from '../csc/bearer.js';
import type { SessionPort } from '../csc/index.js';
import { ErrorBody } from '../csc/schemas.js';
import { ShomeiError } from '../errors.js';
import type { HttpApp } from '../http/server.js';
import { readPkcs12, TRANSFER_FORMAT, transportKeyId } from '../keys/index.js';
import type { Platform } from '../platform/index.js';

/** A PKCS#12 with an RSA-4096 key and a few certificates is well under 24 KiB; base64 adds a third. */
export const KEY_UPLOAD_LIMIT_BYTES = 64 * 1024;
const MAX_PKCS12_BASE64 = 60_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const ImportRequest = T.Object({
  pkcs12: T.String({ minLength: 1, maxLength: MAX_PKCS12_BASE64 }),
  password: T.String({ maxLength: 256 }),
  description: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
  reason: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
});
const ImportResponse = T.Object({
  credentialID: T.String(),
  keyType: T.String(),
  status: T.String(),
});
const TransportResponse = T.Object({
  format: T.String(),
  keyType: T.String(),
  /** Hex SHA-256 of the SPKI DER: a transfer names the key it was wrapped for. */
  transportKey: T.String(),
  spki: T.String({ description: 'SubjectPublicKeyInfo, base64 DER' }),
  spkiPem: T.String(),
  certificate: T.String({ description: 'self-signed certificate, base64 DER' }),
});

export interface KeyImportRouteDeps extends Omit<LifecycleDeps, 'clock' | 'random' | 'allowEd25519' | 'maxBatch'> {
  readonly config: Readonly<Config>;
  readonly session: Pick<SessionPort, 'authenticate'>;
  readonly platform: Platform;
}

/** AUTH-2: keys travel over TLS (here, or terminated by a trusted proxy); loopback HTTP only in development. */
function checkTransport(config: Readonly<Config>, req: FastifyRequest): void {
  if (tlsEnabled(config) || req.protocol === 'https') return;
  if (config.mode === 'development' && isLoopback(config.http.host)) return;
  throw new ShomeiError('insecure_transport');
}

export function keyImportRoutes(app: HttpApp, routeDeps: KeyImportRouteDeps): void {
  const { config, session, platform, ...parts } = routeDeps;
  const lifecycle: LifecycleDeps = {
    ...parts,
    ...platform,
    allowEd25519: config.signing.allowEd25519,
    maxBatch: config.signing.maxBatch,
  };
  const deps = { config, session, lifecycle };
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 413: ErrorBody };
  app.post(
    '/keys/import',
    {
      bodyLimit: KEY_UPLOAD_LIMIT_BYTES,
      schema: { tags: ['keys'], body: ImportRequest, response: { 200: ImportResponse, ...errors } },
    },
    async (req) => {
      checkTransport(deps.config, req);
      const principal = await deps.session.authenticate(bearerToken(req));
      if (principal.scope !== 'service') throw new ShomeiError('invalid_token');
      if (!BASE64.test(req.body.pkcs12)) throw new ShomeiError('invalid_parameter', { name: 'pkcs12' });
      const file = Buffer.from(req.body.pkcs12, 'base64');
      const { pkcs8, chain } = await readPkcs12(file, req.body.password);
      const credential = await importUserKey(
        deps.lifecycle,
        {
          userId: principal.userId,
          pkcs8,
          chain,
          source: 'pkcs12',
          ...(req.body.description ? { description: req.body.description } : {}),
        },
        { actor: principal.userId, reason: req.body.reason ?? 'uploaded by the signer' },
      );
      const key = await deps.lifecycle.keys.get(credential.keyId);
      return { credentialID: credential.id, keyType: key.keyType, status: credential.status };
    },
  );

  app.get(
    '/keys/transport',
    { schema: { tags: ['keys'], response: { 200: TransportResponse } } },
    async (_req, reply) => {
      const t = await ensureTransportKey(deps.lifecycle);
      const spkiPem = createPublicKey({ key: t.spki, format: 'der', type: 'spki' }).export({
        type: 'spki',
        format: 'pem',
      }) as string;
      reply.header('Cache-Control', 'public, max-age=300');
      return {
        format: TRANSFER_FORMAT,
        keyType: 'RSA-3072',
        transportKey: transportKeyId(t.spki),
        spki: t.spki.toString('base64'),
        spkiPem,
        certificate: t.certificate.toString('base64'),
      };
    },
  );
}
