/**
 * AUTH-4: the factors a credential requires, as CSC v2 `auth` objects (csc-api-v2.md §4.2) and
 * `authData` ids (§4.3). One table: credentials/info describes exactly what credentials/authorize
 * checks. Every required factor must be present (expression "PIN AND TOTP"); level 3 is the PIN
 * plus one possession factor.
 */
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
