/**
 * AUTH-2 online guessing from one address. Failed attempts (400/401/403) on the routes that check a
 * secret — login, token, PIN/OTP/TOTP authorisation, challenges, enrolment codes, key uploads —
 * are counted per client address; `maxFailures` within `windowSeconds` lock the address out for
 * `baseSeconds · 2^k` (k = lockouts so far, at most `maxSeconds`), answered 429 with Retry-After
 * before the handler runs. The per-user lockout (auth/lockout.ts) stops guessing at one account;
 * this stops one address spraying many accounts. The counters live in this process: behind a load
 * balancer each instance limits on its own (the per-user lockout is shared through the database).
 */

import { ShomeiError } from '../errors.js';
import type { Clock } from '../platform/index.js';
import type { HttpApp } from './server.js';

export interface IpLimitOptions {
  readonly clock: Clock;
  /** Route URLs (as registered) whose failures count. */
  readonly routes: ReadonlySet<string>;
  /** Failures per address within the window before a lockout; 0 turns the limit off. */
  readonly maxFailures: number;
  readonly windowSeconds: number;
  readonly baseSeconds: number;
  readonly maxSeconds: number;
}

interface AddressState {
  windowStart: number;
  failures: number;
  lockouts: number;
  lockedUntil: number;
}

/** Addresses tracked at most; beyond it, idle ones are forgotten first (a spray of addresses cannot grow memory). */
const MAX_TRACKED = 100_000;
const COUNTED = new Set([400, 401, 403]);

export function ipLimit(app: HttpApp, o: IpLimitOptions): void {
  if (o.maxFailures === 0) return;
  const state = new Map<string, AddressState>();
  const windowMs = o.windowSeconds * 1000;

  const prune = (now: number) => {
    for (const [ip, s] of state) {
      if (s.lockedUntil <= now && now - s.windowStart > windowMs) state.delete(ip);
      if (state.size < MAX_TRACKED / 2) return;
    }
    // Still full of live entries: forget the oldest (Map keeps insertion order).
    for (const ip of state.keys()) {
      state.delete(ip);
      if (state.size < MAX_TRACKED / 2) return;
    }
  };

  app.addHook('onRequest', async (req, reply) => {
    if (!o.routes.has(req.routeOptions.url ?? '')) return;
    const s = state.get(req.ip);
    const now = o.clock.now();
    if (s && s.lockedUntil > now) {
      reply.header('Retry-After', String(Math.ceil((s.lockedUntil - now) / 1000)));
      throw new ShomeiError('rate_limited');
    }
  });

  app.addHook('onResponse', async (req, reply) => {
    if (!COUNTED.has(reply.statusCode) || !o.routes.has(req.routeOptions.url ?? '')) return;
    const now = o.clock.now();
    let s = state.get(req.ip);
    if (!s) {
      if (state.size >= MAX_TRACKED) prune(now);
      s = { windowStart: now, failures: 0, lockouts: 0, lockedUntil: 0 };
      state.set(req.ip, s);
    }
    if (now - s.windowStart > windowMs) {
      s.windowStart = now;
      s.failures = 0;
    }
    s.failures += 1;
    if (s.failures >= o.maxFailures) {
      const seconds = Math.min(o.maxSeconds, o.baseSeconds * 2 ** s.lockouts);
      s.lockouts += 1;
      s.lockedUntil = now + seconds * 1000;
      s.failures = 0;
      req.log.warn({ ip: req.ip, seconds }, 'address locked out after repeated failed attempts');
    }
  });
}
