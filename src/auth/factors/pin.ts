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
      .select(['pin_verifier', 'pin_locked_until'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!user?.pin_verifier) {
      await log('failure', { reason: 'no_pin' });
      throw new ShomeiError('invalid_state', { detail: 'no PIN set' });
    }
    const now = clock.now();
    const locked = user.pin_locked_until !== null && user.pin_locked_until > now;
    // The fast path needs the right PIN and an unlocked factor; it is not an attempt to count.
    if (!locked && cache.matches(userId, pin, user.pin_verifier, now)) {
      await log('success', { method: 'recently-verified' });
      return;
    }
    const attempt = await reserveAttempt(store, deps.clock, deps, userId, 'pin');
    if (attempt.kind !== 'reserved') {
      await dummyVerify(pin, deps.scryptLogN);
      await log('failure', { reason: 'locked' });
      throw new ShomeiError('credential_locked');
    }
    if (!(await verifySecret(user.pin_verifier, pin))) {
      cache.forget(userId);
      await log('failure', { reason: 'wrong_pin', failures: attempt.failures });
      throw new ShomeiError('invalid_pin', { remaining: String(attempt.remaining) });
    }
    await recordSuccess(store, userId, 'pin');
    cache.remember(userId, pin, user.pin_verifier, clock.now());
    await log('success');
  }

  return { verifyPin };
}
