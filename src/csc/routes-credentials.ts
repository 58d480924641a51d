/** `credentials/list|info|authorize|authorizeCheck` (csc-api-v2.md §4.1–§4.4). */
import { ShomeiError } from '../errors.js';
import type { HttpApp } from '../http/server.js';
import { decodeHashes } from './base64.js';
import { type bearerToken, serviceCaller } from './bearer.js';
import type { CscDeps } from './deps.js';
import { credentialInfo } from './mappers.js';
import {
  AuthorizeCheckRequest,
  AuthorizeRequest,
  AuthorizeResponse,
  CredentialInfo,
  CredentialInfoRequest,
  ErrorBody,
  ListRequest,
  ListResponse,
} from './schemas.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody };

export function credentialRoutes(app: HttpApp, deps: CscDeps): void {
  const principalOf = (req: Parameters<typeof bearerToken>[0]) => serviceCaller(deps.session, req);

  app.post(
    '/credentials/list',
    { schema: { tags: ['csc'], body: ListRequest, response: { 200: ListResponse, ...errors } } },
    async (req) => {
      const principal = await principalOf(req);
      // User-specific authentication: a caller can never name another user (§1, pitfall 3).
      if (req.body.userID !== undefined) throw new ShomeiError('user_id_must_be_null');
      const onlyValid = req.body.onlyValid === true;
      const views = await deps.signing.list(principal, { onlyValid });
      const lang = req.body.lang ?? deps.info.lang;
      return {
        credentialIDs: views.map((v) => v.credential.id),
        ...(req.body.credentialInfo
          ? {
              credentialInfos: views.map((v) => ({
                credentialID: v.credential.id,
                ...credentialInfo(v, req.body, lang),
              })),
            }
          : {}),
        ...(onlyValid ? { onlyValid: true } : {}),
      };
    },
  );

  app.post(
    '/credentials/info',
    { schema: { tags: ['csc'], body: CredentialInfoRequest, response: { 200: CredentialInfo, ...errors } } },
    async (req) => {
      const principal = await principalOf(req);
      const view = await deps.signing.credential(principal, req.body.credentialID);
      return credentialInfo(view, req.body, req.body.lang ?? deps.info.lang);
    },
  );

  app.post(
    '/credentials/authorize',
    { schema: { tags: ['csc'], body: AuthorizeRequest, response: { 200: AuthorizeResponse, ...errors } } },
    async (req) => {
      const principal = await principalOf(req);
      const b = req.body;
      const grant = await deps.signing.authorize(principal, {
        credentialId: b.credentialID,
        numSignatures: b.numSignatures,
        ...(b.hashes ? { hashes: decodeHashes(b.hashes) } : {}),
        ...(b.hashAlgorithmOID ? { hashAlgorithmOID: b.hashAlgorithmOID } : {}),
        authData: b.authData ?? [],
        ...(b.description ? { description: b.description } : {}),
      });
      return { SAD: grant.sad, expiresIn: grant.expiresIn };
    },
  );

  app.post(
    '/credentials/authorizeCheck',
    { schema: { tags: ['csc'], body: AuthorizeCheckRequest, response: { ...errors } } },
    async (req) => {
      await principalOf(req);
      // Every authorisation completes synchronously today (200 + SAD), so no handle is ever
      // pending; asynchronous approvals (issue "CSC interoperability") will create them.
      throw new ShomeiError('invalid_handle');
    },
  );
}
