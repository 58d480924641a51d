/**
 * The bad-input matrix (API-1, csc-api-v2.md §2): for every CSC endpoint, missing and mistyped
 * parameters, hostile encodings, oversized and non-JSON bodies, malformed Authorization headers,
 * other users' credentials, algorithm mix-ups and PIN guessing (AUTH-2). Every row must answer 4xx
 * (never 500) with `error` and `error_description` — the reference string where there is one — and
 * nothing half-written may remain: a refused authorize leaves no SAD, a signHash refused before
 * spending leaves the SAD's count as it was.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, systemRandom } from '../src/platform/index.js';
import {
  addUser,
  authorizeBody,
  b64,
  basicAuth,
  countRows,
  logEvents,
  OIDS,
  type PostOptions,
  type Reply,
  startApp,
  type TestApp,
} from './support/app.js';

const clock = manualClock(Date.now());
let t: TestApp;
let bob: Awaited<ReturnType<typeof addUser>>;
let bobToken: string;
/** A hash-bound SAD for one signature, kept unspent through the signHash rows. */
let probeSad: string;
const probeHash = randomBytes(32);

beforeAll(async () => {
  t = await startApp({ platform: { clock, random: systemRandom } });
  bob = await addUser(t.app, 'bob');
  bobToken = await t.login('bob', bob.password);
  const r = await t.post(
    'credentials/authorize',
    authorizeBody(t.demo.credentials.p256, t.demo.pin, [probeHash]),
    t.token,
  );
  expect(r.status).toBe(200);
  probeSad = r.json.SAD;
});
afterAll(async () => {
  await t?.close();
});

const H32 = b64(randomBytes(32));
const ECHO = 'ECHO-ME-7f3a9c';

type Body = Record<string, unknown>;
interface Row {
  readonly name: string;
  readonly path: string;
  readonly body?: () => unknown;
  readonly raw?: () => string | Buffer;
  /** 'demo' (default), 'none' or a literal Authorization header. */
  readonly auth?: 'demo' | 'none' | { header: string };
  readonly contentType?: string;
  readonly status: number;
  readonly error?: string;
  readonly description?: string | RegExp;
}

const ec = () => t.demo.credentials.p256;
const rsa = () => t.demo.credentials.rsa2048;
const authz = (over: Body = {}, omit: string[] = []): (() => Body) => {
  return () => {
    const b: Body = { ...authorizeBody(ec(), t.demo.pin, [probeHash]), ...over };
    for (const k of omit) delete b[k];
    return b;
  };
};
const signh = (over: Body = {}, omit: string[] = []): (() => Body) => {
  return () => {
    const b: Body = {
      credentialID: ec(),
      SAD: probeSad,
      hashes: [b64(probeHash)],
      signAlgo: OIDS.ecdsaSha256,
      ...over,
    };
    for (const k of omit) delete b[k];
    return b;
  };
};
const info =
  (over: Body = {}): (() => Body) =>
  () => ({ credentialID: ec(), ...over });

const missingStr = (n: string) => `Missing (or invalid type) string parameter ${n}`;
const missingInt = (n: string) => `Missing (or invalid type) integer parameter ${n}`;
const missingArr = (n: string) => `Missing (or invalid type) array parameter ${n}`;
const missingBool = (n: string) => `Missing (or invalid type) boolean parameter ${n}`;
const INVALID = 'invalid_request';

const bad = (n: number) => Array.from({ length: n }, () => H32);
const unpadded = b64(randomBytes(32)).replace(/=+$/, '');
const spaced = `${H32.slice(0, 20)} ${H32.slice(20)}`;
const newline = `${H32.slice(0, 20)}\n${H32.slice(20)}`;
const short = b64(randomBytes(31));
const sha384Len = b64(randomBytes(48));

