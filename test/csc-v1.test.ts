/**
 * API-1 (issue 9): the CSC API 1.0.4.0 shim under /csc/v1 (csc-api-v2.md §7). One domain, two route
 * layers: the same credential signs through /csc/v1 and /csc/v2 and openssl verifies both; each v1
 * method's documented request is replayed and every v1 error string is checked.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { openssl, pkeyutlVerify } from './keys-openssl.js';
import {
  ACTOR,
  addUser,
  authorizeBody,
  b64,
  basicAuth,
  logEvents,
  OIDS,
  type Reply,
  startApp,
  type TestApp,
} from './support/app.js';

const V1 = '/csc/v1';
const clock = manualClock(Date.now());
let t: TestApp;
let carol: Awaited<ReturnType<typeof addUser>>;
let carolToken: string;

beforeAll(async () => {
  t = await startApp({ platform: { clock, random: systemRandom } });
  carol = await addUser(t.app, 'carol', { scal: '2' });
  carolToken = await t.login('carol', carol.password);
});
afterAll(async () => {
  await t?.close();
});

/** POST to /csc/v1; `token` null sends no Authorization header. */
const v1 = (method: string, body: unknown, token: string | null = t.token, headers?: Record<string, string>) =>
  t.post(`${V1}/${method}`, body, token ?? undefined, headers ? { headers } : {});

function expectError(r: Reply, status: number, error: string, description?: string | RegExp): void {
  expect(r.status, r.text).toBe(status);
  expect(r.json?.error, r.text).toBe(error);
  if (typeof description === 'string') expect(r.json.error_description).toBe(description);
  else if (description) expect(r.json.error_description).toMatch(description);
}

/** v1 authorize with the demo PIN for these digests (no hashAlgo: v1.0.4.0 has none). */
async function v1Sad(credentialID: string, hashes: Buffer[], pin = t.demo.pin): Promise<string> {
  const r = await v1('credentials/authorize', {
    credentialID,
    numSignatures: hashes.length,
    hash: hashes.map(b64),
    PIN: pin,
  });
  expect(r.status, r.text).toBe(200);
  expect(r.json.expiresIn).toBeGreaterThan(0);
  return r.json.SAD as string;
}

async function spkiOf(credentialID: string): Promise<Buffer> {
  const r = await v1('credentials/info', { credentialID, certificates: 'single' });
  expect(r.status, r.text).toBe(200);
  const cert = new X509Certificate(Buffer.from(r.json.cert.certificates[0], 'base64'));
  return cert.publicKey.export({ type: 'spki', format: 'der' });
}

describe('API-1 v1 ↔ v2: one credential, two route layers', () => {
  const cases = [
    { name: 'ECDSA P-256', cred: () => t.demo.credentials.p256, signAlgo: OIDS.ecdsaSha256 },
    { name: 'RSA PKCS#1 v1.5', cred: () => t.demo.credentials.rsa2048, signAlgo: OIDS.sha256WithRSA },
  ] as const;
  for (const c of cases) {
    it(`API-1 ${c.name}: /csc/v1 and /csc/v2 signHash with the same credential both verify with openssl pkeyutl`, async () => {
      const credentialID = c.cred();
      const [d1, d2] = [randomBytes(32), randomBytes(32)];
      const sad1 = await v1Sad(credentialID, [d1]);
      const s1 = await v1('signatures/signHash', { credentialID, SAD: sad1, hash: [b64(d1)], signAlgo: c.signAlgo });
      expect(s1.status, s1.text).toBe(200);
      const a2 = await t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, [d2]), t.token);
      expect(a2.status, a2.text).toBe(200);
      const s2 = await t.post(
        'signatures/signHash',
        { credentialID, SAD: a2.json.SAD, hashes: [b64(d2)], signAlgo: c.signAlgo },
        t.token,
      );
      expect(s2.status, s2.text).toBe(200);
      const spki = await spkiOf(credentialID);
      for (const [digest, sig] of [
        [d1, Buffer.from(s1.json.signatures[0], 'base64')],
        [d2, Buffer.from(s2.json.signatures[0], 'base64')],
      ] as const) {
        expect(pkeyutlVerify(spki, digest, sig, ['digest:sha256']).out).toContain('Signature Verified Successfully');
        // A signature never verifies over the other digest.
        expect(pkeyutlVerify(spki, digest === d1 ? d2 : d1, sig, ['digest:sha256']).ok).toBe(false);
      }
    });
  }

  it('API-1 v1 SAD is the v2 SAD: a v1 authorisation is spent by a v2 signHash exactly once', async () => {
    const credentialID = t.demo.credentials.p256;
    const d = randomBytes(32);
    const sad = await v1Sad(credentialID, [d]);
    const body = { credentialID, SAD: sad, hashes: [b64(d)], signAlgo: OIDS.ecdsaSha256 };
    expect((await t.post('signatures/signHash', body, t.token)).status).toBe(200);
    const again = await v1('signatures/signHash', {
      credentialID,
      SAD: sad,
      hash: [b64(d)],
      signAlgo: OIDS.ecdsaSha256,
    });
    expect(again.status).toBe(400);
    expect(again.json.error).toBe('invalid_request');
  });
});

