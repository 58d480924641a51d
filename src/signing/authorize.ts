/**
 * `credentials/authorize` (explicit mode) as a pipeline: the credential → the request's limits →
 * the signer's factors → a SAD bound to credential, caller, hashes, count and expiry (AUTH-3,
 * AUTH-5) → logged durably → returned.
 */
import { isShomeiError, ShomeiError } from '../errors.js';
import { mayUse } from '../users/model.js';
import { assertUsable, ownedCredential } from './credentials.js';
import { assertExplicitAllowed, explicitLevel, requiredFactors } from './factors.js';
import type { Principal, SadGrant, SigningPorts } from './ports.js';

export interface AuthorizeInput {
  readonly credentialId: string;
  readonly numSignatures: number;
  readonly hashes?: readonly Buffer[];
  readonly hashAlgorithmOID?: string;
  readonly authData: readonly { id: string; value?: string }[];
  readonly description?: string;
}

/** The PIN's authData id (AUTH_OBJECTS in factors.ts lists every factor). */
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

/**
 * authData → one value per required factor. Exactly the credential's factors, each once, each with
 * a value (OTP too: its code arrived out of band and the signer types it in); anything else is
 * invalid_authentication_data before any factor is tried, so a malformed request costs no attempt.
 */
export function factorValues(authData: AuthorizeInput['authData'], required: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const a of authData) {
    if (!required.includes(a.id) || values.has(a.id) || !a.value) {
      throw new ShomeiError('invalid_authentication_data');
    }
    values.set(a.id, a.value);
  }
  if (required.some((id) => !values.has(id))) throw new ShomeiError('invalid_authentication_data');
  return values;
}

/**
 * Possession factors first, the PIN last: a wrong TOTP/OTP stops before the PIN, and only the PIN's
 * success resets the shared lockout counters, so someone who knows the PIN gets no extra guesses at
 * the second factor (AUTH-2). A factor id the table does not know can never be satisfied.
 */
async function verifyFactors(ports: SigningPorts, userId: string, credentialId: string, values: Map<string, string>) {
  for (const [id, value] of values) {
    if (id === 'PIN') continue;
    if (id === 'TOTP') await ports.activation.verifyTotp({ userId, credentialId, value });
    else if (id === 'OTP') await ports.activation.verifyOtp({ userId, credentialId, value });
    else throw new ShomeiError('invalid_authentication_data');
  }
  const pin = values.get(PIN_OBJECT_ID);
  if (pin !== undefined) await ports.activation.verifyPin(userId, pin);
}

export async function credentialsAuthorize(
  ports: SigningPorts,
  principal: Principal,
  input: AuthorizeInput,
): Promise<SadGrant> {
  let values: Map<string, string>;
  let view: Awaited<ReturnType<typeof ownedCredential>>;
  try {
    // Everything that can be refused without touching the signer's factors comes first, so a
    // malformed request never costs a PIN attempt.
    view = await ownedCredential(ports, principal, input.credentialId);
    assertUsable(view);
    assertExplicitAllowed(view.credential);
    checkLimits(ports, input, view.credential.scal, view.credential.multisign);
    values = factorValues(input.authData, requiredFactors(view.credential.factors));
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
  // The factors and the SAD service log their own outcomes (auth.pin, auth.totp, auth.otp, sad.*).
  await verifyFactors(ports, principal.userId, view.credential.id, values);
  return ports.sads.issue({
    principal,
    credential: view.credential,
    numSignatures: input.numSignatures,
    ...(input.hashes ? { hashes: input.hashes } : {}),
    ...(input.hashAlgorithmOID ? { hashAlgorithmOID: input.hashAlgorithmOID } : {}),
  });
}

/**
 * The same factors checked the same way for the RSSP's page (oauth2code at level 2 or 3): the
 * signer types them on our page instead of into the client. Returns the level reached.
 */
export async function activateOnPage(
  ports: SigningPorts,
  userId: string,
  credentialId: string,
  authData: AuthorizeInput['authData'],
): Promise<2 | 3> {
  const credential = await ports.credentials.get(credentialId);
  if (!credential || !mayUse(credential, userId)) throw new ShomeiError('invalid_credential');
  const values = factorValues(authData, requiredFactors(credential.factors));
  await verifyFactors(ports, userId, credential.id, values);
  return explicitLevel(credential.factors);
}
