/**
 * WebAuthn (AUTH-4 level 4; AUTH-2 phishing and man-in-the-middle): registration and assertion
 * with @simplewebauthn/server. Every ceremony requires user verification (the authenticator's PIN
 * or biometric: possession plus a second factor, AAL3) and checks the origin and RP ID — an
 * assertion made for a look-alike site does not verify here. A signature counter that fails to grow
 * marks a cloned authenticator: the assertion is refused and logged (W3C WebAuthn L2 §6.1.1).
 *
 * Challenges come from the caller: the RSSP's pages bind the approval challenge to the hashes being
 * authorised, so the authenticator signs over exactly what the signer saw.
 */
import {
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { AuditSink } from '../../audit/event.js';
import { ShomeiError } from '../../errors.js';
import type { Clock } from '../../platform/index.js';
import type { Store, Tx } from '../../store/index.js';

export type { AuthenticationResponseJSON, RegistrationResponseJSON };

/** COSE algorithms accepted from authenticators: ES256, EdDSA, RS256 (SIGN-4's families). */
const ALGORITHMS = [-7, -8, -257];
const TIMEOUT_MS = 120_000;

export interface WebAuthnDeps {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly rpId: string;
  readonly rpName: string;
  /** Exact origins the pages are served from (scheme://host[:port]). */
  readonly origins: readonly string[];
}

export interface NewWebAuthnCredential {
  readonly id: string;
  readonly publicKey: string;
  readonly counter: number;
  readonly transports: readonly string[];
  readonly aaguid: string;
}

export interface AssertionResult {
  readonly userId: string;
  readonly credentialId: string;
  readonly userVerified: boolean;
}

export interface WebAuthnFactor {
  registrationOptions(
    user: { id: string; username: string; displayName: string },
    challenge: Buffer,
  ): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** Verifies an attestation (format 'none' accepted: we trust the ceremony, not a vendor). */
  verifyRegistration(response: RegistrationResponseJSON, expectedChallenge: string): Promise<NewWebAuthnCredential>;
  /** Inside the caller's transaction (enrolment code spent in the same one). */
  saveCredential(tx: Tx, userId: string, c: NewWebAuthnCredential, label: string): Promise<void>;
  /** Without userId: discoverable credentials (no user name typed, nothing to enumerate). */
  authenticationOptions(challenge: Buffer, userId?: string): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /**
   * Verifies an assertion and moves the counter. `userId` restricts it to that user's
   * authenticators. Throws `webauthn_failed` (logged with the reason) on any mismatch.
   */
  verifyAssertion(
    response: AuthenticationResponseJSON,
    expectedChallenge: string,
    opts: { userId?: string; purpose: string },
  ): Promise<AssertionResult>;
  hasCredential(userId: string): Promise<boolean>;
}

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');

export function createWebAuthnFactor(deps: WebAuthnDeps): WebAuthnFactor {
  const { store, audit, clock } = deps;
  const origins = [...deps.origins];

  const refuse = async (purpose: string, reason: string, userId: string | null, credentialId?: string) => {
    await audit.append({
      type: 'auth.webauthn',
      actor: userId ?? 'anonymous',
      outcome: 'failure',
      purpose,
      reason,
      userId,
      webauthnCredentialId: credentialId ?? null,
    });
    return new ShomeiError('webauthn_failed');
  };

  const activeOf = (userId: string) =>
    store.db
      .selectFrom('webauthn_credentials')
      .select(['id', 'transports'])
      .where('user_id', '=', userId)
      .where('status', '=', 'active')
      .execute();

  const descriptors = (rows: { id: string; transports: string }[]) =>
    rows.map((r) => ({ id: r.id, transports: JSON.parse(r.transports) as AuthenticatorTransport[] }));

  return {
    async registrationOptions(user, challenge) {
      return generateRegistrationOptions({
        rpName: deps.rpName,
        rpID: deps.rpId,
        userName: user.username,
        userDisplayName: user.displayName,
        // The user handle is the opaque account id, never a name (WebAuthn L2 §14.6.1).
        userID: new TextEncoder().encode(user.id),
        challenge: new Uint8Array(challenge),
        timeout: TIMEOUT_MS,
        attestationType: 'none',
        excludeCredentials: descriptors(await activeOf(user.id)),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        supportedAlgorithmIDs: ALGORITHMS,
      });
    },

    async verifyRegistration(response, expectedChallenge) {
      let v: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        v = await verifyRegistrationResponse({
          response,
          expectedChallenge,
          expectedOrigin: origins,
          expectedRPID: deps.rpId,
          requireUserVerification: true,
          supportedAlgorithmIDs: ALGORITHMS,
        });
      } catch (e) {
        throw await refuse('register', reasonOf(e), null);
      }
      if (!v.verified || !v.registrationInfo) throw await refuse('register', 'not_verified', null);
      const c = v.registrationInfo.credential;
      return {
        id: c.id,
        publicKey: b64u(c.publicKey),
        counter: c.counter,
        transports: c.transports ?? [],
        aaguid: v.registrationInfo.aaguid,
      };
    },

    async saveCredential(tx, userId, c, label) {
      const taken = await tx.selectFrom('webauthn_credentials').select('id').where('id', '=', c.id).executeTakeFirst();
      if (taken) throw new ShomeiError('webauthn_failed');
      await tx
        .insertInto('webauthn_credentials')
        .values({
          id: c.id,
          user_id: userId,
          public_key: c.publicKey,
          sign_count: c.counter,
          transports: JSON.stringify(c.transports),
          aaguid: c.aaguid,
          label,
          status: 'active',
          created_at: clock.now(),
          last_used_at: null,
        })
        .execute();
    },

    async authenticationOptions(challenge, userId) {
      return generateAuthenticationOptions({
        rpID: deps.rpId,
        challenge: new Uint8Array(challenge),
        timeout: TIMEOUT_MS,
        userVerification: 'required',
        ...(userId ? { allowCredentials: descriptors(await activeOf(userId)) } : {}),
      });
    },

    async verifyAssertion(response, expectedChallenge, opts) {
      const id = typeof response?.id === 'string' && response.id.length <= 1366 ? response.id : '';
      const row = id
        ? await store.db.selectFrom('webauthn_credentials').selectAll().where('id', '=', id).executeTakeFirst()
        : undefined;
      if (row?.status !== 'active') throw await refuse(opts.purpose, 'unknown_credential', opts.userId ?? null);
      if (opts.userId !== undefined && row.user_id !== opts.userId)
        throw await refuse(opts.purpose, 'other_user', opts.userId, row.id);
      const handle = response.response?.userHandle;
      if (handle && Buffer.from(handle, 'base64url').toString('utf8') !== row.user_id)
        throw await refuse(opts.purpose, 'user_handle_mismatch', row.user_id, row.id);
      let v: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        v = await verifyAuthenticationResponse({
          response,
          expectedChallenge,
          expectedOrigin: origins,
          expectedRPID: deps.rpId,
          requireUserVerification: true,
          credential: {
            id: row.id,
            publicKey: Buffer.from(row.public_key, 'base64url'),
            counter: Number(row.sign_count),
            transports: JSON.parse(row.transports) as AuthenticatorTransport[],
          },
        });
      } catch (e) {
        throw await refuse(opts.purpose, reasonOf(e), row.user_id, row.id);
      }
      const info = v.authenticationInfo;
      if (!v.verified || !info.userVerified) throw await refuse(opts.purpose, 'not_verified', row.user_id, row.id);
      // Conditional on the counter read: of two concurrent uses of one assertion, one moves it.
      const moved = await store.db
        .updateTable('webauthn_credentials')
        .set({ sign_count: info.newCounter, last_used_at: clock.now() })
        .where('id', '=', row.id)
        .where('sign_count', '=', row.sign_count)
        .executeTakeFirst();
      if (moved.numUpdatedRows === 0n) throw await refuse(opts.purpose, 'counter_race', row.user_id, row.id);
      await audit.append({
        type: 'auth.webauthn',
        actor: row.user_id,
        outcome: 'success',
        purpose: opts.purpose,
        userId: row.user_id,
        webauthnCredentialId: row.id,
        userVerified: true,
      });
      return { userId: row.user_id, credentialId: row.id, userVerified: true };
    },

    async hasCredential(userId) {
      return (await activeOf(userId)).length > 0;
    },
  };
}

/** The library's message names the failed check; it holds no secret. */
function reasonOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  if (/counter/i.test(m)) return 'counter_not_increased';
  if (/origin/i.test(m)) return 'origin_mismatch';
  if (/RP ID/i.test(m)) return 'rp_id_mismatch';
  if (/challenge/i.test(m)) return 'challenge_mismatch';
  if (/verif/i.test(m)) return 'user_not_verified';
  if (/signature/i.test(m)) return 'bad_signature';
  return 'invalid_response';
}