describe('API-1 v1 service methods', () => {
  it('API-1 v1 info: specs 1.0.4.0 with v1 fields only; GET → 405', async () => {
    const r = await v1('info', {}, null);
    expect(r.status, r.text).toBe(200);
    expect(r.json).toMatchObject({ specs: '1.0.4.0', name: expect.any(String), region: expect.any(String) });
    expect(r.json.methods).toEqual(expect.arrayContaining(['credentials/sendOTP', 'signatures/signHash']));
    expect(r.json.methods).not.toContain('credentials/getChallenge');
    expect(r.json.methods).not.toContain('signatures/signDoc');
    expect(r.json).not.toHaveProperty('signAlgorithms');
    expect(r.json.authType).toContain('basic');
    const get = await t.get(`${V1}/credentials/list`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });

  it('API-1 v1 auth/login (Basic) and auth/revoke: the token works on v1 and v2 until revoked', async () => {
    const login = await v1('auth/login', {}, null, { authorization: basicAuth('carol', carol.password) });
    expect(login.status, login.text).toBe(200);
    const token = login.json.access_token as string;
    expect(login.json.expires_in).toBeGreaterThan(0);
    expect((await t.post('credentials/list', {}, token)).status).toBe(200);
    expect((await v1('auth/revoke', { token }, token)).status).toBe(204);
    expectError(await v1('credentials/list', {}, token), 401, 'invalid_token');
    const bad = await v1('auth/login', {}, null, { authorization: basicAuth('carol', 'wrong password') });
    expectError(bad, 401, 'authentication_error');
  });

  it('API-1 v1 signatures/timestamp: an RFC 3161 token openssl reads, over the given digest', async () => {
    const digest = randomBytes(32);
    const r = await v1('signatures/timestamp', { hash: b64(digest), hashAlgo: OIDS.sha256, nonce: '0a1b2c' });
    expect(r.status, r.text).toBe(200);
    const text = openssl({ tok: Buffer.from(r.json.timestamp, 'base64') }, [
      'ts',
      '-reply',
      '-token_in',
      '-in',
      '{tok}',
      '-text',
    ]);
    expect(text.ok, text.out).toBe(true);
    // openssl's hex dump of the message imprint: "0000 - 13 88 81 …-83 3c …   ascii"; keep the hex bytes.
    const dumped = text.out
      .split('\n')
      .map((l) => /^\s*[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})/.exec(l)?.[1] ?? '')
      .join('')
      .replace(/[ -]/g, '');
    expect(dumped).toContain(digest.toString('hex'));
    expect(text.out).toMatch(/Nonce: 0x0?A1B2C/i);
  });
});

