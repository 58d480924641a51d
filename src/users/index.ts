/**
 * ② User management — DB-1 (SPEC.md USER-1..5): users, their identity proofing, authentication
 * data (verifiers, enrolment codes) and credentials (user → key). Authentication itself is auth/.
 */

import type { CredentialStatus } from '../store/index.js';
import type { NewCredential } from './credentials.js';
import { credentials } from './credentials.js';
import type { EnrolmentCode, InitialSecrets } from './enrolment.js';
import { enrolment } from './enrolment.js';
import { lifecycle } from './lifecycle.js';
import type { Actor, Credential, User, UsersDeps } from './model.js';
import type { Registration, UserChanges } from './registry.js';
import { registry } from './registry.js';

export type { NewCredential } from './credentials.js';
export type { EnrolmentCode, InitialSecrets } from './enrolment.js';
export { hashEnrolmentCode, normaliseEnrolmentCode } from './enrolment-code.js';
export type { Actor, Credential, RevokeUserAccess, User, UsersDeps } from './model.js';
export { CREDENTIAL_FACTORS } from './model.js';
export { checkPassword, checkPin } from './policy.js';
export type { IdentityProofing, Registration, UserChanges } from './registry.js';
export { createVerifier, dummyVerify, needsRehash, verifySecret } from './verifier.js';

/** DB-1's whole public surface. `actor` is who did it, for the audit log (USER-2). */
export interface Users {
  /** USER-3: only with identity-proofing evidence; the user starts 'pending', without secrets. */
  register(input: Registration, actor: Actor): Promise<User>;
  get(id: string): Promise<User>;
  findByUsername(username: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  update(id: string, changes: UserChanges, actor: Actor): Promise<User>;
  suspend(id: string, reason: string, actor: Actor): Promise<void>;
  reinstate(id: string, actor: Actor): Promise<void>;
  /** Final: disables every credential, revokes tokens and SADs. */
  terminate(id: string, reason: string, actor: Actor): Promise<void>;
  /** Terminate and scrub personal data; the row id stays for the log (see lifecycle.ts). */
  delete(id: string, actor: Actor): Promise<void>;
  setPassword(id: string, password: string, actor: Actor): Promise<void>;
  setPin(id: string, pin: string, actor: Actor): Promise<void>;
  /** USER-4: shown once, stored as a hash, single use, expiring; supersedes older codes. */
  issueEnrolmentCode(userId: string, actor: Actor): Promise<EnrolmentCode>;
  redeemEnrolmentCode(code: string, secrets: InitialSecrets): Promise<User>;
  addCredential(input: NewCredential, actor: Actor): Promise<Credential>;
  /** With `ownerId`, another user's credential is indistinguishable from an unknown one (USER-5). */
  getCredential(id: string, ownerId?: string): Promise<Credential>;
  listCredentials(userId: string): Promise<Credential[]>;
  setCredentialStatus(id: string, status: CredentialStatus, actor: Actor): Promise<Credential>;
  /** KEY-2 re-key: points the credential at another key. */
  setCredentialKey(id: string, keyId: string, actor: Actor): Promise<Credential>;
  /** AUTH-4: the factors credentials/authorize requires (PIN always; TOTP/OTP for level 3). */
  setCredentialFactors(id: string, factors: readonly string[], actor: Actor): Promise<Credential>;
}

export function createUsers(deps: UsersDeps): Users {
  return { ...registry(deps), ...lifecycle(deps), ...enrolment(deps), ...credentials(deps) };
}
