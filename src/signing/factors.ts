/**
 * AUTH-4: the factors a credential requires, as CSC v2 `auth` objects (csc-api-v2.md §4.2) and
 * `authData` ids (§4.3). One table: credentials/info describes exactly what credentials/authorize
 * checks. Every required factor must be present (expression "PIN AND TOTP"); level 3 is the PIN
 * plus one possession factor.
 */
import { ShomeiError } from '../errors.js';

export type AuthObjectId = 'PIN' | 'OTP' | 'TOTP';

export interface AuthObject {
  readonly type: 'Password' | 'ChallengeResponse';
  readonly id: AuthObjectId;
  readonly format: 'A' | 'N';
  readonly label: string;
  readonly description: string;
  readonly generator?: string;
}

export const AUTH_OBJECTS: Readonly<Record<AuthObjectId, AuthObject>> = {
  PIN: { type: 'Password', id: 'PIN', format: 'A', label: 'PIN', description: 'The signing PIN set at enrolment' },
  // A code from the signer's authenticator app: typed in like a password, but generated (RFC 6238).
  TOTP: {
    type: 'Password',
    id: 'TOTP',
    format: 'N',
    label: 'Authenticator code',
    description: 'The 6-digit code shown by the authenticator app enrolled for this signer',
    generator: 'totp',
  },
  // Sent out of band after credentials/getChallenge with authObjectID "OTP" (§4.5), then typed in.
  OTP: {
    type: 'ChallengeResponse',
    id: 'OTP',
    format: 'N',
    label: 'One-time code',
    description: 'The code sent by e-mail after credentials/getChallenge',
  },
};

export const isAuthObjectId = (id: string): id is AuthObjectId => Object.hasOwn(AUTH_OBJECTS, id);

/** Ids the credential requires; an unknown id stays in the list and can never be satisfied (fails closed). */
export function requiredFactors(factors: readonly string[]): readonly string[] {
  return factors.length > 0 ? factors : ['PIN'];
}

/** The level an explicit authorisation with these factors reaches: PIN alone 2, with TOTP/OTP 3. */
export function explicitLevel(factors: readonly string[]): 2 | 3 {
  return requiredFactors(factors).some((f) => f === 'TOTP' || f === 'OTP') ? 3 : 2;
}

/**
 * AUTH-4: credentials/authorize (explicit mode) is allowed only when the policy lists the mode and
 * its factors reach the policy's level. A level-4 credential never passes: PIN + TOTP typed into a
 * client is not phishing-resistant, whatever the client.
 */
export function assertExplicitAllowed(c: {
  readonly authModes: readonly string[];
  readonly level: number;
  readonly factors: readonly string[];
}): void {
  if (!c.authModes.includes('explicit')) throw new ShomeiError('auth_mode_not_allowed', { mode: 'explicit' });
  const reached = explicitLevel(c.factors);
  if (reached < c.level)
    throw new ShomeiError('insufficient_level', { required: String(c.level), reached: String(reached) });
}

/** CSC `auth` for credentials/info: explicit mode, all objects ANDed. */
export function authDescription(factors: readonly string[]): {
  mode: 'explicit';
  expression: string;
  objects: AuthObject[];
} {
  const ids = requiredFactors(factors);
  return {
    mode: 'explicit',
    expression: ids.join(' AND '),
    objects: ids.filter(isAuthObjectId).map((id) => AUTH_OBJECTS[id]),
  };
}
