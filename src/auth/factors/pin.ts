/**
 * The PIN factor (knowledge; AUTH-1 activation data for credentials/authorize). Same reserve-then-
 * verify lockout as the login password, with its own counters: wrong → invalid_pin with the
 * attempts left, locked → credential_locked ("Credential locked", csc-api-v2.md §4.3). Unlike
 * login, revealing the lock is safe here: the caller is already authenticated as this user.
 */
import type { AuditSink } from '../../audit/event.js';
import { ShomeiError } from '../../errors.js';
import type { Clock } from '../../platform/index.js';
import type { Store } from '../../store/index.js';
import { dummyVerify, verifySecret } from '../../users/index.js';
import { type LockoutPolicy, recordSuccess, reserveAttempt } from '../lockout.js';
import { createPinCache } from './pin-cache.js';

export interface PinFactorDeps extends LockoutPolicy {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly scryptLogN: number;
  /** How long a verified PIN is recognised without scrypt (pin-cache.ts); 0 disables. */
  readonly verifiedPinCacheSeconds?: number;
}

export interface PinFactor {
  /** Resolves when the PIN is right; throws invalid_pin, credential_locked or invalid_state. */
  verifyPin(userId: string, pin: string, context?: { credentialId?: string }): Promise<void>;
}

export function createPinFactor(deps: PinFactorDeps): PinFactor {
  const { store, audit, clock } = deps;
  const cache = createPinCache((deps.verifiedPinCacheSeconds ?? 0) * 1000);
  const oneAtATime = keyedQueue();

  async function verifyPin(userId: string, pin: string, context: { credentialId?: string } = {}): Promise<void> {
    const log = (outcome: 'success' | 'failure', extra: Record<string, string | number> = {}) =>
      audit.append({
        type: 'auth.pin',
        actor: userId,
        outcome,
        userId,
        credentialId: context.credentialId ?? null,
        ...extra,
      });
    const user = await store.db
      .selectFrom('users')
      .select(['pin_verifier', 'pin_locked_until', 'pin_failures'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user?.pin_verifier) {
      await log('failure', { reason: 'no_pin' });
      throw new ShomeiError('invalid_state', { detail: 'no PIN set' });
    }
    const verifier = user.pin_verifier;
    const recentlyVerified = () => {
      const now = clock.now();
      const locked = user.pin_locked_until !== null && user.pin_locked_until > now;
      return !locked && cache.matches(userId, pin, verifier, now);
    };
    // The fast path needs the right PIN and an unlocked factor; it is not an attempt to count.
    if (recentlyVerified()) {
      // Failures a second factor counted (totp.ts, otp.ts) end with a complete success, as after scrypt.
      if (user.pin_failures > 0) await recordSuccess(store, userId, 'pin');
      await log('success', { method: 'recently-verified' });
      return;
    }
    // One full verification per user at a time in this process: a client that sends many
    // authorisations at once with the right PIN pays scrypt once, and the others then take the
    // fast path instead of each counting as an attempt (which would lock the signer out).
    await oneAtATime(userId, async () => {
      if (recentlyVerified()) return log('success', { method: 'recently-verified' });
      return fullCheck(userId, pin, verifier, log);
    });
  }

  async function fullCheck(
    userId: string,
    pin: string,
    verifier: string,
    log: (outcome: 'success' | 'failure', extra?: Record<string, string | number>) => Promise<unknown>,
  ): Promise<void> {
    const attempt = await reserveAttempt(store, deps.clock, deps, userId, 'pin');
    if (attempt.kind !== 'reserved') {
      await dummyVerify(pin, deps.scryptLogN);
      await log('failure', { reason: 'locked' });
      throw new ShomeiError('credential_locked');
    }
    if (!(await verifySecret(verifier, pin))) {
      cache.forget(userId);
      await log('failure', { reason: 'wrong_pin', failures: attempt.failures });
      throw new ShomeiError('invalid_pin', { remaining: String(attempt.remaining) });
    }
    await recordSuccess(store, userId, 'pin');
    cache.remember(userId, pin, verifier, clock.now());
    await log('success');
  }

  return { verifyPin };
}

/** Runs tasks with the same key one after another (in this process); other keys are not held up. */
function keyedQueue(): <T>(key: string, task: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (key, task) => {
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}