describe('API-1 v1 credentials methods', () => {
  it('API-1 v1 credentials/list pages with maxResults/pageToken → nextPageToken, covering the v2 list', async () => {
    const all = (await t.post('credentials/list', {}, t.token)).json.credentialIDs as string[];
    expect(all.length).toBe(3);
    const p1 = await v1('credentials/list', { maxResults: 2 });
    expect(p1.status, p1.text).toBe(200);
    expect(p1.json.credentialIDs).toHaveLength(2);
    expect(typeof p1.json.nextPageToken).toBe('string');
    const p2 = await v1('credentials/list', { maxResults: 2, pageToken: p1.json.nextPageToken });
    expect(p2.json.credentialIDs).toHaveLength(1);
    expect(p2.json).not.toHaveProperty('nextPageToken');
    expect([...p1.json.credentialIDs, ...p2.json.credentialIDs]).toEqual(all);
    const whole = await v1('credentials/list', {});
    expect(whole.json).toEqual({ credentialIDs: all });
    // Another signer's list never shows the demo's credentials.
    expect((await v1('credentials/list', {}, carolToken)).json.credentialIDs).toEqual([carol.credentialId]);
  });

  it('API-1 v1 credentials/info: authMode, PIN/OTP descriptors, key, cert (same as v2), SCAL, multisign', async () => {
    const credentialID = t.demo.credentials.p256;
    const sel = { credentialID, certificates: 'chain', certInfo: true };
    const r = await v1('credentials/info', sel);
    expect(r.status, r.text).toBe(200);
    const v2 = await t.post('credentials/info', sel, t.token);
    expect(r.json.key).toEqual(v2.json.key);
    expect(r.json.cert).toEqual(v2.json.cert);
    expect(r.json.cert.certificates.length).toBeGreaterThanOrEqual(2);
    expect(r.json.cert.validTo).toMatch(/^\d{14}Z$/);
    expect(r.json).toMatchObject({ authMode: 'explicit', SCAL: '1', multisign: 100 });
    expect(r.json.PIN).toMatchObject({ presence: 'true', format: 'A', label: 'PIN' });
    expect(r.json.OTP).toEqual({ presence: 'false' });
    expect(r.json).not.toHaveProperty('auth');
    const pem = openssl({ c: Buffer.from(r.json.cert.certificates[0], 'base64') }, [
      'x509',
      '-inform',
      'DER',
      '-in',
      '{c}',
      '-noout',
      '-serial',
    ]);
    expect(pem.out.toLowerCase()).toContain(String(r.json.cert.serialNumber).toLowerCase().replace(/^0+/, ''));
    const bare = await v1('credentials/info', { credentialID, authInfo: false, certificates: 'none' });
    expect(bare.json).not.toHaveProperty('PIN');
    expect(bare.json.cert).not.toHaveProperty('certificates');
  });

  it('API-1 v1 credentials/authorize SCAL2: hash with hashAlgo accepted; without hash → the v1 "hash" string', async () => {
    const d = randomBytes(48);
    const ok = await v1(
      'credentials/authorize',
      { credentialID: carol.credentialId, numSignatures: 1, hash: [b64(d)], hashAlgo: OIDS.sha384, PIN: carol.pin },
      carolToken,
    );
    expect(ok.status, ok.text).toBe(200);
    const none = await v1(
      'credentials/authorize',
      { credentialID: carol.credentialId, numSignatures: 1, PIN: carol.pin },
      carolToken,
    );
    expectError(none, 400, 'invalid_request', 'Missing (or invalid type) array parameter hash');
  });

  it('API-1 v1 credentials/extendTransaction: the SAD service cannot extend a SAD → 501, never a fake SAD', async () => {
    const d = randomBytes(32);
    const sad = await v1Sad(t.demo.credentials.p256, [d]);
    const r = await v1('credentials/extendTransaction', {
      credentialID: t.demo.credentials.p256,
      SAD: sad,
      hash: [b64(d)],
    });
    expectError(r, 501, 'invalid_request', /extendTransaction is not implemented/);
    expectError(await v1('credentials/extendTransaction', { credentialID: 'x', SAD: sad }, null), 401, 'invalid_token');
  });

  it('API-1 v1 credentials/sendOTP: a credential without the out-of-band OTP is refused (no code sent)', async () => {
    const r = await v1('credentials/sendOTP', { credentialID: t.demo.credentials.p256 });
    expectError(r, 400, 'invalid_request', 'Invalid parameter credentialID');
  });

  it('AUTH-4 v1 PIN+TOTP credential: OTP descriptor "offline"; v1 OTP field carries the TOTP; missing OTP named', async () => {
    const dave = await addUser(t.app, 'dave');
    const token = await t.login('dave', dave.password);
    await t.app.users.setCredentialFactors(dave.credentialId, ['PIN', 'TOTP'], ACTOR);
    const { uri } = await t.app.factors.totp.enrol(dave.userId, 'dave', ACTOR);
    const secret = new URL(uri).searchParams.get('secret') as string;
    const info = await v1('credentials/info', { credentialID: dave.credentialId }, token);
    expect(info.json.PIN.presence).toBe('true');
    expect(info.json.OTP).toMatchObject({
      presence: 'true',
      type: 'offline',
      ID: 'TOTP',
      provider: 'totp',
      format: 'N',
    });
    const body = { credentialID: dave.credentialId, numSignatures: 1, hash: [b64(randomBytes(32))], PIN: dave.pin };
    expectError(
      await v1('credentials/authorize', body, token),
      400,
      'invalid_request',
      'Missing (or invalid type) string parameter OTP',
    );
    const code = await generate({
      secret,
      algorithm: 'sha1',
      digits: 6,
      period: 30,
      epoch: Math.floor(clock.now() / 1000),
    });
    const ok = await v1('credentials/authorize', { ...body, OTP: code }, token);
    expect(ok.status, ok.text).toBe(200);
    expect(typeof ok.json.SAD).toBe('string');
  });

  it('AUTH-2 v1 wrong PIN → invalid_pin counting down, then "PIN locked" even for the right PIN', async () => {
    const bob = await addUser(t.app, 'bob');
    const token = await t.login('bob', bob.password);
    const attempt = (PIN: string) =>
      v1(
        'credentials/authorize',
        { credentialID: bob.credentialId, numSignatures: 1, hash: [b64(randomBytes(32))], PIN },
        token,
      );
    const max = t.app.config.auth.maxFailures;
    for (let i = 1; i <= max; i++)
      expectError(await attempt('000000'), 400, 'invalid_pin', new RegExp(`${max - i} attempts left`));
    expectError(await attempt(bob.pin), 400, 'invalid_request', 'PIN locked');
  });
});

