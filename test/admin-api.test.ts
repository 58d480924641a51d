import { X509Certificate } from 'node:crypto';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_SCOPE, createTokens } from '../src/auth/index.js';
import { adminRequiredLevel, insecureSettings, loadConfig, parseConfig } from '../src/config/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import type { AdminRole } from '../src/users/index.js';
import { opensslCsr } from './keys-openssl.js';
import {
  ACTOR,
  basicAuth,
  logEvents,
  type Reply,
  startApp,
  type TestApp,
  USER_PASSWORD,
  USER_PIN,
} from './support/app.js';

const ADMIN = '/admin/v1';
const STEP = 30_000;

interface Admin {
  readonly id: string;
  readonly username: string;
  readonly secret: string | undefined;
}

/** The middle of a TOTP step, so ±1 step is unambiguous. */
const newClock = () => manualClock(Math.floor(Date.now() / STEP) * STEP + STEP / 2);

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function call(t: TestApp, method: 'GET' | 'POST', path: string, token?: string, body?: unknown): Promise<Reply> {
  const res = await t.app.http.inject({
    method,
    url: `${ADMIN}${path}`,
    headers: {
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, headers: res.headers, text: res.body, json: parse(res.body) };
}

/** A registered, enrolled user with these roles, and TOTP unless `totp` is false. */
async function newAdmin(t: TestApp, username: string, roles: AdminRole[], totp = true): Promise<Admin> {
  const { app } = t;
  const u = await app.users.register(
    { username, displayName: username, proofing: { method: 'in-person', officer: 'ra-1', documentRef: 'id card' } },
    ACTOR,
  );
  const { code } = await app.users.issueEnrolmentCode(u.id, ACTOR);
  await app.users.redeemEnrolmentCode(code, { password: USER_PASSWORD, pin: USER_PIN });
  for (const r of roles) await app.users.grantRole(u.id, r, ACTOR);
  const secret = totp
    ? (new URL((await app.factors.totp.enrol(u.id, username, ACTOR)).uri).searchParams.get('secret') ?? undefined)
    : undefined;
  return { id: u.id, username, secret };
}

const codeNow = (t: TestApp, secret: string) =>
  generate({ secret, algorithm: 'sha1', digits: 6, period: 30, epoch: Math.floor(t.app.platform.clock.now() / 1000) });

/** Another 6-digit code: not the right one (a match at ±1 step has odds of 2 in a million). */
const wrong = (code: string) => String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');

function postLogin(t: TestApp, username: string, password: string, totp: string): Promise<Reply> {
  return t.app.http
    .inject({
      method: 'POST',
      url: `${ADMIN}/login`,
      headers: { authorization: basicAuth(username, password), 'content-type': 'application/json' },
      payload: JSON.stringify({ totp }),
    })
    .then((res) => ({ status: res.statusCode, headers: res.headers, text: res.body, json: parse(res.body) }));
}

describe('API-2: admin API', () => {
  const clock = newClock();
  let t: TestApp;
  let officer: Admin;
  let keyAdmin: Admin;
  let auditor: Admin;
  let demoId: string;

  /** A fresh level-3 login: the next TOTP step first, since a code is accepted only once. */
  async function login(a: Admin): Promise<string> {
    clock.advance(STEP);
    const r = await postLogin(t, a.username, USER_PASSWORD, await codeNow(t, a.secret as string));
    expect(r.status, r.text).toBe(200);
    return r.json.access_token as string;
  }

  beforeAll(async () => {
    t = await startApp({ platform: { clock, random: systemRandom }, config: { auth: { maxFailures: 3 } } });
    officer = await newAdmin(t, 'olivia', ['registration_officer']);
    keyAdmin = await newAdmin(t, 'kenji', ['key_admin']);
    auditor = await newAdmin(t, 'aiko', ['auditor']);
    demoId = (await t.app.users.findByUsername(t.demo.username))?.id as string;
  });
  afterAll(() => t?.close());

  it('API-2, CA-1: a key admin has a PKCS#10 request certified (201, recorded); an auditor is refused', async () => {
    const body = { csr: opensslCsr('/CN=meter 17').toString(), profile: 'seal', validityDays: 30 };
    const r = await call(t, 'POST', '/ca/certificates', await login(keyAdmin), body);
    expect(r.status, r.text).toBe(201);
    const der = Buffer.from(r.json.certificate, 'base64');
    const x = new X509Certificate(der);
    expect(x.subject).toBe('CN=meter 17');
    const serial = x.serialNumber.toLowerCase().replace(/^0+/, '');
    expect(await t.app.ca.registry.find((await t.app.ca.issuing()).id, serial)).toMatchObject({
      status: 'good',
      key_id: null,
    });
    expect((await call(t, 'POST', '/ca/certificates', await login(auditor), body)).status).toBe(403);
    expect((await call(t, 'POST', '/ca/certificates', await login(keyAdmin), { ...body, csr: 'junk' })).status).toBe(
      400,
    );
    // LOG-3: the access trace of a refused write (no domain entry of its own) is durable before the answer.
    expect((await logEvents(t.app)).at(-1)).toMatchObject({
      type: 'admin.access',
      route: `POST ${ADMIN}/ca/certificates`,
      role: 'key_admin',
      outcome: 'success',
    });
  });

  it('API-2, AUTH-4: password + TOTP gives a level-3 admin token: short-lived, no refresh token, logged', async () => {
    clock.advance(STEP);
    const r = await postLogin(t, officer.username, USER_PASSWORD, await codeNow(t, officer.secret as string));
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, level: 3 });
    expect((await call(t, 'GET', '/users', r.json.access_token)).status).toBe(200);
    const events = await logEvents(t.app);
    expect(events.filter((e) => e.type === 'admin.login' && e.outcome === 'success').at(-1)).toMatchObject({
      actor: officer.id,
      level: 3,
      roles: 'registration_officer',
    });
    expect(events.filter((e) => e.type === 'auth.token.issue').at(-1)).toMatchObject({
      userId: officer.id,
      scope: ADMIN_SCOPE,
      level: 3,
      refresh: false,
    });
  });

  it('API-2, AUTH-2: wrong password, unknown user, no TOTP, wrong TOTP and no role get one authentication_error; the log has the reason', async () => {
    const noTotp = await newAdmin(t, 'nototp', ['auditor'], false);
    const noRole = await newAdmin(t, 'norole', []);
    clock.advance(STEP);
    const attempts = [
      {
        r: await postLogin(t, officer.username, 'not the password', await codeNow(t, officer.secret as string)),
        reason: 'wrong_password',
      },
      { r: await postLogin(t, 'nobody-here', USER_PASSWORD, '123456'), reason: 'unknown_user' },
      { r: await postLogin(t, noTotp.username, USER_PASSWORD, '123456'), reason: 'totp_not_enrolled' },
      {
        r: await postLogin(t, auditor.username, USER_PASSWORD, wrong(await codeNow(t, auditor.secret as string))),
        reason: 'totp_wrong',
      },
      {
        r: await postLogin(t, noRole.username, USER_PASSWORD, await codeNow(t, noRole.secret as string)),
        reason: 'no_role',
      },
    ];
    for (const { r } of attempts) {
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ error: 'authentication_error', error_description: 'Invalid username or password' });
      expect(r.headers['www-authenticate']).toMatch(/^Basic /);
    }
    const failures = (await logEvents(t.app)).filter((e) => e.type === 'admin.login' && e.outcome === 'failure');
    expect(failures.slice(-attempts.length).map((e) => e.reason)).toEqual(attempts.map((a) => a.reason));
  });

  it('AUTH-2: the password lockout and the TOTP lockout apply to the admin login', async () => {
    const locked = await newAdmin(t, 'lockme', ['auditor']);
    for (let i = 0; i < 3; i++)
      expect((await postLogin(t, locked.username, 'wrong password', '000000')).status).toBe(401);
    // Within the 30 s lock: the right password and code are refused alike.
    const right = await postLogin(t, locked.username, USER_PASSWORD, await codeNow(t, locked.secret as string));
    expect(right.status).toBe(401);
    expect((await logEvents(t.app)).at(-1)).toMatchObject({ type: 'admin.login', reason: 'locked', userId: locked.id });
    clock.advance(60_000);
    expect((await postLogin(t, locked.username, USER_PASSWORD, await codeNow(t, locked.secret as string))).status).toBe(
      200,
    );

    const guessed = await newAdmin(t, 'guessme', ['auditor']);
    clock.advance(STEP);
    const code = await codeNow(t, guessed.secret as string);
    for (let i = 0; i < 3; i++)
      expect((await postLogin(t, guessed.username, USER_PASSWORD, wrong(code))).status).toBe(401);
    expect((await postLogin(t, guessed.username, USER_PASSWORD, code)).status).toBe(401);
    expect((await logEvents(t.app)).filter((e) => e.type === 'admin.login').at(-1)).toMatchObject({
      reason: 'totp_locked',
    });
  });

  it('API-2, USER-2..4: a registration officer registers, lists, issues an enrolment code, suspends and reinstates; the officer is the actor', async () => {
    const token = await login(officer);
    const reg = await call(t, 'POST', '/users', token, {
      username: 'hanako',
      displayName: 'Hanako Yamada',
      proofing: { method: 'in-person', officer: 'olivia', documentRef: 'passport TK0001' },
    });
    expect(reg.status, reg.text).toBe(201);
    expect(reg.json).toMatchObject({ username: 'hanako', status: 'pending', roles: [], createdBy: officer.id });
    const id = reg.json.id as string;
    const all = await call(t, 'GET', '/users', token);
    expect(all.json.users.map((u: { username: string }) => u.username)).toContain('hanako');
    expect((await call(t, 'GET', '/users?username=hanako', token)).json.users).toMatchObject([{ id }]);
    expect((await call(t, 'GET', '/users?username=nobody', token)).json.users).toEqual([]);

    const code = await call(t, 'POST', `/users/${id}/enrolment-code`, token, {});
    expect(code.status, code.text).toBe(200);
    expect(code.json.enrolUrl).toMatch(/\/enrol$/);
    const enrol = await t.post('/enrol', { code: code.json.code, password: 'a long enough password', pin: '739164' });
    expect(enrol.status, enrol.text).toBe(200);

    expect((await call(t, 'POST', `/users/${id}/suspend`, token, {})).json.error_description).toMatch(/reason/);
    const suspended = await call(t, 'POST', `/users/${id}/suspend`, token, { reason: 'lost phone' });
    expect(suspended.json.status).toBe('suspended');
    expect((await call(t, 'POST', `/users/${id}/reinstate`, token, {})).json.status).toBe('active');
    expect((await call(t, 'POST', '/users/no-such-id/reinstate', token, {})).status).toBe(404);

    const events = (await logEvents(t.app)).filter((e) => e.userId === id && e.type.startsWith('user.'));
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['user.register', officer.id],
      ['user.enrolment_code.issue', officer.id],
      ['user.enrol', id],
      ['user.suspend', officer.id],
      ['user.reinstate', officer.id],
    ]);
    expect(events[3]).toMatchObject({ reason: 'lost phone' });
  });

  it("API-2, KEY-2: a key admin lists a signer's credentials and disables one with a reason (logged)", async () => {
    const token = await login(keyAdmin);
    const list = await call(t, 'GET', `/credentials?user=${demoId}`, token);
    expect(list.status, list.text).toBe(200);
    const credId = t.demo.credentials.p256;
    expect(list.json.credentials.map((c: { id: string }) => c.id)).toContain(credId);
    expect((await call(t, 'GET', '/credentials?user=no-such-user', token)).status).toBe(404);

    expect((await call(t, 'POST', `/credentials/${credId}/disable`, token, {})).status).toBe(400);
    const off = await call(t, 'POST', `/credentials/${credId}/disable`, token, { reason: 'device reported stolen' });
    expect(off.json).toMatchObject({ id: credId, status: 'disabled' });
    const on = await call(t, 'POST', `/credentials/${credId}/enable`, token, { reason: 'device recovered' });
    expect(on.json.status).toBe('enabled');
    const status = (await logEvents(t.app)).filter((e) => e.type === 'credential.status' && e.credentialId === credId);
    expect(status.map((e) => [e.status, e.actor, e.reason])).toEqual([
      ['disabled', keyAdmin.id, 'device reported stolen'],
      ['enabled', keyAdmin.id, 'device recovered'],
    ]);
  });

  it('API-2, LOG-2: an auditor reads the newest signed checkpoint and runs the log verifier', async () => {
    const token = await login(auditor);
    const cp = await call(t, 'GET', '/audit/checkpoint', token);
    expect(cp.status, cp.text).toBe(200);
    expect(cp.json.size).toBeGreaterThan(0);
    expect(cp.json.note.startsWith(`${cp.json.origin}\n${cp.json.size}\n${cp.json.rootHash}\n`)).toBe(true);

    const v = await call(t, 'POST', '/audit/verify', token, {});
    expect(v.status, v.text).toBe(200);
    expect(v.json).toMatchObject({ ok: true, problems: [], verifierKey: t.app.logVerifierKey });
    expect(v.json.size).toBeGreaterThanOrEqual(cp.json.size);
    const bad = await call(t, 'POST', '/audit/verify', token, { key: 'not+a+key' });
    expect(bad.json).toEqual({ error: 'invalid_request', error_description: 'Invalid parameter key' });
  });

  it('API-2: each role is refused (403, logged as admin.denied) on the others’ routes; an auditor cannot register users', async () => {
    const cred = t.demo.credentials.p256;
    const routes: Array<{ role: AdminRole; method: 'GET' | 'POST'; path: string; route: string; body?: unknown }> = [
      {
        role: 'registration_officer',
        method: 'POST',
        path: '/users',
        route: '/users',
        body: { username: 'mallory', displayName: 'M', proofing: { method: 'x', officer: 'y', documentRef: 'z' } },
      },
      { role: 'registration_officer', method: 'GET', path: '/users', route: '/users' },
      {
        role: 'registration_officer',
        method: 'POST',
        path: `/users/${demoId}/enrolment-code`,
        route: '/users/:id/enrolment-code',
        body: {},
      },
      {
        role: 'registration_officer',
        method: 'POST',
        path: `/users/${demoId}/suspend`,
        route: '/users/:id/suspend',
        body: { reason: 'x' },
      },
      { role: 'key_admin', method: 'GET', path: `/credentials?user=${demoId}`, route: '/credentials' },
      {
        role: 'key_admin',
        method: 'POST',
        path: `/credentials/${cred}/disable`,
        route: '/credentials/:id/disable',
        body: { reason: 'x' },
      },
      { role: 'auditor', method: 'GET', path: '/audit/checkpoint', route: '/audit/checkpoint' },
      { role: 'auditor', method: 'POST', path: '/audit/verify', route: '/audit/verify', body: {} },
    ];
    for (const admin of [officer, keyAdmin, auditor]) {
      const token = await login(admin);
      const held = (await t.app.users.get(admin.id)).roles;
      for (const r of routes.filter((x) => !held.includes(x.role))) {
        const reply = await call(t, r.method, r.path, token, r.body);
        expect(reply.status, `${admin.username} ${r.method} ${r.path}`).toBe(403);
        expect(reply.json).toEqual({
          error: 'admin_role_required',
          error_description: `This operation needs the ${r.role} role`,
        });
        expect((await logEvents(t.app)).at(-1)).toMatchObject({
          type: 'admin.denied',
          actor: admin.id,
          outcome: 'failure',
          route: `${r.method} ${ADMIN}${r.route}`,
          reason: 'admin_role_required',
          role: r.role,
        });
      }
    }
    expect(await t.app.users.findByUsername('mallory')).toBeUndefined();
    expect((await t.app.users.get(demoId)).status).toBe('active');
  });

  it('API-2: a revoked role stops working at once, with the token it was used with', async () => {
    const temp = await newAdmin(t, 'temp-auditor', ['auditor']);
    const token = await login(temp);
    expect((await call(t, 'GET', '/audit/checkpoint', token)).status).toBe(200);
    expect(await t.app.users.revokeRole(temp.id, 'auditor', ACTOR)).toEqual([]);
    expect((await call(t, 'GET', '/audit/checkpoint', token)).status).toBe(403);
  });

  it('API-2: a CSC service token is refused by the admin routes (403 admin_scope_required, logged)', async () => {
    const csc = await t.login(t.demo.username, t.demo.password);
    const r = await call(t, 'GET', '/audit/checkpoint', csc);
    expect(r.status).toBe(403);
    expect(r.json.error).toBe('admin_scope_required');
    expect((await logEvents(t.app)).at(-1)).toMatchObject({
      type: 'admin.denied',
      actor: demoId,
      scope: 'service',
      reason: 'admin_scope_required',
    });
    // And an admin token is no CSC token: the service methods need scope=service.
    const admin = await login(auditor);
    expect((await t.post('credentials/list', {}, admin)).json.error).toBe('insufficient_scope');
  });

  it('API-2: missing, unknown and expired tokens get 401 as on the CSC routes', async () => {
    const none = await call(t, 'GET', '/users');
    expect(none.status).toBe(401);
    expect(none.json.error).toBe('invalid_token');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await call(t, 'GET', '/users', 'A'.repeat(43))).json.error).toBe('invalid_token');
    const token = await login(officer);
    clock.advance(901_000);
    const expired = await call(t, 'GET', '/users', token);
    expect(expired.status).toBe(401);
    expect(expired.json.error).toBe('expired_token');
  });

  it('API-2: roles are granted and revoked from one table, with the actor logged; unknown roles are refused', async () => {
    const u = await newAdmin(t, 'roles-user', []);
    expect(await t.app.users.grantRole(u.id, 'auditor', 'admin:root')).toEqual(['auditor']);
    expect(await t.app.users.grantRole(u.id, 'registration_officer', 'admin:root')).toEqual([
      'registration_officer',
      'auditor',
    ]);
    expect(await t.app.users.revokeRole(u.id, 'auditor', 'admin:root')).toEqual(['registration_officer']);
    await expect(t.app.users.grantRole(u.id, 'superuser', 'admin:root')).rejects.toMatchObject({
      code: 'invalid_parameter',
    });
    const events = (await logEvents(t.app)).filter((e) => e.userId === u.id && e.type.startsWith('user.role.'));
    expect(events.map((e) => [e.type, e.role, e.actor])).toEqual([
      ['user.role.grant', 'auditor', 'admin:root'],
      ['user.role.grant', 'registration_officer', 'admin:root'],
      ['user.role.revoke', 'auditor', 'admin:root'],
    ]);
  });

  it('LOG-1: admin tokens, passwords and TOTP codes never reach the log', async () => {
    clock.advance(STEP);
    const code = await codeNow(t, officer.secret as string);
    const r = await postLogin(t, officer.username, USER_PASSWORD, code);
    const token = r.json.access_token as string;
    await call(t, 'GET', '/users', token);
    const log = JSON.stringify(await logEvents(t.app));
    expect(log).not.toContain(token);
    expect(log).not.toContain(USER_PASSWORD);
    expect(log).not.toContain(`"${code}"`);
    expect(log).not.toContain(officer.secret);
  });
});

