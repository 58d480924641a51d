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
      const principal = await deps.session.authenticate(bearerToken(req));
      const b = req.body;
      if (b.operationMode === 'A') throw new ShomeiError('async_not_supported');
      const signatures = await deps.signing.signHash(principal, {
        credentialId: b.credentialID,
        ...(b.SAD !== undefined ? { sad: b.SAD } : {}),
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