describe('API-1 v1 errors: each documented v1 request with bad input → 4xx and the v1 string, never 500', () => {
  const ec = () => t.demo.credentials.p256;
  const rsa = () => t.demo.credentials.rsa2048;
  const h32 = b64(randomBytes(32));
  const authz =
    (over: Record<string, unknown> = {}) =>
    () => ({
      credentialID: ec(),
      numSignatures: 1,
      hash: [h32],
      PIN: t.demo.pin,
      ...over,
    });
  const sign =
    (over: Record<string, unknown> = {}) =>
    () => ({
      credentialID: ec(),
      SAD: probe,
      hash: [h32],
      signAlgo: OIDS.ecdsaSha256,
      ...over,
    });
  let probe = '';
  beforeAll(async () => {
    probe = await v1Sad(t.demo.credentials.p256, [Buffer.from(h32, 'base64')]);
  });
  const INVALID = 'invalid_request';
  interface Row {
    readonly name: string;
    readonly method: string;
    readonly body: () => unknown;
    readonly auth?: 'none' | string;
    readonly status: number;
    readonly error: string;
    readonly description?: string | RegExp;
  }
  const rows: Row[] = [
    {
      name: 'no bearer token',
      method: 'credentials/list',
      body: () => ({}),
      auth: 'none',
      status: 401,
      error: 'invalid_token',
    },
    {
      name: 'malformed header',
      method: 'credentials/list',
      body: () => ({}),
      auth: 'Basic abc',
      status: 400,
      error: INVALID,
      description: 'Malformed authorization header',
    },
    {
      name: 'list userID',
      method: 'credentials/list',
      body: () => ({ userID: 'someone' }),
      status: 400,
      error: INVALID,
      description: 'userID parameter MUST be null',
    },
    {
      name: 'list maxResults 0',
      method: 'credentials/list',
      body: () => ({ maxResults: 0 }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter maxResults',
    },
    {
      name: 'list maxResults string',
      method: 'credentials/list',
      body: () => ({ maxResults: 'two' }),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) integer parameter maxResults',
    },
    {
      name: 'list pageToken junk',
      method: 'credentials/list',
      body: () => ({ pageToken: 'abc' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter pageToken',
    },
    {
      name: 'list pageToken past the end',
      method: 'credentials/list',
      body: () => ({ pageToken: '99' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter pageToken',
    },
    {
      name: 'info no credentialID',
      method: 'credentials/info',
      body: () => ({}),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) string parameter credentialID',
    },
    {
      name: 'info unknown credential',
      method: 'credentials/info',
      body: () => ({ credentialID: 'nope' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter credentialID',
    },
    {
      name: 'info certificates bad',
      method: 'credentials/info',
      body: () => ({ credentialID: ec(), certificates: 'all' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter certificates',
    },
    {
      name: 'authorize no numSignatures',
      method: 'credentials/authorize',
      body: () => ({ credentialID: ec(), PIN: '1' }),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) integer parameter numSignatures',
    },
    {
      name: 'authorize numSignatures 0',
      method: 'credentials/authorize',
      body: authz({ numSignatures: 0 }),
      status: 400,
      error: INVALID,
      description: 'Invalid value for parameter numSignatures',
    },
    {
      name: 'authorize numSignatures > multisign',
      method: 'credentials/authorize',
      body: authz({ numSignatures: 101, hash: undefined }),
      status: 400,
      error: INVALID,
      description: 'Numbers of signatures is too high',
    },
    {
      name: 'authorize hash not an array',
      method: 'credentials/authorize',
      body: authz({ hash: h32 }),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) array parameter hash',
    },
    {
      name: 'authorize hash not base64',
      method: 'credentials/authorize',
      body: authz({ hash: ['!!!!'] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'authorize empty hash',
      method: 'credentials/authorize',
      body: authz({ hash: [] }),
      status: 400,
      error: INVALID,
      description: 'Empty hash array',
    },
    {
      name: 'authorize 20-byte hash',
      method: 'credentials/authorize',
      body: authz({ hash: [b64(randomBytes(20))] }),
      status: 400,
      error: INVALID,
      description: 'Invalid digest value length',
    },
    {
      name: 'authorize hash vs hashAlgo length',
      method: 'credentials/authorize',
      body: authz({ hashAlgo: OIDS.sha512 }),
      status: 400,
      error: INVALID,
      description: 'Invalid digest value length',
    },
    {
      name: 'authorize no PIN',
      method: 'credentials/authorize',
      body: authz({ PIN: undefined }),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) string parameter PIN',
    },
    {
      name: 'authorize OTP not used by the credential',
      method: 'credentials/authorize',
      body: authz({ OTP: '123456' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter OTP',
    },
    {
      name: 'authorize unknown credential',
      method: 'credentials/authorize',
      body: authz({ credentialID: 'nope' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter credentialID',
    },
    {
      name: 'authorize PIN wrong type',
      method: 'credentials/authorize',
      body: authz({ PIN: 123456 }),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) string parameter PIN',
    },
    {
      name: 'sendOTP no credentialID',
      method: 'credentials/sendOTP',
      body: () => ({}),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) string parameter credentialID',
    },
    {
      name: 'extendTransaction no SAD',
      method: 'credentials/extendTransaction',
      body: () => ({ credentialID: ec() }),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) string parameter SAD',
    },
    {
      name: 'signHash no hash',
      method: 'signatures/signHash',
      body: sign({ hash: undefined }),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) array parameter hash',
    },
    {
      name: 'signHash no signAlgo',
      method: 'signatures/signHash',
      body: sign({ signAlgo: undefined }),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) string parameter signAlgo',
    },
    {
      name: 'signHash no SAD',
      method: 'signatures/signHash',
      body: sign({ SAD: undefined }),
      status: 400,
      error: INVALID,
      description: 'Missing (or invalid type) string parameter SAD',
    },
    {
      name: 'signHash unknown SAD',
      method: 'signatures/signHash',
      body: sign({ SAD: 'bm90LWEtc2Fk' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter SAD',
    },
    {
      name: 'signHash hash not authorized',
      method: 'signatures/signHash',
      body: sign({ hash: [b64(randomBytes(32))] }),
      status: 400,
      error: INVALID,
      description: 'Hash is not authorized by the SAD',
    },
    {
      name: 'signHash empty hash',
      method: 'signatures/signHash',
      body: sign({ hash: [] }),
      status: 400,
      error: INVALID,
      description: 'Empty hash array',
    },
    {
      name: 'signHash bad base64',
      method: 'signatures/signHash',
      body: sign({ hash: ['a=b='] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'signHash hashAlgo contradicts signAlgo',
      method: 'signatures/signHash',
      body: sign({ hashAlgo: OIDS.sha384 }),
      status: 400,
      error: INVALID,
    },
    {
      name: 'signHash rsaEncryption without hashAlgo',
      method: 'signatures/signHash',
      body: () => sign({ credentialID: rsa(), signAlgo: OIDS.rsaEncryption })(),
      status: 400,
      error: INVALID,
      description: /hashAlgo/,
    },
    {
      name: 'signHash signAlgo not an OID',
      method: 'signatures/signHash',
      body: sign({ signAlgo: 'ES256' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter signAlgo',
    },
    {
      name: 'timestamp empty hash',
      method: 'signatures/timestamp',
      body: () => ({ hash: '', hashAlgo: OIDS.sha256 }),
      status: 400,
      error: INVALID,
      description: 'Empty hash parameter',
    },
    {
      name: 'timestamp wrong length',
      method: 'signatures/timestamp',
      body: () => ({ hash: b64(randomBytes(20)), hashAlgo: OIDS.sha256 }),
      status: 400,
      error: INVALID,
      description: 'Invalid digest value length',
    },
    {
      name: 'timestamp bad hashAlgo',
      method: 'signatures/timestamp',
      body: () => ({ hash: h32, hashAlgo: '1.2.3' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter hashAlgo',
    },
    { name: 'body not an object', method: 'credentials/authorize', body: () => [1, 2], status: 400, error: INVALID },
  ];
  for (const row of rows) {
    it(`API-1 v1 ${row.method}: ${row.name} → ${row.status} ${row.error}`, async () => {
      const token = row.auth === undefined ? t.token : null;
      const headers = row.auth !== undefined && row.auth !== 'none' ? { authorization: row.auth } : undefined;
      const r = await v1(row.method, row.body(), token, headers);
      expect(r.status).toBeLessThan(500);
      expectError(r, row.status, row.error, row.description);
    });
  }

  it('AUTH-3 v1: after every refusal above the probe SAD still signs its hash once', async () => {
    const r = await v1('signatures/signHash', sign()());
    expect(r.status, r.text).toBe(200);
    expect(r.json.signatures).toHaveLength(1);
  });

  it('LOG-1 v1: refusals are logged by the same domain as v2 (unknown credential → sad.refused)', async () => {
    const refused = (await logEvents(t.app)).filter((e) => e.type === 'sad.refused' && e.credentialID === 'nope');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]?.reason).toBe('invalid_credential');
  });
});

describe('AUTH-3 v1 SAD lifetime (moves the clock: last)', () => {
  it('AUTH-3 v1 signHash after the SAD lifetime → "SAD expired"', async () => {
    const d = randomBytes(32);
    const sad = await v1Sad(t.demo.credentials.p256, [d]);
    clock.advance((t.app.config.auth.sadTtlSeconds + 1) * 1000);
    const r = await v1('signatures/signHash', {
      credentialID: t.demo.credentials.p256,
      SAD: sad,
      hash: [b64(d)],
      signAlgo: OIDS.ecdsaSha256,
    });
    expectError(r, 400, 'invalid_request', 'SAD expired');
  });
});