describe('AUTH-4: admin.requiredLevel 4', () => {
  const clock = newClock();
  let t: TestApp;
  let admin: Admin;
  const mint = (level: number) =>
    createTokens({
      store: t.app.store,
      audit: t.app.audit,
      clock,
      random: systemRandom,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 900,
    }).issue({ userId: admin.id, clientId: 'rssp-page', scope: ADMIN_SCOPE, rememberMe: false, level });

  beforeAll(async () => {
    t = await startApp({
      platform: { clock, random: systemRandom },
      demo: false,
      config: { admin: { requiredLevel: 4 }, auth: { ipMaxFailures: 3 } },
    });
    admin = await newAdmin(t, 'root', ['auditor']);
  });
  afterAll(() => t?.close());

  it('AUTH-4: the password + TOTP login is refused with admin_security_key_required, before any secret is checked', async () => {
    const r = await postLogin(t, admin.username, USER_PASSWORD, await codeNow(t, admin.secret as string));
    expect(r.status).toBe(403);
    expect(r.json.error).toBe('admin_security_key_required');
    expect(r.json.error_description).toMatch(/security key on the RSSP page/);
    const events = await logEvents(t.app);
    expect(events.at(-1)).toMatchObject({ type: 'admin.login', outcome: 'failure', reason: 'security_key_required' });
    expect(events.filter((e) => e.type === 'auth.totp')).toEqual([]);
  });

  it('AUTH-4: a level-3 admin token is refused (403, logged); a level-4 one from the RSSP page is accepted', async () => {
    const l3 = await mint(3);
    const refused = await call(t, 'GET', '/audit/checkpoint', l3.accessToken);
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({
      error: 'admin_level_required',
      error_description: 'The admin API requires assurance level 4; this session reached level 3',
    });
    expect((await logEvents(t.app)).at(-1)).toMatchObject({
      type: 'admin.denied',
      reason: 'admin_level_required',
      level: 3,
    });
    const l4 = await mint(4);
    expect((await call(t, 'GET', '/audit/checkpoint', l4.accessToken)).status).toBe(200);
  });

  it('AUTH-2: the admin login counts towards the per-address attempt limit', async () => {
    for (let i = 0; i < 2; i++) expect((await postLogin(t, 'x', 'y', '000000')).status).toBe(403);
    expect((await postLogin(t, 'x', 'y', '000000')).status).toBe(429);
  });
});

