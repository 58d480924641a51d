/**
 * The out-of-band OTP factor (possession of the e-mail account or phone; AUTH-4 level 3 with the
 * PIN), sent on `credentials/getChallenge` (csc-api-v2.md §4.5) and checked by
 * `credentials/authorize`. A challenge is bound to one user and one credential, expires after a
 * short TTL, is used at most once, and tolerates `maxAttempts` wrong codes; only an HMAC of the
 * code under the factor key is stored (factor-key.ts). Every attempt is also reserved against the
 * PIN's lockout counters (AUTH-2 guessing) and given back when right (attempt-refund.ts), as TOTP. A new challenge voids older ones.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AuditSink } from '../../audit/event.js';
import { ShomeiError } from '../../errors.js';
import type { Clock, Random } from '../../platform/index.js';
import type { Store } from '../../store/index.js';
import { type LockoutPolicy, reserveAttempt } from '../lockout.js';
import type { OtpSender } from '../otp-senders/index.js';
import { refundAttempt } from './attempt-refund.js';
import type { FactorKey } from './factor-key.js';

export interface OtpFactorDeps extends LockoutPolicy {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly random: Random;
  readonly factorKey: FactorKey;
  /** undefined: no sender configured; challenges are refused. */
  readonly sender: OtpSender | undefined;
  readonly digits: number;
  readonly ttlSeconds: number;
  readonly maxAttempts: number;
}

export interface OtpFactor {
  /** Makes a code for this user and credential and sends it out of band. */
  sendChallenge(userId: string, credentialId: string): Promise<void>;
  /** Resolves when the code answers this user's open challenge for this credential; spends it. */
  verifyOtp(userId: string, credentialId: string, code: string): Promise<void>;
}

/** The shortest interval between two codes sent for one credential. */
export const RESEND_MS = 30_000;

/** A uniformly random decimal code (rejection sampling: no modulo bias). */
export function randomDigits(random: Random, digits: number): string {
  const limit = 10 ** digits;
  const ceiling = Math.floor(0x1_0000_0000 / limit) * limit;
  for (;;) {
    const n = random.bytes(4).readUInt32BE(0);
    if (n < ceiling) return String(n % limit).padStart(digits, '0');
  }
}

export function createOtpFactor(deps: OtpFactorDeps): OtpFactor {
  const { store, audit, clock, random, factorKey } = deps;
  const macOf = (challengeId: string, code: string) => factorKey.mac(`otp:${challengeId}:${code}`);

  async function sendChallenge(userId: string, credentialId: string): Promise<void> {
    const log = (outcome: 'success' | 'failure', extra: Record<string, string> = {}) =>
      audit.append({ type: 'auth.otp.challenge', actor: userId, outcome, userId, credentialId, ...extra });
    if (!deps.sender) {
      await log('failure', { reason: 'no_sender' });
      throw new ShomeiError('invalid_state', { detail: 'no one-time code sender is configured' });
    }
    const user = await store.db
      .selectFrom('users')
      .select(['username', 'email'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    if (deps.sender.needsEmail && !user.email) {
      await log('failure', { reason: 'no_email' });
      throw new ShomeiError('invalid_state', { detail: 'no e-mail address for one-time codes' });
    }
    const now = clock.now();
    // AUTH-2: one message per RESEND_MS per credential, so a caller cannot flood the signer's inbox.
    const recent = await store.db
      .selectFrom('otp_challenges')
      .select('id')
      .where('user_id', '=', userId)
      .where('credential_id', '=', credentialId)
      .where('created_at', '>', now - RESEND_MS)
      .executeTakeFirst();
    if (recent) {
      await log('failure', { reason: 'too_soon' });
      throw new ShomeiError('rate_limited');
    }
    const id = random.uuid();
    const code = randomDigits(random, deps.digits);
    await store.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('otp_challenges')
        .set({ used_at: now })
        .where('user_id', '=', userId)
        .where('credential_id', '=', credentialId)
        .where('used_at', 'is', null)
        .execute();
      await tx
        .insertInto('otp_challenges')
        .values({
          id,
          user_id: userId,
          credential_id: credentialId,
          code_hash: macOf(id, code),
          attempts: 0,
          expires_at: now + deps.ttlSeconds * 1000,
          used_at: null,
          created_at: now,
        })
        .execute();
    });
    try {
      await deps.sender.send({ userId, username: user.username, email: user.email, code, ttlSeconds: deps.ttlSeconds });
    } catch (e) {
      // Nobody has this code: drop it, so the interval does not hold up a retry.
      await store.db.deleteFrom('otp_challenges').where('id', '=', id).execute();
      await log('failure', { reason: 'send_failed', sender: deps.sender.name, challengeId: id });
      throw e;
    }
    await log('success', { sender: deps.sender.name, challengeId: id });
  }

  async function verifyOtp(userId: string, credentialId: string, code: string): Promise<void> {
    const log = (outcome: 'success' | 'failure', extra: Record<string, string | number> = {}) =>
      audit.append({ type: 'auth.otp', actor: userId, outcome, userId, credentialId, ...extra });
    const attempt = await reserveAttempt(store, clock, deps, userId, 'pin');
    if (attempt.kind !== 'reserved') {
      await log('failure', { reason: 'locked' });
      throw new ShomeiError('credential_locked');
    }
    const now = clock.now();
    const open = await store.db
      .selectFrom('otp_challenges')
      .selectAll()
      .where('user_id', '=', userId)
      .where('credential_id', '=', credentialId)
      .where('used_at', 'is', null)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (!open || open.expires_at <= now || open.attempts >= deps.maxAttempts) {
      const reason = !open ? 'no_challenge' : open.expires_at <= now ? 'expired' : 'too_many_attempts';
      await log('failure', { reason, failures: attempt.failures });
      throw new ShomeiError('invalid_otp');
    }
    const given = Buffer.from(macOf(open.id, code), 'hex');
    if (!timingSafeEqual(given, Buffer.from(open.code_hash, 'hex'))) {
      await store.db
        .updateTable('otp_challenges')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('id', '=', open.id)
        .execute();
      await log('failure', { reason: 'wrong_code', challengeId: open.id, failures: attempt.failures });
      throw new ShomeiError('invalid_otp');
    }
    // Single use, atomically: of two concurrent authorisations with the same code, one wins.
    const res = await store.db
      .updateTable('otp_challenges')
      .set({ used_at: now })
      .where('id', '=', open.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .where('attempts', '<', deps.maxAttempts)
      .executeTakeFirst();
    if (res.numUpdatedRows !== 1n) {
      await log('failure', { reason: 'replay', challengeId: open.id, failures: attempt.failures });
      throw new ShomeiError('invalid_otp');
    }
    await refundAttempt(store, clock, deps, userId, attempt.failures);
    await log('success', { challengeId: open.id });
  }

  return { sendChallenge, verifyOtp };
}
