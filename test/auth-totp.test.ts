/**
 * AUTH-2 / AUTH-4: the TOTP factor (auth/factors/totp.ts) on SQLite and PostgreSQL. RFC 6238 codes
 * from an independent generator (otplib's `generate`, as an authenticator app would compute them):
 * a code is accepted once, a replayed or older one is refused, codes outside ±1 step are refused,
 * wrong codes lock the factor, and the secret is stored sealed and never logged.
 */
import { generate } from 'otplib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../src/audit/event.js';
import { createTotpFactor, factorKeyFrom, type TotpFactor } from '../src/auth/index.js';
import { isShomeiError } from '../src/errors.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import type { Store } from '../src/store/index.js';
import { createUsers } from '../src/users/index.js';
import { backends } from './support/stores.js';

const STEP = 30_000;
const MAX_FAILURES = 3;

async function codeAt(secret: string, ms: number): Promise<string> {
  return generate({ secret, algorithm: 'sha1', digits: 6, period: 30, epoch: Math.floor(ms / 1000) });
}

async function refusedWith(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isShomeiError(e)) return e.code;
    throw e;
  }
  return 'accepted';
}

describe.each(await backends())('TOTP factor on $name', (backend) => {
  // The middle of a time-step, so ±1 step is unambiguous.
  const clock = manualClock(Math.floor(Date.UTC(2026, 10, 30, 12) / STEP) * STEP + STEP / 2);
  const events: AuditEvent[] = [];
  const audit = {
    append: async (e: AuditEvent) => {
      events.push(e);
      return { seq: events.length - 1, leafHash: '' };
    },
  };
  let db: Awaited<ReturnType<typeof backend.create>>;
  let store: Store;
  let totp: TotpFactor;
  let userId: string;
  let secret: string;
  let uri: string;

  const newUser = async (username: string) => {
    const users = createUsers({
      store,
      audit,
      clock,
      random: systemRandom,
      scryptLogN: 10,
      enrolmentCodeTtlSeconds: 600,
    });
    const u = await users.register(
      { username, displayName: username, proofing: { method: 'in-person', officer: 'ra', documentRef: 'doc' } },
      'admin:test',
    );
    return u.id;
  };

  beforeAll(async () => {
    db = await backend.create();
    store = db.store;
    totp = createTotpFactor({
      store,
      audit,
      clock,
      factorKey: factorKeyFrom(Buffer.alloc(32, 7)),
      issuer: 'shomei test',
      maxFailures: MAX_FAILURES,
      lockoutBaseSeconds: 60,
      lockoutMaxSeconds: 3600,
    });
    userId = await newUser('taro');
    ({ uri } = await totp.enrol(userId, 'taro', 'admin:test'));
    secret = new URL(uri).searchParams.get('secret') as string;
  });
  afterAll(async () => {
    await db?.drop();
  });
  // Wrong codes count against the lockout shared with the PIN; only a PIN success (over HTTP, in
  // csc-factors.test.ts) resets it, so each case starts from zero here.
  const unlock = () =>
    store.db.updateTable('users').set({ pin_failures: 0, pin_locked_until: null }).where('id', '=', userId).execute();
  beforeEach(async () => {
    if (store) await unlock();
  });

  it('AUTH-4: enrolment gives an otpauth URI for SHA-1, 6 digits, 30 s, as authenticator apps expect', () => {
    const u = new URL(uri);
    expect(u.protocol).toBe('otpauth:');
    expect(u.host).toBe('totp');
    expect(u.searchParams.get('algorithm')?.toUpperCase() ?? 'SHA1').toBe('SHA1');
    expect(u.searchParams.get('digits') ?? '6').toBe('6');
    expect(u.searchParams.get('period') ?? '30').toBe('30');
    expect(Buffer.from(secret.replace(/=+$/, ''), 'utf8').length).toBeGreaterThanOrEqual(32); // 20 bytes in base32
  });

  it('AUTH-2: the secret is stored sealed (AES-256-GCM, bound to the user) and never logged', async () => {
    const row = await store.db
      .selectFrom('users')
      .select('totp_secret')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(row.totp_secret).toMatch(/^v1\./);
    expect(row.totp_secret).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('AUTH-2: a code verifies once; the same code again is a replay and is refused', async () => {
    const code = await codeAt(secret, clock.now());
    await totp.verifyTotp(userId, code);
    expect(await refusedWith(totp.verifyTotp(userId, code))).toBe('invalid_otp');
    const replay = events.filter((e) => e.type === 'auth.totp' && e.reason === 'replay');
    expect(replay.length).toBe(1);
    expect(JSON.stringify(events)).not.toContain(code);
  });

  it('AUTH-2: after a step is used, a code of an earlier step (still inside the window) is refused', async () => {
    clock.advance(STEP);
    const previous = await codeAt(secret, clock.now() - STEP * 2);
    const current = await codeAt(secret, clock.now());
    await totp.verifyTotp(userId, current);
    expect(await refusedWith(totp.verifyTotp(userId, previous))).toBe('invalid_otp');
  });

  it('AUTH-2: codes one step off are accepted (clock drift); two steps off are refused', async () => {
    clock.advance(STEP * 3);
    expect(await refusedWith(totp.verifyTotp(userId, await codeAt(secret, clock.now() - STEP * 2)))).toBe(
      'invalid_otp',
    );
    expect(await refusedWith(totp.verifyTotp(userId, await codeAt(secret, clock.now() + STEP * 2)))).toBe(
      'invalid_otp',
    );
    await unlock();
    await totp.verifyTotp(userId, await codeAt(secret, clock.now() - STEP));
    clock.advance(STEP * 3);
    await totp.verifyTotp(userId, await codeAt(secret, clock.now() + STEP));
  });

  it('AUTH-2: malformed codes are refused as wrong codes, never as errors', async () => {
    clock.advance(STEP * 3);
    for (const bad of ['', '12345', '1234567', 'abcdef', '١٢٣٤٥٦']) {
      expect(await refusedWith(totp.verifyTotp(userId, bad))).toBe('invalid_otp');
      await unlock();
    }
  });

  it('AUTH-2: a right code gives its attempt back: it neither counts as a failure nor resets earlier ones', async () => {
    clock.advance(STEP * 3);
    expect(await refusedWith(totp.verifyTotp(userId, '000000'))).toBe(
      (await codeAt(secret, clock.now())) === '000000' ? 'accepted' : 'invalid_otp',
    );
    await totp.verifyTotp(userId, await codeAt(secret, clock.now() + STEP));
    const row = await store.db
      .selectFrom('users')
      .select('pin_failures')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(Number(row.pin_failures)).toBe(1);
  });

  it(`AUTH-2: after ${MAX_FAILURES} wrong codes the factor is locked, even for the right code`, async () => {
    const other = await newUser('hanako');
    const { uri: u2 } = await totp.enrol(other, 'hanako', 'admin:test');
    const s2 = new URL(u2).searchParams.get('secret') as string;
    clock.advance(STEP * 3);
    const right = await codeAt(s2, clock.now());
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < MAX_FAILURES; i++) expect(await refusedWith(totp.verifyTotp(other, wrong))).toBe('invalid_otp');
    expect(await refusedWith(totp.verifyTotp(other, right))).toBe('credential_locked');
    const row = await store.db
      .selectFrom('users')
      .select('pin_locked_until')
      .where('id', '=', other)
      .executeTakeFirstOrThrow();
    expect(Number(row.pin_locked_until)).toBeGreaterThan(clock.now());
    expect(events.some((e) => e.type === 'auth.totp' && e.userId === other && e.reason === 'locked')).toBe(true);
  });

  it('AUTH-2: three concurrent verifications of one code: exactly one is accepted', async () => {
    clock.advance(STEP * 3);
    const code = await codeAt(secret, clock.now());
    const results = await Promise.all([1, 2, 3].map(() => refusedWith(totp.verifyTotp(userId, code))));
    expect(results.filter((r) => r === 'accepted').length).toBe(1);
    expect(results.filter((r) => r !== 'accepted').every((r) => r === 'invalid_otp')).toBe(true);
  });

  it('a secret sealed under another factor key (restore without factor-key) asks for re-enrolment, costs no attempt', async () => {
    const other = createTotpFactor({
      store,
      audit,
      clock,
      factorKey: factorKeyFrom(Buffer.alloc(32, 9)),
      issuer: 'shomei test',
      maxFailures: MAX_FAILURES,
      lockoutBaseSeconds: 60,
      lockoutMaxSeconds: 3600,
    });
    expect(await refusedWith(other.verifyTotp(userId, await codeAt(secret, clock.now())))).toBe('invalid_state');
    const row = await store.db
      .selectFrom('users')
      .select('pin_failures')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(Number(row.pin_failures)).toBe(0);
  });

  it('a user without TOTP enrolment cannot pass the factor', async () => {
    const none = await newUser('jiro');
    expect(await refusedWith(totp.verifyTotp(none, '123456'))).toBe('invalid_state');
  });
});
