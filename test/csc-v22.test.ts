/**
 * API-1, CSC 2.2.0.0 additions behind `csc.version22` (csc-api-v2.md §0, §4.7, §5.2, §8): with the
 * switch off the service is exactly 2.0.0.2; with it on, info says 2.2.0.0, credentials/create and
 * credentials/delete are authorised only by an OAuth `credential_management` token (authorization
 * code + PKCE through the token endpoint, the code issued as the consent page issues it), the new
 * credential signs (openssl pkeyutl verifies), and signDoc accepts the regrouped input (openssl cms
 * verifies the detached CAdES).
 */
import { createHash, randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaAuthority } from '../src/ca/index.js';
import { s256 } from '../src/oauth/index.js';
import { certPem, openssl, pkeyutlVerify } from './keys-openssl.js';
import {
  addUser,
  authorizeBody,
  b64,
  CSC,
  logEvents,
  OIDS,
  type Reply,
  signOnce,
  startApp,
  type TestApp,
} from './support/app.js';
import { PageClient } from './support/browser.js';

const REDIRECT = 'https://app.example/callback';
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest();

async function form(t: TestApp, params: Record<string, string>, auth: string): Promise<Reply> {
  const res = await t.app.http.inject({
    method: 'POST',
    url: `${CSC}/oauth2/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
    payload: new URLSearchParams(params).toString(),
  });
  return { status: res.statusCode, headers: res.headers, text: res.body, json: JSON.parse(res.body) };
}

/** A registered client, and the code → token exchange the client makes after the consent page. */
async function oauthClient(t: TestApp) {
  const r = await t.app.oauth.clients.register(
    { name: 'Onboarding app', redirectUris: [REDIRECT], authMethod: 'client_secret_basic' },
    'admin:test',
  );
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(r.client.id)}:${encodeURIComponent(r.clientSecret as string)}`).toString('base64')}`;
  return async (userId: string, scope: 'service' | 'credential_management'): Promise<Reply> => {
    const verifier = randomBytes(32).toString('base64url');
    const issued = await t.app.oauth.issueCode({
      clientId: r.client.id,
      userId,
      redirectUri: REDIRECT,
      scope,
      codeChallenge: s256(verifier),
      authTime: Date.now(),
      level: 3,
    });
    const p = { grant_type: 'authorization_code', code: issued.code, code_verifier: verifier, redirect_uri: REDIRECT };
    return form(t, p, basic);
  };
}

const authorizeQuery = (clientId: string) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: REDIRECT,
  scope: 'credential_management',
  code_challenge: s256(randomBytes(32).toString('base64url')),
  code_challenge_method: 'S256',
});

describe('API-1 CSC 2.2 switched off (default)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('API-1 2.2 off: info.specs stays 2.0.0.2, no 2.2 methods or fields, the methods are not routed (404)', async () => {
    const info = await t.post('info', {});
    expect(info.json.specs).toBe('2.0.0.2');
    expect(info.json.methods).not.toContain('credentials/create');
    expect(info.json.methods).not.toContain('credentials/delete');
    expect(info.json).not.toHaveProperty('oauth2FAPIsupport');
    expect((await t.post('credentials/create', {}, t.token)).status).toBe(404);
    expect((await t.post('credentials/delete', { credentialID: 'x' }, t.token)).status).toBe(404);
  });

  it('API-1 2.2 off: the credential_management scope is refused at authorize and at code issue', async () => {
    const r = await t.app.oauth.clients.register(
      { name: 'App', redirectUris: [REDIRECT], authMethod: 'client_secret_basic' },
      'admin:test',
    );
    const v = await t.app.oauth.authorizeRequest(authorizeQuery(r.client.id));
    expect(v.kind).toBe('redirect');
    expect(v.kind === 'redirect' && v.code).toBe('invalid_scope');
    const userId = (await t.app.users.findByUsername('demo'))?.id as string;
    await expect(
      t.app.oauth.issueCode({
        clientId: r.client.id,
        userId,
        redirectUri: REDIRECT,
        scope: 'credential_management',
        codeChallenge: s256(randomBytes(32).toString('base64url')),
        authTime: Date.now(),
        level: 3,
      }),
    ).rejects.toMatchObject({ code: 'invalid_scope' });
  });

  it('API-1 2.2 off: the regrouped signDoc input is not read (stripped as unknown → empty request)', async () => {
    const r = await t.post(
      'signatures/signDoc',
      { credentialID: t.demo.credentials.p256, signatureCreationRequest: {} },
      t.token,
    );
    expect(r.status).toBe(400);
    expect(r.json.error_description).toBe('Empty documentDigests and documents objects');
  });
});

describe('API-1 CSC 2.2 switched on (csc.version22)', () => {
  let t: TestApp;
  let token: (userId: string, scope: 'service' | 'credential_management') => Promise<Reply>;
  beforeAll(async () => {
    t = await startApp({ config: { csc: { version22: true } } });
    token = await oauthClient(t);
  });
  afterAll(() => t.close());

  it('API-1 2.2 on: info.specs 2.2.0.0, credentials/create|delete listed, oauth2FAPIsupport (TS 119 432 §7.2)', async () => {
    const info = await t.post('info', {});
    expect(info.json.specs).toBe('2.2.0.0');
    expect(info.json.methods).toEqual(expect.arrayContaining(['credentials/create', 'credentials/delete']));
    expect(info.json.oauth2FAPIsupport).toBe(false);
  });

  it('API-1 2.2 on: oauth2/authorize accepts scope=credential_management', async () => {
    const r = await t.app.oauth.clients.register(
      { name: 'App', redirectUris: [REDIRECT], authMethod: 'client_secret_basic' },
      'admin:test',
    );
    const v = await t.app.oauth.authorizeRequest(authorizeQuery(r.client.id));
    expect(v.kind).toBe('valid');
    expect(v.kind === 'valid' && v.request.scope).toBe('credential_management');
  });

  it('API-1 2.2 credentials/create: OAuth credential_management token, subjectData checked, the new key signs (openssl)', async () => {
    const name = `eve${randomUUID().slice(0, 6)}`;
    const eve = await addUser(t.app, name);
    const tok = await token(eve.userId, 'credential_management');
    expect(tok.status, tok.text).toBe(200);
    expect(tok.json.scope).toBe('credential_management');
    expect(tok.json).not.toHaveProperty('refresh_token');
    const bearer = tok.json.access_token as string;

    const wrong = await t.post(
      'credentials/create',
      { subjectData: { given_name: 'Mallory', family_name: name } },
      bearer,
    );
    expect(wrong.status).toBe(403);
    expect(wrong.json.error).toBe('access_denied');

    const made = await t.post('credentials/create', { subjectData: { given_name: 'User', family_name: name } }, bearer);
    expect(made.status, made.text).toBe(200);
    const credentialID = made.json.credentialID as string;
    // The management token is no service token: it cannot list or sign.
    expect((await t.post('credentials/list', {}, bearer)).status).toBe(403);

    const session = await t.login(name, eve.password);
    const hash = randomBytes(32);
    const a = await t.post('credentials/authorize', authorizeBody(credentialID, eve.pin, [hash]), session);
    expect(a.status, a.text).toBe(200);
    const signed = await t.post(
      'signatures/signHash',
      { credentialID, SAD: a.json.SAD, hashes: [b64(hash)], signAlgo: OIDS.ecdsaSha256 },
      session,
    );
    expect(signed.status, signed.text).toBe(200);
    const info = await t.post('credentials/info', { credentialID }, session);
    const cert = new X509Certificate(Buffer.from(info.json.cert.certificates[0], 'base64'));
    expect(cert.subject).toContain(`CN=User ${name}`);
    const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
    const sig = Buffer.from(signed.json.signatures[0], 'base64');
    expect(pkeyutlVerify(spki, hash, sig, []).ok).toBe(true);
    expect(pkeyutlVerify(spki, randomBytes(32), sig, []).ok).toBe(false);

    const types = (await logEvents(t.app)).filter((e) => e.credentialID === credentialID).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['credential.create', 'csc.credentials.create']));
  });

  it('API-1 2.2 credentials/create via the RSSP pages: oauth2/authorize scope=credential_management → login → consent → token → create', async () => {
    const reg = await t.app.oauth.clients.register(
      { name: 'Onboarding portal', redirectUris: [REDIRECT], authMethod: 'client_secret_basic' },
      'admin:test',
    );
    const verifier = randomBytes(32).toString('base64url');
    const q = new URLSearchParams({ ...authorizeQuery(reg.client.id), code_challenge: s256(verifier), state: 's1' });
    const page = new PageClient(t.app, new URL(t.app.baseUrl).origin);
    const start = await page.open(`${CSC}/oauth2/authorize?${q}`);
    expect(start.text).toContain('Sign in');
    const login = await page.form('/rssp/login', { username: 'demo', password: t.demo.password });
    expect(login.status, login.text).toBe(303);
    const consent = await page.open(String(login.headers.location));
    expect(consent.status, consent.text).toBe(200);
    expect(consent.text).toContain('Allow credential management');
    const approved = await page.form('/rssp/approve', {});
    expect(approved.status, approved.text).toBe(303);
    const code = new URL(String(approved.headers.location)).searchParams.get('code') ?? '';
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(reg.client.id)}:${encodeURIComponent(reg.clientSecret as string)}`).toString('base64')}`;
    const tok = await form(
      t,
      { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT },
      basic,
    );
    expect(tok.status, tok.text).toBe(200);
    expect(tok.json.scope).toBe('credential_management');
    const demo = await t.app.users.findByUsername('demo');
    const [given, ...family] = (demo?.displayName ?? '').split(' ');
    const subjectData = { given_name: given, family_name: family.join(' ') || given };
    const made = await t.post('credentials/create', { subjectData }, tok.json.access_token);
    expect(made.status, made.text).toBe(200);
    expect(await signOnce(t, made.json.credentialID)).toBe(200);
  });

  it('API-1 2.2 credentials/create|delete: a service token (auth/login or OAuth scope=service) is refused', async () => {
    const name = `sam${randomUUID().slice(0, 6)}`;
    const sam = await addUser(t.app, name);
    const oauthService = await token(sam.userId, 'service');
    expect(oauthService.status).toBe(200);
    const subjectData = { given_name: 'User', family_name: name };
    for (const bearer of [t.token, await t.login(name, sam.password), oauthService.json.access_token as string]) {
      const c = await t.post('credentials/create', { subjectData }, bearer);
      expect(c.status).toBe(403);
      expect(c.json.error).toBe('insufficient_scope');
      const d = await t.post('credentials/delete', { credentialID: sam.credentialId }, bearer);
      expect(d.status).toBe(403);
    }
    expect(await t.app.users.listCredentials(sam.userId)).toHaveLength(1);
  });

  it('API-1 2.2 credentials/delete: 204, then the credential is refused; another signer’s looks unknown', async () => {
    const name = `dan${randomUUID().slice(0, 6)}`;
    const dan = await addUser(t.app, name);
    const bearer = (await token(dan.userId, 'credential_management')).json.access_token as string;
    const other = await t.post('credentials/delete', { credentialID: t.demo.credentials.p256 }, bearer);
    expect(other.status).toBe(400);
    expect(other.json.error_description).toBe('Invalid parameter credentialID');

    const del = await t.post('credentials/delete', { credentialID: dan.credentialId }, bearer);
    expect(del.status, del.text).toBe(204);
    const session = await t.login(name, dan.password);
    const a = await t.post(
      'credentials/authorize',
      authorizeBody(dan.credentialId, dan.pin, [randomBytes(32)]),
      session,
    );
    expect(a.status, a.text).toBe(400);
    const again = await t.post('credentials/delete', { credentialID: dan.credentialId }, bearer);
    expect(again.status).toBe(400);
    expect(again.json.error_description).toBe('Invalid parameter credentialID');
    const events = (await logEvents(t.app)).filter((e) => e.credentialID === dan.credentialId).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['credential.revoke', 'csc.credentials.delete']));
  });

  it('API-1 2.2 signDoc: regrouped signatureCreationRequest/adesParameters → detached CAdES, openssl cms verifies', async () => {
    const content = Buffer.from('regrouped request\n');
    const credentialID = t.demo.credentials.p256;
    const a = await t.post(
      'credentials/authorize',
      authorizeBody(credentialID, t.demo.pin, [sha256(content)]),
      t.token,
    );
    expect(a.status).toBe(200);
    const adesParameters = { signature_format: 'C', signed_envelope_property: 'Detached', signAlgo: OIDS.ecdsaSha256 };
    const r = await t.post(
      'signatures/signDoc',
      {
        credentialID,
        SAD: a.json.SAD,
        signatureCreationRequest: {
          documentDigests: [{ hashes: [b64(sha256(content))], hashAlgorithmOID: OIDS.sha256, adesParameters }],
        },
      },
      t.token,
    );
    expect(r.status, r.text).toBe(200);
    const root = ((await t.app.ca.authorities())[0] as CaAuthority).certificate;
    const v = openssl(
      { 'd.p7s': Buffer.from(r.json.SignatureObject[0], 'base64'), 'd.txt': content, 'root.pem': certPem(root) },
      [
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        '{d.p7s}',
        '-content',
        '{d.txt}',
        '-CAfile',
        '{root.pem}',
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      ],
    );
    expect(v.ok, v.out).toBe(true);
    // Both shapes at once are refused, not merged.
    const both = await t.post(
      'signatures/signDoc',
      { credentialID, documentDigests: [], signatureCreationRequest: { documentDigests: [] } },
      t.token,
    );
    expect(both.status).toBe(400);
    expect(both.json.error_description).toBe('Invalid parameter signatureCreationRequest');
  });
});
