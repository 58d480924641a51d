/**
 * `POST /enrol`: the signer redeems the one-time enrolment code a registration officer gave them
 * out of band (USER-4) and sets their first password and PIN. The portal's page (WEB-1) will post
 * here too.
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
const EnrolResponse = T.Object({ username: T.String(), status: T.String() });

export function enrolmentRoutes(app: HttpApp, users: Users): void {
  app.post(
    '/enrol',
    { schema: { tags: ['enrolment'], body: EnrolRequest, response: { 200: EnrolResponse, 400: ErrorBody } } },
    async (req) => {
      const user = await users.redeemEnrolmentCode(req.body.code, { pin: req.body.pin, password: req.body.password });
      return { username: user.username, status: user.status };
    },
  );
}
