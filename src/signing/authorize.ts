/**
 * `credentials/authorize` (explicit mode) as a pipeline: the credential → the request's limits →
 * the signer's factors → a SAD bound to credential, caller, hashes, count and expiry (AUTH-3,
 * AUTH-5) → logged durably → returned.
 */
import { isShomeiError, ShomeiError } from '../errors.js';
import { assertUsable, ownedCredential } from './credentials.js';
import type { Principal, SadGrant, SigningPorts } from './ports.js';

export interface AuthorizeInput {
  readonly credentialId: string;
  readonly numSignatures: number;
  readonly hashes?: readonly Buffer[];
  readonly hashAlgorithmOID?: string;
  readonly authData: readonly { id: string; value?: string }[];
  readonly description?: string;
}

/** The one factor of explicit mode today; TOTP/OTP objects join the expression later (AUTH-4). */
export const PIN_OBJECT_ID = 'PIN';

function checkLimits(ports: SigningPorts, input: AuthorizeInput, scal: '1' | '2', multisign: number): void {
  if (!Number.isSafeInteger(input.numSignatures) || input.numSignatures < 1) {
    throw new ShomeiError('invalid_num_signatures');
  }
  if (input.numSignatures > multisign) throw new ShomeiError('too_many_signatures');
  if (!input.hashes) {
    // SCAL2: the hashes are fixed at authorisation (csc-api-v2.md §1).
    if (scal === '2') throw new ShomeiError('missing_array', { name: 'hashes' });
    return;
  }
  if (input.hashes.length === 0) throw new ShomeiError('empty_hash_array');
  if (!input.hashAlgorithmOID) throw new ShomeiError('missing_string', { name: 'hashAlgorithmOID' });
  const length = ports.keys.hashLength(input.hashAlgorithmOID);
  if (input.hashes.some((h) => h.length !== length)) throw new ShomeiError('invalid_digest_length');
  if (input.hashes.length !== input.numSignatures) throw new ShomeiError('invalid_num_signatures');
}

function pinOf(authData: AuthorizeInput['authData']): string {
  const unknown = authData.find((a) => a.id !== PIN_OBJECT_ID);
  if (unknown) throw new ShomeiError('invalid_authentication_data');
  const pin = authData.find((a) => a.id === PIN_OBJECT_ID)?.value;
  if (!pin) throw new ShomeiError('invalid_authentication_data');
  return pin;
}

export async function credentialsAuthorize(
  ports: SigningPorts,
  principal: Principal,
  input: AuthorizeInput,
): Promise<SadGrant> {
  let pin: string;
  let view: Awaited<ReturnType<typeof ownedCredential>>;
  try {
    // Everything that can be refused without touching the signer's factors comes first, so a
    // malformed request never costs a PIN attempt.
    view = await ownedCredential(ports, principal, input.credentialId);
    assertUsable(view);
    checkLimits(ports, input, view.credential.scal, view.credential.multisign);
    pin = pinOf(input.authData);
  } catch (e) {
    await ports.audit.append({
      type: 'sad.refused',
      outcome: 'failure',
      actor: principal.userId,
      credentialID: input.credentialId,
      clientId: principal.clientId,
      sessionId: principal.sessionId,
      reason: isShomeiError(e) ? e.code : 'internal',
    });
    throw e;
  }
  // The PIN factor and the SAD service log their own outcomes (auth.pin, sad.issue, sad.refused).
  await ports.activation.verifyPin(principal.userId, pin);
  return ports.sads.issue({
    principal,
    credential: view.credential,
    numSignatures: input.numSignatures,
    ...(input.hashes ? { hashes: input.hashes } : {}),
    ...(input.hashAlgorithmOID ? { hashAlgorithmOID: input.hashAlgorithmOID } : {}),
  });
}
