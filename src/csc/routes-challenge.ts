/** `credentials/getChallenge` (csc-api-v2.md §4.5): the out-of-band OTP is sent; 204, no body. */
import { type Static, Type as T } from 'typebox';
import type { HttpApp } from '../http/server.js';
import { serviceCaller } from './bearer.js';
import type { CscDeps } from './deps.js';
import { ErrorBody } from './schemas.js';

export const GetChallengeRequest = T.Object({
  credentialID: T.String({ maxLength: 255 }),
  authObjectID: T.String({ maxLength: 64 }),
  clientData: T.Optional(T.String({ maxLength: 2048 })),
});
export type TGetChallengeRequest = Static<typeof GetChallengeRequest>;

const errors = { 400: ErrorBody, 401: ErrorBody, 409: ErrorBody, 429: ErrorBody, 503: ErrorBody };

export function challengeRoutes(app: HttpApp, deps: CscDeps): void {
  app.post(
    '/credentials/getChallenge',
    { schema: { tags: ['csc'], body: GetChallengeRequest, response: { 204: T.Null(), ...errors } } },
    async (req, reply) => {
      const principal = await serviceCaller(deps.session, req);
      await deps.signing.getChallenge(principal, {
        credentialId: req.body.credentialID,
        authObjectId: req.body.authObjectID,
      });
      return reply.status(204).send(null);
    },
  );
}
