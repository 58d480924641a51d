/**
 * AUTH-4: per-credential factors over the CSC API, on SQLite and PostgreSQL. A PIN+TOTP credential
 * needs both (csc-api-v2.md §4.3 authData), credentials/info reports exactly what authorize checks
 * (§4.2 auth objects), demo credentials stay PIN-only, and malformed authData is a 400 with a
 * stable code — never a 500, and never a spent attempt.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { ACTOR, addCredential, authorizeBody, logEvents, type Reply, startApp, type TestApp } from './support/app.js';
import { cli } from './support/cli.js';
import { backends } from './support/stores.js';

const STEP = 30_000;

const expectError = (r: Reply, error: string, description: string) => {
  expect(r.status, r.text).toBe(400);
  expect(r.json).toEqual({ error, error_description: description });
};

describe.each(await backends())('AUTH-4: credential factors over CSC on $name', (backend) => {
  const clock = manualClock(Math.floor(Date.now() / STEP) * STEP + STEP / 2);
  let db: Awaited<ReturnType<typeof backend.create>>;
  let t: TestApp;
  let totpCred: string;
  let secret: string;
  let demoId: string;

  beforeAll(async () => {
    db = await backend.create();
    t = await startApp({
      platform: { clock, random: systemRandom },
      ...(backend.name === 'postgres' ? { databaseUrl: db.url } : {}),
      config: { auth: { maxFailures: 5 } },
    });
    demoId = (await t.app.users.findByUsername('demo'))!.id;
    totpCred = await addCredential(t.app, demoId);
    await t.app.users.setCredentialFactors(totpCred, ['PIN', 'TOTP'], ACTOR);
    const { uri } = await t.app.factors.totp.enrol(demoId, 'demo', ACTOR);
    secret = new URL(uri).searchParams.get('secret') as string;
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });

  const totpNow = (offsetSteps = 0) =>
    generate({
      secret,
      algorithm: 'sha1',
      digits: 6,
      period: 30,
      epoch: Math.floor(clock.now() / 1000) + offsetSteps * 30,
    });
  const authorize = (authData: unknown, credentialID = totpCred) =>
    t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, [randomBytes(32)], { authData }), t.token);
  const failures = async () =>
    Number(
      (
        await t.app.store.db
          .selectFrom('users')
          .select('pin_failures')
          .where('id', '=', demoId)
          .executeTakeFirstOrThrow()
      ).pin_failures,
    );

  it('AUTH-4: credentials/info reports the auth objects authorize will check', async () => {
    const r = await t.post('credentials/info', { credentialID: totpCred }, t.token);
    expect(r.status, r.text).toBe(200);
    expect(r.json.auth.mode).toBe('explicit');
    expect(r.json.auth.expression).toBe('PIN AND TOTP');
    expect(r.json.auth.objects.map((o: { id: string; type: string }) => [o.id, o.type])).toEqual([
      ['PIN', 'Password'],
      ['TOTP', 'Password'],
    ]);
    const totpObject = r.json.auth.objects[1];
    expect(totpObject).toMatchObject({ format: 'N', generator: 'totp' });
    expect(typeof totpObject.label).toBe('string');
    expect(typeof totpObject.description).toBe('string');
  });

  it('demo credentials keep working unchanged: PIN only, described as such', async () => {
    const r = await t.post('credentials/info', { credentialID: t.demo.credentials.p256 }, t.token);
    expect(r.json.auth).toEqual({
      mode: 'explicit',
      expression: 'PIN',
      objects: [
        { type: 'Password', id: 'PIN', format: 'A', label: 'PIN', description: 'The signing PIN set at enrolment' },
      ],
    });
    const ok = await authorize([{ id: 'PIN', value: t.demo.pin }], t.demo.credentials.p256);
    expect(ok.status, ok.text).toBe(200);
    // A second factor on a PIN-only credential is not part of its expression.
    expectError(
      await authorize(
        [
          { id: 'PIN', value: t.demo.pin },
          { id: 'TOTP', value: await totpNow() },
        ],
        t.demo.credentials.p256,
      ),
      'invalid_authentication_data',
      'Invalid authentication data',
    );
  });

  it('AUTH-4: a PIN+TOTP credential cannot be authorised with the PIN alone', async () => {
    expectError(
      await authorize([{ id: 'PIN', value: t.demo.pin }]),
      'invalid_authentication_data',
      'Invalid authentication data',
    );
    expectError(
      await authorize([{ id: 'TOTP', value: await totpNow() }]),
      'invalid_authentication_data',
      'Invalid authentication data',
    );
    const events = await logEvents(t.app);
    expect(events.some((e) => e.type === 'sad.refused' && e.reason === 'invalid_authentication_data')).toBe(true);
  });

  it('AUTH-4: PIN + TOTP authorise; the same TOTP code again is refused (AUTH-2 replay)', async () => {
    clock.advance(STEP);
    const code = await totpNow();
    const ok = await authorize([
      { id: 'PIN', value: t.demo.pin },
      { id: 'TOTP', value: code },
    ]);
    expect(ok.status, ok.text).toBe(200);
    expect(typeof ok.json.SAD).toBe('string');
    expectError(
      await authorize([
        { id: 'TOTP', value: code },
        { id: 'PIN', value: t.demo.pin },
      ]),
      'invalid_otp',
      'The OTP is invalid',
    );
    // A full success afterwards resets the shared counters.
    clock.advance(STEP);
    expect(
      (
        await authorize([
          { id: 'PIN', value: t.demo.pin },
          { id: 'TOTP', value: await totpNow() },
        ])
      ).status,
    ).toBe(200);
    expect(await failures()).toBe(0);
  });

  it('AUTH-2: a wrong TOTP stops before the PIN; a wrong PIN after a right TOTP is invalid_pin', async () => {
    clock.advance(STEP);
    expectError(
      await authorize([
        { id: 'PIN', value: t.demo.pin },
        { id: 'TOTP', value: (await totpNow()) === '000000' ? '111111' : '000000' },
      ]),
      'invalid_otp',
      'The OTP is invalid',
    );
    const events = await logEvents(t.app);
    expect(events.at(-1)?.type).not.toBe('auth.pin');
    const wrongPin = await authorize([
      { id: 'PIN', value: '000000' === t.demo.pin ? '111111' : '000000' },
      { id: 'TOTP', value: await totpNow() },
    ]);
    expect(wrongPin.status).toBe(400);
    expect(wrongPin.json.error).toBe('invalid_pin');
    expect(await failures()).toBe(2);
    clock.advance(STEP);
    expect(
      (
        await authorize([
          { id: 'PIN', value: t.demo.pin },
          { id: 'TOTP', value: await totpNow() },
        ])
      ).status,
    ).toBe(200);
    expect(await failures()).toBe(0);
  });

  it('AUTH-2: malformed authData is a 400 with a stable code and costs no attempt', async () => {
    const code = await totpNow(1);
    const cases: Array<[unknown, string, string]> = [
      [[], 'invalid_authentication_data', 'Invalid authentication data'],
      [[{ id: 'PIN' }, { id: 'TOTP', value: code }], 'invalid_authentication_data', 'Invalid authentication data'],
      [
        [
          { id: 'PIN', value: '' },
          { id: 'TOTP', value: code },
        ],
        'invalid_authentication_data',
        'Invalid authentication data',
      ],
      [
        [
          { id: 'PIN', value: t.demo.pin },
          { id: 'PIN', value: t.demo.pin },
          { id: 'TOTP', value: code },
        ],
        'invalid_authentication_data',
        'Invalid authentication data',
      ],
      [
        [
          { id: 'PIN', value: t.demo.pin },
          { id: 'TOTP', value: code },
          { id: 'OTP', value: code },
        ],
        'invalid_authentication_data',
        'Invalid authentication data',
      ],
      [
        [
          { id: 'pin', value: t.demo.pin },
          { id: 'TOTP', value: code },
        ],
        'invalid_authentication_data',
        'Invalid authentication data',
      ],
      [[{ id: 'PIN', value: 123456 }], 'invalid_request', 'Invalid parameter authData'],
      [[{ value: t.demo.pin }], 'invalid_request', ''],
      ['PIN', 'invalid_request', ''],
      [[null], 'invalid_request', ''],
    ];
    for (const [authData, error, description] of cases) {
      const r = await authorize(authData);
      expect(r.status, `${JSON.stringify(authData)} → ${r.text}`).toBe(400);
      expect(r.json.error, JSON.stringify(authData)).toBe(error);
      if (description) expect(r.json.error_description, JSON.stringify(authData)).toBe(description);
    }
    expect(await failures()).toBe(0);
  });

  it('info lists credentials/getChallenge among the methods', async () => {
    const r = await t.post('info', {});
    expect(r.json.methods).toContain('credentials/getChallenge');
  });
});

describe('CLI-1: factors from the command line (real processes)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shomei-factors-cli-'));
    expect((await cli(dir, ['init'])).code).toBe(0);
    const reg = await cli(dir, [
      'user',
      'register',
      '--username',
      'taro',
      '--name',
      'Taro',
      '--proofing-method',
      'in-person',
      '--officer',
      'ra',
      '--document-ref',
      'doc',
    ]);
    expect(reg.code, reg.stderr).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('USER-1: set-email and totp-enrol (the otpauth URI once, sealed in DB-1; no QR library installed)', async () => {
    const e = await cli(dir, ['user', 'set-email', 'taro', 'taro@example.test', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(e.json.email).toBe('taro@example.test');
    expect((await cli(dir, ['user', 'set-email', 'taro', 'not-an-address'])).stderr).toMatch(/invalid_parameter/);
    const t = await cli(dir, ['user', 'totp-enrol', 'taro', '--json']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.json.uri).toMatch(/^otpauth:\/\/totp\/.*secret=[A-Z2-7]+/);
    expect(statSync(join(dir, 'factor-key')).mode & 0o777).toBe(0o600);
  });

  it('AUTH-4: credential create --factors PIN,TOTP; a set without the PIN is refused before a key is made', async () => {
    const c = await cli(dir, ['credential', 'create', '--user', 'taro', '--factors', 'PIN,TOTP', '--json']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.json.factors).toEqual(['PIN', 'TOTP']);
    const bad = await cli(dir, ['credential', 'create', '--user', 'taro', '--factors', 'TOTP']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid_parameter/);
    const list = await cli(dir, ['credential', 'list', '--user', 'taro', '--json']);
    expect(list.json.map((x: { factors: string[] }) => x.factors)).toEqual([['PIN', 'TOTP']]);
  });
});
