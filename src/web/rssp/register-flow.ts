/**
 * Registering a security key (AUTH-4, USER-4): only with a one-time enrolment code from a
 * registration officer, never with a password alone — a stolen password must not be enough to
 * add a key that then reaches level 4. The code is checked when the ceremony starts and spent in
 * the transaction that stores the key.
 */
import type { AuditSink } from '../../audit/event.js';
import type { TotpFactor } from '../../auth/factors/totp.js';
import type { RegistrationResponseJSON, WebAuthnFactor } from '../../auth/factors/webauthn.js';
import { ShomeiError } from '../../errors.js';
import type { Random } from '../../platform/index.js';
import type { Store } from '../../store/index.js';
import { hashEnrolmentCode, type Users } from '../../users/index.js';
import type { Flow, Flows } from './flows.js';

export interface RegisterRequest {
  /** hashEnrolmentCode of the code the ceremony was started with. */
  readonly codeHash?: string;
  /** A TOTP secret proposed to the signer, sealed under the factor key, until a code confirms it. */
  readonly totpSealed?: string;
}

export type RegisterFlow = Flow<RegisterRequest>;

export interface RegisterDeps {
  readonly flows: Flows;
  readonly store: Store;
  readonly audit: AuditSink;
  readonly random: Random;
  readonly users: Users;
  readonly webauthn: WebAuthnFactor;
  readonly totp: Pick<TotpFactor, 'propose' | 'confirm'>;
}

export function createRegisterFlow(deps: RegisterDeps) {
  const { flows } = deps;

  async function options(flow: RegisterFlow, code: string) {
    const userId = await deps.users.peekEnrolmentCode(code);
    const user = await deps.users.get(userId);
    const challenge = deps.random.bytes(32);
    await deps.store.db
      .updateTable('web_flows')
      .set({
        user_id: userId,
        challenge: challenge.toString('base64url'),
        request: JSON.stringify({ codeHash: hashEnrolmentCode(code) } satisfies RegisterRequest),
      })
      .where('id', '=', flow.id)
      .where('done_at', 'is', null)
      .execute();
    return deps.webauthn.registrationOptions(
      { id: user.id, username: user.username, displayName: user.displayName },
      challenge,
    );
  }

  async function finish(flow: RegisterFlow, code: string, label: string, response: RegistrationResponseJSON) {
    const userId = flow.userId;
    if (!userId || !flow.challenge || flow.request.codeHash !== hashEnrolmentCode(code))
      throw new ShomeiError('flow_step');
    const created = await deps.webauthn.verifyRegistration(response, flow.challenge);
    await deps.store.transaction(async (tx) => {
      await deps.users.spendEnrolmentCode(tx, hashEnrolmentCode(code), userId);
      await deps.webauthn.saveCredential(tx, userId, created, label);
    });
    await flows.finish(flow.id);
    await deps.audit.append({
      type: 'auth.webauthn.register',
      actor: userId,
      outcome: 'success',
      userId,
      webauthnCredentialId: created.id,
      aaguid: created.aaguid,
      label,
    });
  }

  /**
   * An authenticator app (AUTH-4 level 3): a new secret shown as a QR code; nothing is stored but
   * the sealed proposal in the flow, and the enrolment code is not spent yet.
   */
  async function totpStart(flow: RegisterFlow, code: string) {
    const userId = await deps.users.peekEnrolmentCode(code);
    const user = await deps.users.get(userId);
    const pending = deps.totp.propose(userId, user.username);
    await deps.store.db
      .updateTable('web_flows')
      .set({
        user_id: userId,
        request: JSON.stringify({
          codeHash: hashEnrolmentCode(code),
          totpSealed: pending.sealed,
        } satisfies RegisterRequest),
      })
      .where('id', '=', flow.id)
      .where('done_at', 'is', null)
      .execute();
    return { uri: pending.uri, username: user.username };
  }

  /** The app's current code proves it holds the secret; the enrolment code is spent in the same transaction. */
  async function totpConfirm(flow: RegisterFlow, totpCode: string) {
    const { codeHash, totpSealed } = flow.request;
    const userId = flow.userId;
    if (!userId || !codeHash || !totpSealed) throw new ShomeiError('flow_step');
    await deps.totp.confirm(userId, totpSealed, totpCode, userId, (tx) =>
      deps.users.spendEnrolmentCode(tx, codeHash, userId),
    );
    await flows.finish(flow.id);
  }

  return { options, finish, totpStart, totpConfirm };
}
