/** `signatures/signHash` (csc-api-v2.md §5.1). */
import { ShomeiError } from '../errors.js';
import type { HttpApp } from '../http/server.js';
import { decodeBase64, decodeHashes } from './base64.js';
import { bearerToken } from './bearer.js';
import type { CscDeps } from './deps.js';
import { ErrorBody, SignHashRequest, SignHashResponse } from './schemas.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody };

export function signatureRoutes(app: HttpApp, deps: CscDeps): void {
  app.post(
    '/signatures/signHash',
    { schema: { tags: ['csc'], body: SignHashRequest, response: { 200: SignHashResponse, ...errors } } },
    async (req) => {
      const bearer = bearerToken(req);
      const principal = await deps.session.authenticate(bearer);
      const b = req.body;
      if (b.operationMode === 'A') throw new ShomeiError('async_not_supported');
      // A credential-scoped token is itself the SAD handle (csc-api-v2.md §1); a SAD in two
      // carriers at once is refused (§9 pitfall 5).
      const credentialToken = principal.scope === 'credential';
      if (credentialToken && b.SAD !== undefined) throw new ShomeiError('sad_in_two_carriers');
      if (!credentialToken && principal.scope !== 'service') throw new ShomeiError('insufficient_scope');
      const sad = credentialToken ? bearer : b.SAD;
      const signatures = await deps.signing.signHash(principal, {
        credentialId: b.credentialID,
        ...(sad !== undefined ? { sad } : {}),
        hashes: decodeHashes(b.hashes),
        ...(b.hashAlgorithmOID ? { hashAlgorithmOID: b.hashAlgorithmOID } : {}),
        signAlgo: b.signAlgo,
        ...(b.signAlgoParams
          ? { signAlgoParams: decodeBase64(b.signAlgoParams, 'invalid_parameter', { name: 'signAlgoParams' }) }
          : {}),
      });
      return { signatures: signatures.map((s) => s.toString('base64')) };
    },
  );
}
