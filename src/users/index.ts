/**
 * ② User management — DB-1 (SPEC.md USER-1..5): users, their identity proofing, authentication
 * data (verifiers, enrolment codes) and credentials (user → key). Authentication itself is auth/.
 */

import type { CredentialStatus, Tx } from '../store/index.js';
import type { NewCredential, PolicyChange } from './credentials.js';
import { credentials } from './credentials.js';

export { checkPolicy } from './credentials.js';

import type { EnrolmentCode, InitialSecrets } from './enrolment.js';
import { enrolment } from './enrolment.js';
import { lifecycle } from './lifecycle.js';
import type { Actor, Credential, User, UsersDeps } from './model.js';
import type { Registration, UserChanges } from './registry.js';
import { registry } from './registry.js';
import { type AdminRole, roles } from './roles.js';

export type { NewCredential, PolicyChange } from './credentials.js';
export type { EnrolmentCode, InitialSecrets } from './enrolment.js';
export { hashEnrolmentCode, normaliseEnrolmentCode } from './enrolment-code.js';
export type { Actor, AuthMode, Credential, CredentialLevel, RevokeUserAccess, User, UsersDeps } from './model.js';
export { AUTH_MODES, CREDENTIAL_FACTORS, mayUse } from './model.js';
export { checkPassword, checkPin } from './policy.js';
export type { IdentityProofing, Registration, UserChanges } from './registry.js';
export { ADMIN_ROLES, type AdminRole, isAdminRole } from './roles.js';
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
  /** Whose unspent, unexpired code this is (enrolment_code_invalid otherwise); spends nothing. */
  peekEnrolmentCode(code: string): Promise<string>;
  /** Spends the user's code (by hashEnrolmentCode) inside the caller's transaction (a security key, a TOTP app). */
  spendEnrolmentCode(tx: Tx, codeHash: string, userId: string): Promise<void>;
  addCredential(input: NewCredential, actor: Actor): Promise<Credential>;
  /** With `ownerId`, another user's credential is indistinguishable from an unknown one (USER-5). */
  getCredential(id: string, ownerId?: string): Promise<Credential>;
  listCredentials(userId: string): Promise<Credential[]>;
  /** `reason` is recorded in the log with the actor (the admin API requires one). */
  setCredentialStatus(id: string, status: CredentialStatus, actor: Actor, reason?: string): Promise<Credential>;
  /** KEY-2 re-key: points the credential at another key. */
  setCredentialKey(id: string, keyId: string, actor: Actor): Promise<Credential>;
  /** AUTH-4: the factors credentials/authorize requires (PIN always; TOTP/OTP for level 3). */
  setCredentialFactors(id: string, factors: readonly string[], actor: Actor): Promise<Credential>;
  /** SEAL-1: adds or removes a named operator of an e-seal credential (admin/ checks it is a seal). */
  setCredentialOperator(id: string, userId: string, allowed: boolean, actor: Actor): Promise<Credential>;
  /** AUTH-4: factors, required level (2, 3, 4) and auth modes, checked together. */
  setCredentialPolicy(id: string, change: PolicyChange, actor: Actor): Promise<Credential>;
  /** API-2: gives the user an administrative role (ADMIN_ROLES); returns the roles now held. */
  grantRole(userId: string, role: string, actor: Actor): Promise<readonly AdminRole[]>;
  revokeRole(userId: string, role: string, actor: Actor): Promise<readonly AdminRole[]>;
}

export function createUsers(deps: UsersDeps): Users {
  return { ...registry(deps), ...lifecycle(deps), ...enrolment(deps), ...credentials(deps), ...roles(deps) };
}
