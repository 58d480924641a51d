/**
 * AUTH-2 / AUTH-4: out-of-band OTP through credentials/getChallenge (csc-api-v2.md §4.5), sent by
 * the SMTP sender to a local smtp-server started here, on SQLite and PostgreSQL: the code from the
 * captured message authorises once; reuse, expiry, another credential and too many wrong codes are
 * refused with `invalid_otp`; the code is stored only as a keyed hash and never logged. The file
 * sender is for development only.
 */

import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESEND_MS } from '../src/auth/factors/otp.js';
import { configuredOtpSender, loadFactorKey } from '../src/auth/index.js';
import { ConfigError, loadConfig, parseConfig } from '../src/config/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { ACTOR, addCredential, authorizeBody, logEvents, type Reply, startApp, type TestApp } from './support/app.js';
import { backends } from './support/stores.js';

const TTL = 120;

interface Mail {
  readonly to: string[];
  readonly body: string;
}

async function startSmtp(): Promise<{ port: number; inbox: Mail[]; close(): Promise<void> }> {
  const inbox: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), body: Buffer.concat(chunks).toString('utf8') });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no SMTP port');
  return { port: addr.port, inbox, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const codeIn = (m: Mail | undefined): string => {
  const match = /signing code is (\d{6,8})/.exec(m?.body ?? '');
  if (!match?.[1]) throw new Error(`no code in ${m?.body}`);
  return match[1];
};

const expectOtpRefused = (r: Reply) => {
  expect(r.status, r.text).toBe(400);
  expect(r.json).toEqual({ error: 'invalid_otp', error_description: 'The OTP is invalid' });
};

describe.each(await backends())('credentials/getChallenge → SMTP → authorize on $name', (backend) => {
  const clock = manualClock(Date.now());
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let db: Awaited<ReturnType<typeof backend.create>>;
  let t: TestApp;
  let otpCred: string;
  let otherOtpCred: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    db = await backend.create();
    t = await startApp({
      platform: { clock, random: systemRandom },
      ...(backend.name === 'postgres' ? { databaseUrl: db.url } : {}),
      config: {
        auth: {
          maxFailures: 5,
          otp: { sender: 'smtp', ttlSeconds: TTL, maxAttempts: 2, smtp: { host: '127.0.0.1', port: smtp.port } },
        },
      },
    });
    const demo = await t.app.users.findByUsername('demo');
    await t.app.users.update(demo!.id, { email: 'demo@example.test' }, ACTOR);
    otpCred = await addCredential(t.app, demo!.id);
    await t.app.users.setCredentialFactors(otpCred, ['PIN', 'OTP'], ACTOR);
    otherOtpCred = await addCredential(t.app, demo!.id);
    await t.app.users.setCredentialFactors(otherOtpCred, ['PIN', 'OTP'], ACTOR);
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await smtp?.close();
  });

  // One code per 30 s per credential (RESEND_MS): each case starts past that.
  const challenge = (credentialID = otpCred, wait = true) => {
    if (wait) clock.advance(RESEND_MS);
    return t.post('credentials/getChallenge', { credentialID, authObjectID: 'OTP' }, t.token);
  };
  const authorize = (code: string, credentialID = otpCred) =>
    t.post(
      'credentials/authorize',
      authorizeBody(credentialID, t.demo.pin, [randomBytes(32)], {
        authData: [
          { id: 'PIN', value: t.demo.pin },
          { id: 'OTP', value: code },
        ],
      }),
      t.token,
    );
  const unlock = async () => {
    const demo = await t.app.users.findByUsername('demo');
    await t.app.store.db
      .updateTable('users')
      .set({ pin_failures: 0, pin_locked_until: null })
      .where('id', '=', demo!.id)
      .execute();
  };

  it('AUTH-4: the code sent by e-mail authorises once; using it again is refused (AUTH-2 replay)', async () => {
    const before = smtp.inbox.length;
    const r = await challenge();
    expect(r.status, r.text).toBe(204);
    expect(r.text).toBe('');
    expect(smtp.inbox.length).toBe(before + 1);
    const mail = smtp.inbox.at(-1);
    expect(mail?.to).toEqual(['demo@example.test']);
    const code = codeIn(mail);
    const ok = await authorize(code);
    expect(ok.status, ok.text).toBe(200);
    expect(typeof ok.json.SAD).toBe('string');
    expectOtpRefused(await authorize(code));
  });

  it('AUTH-2: the code is stored only as a keyed hash and appears in no log entry', async () => {
    await challenge();
    const code = codeIn(smtp.inbox.at(-1));
    const rows = await t.app.store.db.selectFrom('otp_challenges').select('code_hash').execute();
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.code_hash) && !r.code_hash.includes(code))).toBe(true);
    expect((await authorize(code)).status).toBe(200);
    const events = await logEvents(t.app);
    expect(JSON.stringify(events)).not.toContain(code);
    expect(events.some((e) => e.type === 'auth.otp.challenge' && e.outcome === 'success')).toBe(true);
    expect(events.some((e) => e.type === 'auth.otp' && e.outcome === 'success')).toBe(true);
  });

  it('AUTH-2: an expired code is refused', async () => {
    await challenge();
    const code = codeIn(smtp.inbox.at(-1));
    clock.advance((TTL + 1) * 1000);
    expectOtpRefused(await authorize(code));
    const events = await logEvents(t.app);
    expect(events.some((e) => e.type === 'auth.otp' && e.reason === 'expired')).toBe(true);
    await unlock();
  });

  it('AUTH-3: a code is bound to its credential: another credential of the same signer refuses it', async () => {
    await challenge(otpCred);
    const code = codeIn(smtp.inbox.at(-1));
    expectOtpRefused(await authorize(code, otherOtpCred));
    // ...and it still works where it belongs.
    expect((await authorize(code, otpCred)).status).toBe(200);
    await unlock();
  });

  it('AUTH-2: a new challenge voids the older code', async () => {
    await challenge();
    const first = codeIn(smtp.inbox.at(-1));
    await challenge();
    const second = codeIn(smtp.inbox.at(-1));
    if (first !== second) expectOtpRefused(await authorize(first));
    expect((await authorize(second)).status).toBe(200);
    await unlock();
  });

  it('AUTH-2: a second code within 30 s is refused (429), so nobody can flood the inbox', async () => {
    expect((await challenge()).status).toBe(204);
    const sent = smtp.inbox.length;
    const again = await challenge(otpCred, false);
    expect(again.status).toBe(429);
    expect(again.json.error).toBe('temporarily_unavailable');
    expect(smtp.inbox.length).toBe(sent);
    // Another credential has its own interval.
    expect((await challenge(otherOtpCred, false)).status).toBe(204);
  });

  it('AUTH-2: after maxAttempts wrong codes the challenge is void, even for the right code', async () => {
    await challenge();
    const code = codeIn(smtp.inbox.at(-1));
    const wrong = code === '000000' ? '111111' : '000000';
    expectOtpRefused(await authorize(wrong));
    expectOtpRefused(await authorize(wrong));
    expectOtpRefused(await authorize(code));
    const events = await logEvents(t.app);
    expect(events.some((e) => e.type === 'auth.otp' && e.reason === 'too_many_attempts')).toBe(true);
    await unlock();
  });

  it('AUTH-2: wrong codes count against the lockout shared with the PIN', async () => {
    for (let i = 0; i < 5; i++) expectOtpRefused(await authorize('000000'));
    const r = await authorize('000000');
    expect(r.status).toBe(400);
    expect(r.json.error_description).toBe('Credential locked');
    await unlock();
  });

  it('a signer without an e-mail address gets a clear refusal, and no code is made', async () => {
    const demo = await t.app.users.findByUsername('demo');
    await t.app.users.update(demo!.id, { email: null }, ACTOR);
    const rows = async () => (await t.app.store.db.selectFrom('otp_challenges').select('id').execute()).length;
    const before = await rows();
    const r = await challenge();
    expect(r.status).toBe(409);
    expect(r.json.error_description).toMatch(/e-mail/);
    expect(await rows()).toBe(before);
    await t.app.users.update(demo!.id, { email: 'demo@example.test' }, ACTOR);
  });

  it('getChallenge refuses a credential without the OTP factor and an unknown authObjectID', async () => {
    const pinOnly = await t.post(
      'credentials/getChallenge',
      { credentialID: t.demo.credentials.p256, authObjectID: 'OTP' },
      t.token,
    );
    expect(pinOnly.status).toBe(400);
    expect(pinOnly.json).toEqual({ error: 'invalid_request', error_description: 'Invalid parameter authObjectID' });
    const pin = await t.post('credentials/getChallenge', { credentialID: otpCred, authObjectID: 'PIN' }, t.token);
    expect(pin.json.error_description).toBe('Invalid parameter authObjectID');
    const missing = await t.post('credentials/getChallenge', { credentialID: otpCred }, t.token);
    expect(missing.status).toBe(400);
    expect(missing.json.error_description).toBe('Missing (or invalid type) string parameter authObjectID');
    const anonymous = await t.post('credentials/getChallenge', { credentialID: otpCred, authObjectID: 'OTP' });
    expect(anonymous.status).toBe(401);
  });
});

