/**
 * Flows on the RSSP's pages (WEB-1, AUTH-2 session hijacking and CSRF): one row per authorisation
 * request (or security-key registration), found through a random 256-bit cookie that is stored
 * only as SHA-256. The CSRF token is derived from the cookie (HMAC-free: SHA-256 over a label and
 * the cookie), so a page can always render it and a cross-site form, which cannot read the
 * cookie, cannot produce it. Steps move forward conditionally (`where step = …`), a flow ends once
 * (`done_at`), expires after ten minutes and dies after five failed attempts: every authorisation
 * starts again from the signature application.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import { ShomeiError } from '../../errors.js';
import type { Clock, Random } from '../../platform/index.js';
import type { Store, WebFlowsTable } from '../../store/index.js';

export const FLOW_COOKIE = '__Host-shomei-flow';
export const FLOW_TTL_SECONDS = 600;
export const MAX_FLOW_FAILURES = 5;

export type FlowKind = 'authorize' | 'register';
export type FlowStep = 'login' | 'consent' | 'done';

export interface Flow<R> {
  readonly id: string;
  readonly kind: FlowKind;
  readonly step: FlowStep;
  readonly userId: string | null;
  readonly request: R;
  readonly challenge: string | null;
  readonly level: number;
  readonly authTime: number | null;
  readonly failures: number;
  readonly expiresAt: number;
}

export interface FlowDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly random: Random;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
export const csrfFor = (cookie: string): string =>
  createHash('sha256').update(`shomei-csrf\0${cookie}`, 'utf8').digest('base64url');
const COOKIE_FORMAT = /^[A-Za-z0-9_-]{43}$/;

function toFlow<R>(row: Selectable<WebFlowsTable>): Flow<R> {
  return {
    id: row.id,
    kind: row.kind,
    step: row.step as FlowStep,
    userId: row.user_id,
    request: JSON.parse(row.request) as R,
    challenge: row.challenge,
    level: row.level,
    authTime: row.auth_time,
    failures: row.failures,
    expiresAt: row.expires_at,
  };
}

/** The flow cookie's value from a Cookie header (RFC 6265 §5.4), or undefined. */
export function flowCookie(header: string | undefined): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === FLOW_COOKIE) {
      const v = part.slice(i + 1).trim();
      return COOKIE_FORMAT.test(v) ? v : undefined;
    }
  }
  return undefined;
}

export function setCookieHeader(value: string, maxAgeSeconds: number): string {
  // __Host-: Secure, Path=/, no Domain (RFC 6265bis §4.1.3.2). Strict: a cross-site page can
  // neither post into a flow nor reuse one; every authorisation starts from a fresh page.
  return `${FLOW_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; Secure; HttpOnly; SameSite=Strict`;
}

export function createFlows(deps: FlowDeps) {
  const { store, clock, random } = deps;

  async function create<R>(kind: FlowKind, request: R, userId: string | null = null) {
    const cookie = random.bytes(32).toString('base64url');
    const now = clock.now();
    // Flows a day past expiry are of no use to anyone.
    await store.db
      .deleteFrom('web_flows')
      .where('expires_at', '<', now - 86_400_000)
      .execute();
    const id = random.uuid();
    await store.db
      .insertInto('web_flows')
      .values({
        id,
        cookie_hash: sha256(cookie),
        csrf_hash: sha256(csrfFor(cookie)),
        kind,
        step: 'login',
        user_id: userId,
        request: JSON.stringify(request),
        challenge: null,
        auth_time: null,
        expires_at: now + FLOW_TTL_SECONDS * 1000,
        done_at: null,
        created_at: now,
      })
      .execute();
    return { id, cookie, csrf: csrfFor(cookie) };
  }

  /** The live flow behind a cookie, or flow_expired. */
  async function load<R>(cookie: string | undefined, kind: FlowKind): Promise<Flow<R>> {
    if (!cookie) throw new ShomeiError('flow_expired');
    const row = await store.db
      .selectFrom('web_flows')
      .selectAll()
      .where('cookie_hash', '=', sha256(cookie))
      .executeTakeFirst();
    if (!row || row.kind !== kind || row.done_at !== null || row.expires_at <= clock.now())
      throw new ShomeiError('flow_expired');
    return toFlow<R>(row);
  }

  /** Constant-time check of the posted token against the flow's (AUTH-2 CSRF). */
  async function checkCsrf(flowId: string, given: string | undefined): Promise<void> {
    const row = await store.db.selectFrom('web_flows').select('csrf_hash').where('id', '=', flowId).executeTakeFirst();
    const a = Buffer.from(sha256(typeof given === 'string' ? given.slice(0, 128) : ''), 'hex');
    const b = Buffer.from(row?.csrf_hash ?? '', 'hex');
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ShomeiError('csrf_failed');
  }

  /** Moves the flow on from `from`; a flow that moved meanwhile (two tabs, a replay) is refused. */
  async function advance(
    flowId: string,
    from: FlowStep,
    set: Partial<{ step: FlowStep; userId: string; level: number; authTime: number; challenge: string | null }>,
  ): Promise<void> {
    const res = await store.db
      .updateTable('web_flows')
      .set({
        ...(set.step ? { step: set.step } : {}),
        ...(set.userId ? { user_id: set.userId } : {}),
        ...(set.level !== undefined ? { level: set.level } : {}),
        ...(set.authTime !== undefined ? { auth_time: set.authTime } : {}),
        ...(set.challenge !== undefined ? { challenge: set.challenge } : {}),
      })
      .where('id', '=', flowId)
      .where('step', '=', from)
      .where('done_at', 'is', null)
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) throw new ShomeiError('flow_step');
  }

  /**
   * Takes the outstanding WebAuthn challenge, once: of two posts racing with one assertion, only
   * one gets the challenge to check it against (a counter-less passkey would pass twice otherwise).
   */
  async function takeChallenge(flowId: string, step: FlowStep, challenge: string | null): Promise<string> {
    if (!challenge) throw new ShomeiError('flow_step');
    const res = await store.db
      .updateTable('web_flows')
      .set({ challenge: null })
      .where('id', '=', flowId)
      .where('step', '=', step)
      .where('challenge', '=', challenge)
      .where('done_at', 'is', null)
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) throw new ShomeiError('flow_step');
    return challenge;
  }

  /** Ends the flow once; false if it had ended already (the second of two approvals). */
  async function finish(flowId: string): Promise<boolean> {
    const res = await store.db
      .updateTable('web_flows')
      .set({ done_at: clock.now(), step: 'done', challenge: null })
      .where('id', '=', flowId)
      .where('done_at', 'is', null)
      .executeTakeFirst();
    return res.numUpdatedRows > 0n;
  }

  /** One more failed attempt; the fifth ends the flow. Returns true when the flow is now dead. */
  async function fail(flowId: string): Promise<boolean> {
    await store.db
      .updateTable('web_flows')
      .set((eb) => ({ failures: eb('failures', '+', 1) }))
      .where('id', '=', flowId)
      .execute();
    const row = await store.db.selectFrom('web_flows').select('failures').where('id', '=', flowId).executeTakeFirst();
    if ((row?.failures ?? MAX_FLOW_FAILURES) < MAX_FLOW_FAILURES) return false;
    await finish(flowId);
    return true;
  }

  return { create, load, checkCsrf, advance, takeChallenge, finish, fail };
}

export type Flows = ReturnType<typeof createFlows>;
