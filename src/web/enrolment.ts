/**
 * `POST /enrol`: the signer redeems the one-time enrolment code a registration officer gave them
 * out of band (USER-4), sets their first password and PIN, and — if they have none yet — gets a
 * signing credential: a key in the key store and a certificate from the issuing CA (KEY-3, CA-1).
 * The code is single use and expiring; a reused or expired one changes nothing.
 */
import { Type as T } from 'typebox';
import { ErrorBody } from '../csc/schemas.js';
import type { HttpApp } from '../http/server.js';
import type { Users } from '../users/index.js';

const EnrolRequest = T.Object({
  code: T.String({ minLength: 1, maxLength: 64 }),
  password: T.String({ minLength: 1, maxLength: 256 }),
  pin: T.String({ minLength: 1, maxLength: 64 }),
});
const EnrolResponse = T.Object({
  username: T.String(),
  status: T.String(),
  credentialID: T.Optional(T.String()),
  certificateSerial: T.Optional(T.String()),
});

export interface EnrolmentDeps {
  readonly users: Users;
  /** The first credential of a signer who has none (key + certificate); undefined when they have one. */
  firstCredential(userId: string): Promise<{ credentialID: string; certificateSerial: string } | undefined>;
}

export function enrolmentRoutes(app: HttpApp, deps: EnrolmentDeps): void {
  app.post(
    '/enrol',
    { schema: { tags: ['enrolment'], body: EnrolRequest, response: { 200: EnrolResponse, 400: ErrorBody } } },
    async (req) => {
      const user = await deps.users.redeemEnrolmentCode(req.body.code, {
        pin: req.body.pin,
        password: req.body.password,
      });
      const credential = await deps.firstCredential(user.id);
      return { username: user.username, status: user.status, ...(credential ?? {}) };
    },
  );
}
