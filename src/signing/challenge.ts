/**
 * `credentials/getChallenge` (csc-api-v2.md §4.5): for a credential of the caller that requires the
 * out-of-band OTP, a fresh code is sent to the signer (204 at the edge). The credential must be
 * usable, so no code is sent for one that could not be authorised anyway.
 */
import { isShomeiError, ShomeiError } from '../errors.js';
import { assertUsable, ownedCredential } from './credentials.js';
import { requiredFactors } from './factors.js';
import type { Principal, SigningPorts } from './ports.js';

export interface ChallengeInput {
  readonly credentialId: string;
  readonly authObjectId: string;
}

export async function credentialsGetChallenge(
  ports: SigningPorts,
  principal: Principal,
  input: ChallengeInput,
): Promise<void> {
  try {
    const view = await ownedCredential(ports, principal, input.credentialId);
    if (input.authObjectId !== 'OTP' || !requiredFactors(view.credential.factors).includes('OTP')) {
      throw new ShomeiError('invalid_auth_object');
    }
    assertUsable(view);
  } catch (e) {
    await ports.audit.append({
      type: 'auth.otp.challenge',
      outcome: 'failure',
      actor: principal.userId,
      credentialId: input.credentialId,
      clientId: principal.clientId,
      reason: isShomeiError(e) ? e.code : 'internal',
    });
    throw e;
  }
  await ports.activation.sendOtp(principal.userId, input.credentialId);
}