/** The request-shape rows shared by the bearer endpoints' Authorization header checks. */
const headerRows = (path: string, body: () => unknown): Row[] => [
  {
    name: 'no token → 401 invalid_token',
    path,
    body,
    auth: 'none',
    status: 401,
    error: 'invalid_token',
  },
  {
    name: '"Bearer" with no token',
    path,
    body,
    auth: { header: 'Bearer' },
    status: 400,
    error: INVALID,
    description: 'Malformed authorization header',
  },
  {
    name: '"Bearer " with an empty token',
    path,
    body,
    auth: { header: 'Bearer ' },
    status: 400,
    error: INVALID,
    description: 'Malformed authorization header',
  },
  {
    name: 'Basic credentials on a bearer endpoint',
    path,
    body,
    auth: { header: 'Basic xxx' },
    status: 400,
    error: INVALID,
    description: 'Malformed authorization header',
  },
  {
    name: 'garbage header',
    path,
    body,
    auth: { header: '%%% garbage \u00e9 %%%' },
    status: 400,
    error: INVALID,
    description: 'Malformed authorization header',
  },
  {
    name: 'an overlong bearer token',
    path,
    body,
    auth: { header: `Bearer ${'a'.repeat(600)}` },
    status: 400,
    error: INVALID,
    description: 'Malformed authorization header',
  },
  {
    name: 'an unknown bearer token → 401 invalid_token',
    path,
    body,
    auth: { header: `Bearer ${'A'.repeat(43)}` },
    status: 401,
    error: 'invalid_token',
  },
];

