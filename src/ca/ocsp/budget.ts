/**
 * A per-address budget for answers that must be signed now (B5, CA-2). Cached answers are free;
 * an answer that is not cached — above all one about an unknown serial, which is never cached
 * since anyone can ask for any number of them — costs a signature. Each address gets `burst`
 * signatures and `perSecond` more each second (a token bucket); past it the responder answers only
 * from its cache and says tryLater (RFC 6960 §2.3) otherwise.
 */
import type { Clock } from '../../platform/index.js';

export interface SigningBudgetOptions {
  readonly clock: Clock;
  /** Signatures per second per address; 0 = no limit. */
  readonly perSecond: number;
  readonly burst: number;
}

export interface SigningBudget {
  /** Whether this address may have an answer signed for it now. */
  allows(address: string): boolean;
  /** One signature was made for this address. */
  charge(address: string): void;
}

/** Addresses tracked at most; past it the least recently seen are forgotten (memory stays bounded). */
const MAX_TRACKED = 100_000;

export function createSigningBudget(o: SigningBudgetOptions): SigningBudget {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (address: string) => {
    const now = o.clock.now();
    const b = buckets.get(address) ?? { tokens: o.burst, at: now };
    b.tokens = Math.min(o.burst, b.tokens + ((now - b.at) / 1000) * o.perSecond);
    b.at = now;
    buckets.delete(address); // re-inserted last: Map order is recency
    buckets.set(address, b);
    if (buckets.size > MAX_TRACKED) buckets.delete(buckets.keys().next().value as string);
    return b;
  };
  if (o.perSecond <= 0) return { allows: () => true, charge: () => {} };
  return {
    allows: (address) => refill(address).tokens >= 1,
    charge(address) {
      refill(address).tokens -= 1;
    },
  };
}
