/**
 * AUTH-2, AUTH-3 through the OAuth2 authorisation server (csc-api-v2.md §3.4-§3.7): the code flow
 * with PKCE S256 over HTTP (codes issued by `issueCode`, as the consent page will), replayed and
 * substituted codes, client authentication (client_secret_basic, private_key_jwt), client
 * credentials, refresh rotation with reuse detection, revocation, malformed bodies, and a
 * credential-scoped token that signs exactly its authorised hash (checked with openssl). Runs on
 * SQLite and PostgreSQL.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OAuthClient, s256 } from '../src/oauth/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { pkeyutlVerify } from './keys-openssl.js';
import { addUser, b64, CSC, logEvents, OIDS, type Reply, startAppOn, type TestApp } from './support/app.js';
import { backends } from './support/stores.js';

const REDIRECT = 'https://app.example/callback';
const TOKEN = `${CSC}/oauth2/token`;
const REVOKE = `${CSC}/oauth2/revoke`;

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

describe.each(await backends())('OAuth2 token endpoint on $name', (backend) => {
  const clock = manualClock(Date.now());
  let t: TestApp;
  let userId: string;
  let app1: { client: OAuthClient; secret: string };
  let app2: { client: OAuthClient; secret: string };
  let jwtClient: OAuthClient;
  let jwtKey: Key;
  let otherKey: Key;
  let seal: { client: OAuthClient; secret: string };

  const basic = (id: string, secret: string) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

  async function form(
    path: string,
    params: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const res = await t.app.http.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(params).toString(),
    });
    return { status: res.statusCode, headers: res.headers, text: res.body, json: parse(res.body) };
  }

  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: s256(verifier) };
  };

  async function code(
    opts: { clientId?: string; scope?: 'service' | 'credential'; hashes?: Buffer[]; credentialId?: string } = {},
  ) {
    const p = pkce();
    const scope = opts.scope ?? 'service';
    const issued = await t.app.oauth.issueCode({
      clientId: opts.clientId ?? app1.client.id,
      userId,
      redirectUri: REDIRECT,
      scope,
      codeChallenge: p.challenge,
      ...(scope === 'credential'
        ? {
            credential: {
              credentialId: opts.credentialId ?? t.demo.credentials.p256,
              numSignatures: opts.hashes?.length ?? 1,
              hashAlgorithmOID: OIDS.sha256,
              hashes: opts.hashes ?? [],
            },
          }
        : {}),
      authTime: clock.now(),
      level: 3,
    });
    return { code: issued.code, verifier: p.verifier };
  }

  const redeem = (c: { code: string; verifier: string }, extra: Record<string, string> = {}, who = app1) =>
    form(
      TOKEN,
      { grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT, ...extra },
      { authorization: basic(who.client.id, who.secret) },
    );

  const expectError = (r: Reply, status: number, error: string) => {
    expect(r.status, r.text).toBe(status);
    expect(r.json.error, r.text).toBe(error);
  };

  async function assertion(aud = `${t.app.baseUrl}${TOKEN}`, key: Key = jwtKey, ttl = 60) {
    const now = Math.floor(clock.now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(jwtClient.id)
      .setSubject(jwtClient.id)
      .setAudience(aud)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .sign(key);
  }

  beforeAll(async () => {
    t = await startAppOn(backend, { platform: { clock, random: systemRandom } });
    userId = (await t.app.users.findByUsername('demo'))!.id;
    const reg = async (name: string, extra = {}) => {
      const r = await t.app.oauth.clients.register(
        { name, redirectUris: [REDIRECT], authMethod: 'client_secret_basic', ...extra },
        'admin:test',
      );
      return { client: r.client, secret: r.clientSecret as string };
    };
    app1 = await reg('Signature app one');
    app2 = await reg('Signature app two');
    seal = await reg('Seal server', { grantTypes: ['client_credentials'], redirectUris: [], serviceUserId: userId });
    const kp = await generateKeyPair('ES256', { extractable: true });
    jwtKey = kp.privateKey;
    otherKey = (await generateKeyPair('ES256')).privateKey;
    const jwk: JWK = { ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwtClient = (
      await t.app.oauth.clients.register(
        {
          name: 'JWT app',
          redirectUris: [REDIRECT],
          authMethod: 'private_key_jwt',
          jwks: { keys: [jwk] },
          grantTypes: ['client_credentials', 'authorization_code'],
          serviceUserId: userId,
        },
        'admin:test',
      )
    ).client;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('AUTH-2: the code flow with PKCE S256 yields a service token and a refresh token', async () => {
    const r = await redeem(await code());
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ token_type: 'Bearer', scope: 'service' });
    expect(r.headers['cache-control']).toBe('no-store');
    const list = await t.post('credentials/list', {}, r.json.access_token);
    expect(list.status, list.text).toBe(200);
    expect(list.json.credentialIDs).toContain(t.demo.credentials.p256);
    expect(r.json.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('AUTH-2: the token endpoint takes JSON bodies too', async () => {
    const c = await code();
    const r = await t.post(
      TOKEN,
      { grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: REDIRECT },
      undefined,
      { headers: { authorization: basic(app1.client.id, app1.secret) } },
    );
    expect(r.status, r.text).toBe(200);
  });

  it('AUTH-2: a wrong PKCE verifier is refused and burns the code', async () => {
    const c = await code();
    const wrong = await redeem({ code: c.code, verifier: pkce().verifier });
    expectError(wrong, 400, 'invalid_grant');
    expect(wrong.json.error_description).toBe('code_verifier does not match the code_challenge');
    expectError(await redeem(c), 400, 'invalid_grant');
  });

  it('AUTH-2: a missing PKCE verifier is refused', async () => {
    const c = await code();
    expectError(
      await form(
        TOKEN,
        { grant_type: 'authorization_code', code: c.code, redirect_uri: REDIRECT },
        { authorization: basic(app1.client.id, app1.secret) },
      ),
      400,
      'invalid_grant',
    );
  });

  it('AUTH-2: a replayed code is refused and the tokens issued from it are revoked (RFC 6749 §4.1.2)', async () => {
    const c = await code();
    const first = await redeem(c);
    expect(first.status).toBe(200);
    expectError(await redeem(c), 400, 'invalid_grant');
    expect((await t.post('credentials/list', {}, first.json.access_token)).status).toBe(401);
    const refreshed = await form(
      TOKEN,
      { grant_type: 'refresh_token', refresh_token: first.json.refresh_token },
      { authorization: basic(app1.client.id, app1.secret) },
    );
    expectError(refreshed, 400, 'invalid_grant');
    const events = await logEvents(t.app);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'oauth.token', outcome: 'failure', reason: 'replay', clientId: app1.client.id }),
    );
  });

  it('AUTH-2: of ten concurrent redemptions of one code at most one succeeds, and the replays revoke its tokens', async () => {
    const c = await code();
    const replies = await Promise.all(Array.from({ length: 10 }, () => redeem(c)));
    const ok = replies.filter((r) => r.status === 200);
    expect(ok.length).toBeLessThanOrEqual(1);
    expect(replies.filter((r) => r.status === 400 && r.json.error === 'invalid_grant').length).toBe(10 - ok.length);
    for (const r of ok) expect((await t.post('credentials/list', {}, r.json.access_token)).status).toBe(401);
  });

  it("AUTH-2: another client's code is refused, and stays usable by its client", async () => {
    const c = await code();
    expectError(await redeem(c, {}, app2), 400, 'invalid_grant');
    expect((await redeem(c)).status).toBe(200);
  });

  it('AUTH-2: a wrong redirect_uri is refused', async () => {
    const r = await redeem(await code(), { redirect_uri: 'https://app.example/callback/' });
    expectError(r, 400, 'invalid_grant');
    expect(r.json.error_description).toBe('redirect_uri parameter does not match');
  });

  it('AUTH-2: a code of a signer suspended since approving yields no tokens', async () => {
    const carol = await addUser(t.app, `carol${randomUUID().slice(0, 6)}`);
    const p = pkce();
    const issued = await t.app.oauth.issueCode({
      clientId: app1.client.id,
      userId: carol.userId,
      redirectUri: REDIRECT,
      scope: 'service',
      codeChallenge: p.challenge,
      authTime: clock.now(),
      level: 3,
    });
    await t.app.users.suspend(carol.userId, 'test', 'admin:test');
    expectError(await redeem({ code: issued.code, verifier: p.verifier }), 400, 'invalid_grant');
  });

  it('AUTH-2: a code older than 60 s is refused', async () => {
    const c = await code();
    clock.advance(61_000);
    expectError(await redeem(c), 400, 'invalid_grant');
  });

  it('AUTH-2: client_secret_basic: a wrong secret, an unknown client and no authentication are invalid_client (401)', async () => {
    const c = await code();
    const wrong = await redeem(c, {}, { client: app1.client, secret: app2.secret });
    expectError(wrong, 401, 'invalid_client');
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic /);
    const unknown = await redeem(c, {}, { client: { ...app1.client, id: randomUUID() }, secret: app1.secret });
    expectError(unknown, 401, 'invalid_client');
    const none = await form(TOKEN, { grant_type: 'authorization_code', code: c.code, client_id: app1.client.id });
    expectError(none, 401, 'invalid_client');
    // The code was not spent by the failed attempts.
    expect((await redeem(c)).status).toBe(200);
  });

  it('AUTH-2: client_secret in the body (client_secret_post) works and cannot be combined with Basic', async () => {
    const c = await code();
    const both = await form(
      TOKEN,
      {
        grant_type: 'authorization_code',
        code: c.code,
        code_verifier: c.verifier,
        redirect_uri: REDIRECT,
        client_secret: app1.secret,
      },
      { authorization: basic(app1.client.id, app1.secret) },
    );
    expectError(both, 401, 'invalid_client');
    const post = await form(TOKEN, {
      grant_type: 'authorization_code',
      code: c.code,
      code_verifier: c.verifier,
      redirect_uri: REDIRECT,
      client_id: app1.client.id,
      client_secret: app1.secret,
    });
    expect(post.status, post.text).toBe(200);
  });

  it('AUTH-2: private_key_jwt works once per jti; a replayed jti, a wrong aud, a long exp and a foreign key are refused', async () => {
    const type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
    const send = (a: string) =>
      form(TOKEN, { grant_type: 'client_credentials', client_assertion_type: type, client_assertion: a });
    const a = await assertion();
    const ok = await send(a);
    expect(ok.status, ok.text).toBe(200);
    expect((await t.post('credentials/list', {}, ok.json.access_token)).status).toBe(200);
    expectError(await send(a), 401, 'invalid_client');
    expectError(await send(await assertion(`${t.app.baseUrl}/elsewhere`)), 401, 'invalid_client');
    expectError(await send(await assertion(undefined, jwtKey, 3600)), 401, 'invalid_client');
    expectError(await send(await assertion(undefined, otherKey)), 401, 'invalid_client');
    expectError(
      await form(TOKEN, {
        grant_type: 'client_credentials',
        client_assertion_type: 'x',
        client_assertion: await assertion(),
      }),
      401,
      'invalid_client',
    );
    // At oauth2/pushed_authorize its own URL is an audience too (RFC 9126 §2); not at the token endpoint.
    const parUrl = `${t.app.baseUrl}${CSC}/oauth2/pushed_authorize`;
    const par = (a: string) =>
      form(`${CSC}/oauth2/pushed_authorize`, {
        response_type: 'code',
        redirect_uri: REDIRECT,
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        client_assertion_type: type,
        client_assertion: a,
      });
    expect((await par(await assertion(parUrl))).status).toBe(201);
    expect((await par(await assertion())).status).toBe(201);
    expectError(await send(await assertion(parUrl)), 401, 'invalid_client');
    const events = (await logEvents(t.app)).filter((e) => e.type === 'oauth.client.auth');
    expect(events).toContainEqual(expect.objectContaining({ reason: 'jti_replay', clientId: jwtClient.id }));
  });

  it('AUTH-2: client_credentials gives an e-seal client a service token; other scopes and clients are refused', async () => {
    const auth = { authorization: basic(seal.client.id, seal.secret) };
    const r = await form(TOKEN, { grant_type: 'client_credentials' }, auth);
    expect(r.status, r.text).toBe(200);
    expect(r.json.refresh_token).toBeUndefined();
    expect((await t.post('credentials/list', {}, r.json.access_token)).status).toBe(200);
    expectError(
      await form(TOKEN, { grant_type: 'client_credentials', scope: 'credential' }, auth),
      400,
      'invalid_scope',
    );
    expectError(
      await form(TOKEN, { grant_type: 'client_credentials' }, { authorization: basic(app1.client.id, app1.secret) }),
      400,
      'unauthorized_client',
    );
    expectError(await redeem(await code(), {}, seal), 400, 'unauthorized_client');
  });

  it('AUTH-2: refresh tokens rotate; a reused one revokes the whole session (RFC 9700 §4.14.2)', async () => {
    const first = await redeem(await code());
    const auth = { authorization: basic(app1.client.id, app1.secret) };
    const second = await form(TOKEN, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token }, auth);
    expect(second.status, second.text).toBe(200);
    expect(second.json.refresh_token).not.toBe(first.json.refresh_token);
    expectError(
      await form(
        TOKEN,
        { grant_type: 'refresh_token', refresh_token: second.json.refresh_token },
        {
          authorization: basic(app2.client.id, app2.secret),
        },
      ),
      400,
      'invalid_grant',
    );
    const reuse = await form(TOKEN, { grant_type: 'refresh_token', refresh_token: first.json.refresh_token }, auth);
    expectError(reuse, 400, 'invalid_grant');
    expect((await t.post('credentials/list', {}, second.json.access_token)).status).toBe(401);
    expectError(
      await form(TOKEN, { grant_type: 'refresh_token', refresh_token: second.json.refresh_token }, auth),
      400,
      'invalid_grant',
    );
  });

  it("AUTH-2: oauth2/revoke revokes the client's own tokens; unknown and foreign tokens answer 200 and stay as they are", async () => {
    const auth = (w: typeof app1) => ({ authorization: basic(w.client.id, w.secret) });
    const g = await redeem(await code());
    expect((await form(REVOKE, { token: 'x'.repeat(43) }, auth(app1))).status).toBe(200);
    expect((await form(REVOKE, { token: g.json.access_token }, auth(app2))).status).toBe(200);
    expect((await t.post('credentials/list', {}, g.json.access_token)).status).toBe(200);
    expect((await form(REVOKE, { token: g.json.access_token }, auth(app1))).status).toBe(200);
    expect((await t.post('credentials/list', {}, g.json.access_token)).status).toBe(401);
    const h = await redeem(await code());
    expect(
      (await form(REVOKE, { token: h.json.refresh_token, token_type_hint: 'refresh_token' }, auth(app1))).status,
    ).toBe(200);
    expect((await t.post('credentials/list', {}, h.json.access_token)).status).toBe(401);
    expectError(await form(REVOKE, { token: h.json.access_token }), 401, 'invalid_client');
    expectError(await form(REVOKE, {}, auth(app1)), 400, 'invalid_request');
  });

  it('AUTH-3: a credential-scoped token signs exactly its authorised hash, once, and nothing else', async () => {
    const hash = randomBytes(32);
    const r = await redeem(await code({ scope: 'credential', hashes: [hash] }));
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ scope: 'credential', credentialID: t.demo.credentials.p256 });
    expect(r.json.refresh_token).toBeUndefined();
    expect(r.json.expires_in).toBeLessThanOrEqual(300);
    const token = r.json.access_token as string;
    const sign = (hashes: Buffer[], extra: object = {}, credentialID = t.demo.credentials.p256) =>
      t.post(
        'signatures/signHash',
        { credentialID, hashes: hashes.map(b64), signAlgo: OIDS.ecdsaSha256, ...extra },
        token,
      );

    // Not a service token: listing, authorising and another credential are refused.
    expectError(await t.post('credentials/list', {}, token), 403, 'insufficient_scope');
    const challenge = { credentialID: t.demo.credentials.p256, authObjectID: 'OTP' };
    expectError(await t.post('credentials/getChallenge', challenge, token), 403, 'insufficient_scope');
    expectError(await t.post('auth/revoke', { token }, token), 403, 'insufficient_scope');
    expectError(await sign([hash], {}, t.demo.credentials.rsa2048), 400, 'invalid_request');
    expectError(await sign([hash], { SAD: 'A'.repeat(43) }), 400, 'invalid_request');
    const other = await sign([randomBytes(32)]);
    expectError(other, 400, 'invalid_request');
    expect(other.json.error_description).toBe('Hash is not authorized by the SAD');

    const ok = await sign([hash]);
    expect(ok.status, ok.text).toBe(200);
    const info = await t.post('credentials/info', { credentialID: t.demo.credentials.p256 }, t.token);
    const cert = Buffer.from(info.json.cert.certificates[0], 'base64');
    const { X509Certificate } = await import('node:crypto');
    const spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
    const sig = Buffer.from(ok.json.signatures[0], 'base64');
    expect(pkeyutlVerify(spki, hash, sig, []).ok).toBe(true);
    expect(pkeyutlVerify(spki, randomBytes(32), sig, []).ok).toBe(false);

    const again = await sign([hash]);
    expectError(again, 400, 'invalid_request');
    expect(again.json.error_description).toBe('The SAD has no signatures left');
  });

  it("AUTH-3: a credential code cannot name another user's credential", async () => {
    const other = await t.app.users.register(
      {
        username: `u${randomUUID().slice(0, 8)}`,
        displayName: 'Other',
        proofing: { method: 'in-person', officer: 'o', documentRef: 'd' },
      },
      'admin:test',
    );
    await expect(
      t.app.oauth.issueCode({
        clientId: app1.client.id,
        userId: other.id,
        redirectUri: REDIRECT,
        scope: 'credential',
        codeChallenge: pkce().challenge,
        credential: { credentialId: t.demo.credentials.p256, numSignatures: 1 },
        authTime: clock.now(),
        level: 3,
      }),
    ).rejects.toMatchObject({ code: 'invalid_credential' });
  });

  it('AUTH-2: malformed, repeated, oversized and mistyped bodies are 4xx with stable codes, never 500', async () => {
    const auth = { authorization: basic(app1.client.id, app1.secret) };
    expectError(await form(TOKEN, {}, auth), 400, 'invalid_request');
    expectError(await form(TOKEN, { grant_type: 'password' }, auth), 400, 'unsupported_grant_type');
    const dup = await t.app.http.inject({
      method: 'POST',
      url: TOKEN,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth },
      payload: 'grant_type=client_credentials&grant_type=authorization_code',
    });
    expect(dup.statusCode).toBe(400);
    expect(JSON.parse(dup.body)).toEqual({
      error: 'invalid_request',
      error_description: 'Repeated parameter grant_type',
    });
    const bad = [
      await t.post(TOKEN, {}, undefined, { raw: '{"grant_type":', headers: auth }),
      await t.post(TOKEN, { grant_type: 7 }, undefined, { headers: auth }),
      await t.post(TOKEN, { grant_type: ['a'] }, undefined, { headers: auth }),
      await form(TOKEN, { grant_type: 'authorization_code', code: 'x'.repeat(5000) }, auth),
      await form(TOKEN, { grant_type: 'authorization_code', code: '%%%' }, auth),
      await form(TOKEN, { grant_type: 'refresh_token', refresh_token: '\u0000' }, auth),
      await form(TOKEN, { grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }),
      await form(
        TOKEN,
        { grant_type: 'client_credentials' },
        { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` },
      ),
      await form(TOKEN, {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'a.b.c',
      }),
      await form(TOKEN, {
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'x'.repeat(9000),
      }),
    ];
    for (const r of bad) {
      expect(r.status, r.text).toBeGreaterThanOrEqual(400);
      expect(r.status, r.text).toBeLessThan(500);
      expect(typeof r.json.error).toBe('string');
    }
    const huge = await t.app.http.inject({
      method: 'POST',
      url: TOKEN,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=${'a'.repeat(2 * 1024 * 1024)}`,
    });
    expect(huge.statusCode).toBe(413);
    const plain = await t.app.http.inject({
      method: 'POST',
      url: TOKEN,
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(plain.statusCode).toBe(415);
  });

  it('AUTH-2: every attempt is logged, and no secret, code, verifier or token reaches the log', async () => {
    const c = await code();
    const r = await redeem(c);
    const events = await logEvents(t.app);
    expect(events.filter((e) => e.type === 'oauth.token' && e.outcome === 'success').length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'oauth.token' && e.outcome === 'failure').length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'oauth.code.issue').length).toBeGreaterThan(0);
    const text = JSON.stringify(events);
    for (const secret of [app1.secret, app2.secret, c.code, c.verifier, r.json.access_token, r.json.refresh_token])
      expect(text).not.toContain(secret);
  });

  it('AUTH-2: a disabled client is refused and its tokens stop working', async () => {
    const extra = await t.app.oauth.clients.register(
      { name: 'Short-lived', redirectUris: [REDIRECT], authMethod: 'client_secret_basic' },
      'admin:test',
    );
    const who = { client: extra.client, secret: extra.clientSecret as string };
    const g = await redeem(await code({ clientId: extra.client.id }), {}, who);
    expect(g.status).toBe(200);
    await t.app.oauth.clients.disable(extra.client.id, 'admin:test');
    expect((await t.post('credentials/list', {}, g.json.access_token)).status).toBe(401);
    await expect(code({ clientId: extra.client.id })).rejects.toMatchObject({ code: 'unknown_client' });
  });

  it('AUTH-2: a pushed authorisation request (RFC 9126) carries 50 hashes to oauth2/authorize, once, for its client only', async () => {
    const PAR = `${CSC}/oauth2/pushed_authorize`;
    const auth = { authorization: basic(app1.client.id, app1.secret) };
    const hashes = Array.from({ length: 50 }, () => randomBytes(32));
    const params = {
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'credential',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      state: 's1',
      credentialID: t.demo.credentials.p256,
      numSignatures: '50',
      hashes: hashes.map((h) => h.toString('base64url')).join(','),
      hashAlgorithmOID: OIDS.sha256,
      clientData: 'personal data',
    };
    const pushed = await form(PAR, params, auth);
    expect(pushed.status, pushed.text).toBe(201);
    expect(pushed.json.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    expect(pushed.json.expires_in).toBe(60);
    const stored = await t.app.store.db.selectFrom('oauth_par').select('params').execute();
    expect(JSON.stringify(stored)).not.toContain('personal data');

    const query = { client_id: app1.client.id, request_uri: pushed.json.request_uri };
    expect(await t.app.oauth.authorizeRequest({ ...query, client_id: app2.client.id })).toMatchObject({
      kind: 'page',
      code: 'invalid_request_uri',
    });
    const v = await t.app.oauth.authorizeRequest(query);
    expect(v).toMatchObject({ kind: 'valid', request: { scope: 'credential', state: 's1', redirectUri: REDIRECT } });
    if (v.kind === 'valid') expect(v.request.credential?.hashes).toEqual(hashes);
    expect(await t.app.oauth.authorizeRequest(query)).toMatchObject({ kind: 'page', code: 'invalid_request_uri' });

    const late = await form(PAR, params, auth);
    clock.advance(61_000);
    expect(await t.app.oauth.authorizeRequest({ ...query, request_uri: late.json.request_uri })).toMatchObject({
      kind: 'page',
      code: 'invalid_request_uri',
    });

    expectError(await form(PAR, { ...params, code_challenge_method: 'plain' }, auth), 400, 'invalid_request');
    expectError(await form(PAR, { ...params, request_uri: 'urn:x' }, auth), 400, 'invalid_request');
    expectError(await form(PAR, { ...params, client_id: app2.client.id }, auth), 401, 'invalid_client');
    expectError(await form(PAR, { ...params, redirect_uri: 'https://evil.example/' }, auth), 400, 'invalid_request');
    expectError(await form(PAR, params), 401, 'invalid_client');
  });

  it('info names the authorisation server and only the auth types that work', async () => {
    const r = await t.post('info', {});
    expect(r.json.oauth2).toBe(`${t.app.baseUrl}${CSC}`);
    expect(r.json.authType).toEqual(['basic', 'oauth2client', 'oauth2code']);
  });
});
