import { describe, expect, it } from 'vitest';
import { createPinCache } from '../src/auth/factors/pin-cache.js';

describe('verified-PIN cache (AUTH-2, AUTH-5)', () => {
  const t0 = Date.UTC(2026, 0, 1);

  it('AUTH-5: recognises the PIN that just verified, for the same user and verifier only', () => {
    const c = createPinCache(60_000);
    c.remember('u1', '482915', '$scrypt$v1', t0);
    expect(c.matches('u1', '482915', '$scrypt$v1', t0 + 1000)).toBe(true);
    expect(c.matches('u1', '482916', '$scrypt$v1', t0 + 1000)).toBe(false);
    expect(c.matches('u2', '482915', '$scrypt$v1', t0 + 1000)).toBe(false);
    // A new PIN means a new verifier: the old entry no longer matches.
    expect(c.matches('u1', '482915', '$scrypt$v2', t0 + 1000)).toBe(false);
  });

  it('AUTH-2: entries expire, can be forgotten, and a zero TTL keeps nothing', () => {
    const c = createPinCache(60_000);
    c.remember('u1', '482915', 'v', t0);
    expect(c.matches('u1', '482915', 'v', t0 + 60_000)).toBe(false);
    c.remember('u1', '482915', 'v', t0);
    c.forget('u1');
    expect(c.matches('u1', '482915', 'v', t0)).toBe(false);
    const off = createPinCache(0);
    off.remember('u1', '482915', 'v', t0);
    expect(off.matches('u1', '482915', 'v', t0)).toBe(false);
  });

  it('is bounded: the oldest entry goes first', () => {
    const c = createPinCache(60_000, 2);
    c.remember('a', '111222', 'v', t0);
    c.remember('b', '111222', 'v', t0);
    c.remember('c', '111222', 'v', t0);
    expect(c.matches('a', '111222', 'v', t0)).toBe(false);
    expect(c.matches('c', '111222', 'v', t0)).toBe(true);
  });
});
