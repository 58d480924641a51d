/**
 * ③ Signing (SIGN-1): credentials as the signer sees them, `credentials/authorize` and
 * `signatures/signHash`. Knows nothing of HTTP; reaches keys, users, SADs and the log through the
 * ports in ports.ts.
 */
import { type AuthorizeInput, activateOnPage, credentialsAuthorize } from './authorize.js';
import { type ChallengeInput, credentialsGetChallenge } from './challenge.js';
import { type CredentialView, listOwned, ownedCredential } from './credentials.js';
import type { Principal, ResolvedSignature, SadGrant, SigningPorts } from './ports.js';
import { type SignDocInput, type SignDocOutput, signaturesSignDoc } from './sign-doc.js';
import { type SignHashInput, type SigningHooks, signaturesSignHash } from './sign-hash.js';

export type { AuthorizeInput } from './authorize.js';
export { PIN_OBJECT_ID } from './authorize.js';
export type { ChallengeInput } from './challenge.js';
export type { CertificateState, CredentialView } from './credentials.js';
export { certificateState } from './credentials.js';
export type { AuthObject, AuthObjectId } from './factors.js';
export { AUTH_OBJECTS, assertExplicitAllowed, authDescription, explicitLevel, isAuthObjectId } from './factors.js';
export type * from './ports.js';
export type { SignDocEntry, SignDocInput, SignDocOutput } from './sign-doc.js';
export type { SignHashInput, SigningHooks } from './sign-hash.js';

export interface Signing {
  list(principal: Principal, opts: { onlyValid: boolean }): Promise<CredentialView[]>;
  credential(principal: Principal, credentialId: string): Promise<CredentialView>;
  authorize(principal: Principal, input: AuthorizeInput): Promise<SadGrant>;
  /** credentials/getChallenge: sends the out-of-band OTP for a credential that requires one. */
  getChallenge(principal: Principal, input: ChallengeInput): Promise<void>;
  /** `hooks.accepted` marks the point after which only the signing itself remains (async mode). */
  signHash(principal: Principal, input: SignHashInput, hooks?: SigningHooks): Promise<Buffer[]>;
  /** signatures/signDoc: AdES signatures built by the service (FMT-1). */
  signDoc(principal: Principal, input: SignDocInput, hooks?: SigningHooks): Promise<SignDocOutput>;
  /** oauth2code on the RSSP's page: checks the credential's factors; returns the level reached. */
  activateOnPage(userId: string, credentialId: string, authData: AuthorizeInput['authData']): Promise<2 | 3>;
}

export function createSigning<R extends ResolvedSignature>(ports: SigningPorts<R>): Signing {
  return {
    list: (p, o) => listOwned(ports, p, o.onlyValid),
    credential: (p, id) => ownedCredential(ports, p, id),
    authorize: (p, i) => credentialsAuthorize(ports, p, i),
    getChallenge: (p, i) => credentialsGetChallenge(ports, p, i),
    signHash: (p, i, h) => signaturesSignHash(ports, p, i, h),
    signDoc: (p, i, h) => signaturesSignDoc(ports, p, i, h),
    activateOnPage: (u, c, a) => activateOnPage(ports, u, c, a),
  };
}
