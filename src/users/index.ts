/**
 * ② User management — DB-1 (SPEC.md USER-1..5): users, their identity proofing, authentication
 * data (verifiers, enrolment codes) and credentials (user → key). Authentication itself is auth/.
 */
import { credentials } from './credentials.js';
import { enrolment } from './enrolment.js';
import { lifecycle } from './lifecycle.js';
import type { UsersDeps } from './model.js';
import { registry } from './registry.js';

export type { NewCredential } from './credentials.js';
export type { EnrolmentCode, InitialSecrets } from './enrolment.js';
export { hashEnrolmentCode, normaliseEnrolmentCode } from './enrolment-code.js';
export type { Actor, Credential, RevokeUserAccess, User, UsersDeps } from './model.js';
export { checkPassword, checkPin } from './policy.js';
export type { IdentityProofing, Registration, UserChanges } from './registry.js';
export { createVerifier, dummyVerify, needsRehash, verifySecret } from './verifier.js';

export type Users = ReturnType<typeof registry> &
  ReturnType<typeof lifecycle> &
  ReturnType<typeof enrolment> &
  ReturnType<typeof credentials>;

export function createUsers(deps: UsersDeps): Users {
  return { ...registry(deps), ...lifecycle(deps), ...enrolment(deps), ...credentials(deps) };
}
