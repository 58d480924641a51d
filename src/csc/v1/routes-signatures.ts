/** v1 `signatures/signHash` (`hash`, `hashAlgo`); signatures/timestamp is v2's route (same fields). */
import type { HttpApp } from '../../http/server.js';
import { decodeBase64, decodeHashes, encodeBase64 } from '../base64.js';
import { bearerToken } from '../bearer.js';
import type { CscDeps } from '../deps.js';
import { sadOf, timestampRoute } from '../routes-signatures.js';
import { ErrorBody } from '../schemas.js';
import { SignHashRequestV1, SignHashResponseV1 } from './schemas.js';
import { v1 } from './translate.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody };

export function signatureRoutesV1(app: HttpApp, deps: CscDeps): void {
  timestampRoute(app, deps);
  app.post(
    '/signatures/signHash',
    { schema: { tags: ['csc-v1'], body: SignHashRequestV1, response: { 200: SignHashResponseV1, ...errors } } },
    async (req) =>
      v1(async () => {
        const bearer = bearerToken(req);
        const principal = await deps.session.authenticate(bearer);
        const b = req.body;
        const sad = sadOf(principal, bearer, b.SAD);
        const signatures = await deps.signing.signHash(principal, {
          credentialId: b.credentialID,
          ...(sad !== undefined ? { sad } : {}),
          hashes: decodeHashes(b.hash),
          ...(b.hashAlgo ? { hashAlgorithmOID: b.hashAlgo } : {}),
          signAlgo: b.signAlgo,
          ...(b.signAlgoParams
            ? { signAlgoParams: decodeBase64(b.signAlgoParams, 'invalid_parameter', { name: 'signAlgoParams' }) }
            : {}),
        });
        return { signatures: signatures.map(encodeBase64) };
      }),
  );
}
