/**
 * A possession factor (TOTP, OTP) reserves an attempt against the PIN's lockout counters before it
 * checks a code (lockout.ts: reserve, then verify). When the code is right the reservation is given
 * back instead of resetting the counters: resetting would hand someone who holds the device fresh
 * PIN guesses with every new code, and keeping it would lock out a signer who types everything right.
 * Only the PIN's own success resets the counters, i.e. only a complete authorisation.
 *
 * Compare-and-set on the count this attempt reserved: if another attempt moved it meanwhile, the
 * refund is skipped, which errs on the defender's side. (Belongs beside reserveAttempt in
 * lockout.ts; kept here while that file has another owner.)
 */
import type { Clock } from '../../platform/index.js';
import type { Store } from '../../store/index.js';
import type { LockoutPolicy } from '../lockout.js';

export async function refundAttempt(
  store: Store,
  _clock: Clock,
  policy: LockoutPolicy,
  userId: string,
  reservedFailures: number,
): Promise<void> {
  const back = reservedFailures - 1;
  await store.db
    .updateTable('users')
    // Below the threshold this attempt's reservation is what set any lock: lift it with the count.
    .set(back < policy.maxFailures ? { pin_failures: back, pin_locked_until: null } : { pin_failures: back })
    .where('id', '=', userId)
    .where('pin_failures', '=', reservedFailures)
    .execute();
}