const ROWS: Record<string, Row[]> = {
  'auth/login': [
    {
      name: 'no Authorization header and no refresh_token',
      path: 'auth/login',
      body: () => ({}),
      auth: 'none',
      status: 400,
      error: INVALID,
      description: 'Malformed authorization header',
    },
    {
      name: 'Bearer instead of Basic',
      path: 'auth/login',
      body: () => ({}),
      auth: { header: 'Bearer abc' },
      status: 400,
      error: INVALID,
      description: 'Malformed authorization header',
    },
    {
      name: '"Basic xxx" (not base64 of user:password)',
      path: 'auth/login',
      body: () => ({}),
      auth: { header: 'Basic xxx' },
      status: 400,
      error: INVALID,
      description: 'Malformed authorization header',
    },
    {
      name: 'Basic without a colon',
      path: 'auth/login',
      body: () => ({}),
      auth: { header: `Basic ${Buffer.from('demo').toString('base64')}` },
      status: 400,
      error: INVALID,
      description: 'Malformed username-password',
    },
    {
      name: 'Basic with invalid UTF-8',
      path: 'auth/login',
      body: () => ({}),
      auth: { header: `Basic ${Buffer.from([0x64, 0x3a, 0xff, 0xfe]).toString('base64')}` },
      status: 400,
      error: INVALID,
      description: 'Malformed username-password',
    },
    {
      name: 'rememberMe as a string',
      path: 'auth/login',
      body: () => ({ rememberMe: 'yes' }),
      status: 400,
      error: INVALID,
      description: missingBool('rememberMe'),
    },
    {
      name: 'refresh_token as a number',
      path: 'auth/login',
      body: () => ({ refresh_token: 12 }),
      auth: 'none',
      status: 400,
      error: INVALID,
      description: missingStr('refresh_token'),
    },
    {
      name: 'an unknown refresh_token',
      path: 'auth/login',
      body: () => ({ refresh_token: 'x'.repeat(43) }),
      auth: 'none',
      status: 400,
      error: INVALID,
      description: 'Invalid refresh_token',
    },
  ],
  'auth/revoke': [
    ...headerRows('auth/revoke', () => ({ token: 'x' })),
    {
      name: 'missing token',
      path: 'auth/revoke',
      body: () => ({}),
      status: 400,
      error: INVALID,
      description: missingStr('token'),
    },
    {
      name: 'token as an object',
      path: 'auth/revoke',
      body: () => ({ token: { a: 1 } }),
      status: 400,
      error: INVALID,
      description: missingStr('token'),
    },
    {
      name: 'unknown token_type_hint',
      path: 'auth/revoke',
      body: () => ({ token: 'x', token_type_hint: 'id_token' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter token_type_hint',
    },
  ],
  'credentials/list': [
    ...headerRows('credentials/list', () => ({})),
    {
      name: 'userID under user-specific auth',
      path: 'credentials/list',
      body: () => ({ userID: 'someone-else' }),
      status: 400,
      error: INVALID,
      description: 'userID parameter MUST be null',
    },
    {
      name: 'userID as a number',
      path: 'credentials/list',
      body: () => ({ userID: 7 }),
      status: 400,
      error: INVALID,
      description: /^(Missing \(or invalid type\) string parameter userID|Invalid parameter userID)$/,
    },
    {
      name: "certificates 'all'",
      path: 'credentials/list',
      body: () => ({ credentialInfo: true, certificates: 'all' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter certificates',
    },
    {
      name: 'credentialInfo as a string',
      path: 'credentials/list',
      body: () => ({ credentialInfo: 'true' }),
      status: 400,
      error: INVALID,
      description: missingBool('credentialInfo'),
    },
    {
      name: 'onlyValid as a number',
      path: 'credentials/list',
      body: () => ({ onlyValid: 1 }),
      status: 400,
      error: INVALID,
      description: missingBool('onlyValid'),
    },
  ],
  'credentials/info': [
    ...headerRows('credentials/info', info()),
    {
      name: 'missing credentialID',
      path: 'credentials/info',
      body: () => ({}),
      status: 400,
      error: INVALID,
      description: missingStr('credentialID'),
    },
    {
      name: 'credentialID as a number',
      path: 'credentials/info',
      body: () => ({ credentialID: 42 }),
      status: 400,
      error: INVALID,
      description: missingStr('credentialID'),
    },
    {
      name: 'credentialID as an array',
      path: 'credentials/info',
      body: () => ({ credentialID: [ec()] }),
      status: 400,
      error: INVALID,
      description: missingStr('credentialID'),
    },
    {
      name: 'unknown credentialID',
      path: 'credentials/info',
      body: () => ({ credentialID: randomUUID() }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter credentialID',
    },
    {
      name: "another user's credentialID",
      path: 'credentials/info',
      body: () => ({ credentialID: bob.credentialId }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter credentialID',
    },
    {
      name: "certificates 'all'",
      path: 'credentials/info',
      body: info({ certificates: 'all' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter certificates',
    },
    {
      name: 'certInfo as a string',
      path: 'credentials/info',
      body: info({ certInfo: 'yes' }),
      status: 400,
      error: INVALID,
      description: missingBool('certInfo'),
    },
  ],
  'credentials/authorize': [
    ...headerRows('credentials/authorize', authz()),
    {
      name: 'missing credentialID',
      path: 'credentials/authorize',
      body: authz({}, ['credentialID']),
      status: 400,
      error: INVALID,
      description: missingStr('credentialID'),
    },
    {
      name: 'credentialID as a number',
      path: 'credentials/authorize',
      body: authz({ credentialID: 1 }),
      status: 400,
      error: INVALID,
      description: missingStr('credentialID'),
    },
    {
      name: 'missing numSignatures',
      path: 'credentials/authorize',
      body: authz({}, ['numSignatures']),
      status: 400,
      error: INVALID,
      description: missingInt('numSignatures'),
    },
    {
      name: 'numSignatures as a string',
      path: 'credentials/authorize',
      body: authz({ numSignatures: '1' }),
      status: 400,
      error: INVALID,
      description: missingInt('numSignatures'),
    },
    {
      name: 'numSignatures 1.5',
      path: 'credentials/authorize',
      body: authz({ numSignatures: 1.5 }),
      status: 400,
      error: INVALID,
      description: missingInt('numSignatures'),
    },
    {
      name: 'numSignatures 0',
      path: 'credentials/authorize',
      body: authz({ numSignatures: 0, hashes: undefined, hashAlgorithmOID: undefined }),
      status: 400,
      error: INVALID,
      description: 'Invalid value for parameter numSignatures',
    },
    {
      name: 'numSignatures -1',
      path: 'credentials/authorize',
      body: authz({ numSignatures: -1, hashes: undefined, hashAlgorithmOID: undefined }),
      status: 400,
      error: INVALID,
      description: 'Invalid value for parameter numSignatures',
    },
    {
      name: 'numSignatures > multisign (100)',
      path: 'credentials/authorize',
      body: authz({ numSignatures: 101, hashes: undefined, hashAlgorithmOID: undefined }),
      status: 400,
      error: INVALID,
      description: 'Numbers of signatures is too high',
    },
    {
      name: 'numSignatures 2^53',
      path: 'credentials/authorize',
      body: authz({ numSignatures: 2 ** 53, hashes: undefined, hashAlgorithmOID: undefined }),
      status: 400,
      error: INVALID,
    },
    {
      name: 'numSignatures different from the number of hashes',
      path: 'credentials/authorize',
      body: authz({ numSignatures: 2 }),
      status: 400,
      error: INVALID,
      description: 'Invalid value for parameter numSignatures',
    },
    {
      name: 'hashes as an object',
      path: 'credentials/authorize',
      body: authz({ hashes: { 0: H32 } }),
      status: 400,
      error: INVALID,
      description: missingArr('hashes'),
    },
    {
      name: 'hashes as a string',
      path: 'credentials/authorize',
      body: authz({ hashes: H32 }),
      status: 400,
      error: INVALID,
      description: missingArr('hashes'),
    },
    {
      name: 'a hash as a number',
      path: 'credentials/authorize',
      body: authz({ hashes: [12] }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter hashes',
    },
    {
      name: 'hash "@@@"',
      path: 'credentials/authorize',
      body: authz({ hashes: ['@@@'] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'unpadded base64 hash',
      path: 'credentials/authorize',
      body: authz({ hashes: [unpadded] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'base64 hash with a space',
      path: 'credentials/authorize',
      body: authz({ hashes: [spaced] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'base64 hash with a newline',
      path: 'credentials/authorize',
      body: authz({ hashes: [newline] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'base64url hash',
      path: 'credentials/authorize',
      body: authz({ hashes: [b64(Buffer.alloc(32, 0xfb)).replace(/\+/g, '-').replace(/\//g, '_')] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'empty string hash',
      path: 'credentials/authorize',
      body: authz({ hashes: [''] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'a 31-byte digest for SHA-256',
      path: 'credentials/authorize',
      body: authz({ hashes: [short] }),
      status: 400,
      error: INVALID,
      description: 'Invalid digest value length',
    },
    {
      name: 'a 48-byte digest for SHA-256',
      path: 'credentials/authorize',
      body: authz({ hashes: [sha384Len] }),
      status: 400,
      error: INVALID,
      description: 'Invalid digest value length',
    },
    {
      name: 'empty hashes array',
      path: 'credentials/authorize',
      body: authz({ hashes: [] }),
      status: 400,
      error: INVALID,
      description: 'Empty hash array',
    },
    {
      name: '1001 hashes',
      path: 'credentials/authorize',
      body: authz({ hashes: bad(1001), numSignatures: 1001 }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter hashes',
    },
    {
      name: 'hashes without hashAlgorithmOID',
      path: 'credentials/authorize',
      body: authz({}, ['hashAlgorithmOID']),
      status: 400,
      error: INVALID,
      description: missingStr('hashAlgorithmOID'),
    },
    {
      name: 'hashAlgorithmOID not an OID',
      path: 'credentials/authorize',
      body: authz({ hashAlgorithmOID: 'sha256' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter hashAlgorithmOID',
    },
    {
      name: 'hashAlgorithmOID SHA-1 (not allowed, SIGN-4)',
      path: 'credentials/authorize',
      body: authz({ hashAlgorithmOID: '1.3.14.3.2.26', hashes: [b64(randomBytes(20))] }),
      status: 400,
      error: INVALID,
    },
    {
      name: 'hashAlgorithmOID as a number',
      path: 'credentials/authorize',
      body: authz({ hashAlgorithmOID: 2 }),
      status: 400,
      error: INVALID,
      description: missingStr('hashAlgorithmOID'),
    },
    {
      name: 'unknown credentialID',
      path: 'credentials/authorize',
      body: authz({ credentialID: randomUUID() }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter credentialID',
    },
    {
      name: "another user's credentialID",
      path: 'credentials/authorize',
      body: authz({ credentialID: 'BOB' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter credentialID',
    },
    {
      name: 'authData missing',
      path: 'credentials/authorize',
      body: authz({}, ['authData']),
      status: 400,
      error: 'invalid_authentication_data',
    },
    {
      name: 'authData as a string',
      path: 'credentials/authorize',
      body: authz({ authData: 'PIN' }),
      status: 400,
      error: INVALID,
      description: missingArr('authData'),
    },
    {
      name: 'authData with an unknown object id',
      path: 'credentials/authorize',
      body: authz({ authData: [{ id: 'OTP', value: '123456' }] }),
      status: 400,
      error: 'invalid_authentication_data',
    },
    {
      name: 'authData PIN without a value',
      path: 'credentials/authorize',
      body: authz({ authData: [{ id: 'PIN' }] }),
      status: 400,
      error: 'invalid_authentication_data',
    },
    {
      name: 'authData entry without an id',
      path: 'credentials/authorize',
      body: authz({ authData: [{ value: '1' }] }),
      status: 400,
      error: INVALID,
    },
    {
      name: 'description too long',
      path: 'credentials/authorize',
      body: authz({ description: 'd'.repeat(501) }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter description',
    },
  ],
  'signatures/signHash': [
    ...headerRows('signatures/signHash', signh()),
    {
      name: 'missing credentialID',
      path: 'signatures/signHash',
      body: signh({}, ['credentialID']),
      status: 400,
      error: INVALID,
      description: missingStr('credentialID'),
    },
    {
      name: 'credentialID as an object',
      path: 'signatures/signHash',
      body: signh({ credentialID: { id: 'x' } }),
      status: 400,
      error: INVALID,
      description: missingStr('credentialID'),
    },
    {
      name: 'SAD as a number',
      path: 'signatures/signHash',
      body: signh({ SAD: 5 }),
      status: 400,
      error: INVALID,
      description: missingStr('SAD'),
    },
    {
      name: 'missing hashes',
      path: 'signatures/signHash',
      body: signh({}, ['hashes']),
      status: 400,
      error: INVALID,
      description: missingArr('hashes'),
    },
    {
      name: 'hashes as an object',
      path: 'signatures/signHash',
      body: signh({ hashes: { a: H32 } }),
      status: 400,
      error: INVALID,
      description: missingArr('hashes'),
    },
    {
      name: 'hash "@@@"',
      path: 'signatures/signHash',
      body: signh({ hashes: ['@@@'] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'unpadded base64 hash',
      path: 'signatures/signHash',
      body: signh({ hashes: [unpadded] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'base64 hash with whitespace',
      path: 'signatures/signHash',
      body: signh({ hashes: [spaced] }),
      status: 400,
      error: INVALID,
      description: 'Invalid Base64 hash string parameter',
    },
    {
      name: 'a 31-byte digest',
      path: 'signatures/signHash',
      body: signh({ hashes: [short] }),
      status: 400,
      error: INVALID,
      description: 'Invalid digest value length',
    },
    {
      name: 'empty hashes array',
      path: 'signatures/signHash',
      body: signh({ hashes: [] }),
      status: 400,
      error: INVALID,
      description: 'Empty hash array',
    },
    {
      name: '1001 hashes',
      path: 'signatures/signHash',
      body: signh({ hashes: bad(1001) }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter hashes',
    },
    {
      name: 'missing signAlgo',
      path: 'signatures/signHash',
      body: signh({}, ['signAlgo']),
      status: 400,
      error: INVALID,
      description: missingStr('signAlgo'),
    },
    {
      name: 'signAlgo as a number',
      path: 'signatures/signHash',
      body: signh({ signAlgo: 1.2 }),
      status: 400,
      error: INVALID,
      description: missingStr('signAlgo'),
    },
    {
      name: 'signAlgo not an OID',
      path: 'signatures/signHash',
      body: signh({ signAlgo: 'ES256' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter signAlgo',
    },
    {
      name: 'unknown signAlgo OID',
      path: 'signatures/signHash',
      body: signh({ signAlgo: '1.2.3.4.5' }),
      status: 400,
      error: INVALID,
    },
    {
      name: 'signAlgo of the wrong key family (RSA on an EC key)',
      path: 'signatures/signHash',
      body: signh({ signAlgo: OIDS.sha256WithRSA }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter signAlgo',
    },
    {
      name: 'signAlgo of the wrong key family (ECDSA on an RSA key)',
      path: 'signatures/signHash',
      body: signh({ credentialID: 'RSA', signAlgo: OIDS.ecdsaSha256 }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter signAlgo',
    },
    {
      name: 'rsaEncryption without hashAlgorithmOID',
      path: 'signatures/signHash',
      body: signh({ credentialID: 'RSA', signAlgo: OIDS.rsaEncryption }),
      status: 400,
      error: INVALID,
      description: missingStr('hashAlgorithmOID'),
    },
    {
      name: 'RSASSA-PSS without hashAlgorithmOID',
      path: 'signatures/signHash',
      body: signh({ credentialID: 'RSA', signAlgo: OIDS.rsassaPss }),
      status: 400,
      error: INVALID,
      description: missingStr('hashAlgorithmOID'),
    },
    {
      name: 'hashAlgorithmOID contradicting signAlgo',
      path: 'signatures/signHash',
      body: signh({ hashAlgorithmOID: OIDS.sha384 }),
      status: 400,
      error: INVALID,
      description: 'String parameter hashAlgorithmOID contradicts with signAlgo parameter',
    },
    {
      name: 'signAlgoParams not base64',
      path: 'signatures/signHash',
      body: signh({
        credentialID: 'RSA',
        signAlgo: OIDS.rsassaPss,
        hashAlgorithmOID: OIDS.sha256,
        signAlgoParams: '@@',
      }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter signAlgoParams',
    },
    {
      name: 'signAlgoParams not DER',
      path: 'signatures/signHash',
      body: signh({
        credentialID: 'RSA',
        signAlgo: OIDS.rsassaPss,
        hashAlgorithmOID: OIDS.sha256,
        signAlgoParams: b64(Buffer.from('not der at all')),
      }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter signAlgoParams',
    },
    {
      name: 'signAlgoParams with the ASN.1 defaults (SHA-1)',
      path: 'signatures/signHash',
      body: signh({
        credentialID: 'RSA',
        signAlgo: OIDS.rsassaPss,
        hashAlgorithmOID: OIDS.sha256,
        signAlgoParams: b64(Buffer.from('3000', 'hex')),
      }),
      status: 400,
      error: INVALID,
    },
    {
      name: "operationMode 'A' with a validity_period out of bounds",
      path: 'signatures/signHash',
      body: signh({ operationMode: 'A', validity_period: 0 }),
      status: 400,
      error: INVALID,
      description: /^Out of bounds parameter validity_period/,
    },
    {
      name: "operationMode 'X'",
      path: 'signatures/signHash',
      body: signh({ operationMode: 'X' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter operationMode',
    },
    {
      name: 'validity_period as a string',
      path: 'signatures/signHash',
      body: signh({ validity_period: '10' }),
      status: 400,
      error: INVALID,
      description: missingInt('validity_period'),
    },
    {
      name: 'unknown credentialID',
      path: 'signatures/signHash',
      body: signh({ credentialID: randomUUID() }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter credentialID',
    },
    {
      name: "another user's credentialID",
      path: 'signatures/signHash',
      body: signh({ credentialID: 'BOB' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter credentialID',
    },
  ],
  'credentials/authorizeCheck': [
    ...headerRows('credentials/authorizeCheck', () => ({ handle: 'h' })),
    {
      name: 'missing handle',
      path: 'credentials/authorizeCheck',
      body: () => ({}),
      status: 400,
      error: INVALID,
      description: missingStr('handle'),
    },
    {
      name: 'unknown handle',
      path: 'credentials/authorizeCheck',
      body: () => ({ handle: 'nope' }),
      status: 400,
      error: INVALID,
      description: 'Invalid parameter handle',
    },
  ],
};

/** 'BOB' and 'RSA' placeholders stand for ids known only after beforeAll. */
function resolve(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = { ...(body as Body) };
  if (b.credentialID === 'BOB') b.credentialID = bob.credentialId;
  if (b.credentialID === 'RSA') b.credentialID = rsa();
  for (const [k, v] of Object.entries(b)) if (v === undefined) delete b[k];
  return b;
}

async function send(row: Row): Promise<Reply> {
  const opts: { headers: Record<string, string>; raw?: string | Buffer } = { headers: {} };
  let token: string | undefined = t.token;
  if (row.auth === 'none') token = undefined;
  else if (row.auth && typeof row.auth === 'object') {
    token = undefined;
    opts.headers.authorization = row.auth.header;
  }
  if (row.contentType) opts.headers['content-type'] = row.contentType;
  if (row.raw) opts.raw = row.raw();
  return t.post(row.path, row.body ? resolve(row.body()) : {}, token, opts as PostOptions);
}

function expectCscError(r: Reply, row: Pick<Row, 'status' | 'error' | 'description'>): void {
  expect(r.status, r.text).toBeGreaterThanOrEqual(400);
  expect(r.status, r.text).toBeLessThan(500);
  expect(r.status, r.text).toBe(row.status);
  expect(typeof r.json?.error, r.text).toBe('string');
  expect(typeof r.json?.error_description, r.text).toBe('string');
  if (row.error) expect(r.json.error).toBe(row.error);
  if (typeof row.description === 'string') expect(r.json.error_description).toBe(row.description);
  else if (row.description) expect(r.json.error_description).toMatch(row.description);
  if (r.status === 401)
    expect(r.headers['www-authenticate']).toMatch(r.json.error === 'authentication_error' ? /^Basic / : /^Bearer/);
}

const sadRemaining = async (): Promise<number[]> =>
  (await t.app.store.db.selectFrom('sads').select(['remaining']).orderBy('created_at').execute()).map((r) =>
    Number(r.remaining),
  );

for (const [endpoint, rows] of Object.entries(ROWS)) {
  describe(`API-1: bad input on ${endpoint}`, () => {
    it.each(rows)('API-1: $name → $status', async (row) => {
      const sadsBefore = await countRows(t.app, 'sads');
      const remainingBefore = await sadRemaining();
      const r = await send(row);
      expectCscError(r, row);
      // Nothing half-written: no SAD row appears, no SAD count moves.
      expect(await countRows(t.app, 'sads')).toBe(sadsBefore);
      expect(await sadRemaining()).toEqual(remainingBefore);
    });
  });
}

describe('API-1: transport-level bad input', () => {
  const paths = ['info', 'auth/login', 'credentials/list', 'credentials/authorize', 'signatures/signHash'];

  it.each(paths)('API-1: a 2 MB body on %s → 413', async (path) => {
    const r = await t.post(path, undefined, t.token, { raw: JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }) });
    expectCscError(r, { status: 413 });
  });

  it.each(paths)('API-1: a non-JSON body on %s → 400', async (path) => {
    const r = await t.post(path, undefined, t.token, { raw: '{"credentialID": ' });
    expectCscError(r, { status: 400, error: INVALID });
  });

  it.each(paths)('API-1: a JSON array / string / number body on %s → 400', async (path) => {
    for (const raw of ['[]', '"text"', '42', 'true']) {
      const r = await t.post(path, undefined, t.token, { raw });
      expectCscError(r, { status: 400, error: INVALID });
    }
  });

  it.each(paths)('API-1: Content-Type text/plain on %s → 415', async (path) => {
    const r = await t.post(path, undefined, t.token, { raw: '{}', headers: { 'content-type': 'text/plain' } });
    expectCscError(r, { status: 415 });
  });

  it.each(paths)('API-1: Content-Type application/x-www-form-urlencoded on %s → 415', async (path) => {
    const r = await t.post(path, undefined, t.token, {
      raw: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectCscError(r, { status: 415 });
  });

  it('API-1: an unknown CSC method and a GET on a CSC method are 4xx with a CSC body', async () => {
    expectCscError(await t.post('credentials/nope', {}, t.token), { status: 404 });
    const g = await t.get('/csc/v2/info');
    expect(g.status).toBeGreaterThanOrEqual(400);
    expect(g.status).toBeLessThan(500);
    expect(typeof g.json.error).toBe('string');
  });

  it('API-1: null members are treated as absent (csc-api-v2.md §1)', async () => {
    const r = await t.post('credentials/list', { userID: null, certificates: null }, t.token);
    expect(r.status).toBe(200);
  });
});

describe('API-1: unknown fields are accepted, ignored and never echoed', () => {
  const extra = { zzUnknownField: ECHO, nested: { [ECHO]: ECHO }, clientData: ECHO };
  it.each([
    ['info', () => ({})],
    ['credentials/list', () => ({ credentialInfo: true })],
    ['credentials/info', () => ({ credentialID: ec(), certInfo: true })],
  ])('API-1: %s', async (path, body) => {
    const r = await t.post(path, { ...body(), ...extra }, t.token);
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(ECHO);
  });

  it('API-1: credentials/authorize and signatures/signHash with unknown fields sign', async () => {
    const h = randomBytes(32);
    const a = await t.post(
      'credentials/authorize',
      { ...authorizeBody(ec(), t.demo.pin, [h]), ...extra, authData: [{ id: 'PIN', value: t.demo.pin, x: ECHO }] },
      t.token,
    );
    expect(a.status, a.text).toBe(200);
    expect(a.text).not.toContain(ECHO);
    const s = await t.post(
      'signatures/signHash',
      { credentialID: ec(), SAD: a.json.SAD, hashes: [b64(h)], signAlgo: OIDS.ecdsaSha256, ...extra },
      t.token,
    );
    expect(s.status, s.text).toBe(200);
    expect(s.text).not.toContain(ECHO);
    const events = await logEvents(t.app);
    expect(JSON.stringify(events)).not.toContain(ECHO);
  });
});

describe("USER-5: another user's credential is indistinguishable from an unknown one", () => {
  it.each([
    ['credentials/info', (id: string) => ({ credentialID: id })],
    ['credentials/authorize', (id: string) => authorizeBody(id, t.demo.pin, [randomBytes(32)])],
    [
      'signatures/signHash',
      (id: string) => ({ credentialID: id, SAD: probeSad, hashes: [b64(probeHash)], signAlgo: OIDS.ecdsaSha256 }),
    ],
  ])('USER-5: %s', async (path, body) => {
    const theirs = await t.post(path, body(bob.credentialId), t.token);
    const unknown = await t.post(path, body(randomUUID()), t.token);
    expect(theirs.status).toBe(400);
    expect(theirs.status).toBe(unknown.status);
    expect(theirs.json).toEqual(unknown.json);
    // And bob does not see the demo's credentials in his list.
    const list = await t.post('credentials/list', {}, bobToken);
    expect(list.json.credentialIDs).toEqual([bob.credentialId]);
  });
});

describe('AUTH-2: no user enumeration at auth/login', () => {
  it('AUTH-2: a wrong password and an unknown user give the same authentication_error', async () => {
    const carol = await addUser(t.app, 'carol');
    const wrong = await t.post('auth/login', {}, undefined, {
      headers: { authorization: basicAuth('carol', 'wrong password 1') },
    });
    const unknown = await t.post('auth/login', {}, undefined, {
      headers: { authorization: basicAuth('nobody-here', 'wrong password 1') },
    });
    expectCscError(wrong, { status: 401, error: 'authentication_error' });
    expectCscError(unknown, { status: 401, error: 'authentication_error' });
    expect(wrong.json).toEqual(unknown.json);
    // The right password still works after one failure.
    expect(await t.login('carol', carol.password)).toMatch(/\S/);
  });
});

describe('AUTH-2: wrong PIN until lockout, with back-off', () => {
  it('AUTH-2: invalid_pin counts down, then "Credential locked" even for the right PIN; the lock lifts with time and doubles', async () => {
    const cred = bob.credentialId;
    const attempt = (pin: string) =>
      t.post('credentials/authorize', authorizeBody(cred, pin, [randomBytes(32)]), bobToken);
    const sadsBefore = await countRows(t.app, 'sads');
    const max = t.app.config.auth.maxFailures; // 5
    const base = t.app.config.auth.lockoutBaseSeconds; // 30
    for (let i = 1; i <= max; i++) {
      const r = await attempt('000000');
      expectCscError(r, { status: 400, error: 'invalid_pin' });
      expect(r.json.error_description).toContain(`${max - i} attempts left`);
    }
    expectCscError(await attempt(bob.pin), { status: 400, error: INVALID, description: 'Credential locked' });
    expectCscError(await attempt('000000'), { status: 400, error: INVALID, description: 'Credential locked' });
    expect(await countRows(t.app, 'sads')).toBe(sadsBefore);

    clock.advance((base + 1) * 1000);
    // One more wrong PIN after the lock: locked again, for twice as long (back-off).
    expectCscError(await attempt('000000'), { status: 400, error: 'invalid_pin' });
    expectCscError(await attempt(bob.pin), { status: 400, description: 'Credential locked' });
    clock.advance((base + 1) * 1000);
    expectCscError(await attempt(bob.pin), { status: 400, description: 'Credential locked' });
    clock.advance(base * 1000);
    const ok = await attempt(bob.pin);
    expect(ok.status, ok.text).toBe(200);
    expect(await countRows(t.app, 'sads')).toBe(sadsBefore + 1);

    const events = await logEvents(t.app);
    const pins = events.filter((e) => e.type === 'auth.pin' && e.userId === bob.userId);
    expect(pins.filter((e) => e.reason === 'wrong_pin')).toHaveLength(max + 1);
    expect(pins.filter((e) => e.reason === 'locked').length).toBeGreaterThanOrEqual(4);
    expect(pins.at(-1)?.outcome).toBe('success');
  });
});

describe('AUTH-3: refusals before spending leave the SAD as it was', () => {
  it('AUTH-3: after every signHash row above, the probe SAD still signs its hash once', async () => {
    const r = await t.post(
      'signatures/signHash',
      { credentialID: ec(), SAD: probeSad, hashes: [b64(probeHash)], signAlgo: OIDS.ecdsaSha256 },
      t.token,
    );
    expect(r.status, r.text).toBe(200);
    const again = await t.post(
      'signatures/signHash',
      { credentialID: ec(), SAD: probeSad, hashes: [b64(probeHash)], signAlgo: OIDS.ecdsaSha256 },
      t.token,
    );
    expectCscError(again, { status: 400, error: INVALID });
  });
});
