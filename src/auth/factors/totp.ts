/**
 * The TOTP factor (possession; AUTH-4 level 3 with the PIN). RFC 6238 with what authenticator apps
 * expect: HMAC-SHA-1, 6 digits, 30 s steps; a code of the step before or after is accepted (clock
 * drift), nothing wider. AUTH-2:
 * - replay: the last accepted time-step is kept per user, and a code for that step or an earlier
 *   one is refused — by a conditional UPDATE, so two instances cannot both accept one code;
 * - guessing: every attempt is reserved against the same lockout counters as the PIN before the
 *   code is checked; a right code gives its reservation back but does not reset the counters (only
 *   the PIN's success does: attempt-refund.ts), so neither factor buys guesses at the other;
 * - comparison: otplib compares codes in constant time (@otplib/core constantTimeEqual).
 * The secret is sealed under the factor key (factor-key.ts) and never logged or returned, except
 * once, inside the enrolment URI: to the administrator enrolling the signer, or to the signer on
 * the RSSP's page (a QR code), where it becomes theirs only after a code from their app confirms it.
 */
import { generateSecret, generateURI, verify } from 'otplib';
import type { AuditSink } from '../../audit/event.js';
import { ShomeiError } from '../../errors.js';
import type { Clock } from '../../platform/index.js';
import type { Store, Tx } from '../../store/index.js';
import { type LockoutPolicy, reserveAttempt } from '../lockout.js';
import { refundAttempt } from './attempt-refund.js';
import type { FactorKey } from './factor-key.js';

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;

export interface TotpFactorDeps extends LockoutPolicy {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly factorKey: FactorKey;
  /** The `issuer` shown by authenticator apps. */
  readonly issuer: string;
}

export interface TotpEnrolment {
  /** otpauth://totp/… — contains the secret: show it to the signer once, never log it. */
  readonly uri: string;
}

/** A secret proposed to the signer (QR code on the page), stored nowhere until a code confirms it. */
export interface PendingTotp extends TotpEnrolment {
  /** The secret sealed under the factor key, bound to the user: kept by the caller until confirmed. */
  readonly sealed: string;
}

export interface TotpFactor {
  /** Makes a new secret for the user (replacing any older one) and returns the otpauth URI. */
  enrol(userId: string, accountName: string, actor: string): Promise<TotpEnrolment>;
  /** Self-enrolment (the RSSP's page): a new secret, not yet the user's. */
  propose(userId: string, accountName: string): PendingTotp;
  /**
   * Makes a proposed secret the user's once the authenticator app shows a right code for it (the
   * app really holds it); the step is recorded, so that code cannot be used again. invalid_otp else.
   */
  confirm(
    userId: string,
    sealed: string,
    code: string,
    actor: string,
    /** Runs in the same transaction before the secret is stored (an enrolment code spent). */
    alongside?: (tx: Tx) => Promise<void>,
  ): Promise<void>;
  /** Resolves when the code is right and unused; throws invalid_otp, credential_locked or invalid_state. */
  verifyTotp(userId: string, code: string, context?: { credentialId?: string }): Promise<void>;
}

