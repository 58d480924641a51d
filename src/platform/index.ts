/**
 * The named edges of the pure core (STYLE.md 3): time and randomness are injected, so tests can pin
 * the clock and make randomness deterministic.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export interface Random {
  bytes(n: number): Buffer;
  uuid(): string;
}

export const systemClock: Clock = { now: () => Date.now() };

export const systemRandom: Random = {
  bytes: (n) => randomBytes(n),
  uuid: () => randomUUID(),
};

/** A clock tests can move by hand. */
export function manualClock(
  start = Date.UTC(2026, 0, 1),
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
    set: (ms) => {
      t = ms;
    },
  };
}

export interface Platform {
  readonly clock: Clock;
  readonly random: Random;
}

export const systemPlatform: Platform = { clock: systemClock, random: systemRandom };