describe('OTP senders', () => {
  it('AUTH-2: the file sender writes the code to a 0600 file in the data dir, in development mode', async () => {
    const t = await startApp({ config: { auth: { otp: { sender: 'file' } } } });
    try {
      const demo = await t.app.users.findByUsername('demo');
      const cred = await addCredential(t.app, demo!.id);
      await t.app.users.setCredentialFactors(cred, ['PIN', 'OTP'], ACTOR);
      const r = await t.post('credentials/getChallenge', { credentialID: cred, authObjectID: 'OTP' }, t.token);
      expect(r.status, r.text).toBe(204);
      const file = join(t.dir, 'otp-outbox.log');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const code = /code=(\d+)/.exec(await readFile(file, 'utf8'))?.[1] as string;
      const body = authorizeBody(cred, t.demo.pin, [randomBytes(32)], {
        authData: [
          { id: 'PIN', value: t.demo.pin },
          { id: 'OTP', value: code },
        ],
      });
      expect((await t.post('credentials/authorize', body, t.token)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('an unreachable SMTP server answers 503, logs the failure, and leaves no code behind', async () => {
    const gone = await startSmtp();
    await gone.close();
    const t = await startApp({
      config: { auth: { otp: { sender: 'smtp', smtp: { host: '127.0.0.1', port: gone.port } } } },
    });
    try {
      const demo = await t.app.users.findByUsername('demo');
      await t.app.users.update(demo!.id, { email: 'demo@example.test' }, ACTOR);
      const cred = await addCredential(t.app, demo!.id);
      await t.app.users.setCredentialFactors(cred, ['PIN', 'OTP'], ACTOR);
      const r = await t.post('credentials/getChallenge', { credentialID: cred, authObjectID: 'OTP' }, t.token);
      expect(r.status, r.text).toBe(503);
      expect(await t.app.store.db.selectFrom('otp_challenges').select('id').execute()).toEqual([]);
      const events = await logEvents(t.app);
      expect(events.some((e) => e.type === 'auth.otp.challenge' && e.reason === 'send_failed')).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('the SMTP password and the factor key can come from the environment, not the JSON file', () => {
    const c = loadConfig({
      env: {
        SHOMEI_AUTH__OTP__SENDER: 'smtp',
        SHOMEI_AUTH__OTP__SMTP__HOST: 'mail.example.test',
        SHOMEI_AUTH__OTP__SMTP__PASSWORD: 's3cret',
        SHOMEI_AUTH__FACTOR_KEY: Buffer.alloc(32, 1).toString('base64'),
      },
    });
    expect(c.auth.otp.smtp.password).toBe('s3cret');
    expect(c.auth.otp.smtp.host).toBe('mail.example.test');
    expect(c.auth.factorKey).toBe(Buffer.alloc(32, 1).toString('base64'));
    expect(() => loadFactorKey('c2hvcnQ=', '/nonexistent')).toThrow(ConfigError);
  });

  it('AUTH-2: a factor key file readable by others, or not 32 bytes, is refused at start', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shomei-factor-key-'));
    try {
      const file = join(dir, 'factor-key');
      loadFactorKey('', dir); // made on first use, 0600
      expect(statSync(file).mode & 0o777).toBe(0o600);
      chmodSync(file, 0o644);
      expect(() => loadFactorKey('', dir)).toThrow(/chmod 600/);
      writeFileSync(file, 'c2hvcnQ=', { mode: 0o600 });
      chmodSync(file, 0o600);
      expect(() => loadFactorKey('', dir)).toThrow(/32 bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('DEP-3: production mode refuses the file sender and has no sender by default', () => {
    expect(() => configuredOtpSender(parseConfig({ mode: 'production', auth: { otp: { sender: 'file' } } }))).toThrow(
      ConfigError,
    );
    expect(configuredOtpSender(parseConfig({ mode: 'production' }))).toBeUndefined();
    expect(() => configuredOtpSender(parseConfig({ auth: { otp: { sender: 'smtp' } } }))).toThrow(/smtp.host/);
  });
});
