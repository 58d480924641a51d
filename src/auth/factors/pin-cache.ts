/**
 * A short-lived, in-memory memory of PINs that just verified, so a signer who authorises many
 * signatures in a row (AUTH-5 batches, bulk signing from several threads) pays scrypt once, not per
 * authorisation. What is kept is HMAC-SHA256 under a random key that never leaves this process,
 * over (user, PIN, stored verifier): it is useless offline, is never written anywhere, dies with
 * the process, expires after `ttlMs`, and no longer matches once the PIN changes (the verifier is
 * in the MAC). Only a correct PIN can hit it, so it is not a way around the attempt limits: every
 * miss goes through scrypt and the lockout counters. A failed attempt forgets the user's entry.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface PinCache {
  matches(userId: string, pin: string, verifier: string, now: number): boolean;
  remember(userId: string, pin: string, verifier: string, now: number): void;
  forget(userId: string): void;
}

export function createPinCache(ttlMs: number, maxEntries = 100_000): PinCache {
  const key = randomBytes(32);
  const entries = new Map<string, { mac: Buffer; expiresAt: number }>();
  const mac = (userId: string, pin: string, verifier: string) =>
    createHmac('sha256', key).update(userId).update('\0').update(pin).update('\0').update(verifier).digest();

  return {
    matches(userId, pin, verifier, now) {
      const e = entries.get(userId);
      if (!e) return false;
      if (e.expiresAt <= now) {
        entries.delete(userId);
        return false;
      }
      return timingSafeEqual(e.mac, mac(userId, pin, verifier));
    },
    remember(userId, pin, verifier, now) {
      if (ttlMs <= 0) return;
      entries.delete(userId); // re-insert at the end: Map order is the eviction order
      entries.set(userId, { mac: mac(userId, pin, verifier), expiresAt: now + ttlMs });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    forget(userId) {
      entries.delete(userId);
    },
  };
}