describe('AUTH-4, DEP-3: admin configuration', () => {
  it('DEP-3: production mode without admin.requiredLevel warns that 4 is recommended; an explicit level does not', () => {
    const unset = parseConfig({ mode: 'production' });
    expect(adminRequiredLevel(unset)).toBe(3);
    expect(insecureSettings(unset).join('\n')).toMatch(/admin\.requiredLevel.*recommended/);
    for (const level of [3, 4]) {
      const set = parseConfig({ mode: 'production', admin: { requiredLevel: level } });
      expect(insecureSettings(set).join('\n')).not.toMatch(/admin\.requiredLevel/);
    }
    expect(insecureSettings(parseConfig({})).join('\n')).not.toMatch(/admin\.requiredLevel/);
  });

  it('DEP-3: SHOMEI_ADMIN__REQUIRED_LEVEL and SHOMEI_ADMIN__TOKEN_TTL_SECONDS set it; other levels are refused', () => {
    const c = loadConfig({ env: { SHOMEI_ADMIN__REQUIRED_LEVEL: '4', SHOMEI_ADMIN__TOKEN_TTL_SECONDS: '300' } });
    expect(c.admin).toEqual({ requiredLevel: 4, tokenTtlSeconds: 300 });
    expect(() => parseConfig({ admin: { requiredLevel: 2 } })).toThrow(/admin\/requiredLevel/);
    expect(parseConfig({}).admin.tokenTtlSeconds).toBe(900);
  });
});
