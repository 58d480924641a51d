/**
 * Online-guessing defence (AUTH-2), shared by every knowledge factor (login password, signing PIN):
 * after `maxFailures` consecutive failures the factor is locked for base·2^k seconds (k = failures
 * beyond the threshold), capped at `maxSeconds`; a success resets it. The counters live in the
 * user's DB-1 row (USER-1); this module is their only writer.
 *
 * An attempt is counted *before* the secret is checked ("reserve, then verify"): a burst of
 * concurrent guesses cannot all slip in between the lock check and the failure count, and a crash
 * mid-check errs on the side of the defender. The attempt that reaches the threshold sets the lock
 * at once; if its secret turns out right, `recordSuccess` lifts it.
 */
import type { Clock } from '../platform/index.js';
import type { Store } from '../store/index.js';

export type Factor = 'login' | 'pin';

export interface LockoutPolicy {
  readonly maxFailures: number;
  readonly lockoutBaseSeconds: number;
  readonly lockoutMaxSeconds: number;
}

export type Attempt =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'locked'; readonly retryAfterSeconds: number }
  /** `failures` counts this attempt; `remaining` is how many more may fail before a lock. */
  | { readonly kind: 'reserved'; readonly failures: number; readonly remaining: number };

const FAILURES = { login: 'login_failures', pin: 'pin_failures' } as const;

export function backoffMs(policy: LockoutPolicy, failures: number): number {
  const k = Math.max(0, failures - policy.maxFailures);
  // 2^k overflows nothing useful past ~40; the cap applies long before.
  const seconds = Math.min(policy.lockoutBaseSeconds * 2 ** Math.min(k, 40), policy.lockoutMaxSeconds);
  return seconds * 1000;
}

function counters(factor: Factor, failures: number, lockedUntil: number | null) {
  return factor === 'login'
    ? { login_failures: failures, login_locked_until: lockedUntil }
    : { pin_failures: failures, pin_locked_until: lockedUntil };
}

const MAX_RACES = 8;

export async function reserveAttempt(
  store: Store,
  clock: Clock,
  policy: LockoutPolicy,
  userId: string,
  factor: Factor,
): Promise<Attempt> {
  for (let i = 0; i < MAX_RACES; i++) {
    const row = await store.db
      .selectFrom('users')
      .select(['login_failures', 'login_locked_until', 'pin_failures', 'pin_locked_until'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!row) return { kind: 'unknown' };
    const failures = factor === 'login' ? row.login_failures : row.pin_failures;
    const lockedUntil = factor === 'login' ? row.login_locked_until : row.pin_locked_until;
    const now = clock.now();
    if (lockedUntil !== null && lockedUntil > now) {
      return { kind: 'locked', retryAfterSeconds: Math.ceil((lockedUntil - now) / 1000) };
    }
    const k = failures + 1;
    const lock = k >= policy.maxFailures ? now + backoffMs(policy, k) : null;
    // Compare-and-set on the counter: a concurrent attempt that got there first makes us re-read.
    const res = await store.db
      .updateTable('users')
      .set(counters(factor, k, lock))
      .where('id', '=', userId)
      .where(FAILURES[factor], '=', failures)
      .executeTakeFirst();
    if (res.numUpdatedRows === 1n)
      return { kind: 'reserved', failures: k, remaining: Math.max(0, policy.maxFailures - k) };
  }
  // Sustained contention on one account is itself a guessing attack.
  return { kind: 'locked', retryAfterSeconds: policy.lockoutBaseSeconds };
}

export async function recordSuccess(store: Store, userId: string, factor: Factor): Promise<void> {
  await store.db
    .updateTable('users')
    .set(counters(factor, 0, null))
    .where('id', '=', userId)
    .execute();
}
