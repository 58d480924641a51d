/**
 * v1 `credentials/list|info|authorize|extendTransaction|sendOTP` (csc-api-v2.md §7): v1 fields in,
 * the same domain calls as v2 (deps.signing), v1 fields and wording out.
 */
import { Type as T } from 'typebox';
import { ShomeiError } from '../../errors.js';
import type { HttpApp } from '../../http/server.js';
import { decodeHashes } from '../base64.js';
import { serviceCaller } from '../bearer.js';
import type { CscDeps } from '../deps.js';
import { ErrorBody } from '../schemas.js';
import { authDataV1, credentialInfoV1, factorErrorV1, hashAlgoOf } from './mappers.js';
import {
  AuthorizeRequestV1,
  AuthorizeResponseV1,
  CredentialInfoV1,
  ExtendRequestV1,
  InfoRequestV1,
  ListRequestV1,
  ListResponseV1,
  MAX_PAGE,
  SendOtpRequestV1,
} from './schemas.js';
import { v1 } from './translate.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody };
const tags = ['csc-v1'];

/** v1 paging: the token is the offset of the next page (the list is the caller's, in a stable order). */
function pageStart(token: string | undefined, total: number): number {
  if (token === undefined) return 0;
  const start = /^[0-9]{1,6}$/.test(token) ? Number(token) : Number.NaN;
  if (!(start > 0 && start < total)) throw new ShomeiError('invalid_parameter', { name: 'pageToken' });
  return start;
}

export function credentialRoutesV1(app: HttpApp, deps: CscDeps): void {
  app.post(
    '/credentials/list',
    { schema: { tags, body: ListRequestV1, response: { 200: ListResponseV1, ...errors } } },
    async (req) =>
      v1(async () => {
        const principal = await serviceCaller(deps.session, req);
        if (req.body.userID !== undefined) throw new ShomeiError('user_id_must_be_null');
        const ids = (await deps.signing.list(principal, { onlyValid: false })).map((v) => v.credential.id);
        const start = pageStart(req.body.pageToken, ids.length);
        const end = start + Math.min(req.body.maxResults ?? MAX_PAGE, MAX_PAGE);
        return { credentialIDs: ids.slice(start, end), ...(end < ids.length ? { nextPageToken: String(end) } : {}) };
      }),
  );

  app.post(
    '/credentials/info',
    { schema: { tags, body: InfoRequestV1, response: { 200: CredentialInfoV1, ...errors } } },
    async (req) =>
      v1(async () => {
        const principal = await serviceCaller(deps.session, req);
        const view = await deps.signing.credential(principal, req.body.credentialID);
        return credentialInfoV1(view, req.body, req.body.lang ?? deps.info.lang);
      }),
  );

  app.post(
    '/credentials/authorize',
    { schema: { tags, body: AuthorizeRequestV1, response: { 200: AuthorizeResponseV1, ...errors } } },
    async (req) =>
      v1(async () => {
        const principal = await serviceCaller(deps.session, req);
        const b = req.body;
        // The factor table decides whether v1's OTP is the TOTP or the out-of-band code. An unknown
        // or foreign credential is left for authorize to refuse, so the refusal is logged as in v2.
        const view = await deps.signing.credential(principal, b.credentialID).catch(() => undefined);
        const factors = view?.credential.factors ?? [];
        const hashes = b.hash ? decodeHashes(b.hash) : undefined;
        const grant = await deps.signing
          .authorize(principal, {
            credentialId: b.credentialID,
            numSignatures: b.numSignatures,
            ...(hashes ? { hashes, hashAlgorithmOID: hashAlgoOf(hashes, b.hashAlgo) } : {}),
            authData: authDataV1(factors, b.PIN, b.OTP),
            ...(b.description ? { description: b.description } : {}),
          })
          .catch((e: unknown) => {
            throw factorErrorV1(e, factors, b.PIN, b.OTP);
          });
        return { SAD: grant.sad, expiresIn: grant.expiresIn };
      }),
  );

  app.post(
    '/credentials/extendTransaction',
    { schema: { tags, body: ExtendRequestV1, response: { ...errors, 501: ErrorBody } } },
    async (req) =>
      v1(async () => {
        await serviceCaller(deps.session, req);
        // A SAD is bound at issue to its hashes, count and expiry (AUTH-3) and the SAD service has no
        // way to widen it; granting more would skip the signer's factors. Say so instead of faking it.
        throw new ShomeiError('csc_v1_not_implemented', {
          method: 'credentials/extendTransaction',
          detail: 'a SAD cannot be extended; call credentials/authorize for the next hashes',
        });
      }),
  );

  app.post(
    '/credentials/sendOTP',
    { schema: { tags, body: SendOtpRequestV1, response: { 204: T.Null(), ...errors } } },
    async (req, reply) =>
      v1(async () => {
        const principal = await serviceCaller(deps.session, req);
        await deps.signing.getChallenge(principal, { credentialId: req.body.credentialID, authObjectId: 'OTP' });
        return reply.status(204).send(null);
      }),
  );
}
