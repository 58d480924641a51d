/**
 * WEB-1, AUTH-2, AUTH-4, VIEW: oauth2code on the RSSP's own pages, through HTTP as a browser sends
 * it (cookies, forms with the CSRF token, the WebAuthn script's JSON), with a software
 * authenticator (test/support/authenticator.ts). The browser test (web-browser.test.ts) runs the
 * same flow in Chromium with its virtual authenticator.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthClient, s256, verificationCode } from '../src/oauth/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { pkeyutlVerify } from './keys-openssl.js';
import {
  ACTOR,
  addCredential,
  addUser,
  authorizeBody,
  b64,
  CSC,
  logEvents,
  OIDS,
  type Reply,
  startApp,
  type TestApp,
} from './support/app.js';
import { SoftAuthenticator } from './support/authenticator.js';
import { PageClient } from './support/browser.js';

const REDIRECT = 'https://app.example/cb';
const STEP = 30_000;

describe('WEB-1: oauth2code on the RSSP pages', () => {
  const clock = manualClock(Math.floor(Date.now() / STEP) * STEP + STEP / 2);
  let t: TestApp;
  let client: { client: OAuthClient; secret: string };
  let demoId: string;
  let cred3: string;
  let cred4: string;
  let totpSecret: string;
  let origin: string;
  let rpId: string;
  let key: SoftAuthenticator;

  const totpNow = () =>
    generate({ secret: totpSecret, algorithm: 'sha1', digits: 6, period: 30, epoch: Math.floor(clock.now() / 1000) });
  /** Each TOTP code works once: move to the next time-step before the next use. */
  const nextStep = () => clock.advance(STEP);

  beforeAll(async () => {
    t = await startApp({ platform: { clock, random: systemRandom }, config: { auth: { maxFailures: 10 } } });
    origin = new URL(t.app.baseUrl).origin;
    rpId = new URL(t.app.baseUrl).hostname;
    demoId = (await t.app.users.findByUsername('demo'))!.id;
    const reg = await t.app.oauth.clients.register(
      {
        name: 'Contract Signer',
        redirectUris: [REDIRECT],
        authMethod: 'client_secret_basic',
        grantTypes: ['authorization_code'],
      },
      ACTOR,
    );
    client = { client: reg.client, secret: reg.clientSecret as string };
    cred3 = await addCredential(t.app, demoId, { scal: '2' });
    await t.app.users.setCredentialPolicy(cred3, { factors: ['PIN', 'TOTP'] }, ACTOR);
    cred4 = await addCredential(t.app, demoId);
    await t.app.users.setCredentialPolicy(cred4, { factors: ['PIN', 'TOTP'], level: 4 }, ACTOR);
    const { uri } = await t.app.factors.totp.enrol(demoId, 'demo', ACTOR);
    totpSecret = new URL(uri).searchParams.get('secret') as string;
    key = new SoftAuthenticator({ origin, rpId });
    await registerKey(key, demoId);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function registerKey(k: SoftAuthenticator, userId: string): Promise<Reply> {
    const { code } = await t.app.users.issueEnrolmentCode(userId, ACTOR);
    const page = new PageClient(t.app, origin);
    expect((await page.get('/rssp/register')).status).toBe(200);
    const o = await page.json('/rssp/register/options', { code });
    expect(o.status, o.text).toBe(200);
    expect(o.json.authenticatorSelection).toMatchObject({ userVerification: 'required', residentKey: 'required' });
    const done = await page.json('/rssp/register/finish', { code, label: 'Test key', response: k.register(o.json) });
    expect(done.status, done.text).toBe(200);
    return done;
  }

  function authorizeUrl(credentialID: string | undefined, hashes: Buffer[], verifier: string, extra = {}) {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: client.client.id,
      redirect_uri: REDIRECT,
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
      state: 'state-42',
      ...(credentialID
        ? {
            scope: 'credential',
            credentialID,
            numSignatures: String(hashes.length),
            hashes: hashes.map((h) => h.toString('base64url')).join(','),
            hashAlgorithmOID: OIDS.sha256,
          }
        : { scope: 'service' }),
      ...extra,
    });
    return `${CSC}/oauth2/authorize?${q}`;
  }

  async function redeem(location: string, verifier: string): Promise<Reply> {
    const u = new URL(location);
    const res = await t.app.http.inject({
      method: 'POST',
      url: `${CSC}/oauth2/token`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`,
      },
      payload: new URLSearchParams({
        grant_type: 'authorization_code',
        code: u.searchParams.get('code') ?? '',
        code_verifier: verifier,
        redirect_uri: REDIRECT,
      }).toString(),
    });
    return { status: res.statusCode, headers: res.headers, text: res.body, json: JSON.parse(res.body) };
  }

  async function verifySignature(credentialID: string, hash: Buffer, token: string) {
    const signed = await t.post(
      'signatures/signHash',
      { credentialID, hashes: [b64(hash)], signAlgo: OIDS.ecdsaSha256 },
      token,
    );
    expect(signed.status, signed.text).toBe(200);
    const info = await t.post('credentials/info', { credentialID }, t.token);
    const spki = new X509Certificate(Buffer.from(info.json.cert.certificates[0], 'base64')).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    expect(pkeyutlVerify(spki, hash, Buffer.from(signed.json.signatures[0], 'base64'), []).ok).toBe(true);
  }

  async function passwordLogin(page: PageClient, url: string): Promise<Reply> {
    const login = await page.open(url);
    expect(login.status, login.text).toBe(200);
    expect(login.text).toContain('Sign in');
    const r = await page.form('/rssp/login', { username: 'demo', password: t.demo.password });
    expect(r.status, r.text).toBe(303);
    return page.open(String(r.headers.location));
  }

  it('AUTH-2: the flow cookie is __Host-, Secure, HttpOnly, SameSite=Strict; pages forbid framing and inline script', async () => {
    const page = new PageClient(t.app, origin);
    const r = await page.get(authorizeUrl(cred3, [randomBytes(32)], 'v'.repeat(43)));
    expect(r.status).toBe(303);
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(
      /^__Host-shomei-flow=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; Secure; HttpOnly; SameSite=Strict$/,
    );
    const login = await page.open(String(r.headers.location));
    expect(login.headers['content-security-policy']).toContain("script-src 'self'");
    expect(login.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(login.headers['x-frame-options']).toBe('DENY');
    expect(login.headers['cache-control']).toBe('no-store');
    expect(login.text).toContain('<label for="password">Password</label>');
  });

  it('VIEW, AUTH-4: level 3 — password, then the consent page shows each hash and the verification code; PIN + TOTP approve; the SAD signs exactly that hash', async () => {
    const hash = randomBytes(32);
    const verifier = randomBytes(32).toString('base64url');
    const page = new PageClient(t.app, origin);
    const consent = await passwordLogin(page, authorizeUrl(cred3, [hash], verifier));
    expect(consent.status, consent.text).toBe(200);
    expect(consent.text).toContain('Contract Signer');
    expect(consent.text).toContain(hash.toString('hex'));
    expect(consent.text).toContain(`id="verification-code" aria-describedby="code-help">${verificationCode([hash])}<`);
    expect(consent.text).toContain('CN=Test Signer');
    expect(consent.headers['content-security-policy']).toContain("form-action 'self' https://app.example");
    nextStep();
    const approved = await page.form('/rssp/approve', { PIN: t.demo.pin, TOTP: await totpNow() });
    expect(approved.status, approved.text).toBe(303);
    const location = String(approved.headers.location);
    expect(location.startsWith(`${REDIRECT}?code=`)).toBe(true);
    expect(new URL(location).searchParams.get('state')).toBe('state-42');
    const token = await redeem(location, verifier);
    expect(token.status, token.text).toBe(200);
    expect(token.json.scope).toBe('credential');
    await verifySignature(cred3, hash, token.json.access_token);
    const events = await logEvents(t.app);
    expect(events.some((e) => e.type === 'rssp.consent' && e.outcome === 'success' && e.level === 3)).toBe(true);
    // The flow is over: approving again, or going back to it, is refused.
    const again = await page.form('/rssp/approve', { PIN: t.demo.pin, TOTP: await totpNow() });
    expect(again.status).toBe(400);
    expect(again.text).toContain('expired or was already used');
  });

  it('AUTH-4: a level-4 credential cannot be authorised with PIN + TOTP, neither through credentials/authorize nor on the page; level 3 can', async () => {
    nextStep();
    const explicit4 = await t.post(
      'credentials/authorize',
      authorizeBody(cred4, t.demo.pin, [randomBytes(32)], {
        authData: [
          { id: 'PIN', value: t.demo.pin },
          { id: 'TOTP', value: await totpNow() },
        ],
      }),
      t.token,
    );
    expect(explicit4.status, explicit4.text).toBe(400);
    expect(explicit4.json).toEqual({
      error: 'invalid_request',
      error_description: "The credential's policy does not allow authMode explicit",
    });
    const info = await t.post('credentials/info', { credentialID: cred4 }, t.token);
    expect(info.json.auth).toEqual({ mode: 'oauth2code' });
    expect(info.json.SCAL).toBe('2');
    const explicit3 = await t.post(
      'credentials/authorize',
      authorizeBody(cred3, t.demo.pin, [randomBytes(32)], {
        authData: [
          { id: 'PIN', value: t.demo.pin },
          { id: 'TOTP', value: await totpNow() },
        ],
      }),
      t.token,
    );
    expect(explicit3.status, explicit3.text).toBe(200);
    // On the page: a level-4 consent asks for the security key; posting factors instead is refused.
    nextStep();
    const page = new PageClient(t.app, origin);
    const consent = await passwordLogin(page, authorizeUrl(cred4, [randomBytes(32)], 'w'.repeat(43)));
    expect(consent.text).toContain('Approve with security key');
    const forced = await page.form('/rssp/approve', { PIN: t.demo.pin, TOTP: await totpNow() });
    expect(forced.status).toBe(403);
    expect(forced.text).toContain('requires assurance level 4');
    const events = await logEvents(t.app);
    expect(events.some((e) => e.type === 'sad.refused' && e.reason === 'auth_mode_not_allowed')).toBe(true);
    expect(events.some((e) => e.type === 'rssp.attempt' && e.reason === 'insufficient_level')).toBe(true);
  });

  it('AUTH-4: level 4 — security-key login, consent, security-key approval over a challenge bound to the hashes; the SAD signs', async () => {
    const hash = randomBytes(32);
    const verifier = randomBytes(32).toString('base64url');
    const page = new PageClient(t.app, origin);
    await page.open(authorizeUrl(cred4, [hash], verifier));
    const lo = await page.json('/rssp/webauthn/options', { purpose: 'login' });
    expect(lo.status, lo.text).toBe(200);
    expect(lo.json.userVerification).toBe('required');
    expect(lo.json.allowCredentials ?? []).toEqual([]);
    const li = await page.json('/rssp/webauthn/login', { response: key.assert(lo.json.challenge) });
    expect(li.status, li.text).toBe(200);
    const consent = await page.open(li.json.redirect);
    expect(consent.text).toContain(verificationCode([hash]));
    const ao = await page.json('/rssp/webauthn/options', { purpose: 'approve' });
    expect(ao.json.allowCredentials.map((c: { id: string }) => c.id)).toEqual([key.credentialId.toString('base64url')]);
    const ap = await page.json('/rssp/webauthn/approve', { response: key.assert(ao.json.challenge) });
    expect(ap.status, ap.text).toBe(200);
    const token = await redeem(ap.json.redirect, verifier);
    expect(token.status, token.text).toBe(200);
    await verifySignature(cred4, hash, token.json.access_token);
    // A SCAL2 SAD: another hash is refused.
    const other = await t.post(
      'signatures/signHash',
      { credentialID: cred4, hashes: [b64(randomBytes(32))], signAlgo: OIDS.ecdsaSha256 },
      token.json.access_token,
    );
    expect(other.status).toBe(400);
  });

  it('AUTH-2 phishing: an assertion made on another origin, for another RP ID, without user verification or with a counter that went back is refused and logged', async () => {
    const tries: [string, (k: SoftAuthenticator) => void, string][] = [
      ['origin', (k) => (k.origin = 'https://shomei.example.evil'), 'origin_mismatch'],
      ['rpId', (k) => (k.rpId = 'evil.example'), 'rp_id_mismatch'],
      ['uv', (k) => (k.userVerified = false), 'user_not_verified'],
      ['counter', (k) => (k.counter = 0), 'counter_not_increased'],
    ];
    for (const [, spoil, reason] of tries) {
      const page = new PageClient(t.app, origin);
      await page.open(authorizeUrl(cred4, [randomBytes(32)], 'x'.repeat(43)));
      const o = await page.json('/rssp/webauthn/options', { purpose: 'login' });
      const k = Object.assign(Object.create(Object.getPrototypeOf(key)), key) as SoftAuthenticator;
      spoil(k);
      if (reason === 'counter_not_increased') k.counter = -1; // assert() adds one: a counter of 0 after 2+
      const r = await page.json('/rssp/webauthn/login', { response: k.assert(o.json.challenge) });
      expect(r.status, `${reason}: ${r.text}`).toBe(400);
      expect(r.json.error_description).toBe('The security key could not be verified');
      const events = await logEvents(t.app);
      expect(events.some((e) => e.type === 'auth.webauthn' && e.reason === reason)).toBe(true);
    }
    // The real key still works (nothing was moved by the refusals).
    const page = new PageClient(t.app, origin);
    await page.open(authorizeUrl(cred4, [randomBytes(32)], 'y'.repeat(43)));
    const o = await page.json('/rssp/webauthn/options', { purpose: 'login' });
    expect((await page.json('/rssp/webauthn/login', { response: key.assert(o.json.challenge) })).status).toBe(200);
  });

  it('AUTH-2 replay: an assertion is checked against its challenge once; sending it again is refused', async () => {
    const page = new PageClient(t.app, origin);
    await page.open(authorizeUrl(cred4, [randomBytes(32)], 'z'.repeat(43)));
    const o = await page.json('/rssp/webauthn/options', { purpose: 'login' });
    const assertion = key.assert(o.json.challenge);
    const page2 = new PageClient(t.app, origin);
    await page2.open(authorizeUrl(cred4, [randomBytes(32)], 'z'.repeat(43)));
    await page2.json('/rssp/webauthn/options', { purpose: 'login' });
    // The same assertion in another flow: its challenge is not that flow's.
    const stolen = await page2.json('/rssp/webauthn/login', { response: assertion });
    expect(stolen.status).toBe(400);
    expect((await page.json('/rssp/webauthn/login', { response: assertion })).status).toBe(200);
    // Two approvals racing with one assertion: one takes the challenge, the other is refused.
    const ao = await page.json('/rssp/webauthn/options', { purpose: 'approve' });
    const approval = key.assert(ao.json.challenge);
    const both = await Promise.all([
      page.json('/rssp/webauthn/approve', { response: approval }),
      page.json('/rssp/webauthn/approve', { response: approval }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('AUTH-2 CSRF: a post without the token, with a wrong one, or from another origin is refused (403) and logged; the flow is untouched', async () => {
    const page = new PageClient(t.app, origin);
    await page.open(authorizeUrl(cred3, [randomBytes(32)], 'a'.repeat(43)));
    const creds = { username: 'demo', password: t.demo.password };
    const none = await page.form('/rssp/login', creds, { csrf: null });
    expect(none.status).toBe(403);
    expect(none.text).toContain('did not come from this page');
    expect((await page.form('/rssp/login', creds, { csrf: 'A'.repeat(43) })).status).toBe(403);
    expect((await page.form('/rssp/login', creds, { origin: 'https://evil.example' })).status).toBe(403);
    const json = await page.json('/rssp/webauthn/options', { purpose: 'login' }, { csrf: 'forged' });
    expect(json.status).toBe(403);
    expect(json.json.error).toBe('invalid_request');
    const reasons = (await logEvents(t.app)).filter((e) => e.type === 'rssp.csrf').map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['missing_token', 'wrong_token', 'cross_origin']));
    // The real form still works.
    const ok = await page.form('/rssp/login', creds);
    expect(ok.status).toBe(303);
  });

  it('AUTH-2: no enumeration — an unknown user and a wrong password get the same page; five failures end the flow back at the client with access_denied', async () => {
    const page = new PageClient(t.app, origin);
    await page.open(authorizeUrl(cred3, [randomBytes(32)], 'b'.repeat(43)));
    const unknown = await page.form('/rssp/login', { username: 'nobody-here', password: 'whatever-long' });
    const wrong = await page.form('/rssp/login', { username: 'demo', password: 'whatever-long' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const msg = (r: Reply) => /role="alert" id="form-error">([^<]*)</.exec(r.text)?.[1];
    expect(msg(unknown)).toBe(msg(wrong));
    let last = wrong;
    for (let i = 0; i < 3; i++) last = await page.form('/rssp/login', { username: 'demo', password: 'whatever-long' });
    expect(last.status).toBe(303);
    const back = new URL(String(last.headers.location));
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('state-42');
    const events = await logEvents(t.app);
    expect(
      events.filter((e) => e.type === 'rssp.attempt' && e.reason === 'authentication_error').length,
    ).toBeGreaterThanOrEqual(5);
    // Reset the account's own counter for the next tests.
    await t.app.store.db
      .updateTable('users')
      .set({ login_failures: 0, login_locked_until: null })
      .where('id', '=', demoId)
      .execute();
  });

  it('AUTH-2: the signer can refuse; the client gets access_denied with its state and no code', async () => {
    const page = new PageClient(t.app, origin);
    await passwordLogin(page, authorizeUrl(cred3, [randomBytes(32)], 'c'.repeat(43)));
    const r = await page.form('/rssp/deny', {});
    expect(r.status).toBe(303);
    const back = new URL(String(r.headers.location));
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it("AUTH-2: another user's credential on the page looks unknown, and the code cannot be made", async () => {
    const other = await addUser(t.app, 'rssp-other');
    const page = new PageClient(t.app, origin);
    const consent = await passwordLogin(page, authorizeUrl(other.credentialId, [randomBytes(32)], 'd'.repeat(43)));
    expect(consent.status).toBe(400);
    expect(consent.text).not.toContain('rssp-other');
  });

  it('AUTH-2: an unknown client or an unregistered redirect_uri gets an error page, never a redirect; a bad PKCE method goes back with the error', async () => {
    const page = new PageClient(t.app, origin);
    const q = (extra: Record<string, string>) => authorizeUrl(cred3, [randomBytes(32)], 'e'.repeat(43), extra);
    const unknown = await page.get(q({ client_id: 'nope' }));
    expect(unknown.status).toBe(400);
    expect(unknown.headers.location).toBeUndefined();
    expect(unknown.text).toContain('Unknown or disabled client_id');
    const redirect = await page.get(q({ redirect_uri: 'https://evil.example/cb' }));
    expect(redirect.status).toBe(400);
    expect(redirect.headers.location).toBeUndefined();
    const plain = await page.get(q({ code_challenge_method: 'plain' }));
    expect(plain.status).toBe(302);
    expect(new URL(String(plain.headers.location)).searchParams.get('error')).toBe('invalid_request');
    const html = await page.get(q({ client_id: '<script>alert(1)</script>' }));
    expect(html.text).not.toContain('<script>alert');
  });

  it('USER-4, AUTH-4: a security key is registered only with an unspent enrolment code, once', async () => {
    const { code } = await t.app.users.issueEnrolmentCode(demoId, ACTOR);
    const k = new SoftAuthenticator({ origin, rpId });
    const page = new PageClient(t.app, origin);
    await page.get('/rssp/register');
    const bad = await page.json('/rssp/register/options', { code: 'AAAA-BBBB-CCCC' });
    expect(bad.status).toBe(400);
    const o = await page.json('/rssp/register/options', { code });
    expect((await page.json('/rssp/register/finish', { code, response: k.register(o.json) })).status).toBe(200);
    const page2 = new PageClient(t.app, origin);
    await page2.get('/rssp/register');
    expect((await page2.json('/rssp/register/options', { code })).status).toBe(400);
    const rows = await t.app.store.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('user_id', '=', demoId)
      .execute();
    expect(rows.length).toBe(2);
    expect(JSON.stringify(rows)).not.toContain(code);
  });

  it("AUTH-5: the credential's PIN-caching window caps the SAD's life below the service's", async () => {
    await t.app.users.setCredentialPolicy(cred3, { sadTtlSeconds: 20 }, ACTOR);
    nextStep();
    const hash = randomBytes(32);
    const r = await t.post(
      'credentials/authorize',
      authorizeBody(cred3, t.demo.pin, [hash], {
        authData: [
          { id: 'PIN', value: t.demo.pin },
          { id: 'TOTP', value: await totpNow() },
        ],
      }),
      t.token,
    );
    expect(r.status, r.text).toBe(200);
    expect(r.json.expiresIn).toBe(20);
    clock.advance(21_000);
    const late = await t.post(
      'signatures/signHash',
      { credentialID: cred3, SAD: r.json.SAD, hashes: [b64(hash)], signAlgo: OIDS.ecdsaSha256 },
      t.token,
    );
    expect(late.json.error_description).toBe('SAD expired');
    await expect(t.app.users.setCredentialPolicy(cred3, { sadTtlSeconds: 5 }, ACTOR)).rejects.toThrow();
    await t.app.users.setCredentialPolicy(cred3, { sadTtlSeconds: null }, ACTOR);
  });

  it("API-2, AUTH-4: the admin command line's sign-in — loopback redirect only, a security key, a role, and the code once with its PKCE verifier", async () => {
    const verifier = randomBytes(32).toString('base64url');
    const redirect = 'http://127.0.0.1:5555/callback';
    const q = (uri: string) =>
      `/rssp/admin?${new URLSearchParams({ redirect_uri: uri, code_challenge: s256(verifier), code_challenge_method: 'S256', state: 's1' })}`;
    const page = new PageClient(t.app, origin);
    for (const bad of ['https://evil.example/callback', 'http://evil.example:5555/cb', 'http://127.0.0.1/cb?x=1'])
      expect((await page.get(q(bad))).status, bad).toBe(400);
    const consent = await passwordLogin(page, q(redirect));
    expect(consent.text).toContain('Sign in to administration');
    // A password is not enough, and factors typed on the page are not either.
    const typed = await page.form('/rssp/approve', { PIN: t.demo.pin });
    expect(typed.status).toBe(403);
    // Without a role there is nothing to sign in to.
    const o1 = await page.json('/rssp/webauthn/options', { purpose: 'approve' });
    const noRole = await page.json('/rssp/webauthn/approve', { response: key.assert(o1.json.challenge) });
    expect(noRole.status).toBe(403);
    await t.app.users.grantRole(demoId, 'auditor', ACTOR);
    const o2 = await page.json('/rssp/webauthn/options', { purpose: 'approve' });
    const ok = await page.json('/rssp/webauthn/approve', { response: key.assert(o2.json.challenge) });
    expect(ok.status, ok.text).toBe(200);
    const back = new URL(ok.json.redirect);
    expect(back.origin + back.pathname).toBe(redirect);
    expect(back.searchParams.get('state')).toBe('s1');
    const redeem = (code: string, v: string, uri = redirect) =>
      t.post('/admin/v1/login/token', { code, code_verifier: v, redirect_uri: uri });
    const code = back.searchParams.get('code') as string;
    // The code is not for the CSC token endpoint (no registered client owns it).
    const token = await redeem(code, verifier);
    expect(token.status, token.text).toBe(200);
    expect(token.json).toMatchObject({ level: 4, username: 'demo', token_type: 'Bearer' });
    const checkpoint = await t.app.http.inject({
      method: 'GET',
      url: '/admin/v1/audit/checkpoint',
      headers: { authorization: `Bearer ${token.json.access_token}` },
    });
    expect(checkpoint.statusCode, checkpoint.body).toBe(200);
    const replay = await redeem(code, verifier);
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
    const events = await logEvents(t.app);
    expect(events.some((e) => e.type === 'admin.login' && e.method === 'security-key' && e.level === 4)).toBe(true);
    expect(events.some((e) => e.type === 'oauth.code.redeem' && e.reason === 'replay')).toBe(true);
    await t.app.users.revokeRole(demoId, 'auditor', ACTOR);
  });

  it('AUTH-4, USER-4: a signer sets up an authenticator app on the page: QR code, confirmed by a code from the app, enrolment code spent once', async () => {
    const u = await addUser(t.app, 'totp-self');
    const { code } = await t.app.users.issueEnrolmentCode(u.userId, ACTOR);
    const page = new PageClient(t.app, origin);
    await page.get('/rssp/register');
    const wrongCode = await page.form('/rssp/totp/start', { code: 'ZZZZ-ZZZZ-ZZZZ' });
    expect(wrongCode.status).toBe(400);
    const shown = await page.form('/rssp/totp/start', { code });
    expect(shown.status, shown.text).toBe(200);
    expect(shown.text).toContain('<svg role="img" aria-label="QR code of the authenticator key"');
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(shown.text)?.[1] as string;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // Nothing is the signer's until the app proves it holds the secret.
    const before = await t.app.store.db
      .selectFrom('users')
      .select('totp_secret')
      .where('id', '=', u.userId)
      .executeTakeFirstOrThrow();
    expect(before.totp_secret).toBeNull();
    expect((await page.form('/rssp/totp/confirm', { totp: '000000' })).status).toBe(400);
    const appCode = await generate({
      secret,
      algorithm: 'sha1',
      digits: 6,
      period: 30,
      epoch: Math.floor(clock.now() / 1000),
    });
    const done = await page.form('/rssp/totp/confirm', { totp: appCode });
    expect(done.status, done.text).toBe(200);
    const after = await t.app.store.db
      .selectFrom('users')
      .select(['totp_secret', 'totp_last_step'])
      .where('id', '=', u.userId)
      .executeTakeFirstOrThrow();
    expect(after.totp_secret).not.toContain(secret);
    expect(after.totp_last_step).not.toBeNull();
    // The confirming code cannot be used again, and the enrolment code is spent.
    await expect(t.app.factors.totp.verifyTotp(u.userId, appCode)).rejects.toThrow();
    const again = new PageClient(t.app, origin);
    await again.get('/rssp/register');
    expect((await again.form('/rssp/totp/start', { code })).status).toBe(400);
    const events = await logEvents(t.app);
    expect(
      events.some((e) => e.type === 'auth.totp.enrol' && e.method === 'self-confirmed' && e.userId === u.userId),
    ).toBe(true);
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('bad input on the pages is 4xx with a stable code, never 500', async () => {
    const page = new PageClient(t.app, origin);
    await page.open(authorizeUrl(cred3, [randomBytes(32)], 'f'.repeat(43)));
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'x']));
    expect((await page.form('/rssp/login', many)).status).toBe(400);
    expect((await page.form('/rssp/login', { username: 'x'.repeat(5000), password: 'y' })).status).toBe(400);
    expect((await page.json('/rssp/webauthn/login', { response: 'nope' })).status).toBe(400);
    expect((await page.json('/rssp/webauthn/login', { response: { id: 5 } })).status).toBeLessThan(500);
    expect((await page.json('/rssp/webauthn/options', { purpose: 'other' })).status).toBe(400);
    const noCookie = new PageClient(t.app, origin);
    expect((await noCookie.get('/rssp/flow')).status).toBe(400);
    expect((await noCookie.form('/rssp/login', { username: 'demo', password: 'x' })).status).toBe(400);
    expect((await page.get('/rssp/assets/../../etc/passwd')).status).toBe(404);
  });
});