export function createTotpFactor(deps: TotpFactorDeps): TotpFactor {
  const { store, audit, clock, factorKey } = deps;

  const uriOf = (accountName: string, secret: string) =>
    generateURI({
      issuer: deps.issuer,
      label: accountName,
      secret,
      algorithm: 'sha1',
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD,
    });

  function propose(userId: string, accountName: string): PendingTotp {
    const secret = generateSecret({ length: 20 });
    return { uri: uriOf(accountName, secret), sealed: factorKey.seal(secret, userId) };
  }

  async function confirm(
    userId: string,
    sealed: string,
    code: string,
    actor: string,
    alongside?: (tx: Tx) => Promise<void>,
  ): Promise<void> {
    const secret = openSecret(sealed, userId);
    const step = secret === undefined ? undefined : await matchStep(secret, code);
    if (step === undefined) {
      await audit.append({ type: 'auth.totp.enrol', actor, outcome: 'failure', userId, reason: 'wrong_code' });
      throw new ShomeiError('invalid_otp');
    }
    await store.transaction(async (tx) => {
      await alongside?.(tx);
      const res = await tx
        .updateTable('users')
        .set({ totp_secret: sealed, totp_last_step: step, updated_at: clock.now() })
        .where('id', '=', userId)
        .executeTakeFirst();
      if (res.numUpdatedRows !== 1n) throw new ShomeiError('unknown_user');
    });
    await audit.append({ type: 'auth.totp.enrol', actor, outcome: 'success', userId, method: 'self-confirmed' });
  }

  async function enrol(userId: string, accountName: string, actor: string): Promise<TotpEnrolment> {
    const secret = generateSecret({ length: 20 });
    const res = await store.db
      .updateTable('users')
      .set({ totp_secret: factorKey.seal(secret, userId), totp_last_step: null, updated_at: clock.now() })
      .where('id', '=', userId)
      .executeTakeFirst();
    if (res.numUpdatedRows !== 1n) throw new ShomeiError('unknown_user');
    await audit.append({ type: 'auth.totp.enrol', actor, outcome: 'success', userId });
    return { uri: uriOf(accountName, secret) };
  }

  function openSecret(sealed: string, userId: string): string | undefined {
    try {
      return factorKey.open(sealed, userId);
    } catch {
      return undefined;
    }
  }

  /** The time-step the code matches (±1 step), or undefined. Malformed codes simply do not match. */
  async function matchStep(secret: string, code: string): Promise<number | undefined> {
    if (!/^\d{6}$/.test(code)) return undefined;
    try {
      const r = await verify({
        secret,
        token: code,
        algorithm: 'sha1',
        digits: TOTP_DIGITS,
        period: TOTP_PERIOD,
        epoch: Math.floor(clock.now() / 1000),
        epochTolerance: TOTP_PERIOD,
      });
      return r.valid && 'timeStep' in r ? r.timeStep : undefined;
    } catch {
      return undefined;
    }
  }

  async function verifyTotp(userId: string, code: string, context: { credentialId?: string } = {}): Promise<void> {
    const log = (outcome: 'success' | 'failure', extra: Record<string, string | number> = {}) =>
      audit.append({
        type: 'auth.totp',
        actor: userId,
        outcome,
        userId,
        credentialId: context.credentialId ?? null,
        ...extra,
      });
    const row = await store.db.selectFrom('users').select(['totp_secret']).where('id', '=', userId).executeTakeFirst();
    if (!row?.totp_secret) {
      await log('failure', { reason: 'not_enrolled' });
      throw new ShomeiError('invalid_state', { detail: 'no TOTP enrolled' });
    }
    const secret = openSecret(row.totp_secret, userId);
    if (secret === undefined) {
      // Sealed under another factor key (a restore without `factor-key`, a changed auth.factorKey):
      // the signer must enrol again; an operator problem, not the signer's guess.
      await log('failure', { reason: 'secret_unreadable' });
      throw new ShomeiError('invalid_state', { detail: 'the TOTP enrolment must be renewed' });
    }
    const attempt = await reserveAttempt(store, clock, deps, userId, 'pin');
    if (attempt.kind !== 'reserved') {
      await log('failure', { reason: 'locked' });
      throw new ShomeiError('credential_locked');
    }
    const step = await matchStep(secret, code);
    if (step === undefined) {
      await log('failure', { reason: 'wrong_code', failures: attempt.failures });
      throw new ShomeiError('invalid_otp');
    }
    // Replay refusal: accept only a step after the last accepted one, atomically.
    const res = await store.db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', userId)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    if (res.numUpdatedRows !== 1n) {
      await log('failure', { reason: 'replay', step, failures: attempt.failures });
      throw new ShomeiError('invalid_otp');
    }
    await refundAttempt(store, clock, deps, userId, attempt.failures);
    await log('success', { step });
  }

  return { enrol, propose, confirm, verifyTotp };
}
