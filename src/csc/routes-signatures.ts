/** `signatures/signHash` (csc-api-v2.md §5.1) and `signatures/timestamp` (§5.4). */
import { Type as T } from 'typebox';
import { ShomeiError } from '../errors.js';
import type { HttpApp } from '../http/server.js';
import { HASHES } from '../keys/index.js';
import type { Principal } from '../signing/index.js';
import { decodeBase64, decodeHashes, encodeBase64 } from './base64.js';
import { bearerToken, serviceCaller } from './bearer.js';
import type { CscDeps } from './deps.js';
import { AsyncAccepted, startAsync } from './routes-async.js';
import { ErrorBody, SignHashRequest, SignHashResponse } from './schemas.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody };

/** §5.4 uses v1-style singular names; a nonce of at most 160 bits (RFC 3161 §2.4.1), in hex. */
const TimestampRequest = T.Object({
  hash: T.String({ maxLength: 100 }),
  hashAlgo: T.String({ maxLength: 64 }),
  nonce: T.Optional(T.String({ minLength: 1, maxLength: 40, pattern: '^[0-9a-fA-F]+$' })),
  clientData: T.Optional(T.String({ maxLength: 2048 })),
});
const TimestampResponse = T.Object({ timestamp: T.String() });

/** Hex → content octets of a positive, minimal INTEGER. */
function nonceInteger(hexValue: string): Uint8Array {
  const bytes = Buffer.from(hexValue.length % 2 ? `0${hexValue}` : hexValue, 'hex');
  const first = bytes.findIndex((b) => b !== 0);
  const magnitude = first < 0 ? Buffer.of(0) : bytes.subarray(first);
  return ((magnitude[0] as number) & 0x80) !== 0 ? Buffer.concat([Buffer.of(0), magnitude]) : magnitude;
}

/**
 * The SAD of a signing call: a credential-scoped token is itself the SAD handle (csc-api-v2.md §1);
 * a SAD in two carriers at once is refused (§9 pitfall 5).
 */
export function sadOf(principal: Principal, bearer: string, bodySad: string | undefined): string | undefined {
  const credentialToken = principal.scope === 'credential';
  if (credentialToken && bodySad !== undefined) throw new ShomeiError('sad_in_two_carriers');
  if (!credentialToken && principal.scope !== 'service') throw new ShomeiError('insufficient_scope');
  return credentialToken ? bearer : bodySad;
}

/** signatures/timestamp: the same fields in CSC 1.0.4.0 and 2.0.0.2, so /csc/v1 registers it too. */
export function timestampRoute(app: HttpApp, deps: CscDeps): void {
  const tsa = deps.timestamps;
  app.post(
    '/signatures/timestamp',
    { schema: { tags: ['csc'], body: TimestampRequest, response: { 200: TimestampResponse, ...errors } } },
    async (req) => {
      const principal = await serviceCaller(deps.session, req);
      const b = req.body;
      if (b.hash === '') throw new ShomeiError('empty_hash');
      const digest = decodeBase64(b.hash, 'invalid_base64_hash');
      const hash = Object.values(HASHES).find((h) => h.oid === b.hashAlgo);
      if (!hash) throw new ShomeiError('invalid_parameter', { name: 'hashAlgo' });
      if (digest.length !== hash.length) throw new ShomeiError('invalid_digest_length');
      const nonce = b.nonce === undefined ? {} : { nonce: nonceInteger(b.nonce) };
      const token = await tsa.stamp({ hash, digest, ...nonce, certReq: true, actor: principal.userId });
      return { timestamp: encodeBase64(token) };
    },
  );
}

export function signatureRoutes(app: HttpApp, deps: CscDeps): void {
  timestampRoute(app, deps);
  app.post(
    '/signatures/signHash',
    {
      schema: {
        tags: ['csc'],
        body: SignHashRequest,
        response: { 200: T.Union([SignHashResponse, AsyncAccepted]), ...errors },
      },
    },
    async (req) => {
      const bearer = bearerToken(req);
      const principal = await deps.session.authenticate(bearer);
      const b = req.body;
      const sad = sadOf(principal, bearer, b.SAD);
      const input = {
        credentialId: b.credentialID,
        ...(sad !== undefined ? { sad } : {}),
        hashes: decodeHashes(b.hashes),
        ...(b.hashAlgorithmOID ? { hashAlgorithmOID: b.hashAlgorithmOID } : {}),
        signAlgo: b.signAlgo,
        ...(b.signAlgoParams
          ? { signAlgoParams: decodeBase64(b.signAlgoParams, 'invalid_parameter', { name: 'signAlgoParams' }) }
          : {}),
      };
      const sign = async (hooks = {}) => ({
        signatures: (await deps.signing.signHash(principal, input, hooks)).map((s) => s.toString('base64')),
      });
      // §5.1 operationMode "A": the same call, answered with a responseID once accepted.
      if (b.operationMode === 'A') return startAsync(deps, principal, 'signHash', b, (accepted) => sign({ accepted }));
      return sign();
    },
  );
}
