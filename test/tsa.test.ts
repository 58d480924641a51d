/**
 * TSA-1: the built-in RFC 3161 time-stamping authority, checked with the independent oracle
 * (`openssl ts -query / -reply -text / -verify`) and with our own reading of every answer: tokens
 * over POST /tsa and CSC signatures/timestamp, nonce and policy, unique serials, genTime's fraction,
 * refusals with the right PKIFailureInfo and HTTP faults with catalogue codes (never a 500), the
 * external-TSA client against our own TSA over a real port and against forged answers, and the
 * audit log and DB record of every token.
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUING_ID, serialHex } from '../src/ca/index.js';
import { describe as describeCode, type ErrorCode } from '../src/errors.js';
import { CMS_OID, prepareCms } from '../src/formats/cms/index.js';
import { HASHES, type KeyService, OID } from '../src/keys/index.js';
import { type Clock, systemRandom } from '../src/platform/index.js';
import {
  createHttpTimestampSource,
  createTsa,
  decodeTimeStampReq,
  decodeTimeStampResp,
  encodeTimeStampReq,
  findToken,
  inProcessTimestampSource,
  type TimeStampReqFields,
  verifyToken,
} from '../src/tsa/index.js';
import { recordToken } from '../src/tsa/records.js';
import { grantedResponse } from '../src/tsa/response.js';
import { encodeTstInfo } from '../src/tsa/tst-info.js';
import { type Workdir, workdir } from './formats-support.js';
import { ACTOR, logEvents, startApp, type TestApp } from './support/app.js';
import { backends } from './support/stores.js';
import { readToken, serialOf, tsVerifyIn, writeTrust } from './tsa-support.js';

const QUERY = 'application/timestamp-query';
let t: TestApp;
let w: Workdir;
let chain: readonly Buffer[];
/** Every token issued in this file, to find in the log and the DB at the end. */
const issued: string[] = [];

async function postTsa(payload: Buffer | string, contentType = QUERY, method: 'POST' | 'GET' = 'POST') {
  const r = await t.app.http.inject({ method, url: '/tsa', headers: { 'content-type': contentType }, payload });
  return { status: r.statusCode, type: String(r.headers['content-type']), body: r.rawPayload, json: r.json.bind(r) };
}

/** POST /tsa, expecting a reply; records the token's serial when granted. */
async function stampOver(query: Buffer) {
  const r = await postTsa(query);
  expect(r.status).toBe(200);
  expect(r.type).toBe('application/timestamp-reply');
  const reply = decodeTimeStampResp(r.body);
  if (reply.token) issued.push(serialOf(reply.token));
  return { body: r.body, reply };
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest();

beforeAll(async () => {
  t = await startApp();
  w = workdir();
  chain = await t.app.tsa.certificates();
  writeTrust(w, chain);
  w.write('data.txt', 'the document to time-stamp\n');
});

afterAll(async () => {
  w?.remove();
  await t?.close();
});

describe('TSA-1: POST /tsa with openssl ts as the client and the verifier', () => {
  it('TSA-1 openssl ts -query -sha256 -cert → POST /tsa → openssl ts -verify OK; nonce echoed, policy, accuracy, TSA name', async () => {
    const query = w.opensslBytes(['ts', '-query', '-data', 'data.txt', '-sha256', '-cert']);
    const { body, reply } = await stampOver(query);
    w.write('q.tsq', query);
    w.write('r.tsr', body);
    const text = w.openssl(['ts', '-reply', '-in', 'r.tsr', '-text']).out;
    const sent = /Nonce: (0x[0-9A-F]+)/.exec(w.openssl(['ts', '-query', '-in', 'q.tsq', '-text']).out)?.[1];
    expect(text).toContain('Status: Granted.');
    expect(text).toContain('Policy OID: 2.999.1.2');
    expect(text).toContain(`Nonce: ${sent}`);
    expect(text).toContain('Accuracy: 0x01 seconds');
    expect(text).toContain('TSA: DirName:/CN=shomei TSA');
    expect(tsVerifyIn(w, { reply: 'r.tsr' }, { data: 'data.txt' })).toContain('Verification: OK');
    // Our own reading: granted, certificates present (certReq), the same checks pass.
    expect(reply.status).toBe(0);
    const token = reply.token as Uint8Array;
    expect(readToken(token).sd.certificates?.length).toBe(2);
    const fields = decodeTimeStampReq(query);
    const v = await verifyToken(token, {
      hash: HASHES['SHA-256'],
      digest: sha256('the document to time-stamp\n'),
      ...(fields.nonce ? { nonce: fields.nonce } : {}),
      trustAnchors: [chain[2] as Buffer],
    });
    expect(v.serial).toHaveLength(32);
    // The certificate is the 'tsa' profile's: critical EKU timeStamping only (RFC 3161 §2.3).
    w.write('tsa.der', chain[0] as Buffer);
    const cert = w.openssl(['x509', '-inform', 'DER', '-in', 'tsa.der', '-noout', '-ext', 'extendedKeyUsage']).out;
    expect(cert).toMatch(/Extended Key Usage: critical\s+Time Stamping\s*$/);
  });

  it('TSA-1 -no_nonce without -cert: no nonce, no certificates in the token, still verified by openssl (SHA-384, SHA-512)', async () => {
    for (const alg of ['-sha384', '-sha512']) {
      const query = w.opensslBytes(['ts', '-query', '-data', 'data.txt', alg, '-no_nonce']);
      const { body, reply } = await stampOver(query);
      w.write('r.tsr', body);
      expect(w.openssl(['ts', '-reply', '-in', 'r.tsr', '-text']).out).toContain('Nonce: unspecified');
      expect(tsVerifyIn(w, { reply: 'r.tsr' }, { data: 'data.txt' })).toContain('Verification: OK');
      expect(readToken(reply.token as Uint8Array).sd.certificates).toBeUndefined();
    }
  });

  it('TSA-1 serial numbers are unique over many concurrent tokens, and each is recorded in the DB', async () => {
    const queries = Array.from({ length: 30 }, () =>
      encodeTimeStampReq(request({ hashedMessage: randomBytes(32), nonce: Uint8Array.of(0x01, ...randomBytes(8)) })),
    );
    const replies = await Promise.all(queries.map((q) => stampOver(q)));
    const serials = replies.map((r) => serialOf(r.reply.token as Uint8Array));
    expect(new Set(serials).size).toBe(30);
    for (const s of serials) expect((await findToken(t.app.store, s))?.policy).toBe('2.999.1.2');
  });

  it('TSA-1 genTime carries a fraction of a second (no trailing zeros) when the accuracy is finer than 1 s', async () => {
    const at = Math.floor(Date.now() / 1000) * 1000 + 120;
    const clock: Clock = { now: () => at };
    const a = t.app;
    const fine = createTsa({
      ...{ store: a.store, keys: a.keys, ca: a.ca, audit: a.audit, random: systemRandom, clock },
      ...{ policyOid: '2.999.1.2', accuracyMs: 250, subjectDn: 'CN=shomei TSA' },
    });
    const digest = sha256('fraction');
    const token = await fine.stamp({ hash: HASHES['SHA-256'], digest, certReq: true, actor: 'test' });
    issued.push(serialOf(token));
    expect(readToken(token).genTimeText).toMatch(/^\d{14}\.12Z$/);
    w.write('tok.der', token);
    const text = w.openssl(['ts', '-reply', '-in', 'tok.der', '-token_in', '-text']).out;
    expect(text).toMatch(/Time stamp: .*\.12 \d{4} GMT/);
    expect(text).toContain('Accuracy: unspecified seconds, 0xFA millis');
  });
});

/** A SHA-256 request with a nonce, certReq — the parts a test changes replaced. */
function request(over: Partial<TimeStampReqFields> = {}): TimeStampReqFields {
  return {
    version: 1,
    hashOid: OID.sha256,
    hashParams: 'absent',
    hashedMessage: sha256('x'),
    nonce: Uint8Array.of(0x42),
    certReq: true,
    extensions: [],
    ...over,
  };
}

describe('TSA-1: refusals are TimeStampResp rejections with the right PKIFailureInfo, HTTP 200', () => {
  const good = () => w.opensslBytes(['ts', '-query', '-data', 'data.txt', '-sha256', '-cert']);
  const ber = () => {
    // certReq TRUE as 0x01: valid BER, not DER (X.690 §11.1).
    const q = Buffer.from(good());
    q[q.length - 1] = 0x01;
    return q;
  };
  const NULL = Uint8Array.of(0x05, 0x00);
  const cases: Array<[string, () => Buffer, string]> = [
    ['garbage', () => Buffer.from('not a time-stamp request'), 'badDataFormat'],
    ['empty body', () => Buffer.alloc(0), 'badDataFormat'],
    ['truncated', () => good().subarray(0, 30), 'badDataFormat'],
    ['trailing bytes', () => Buffer.concat([good(), Buffer.of(0)]), 'badDataFormat'],
    ['BER, not DER', ber, 'badDataFormat'],
    ['wrong digest length', () => encodeTimeStampReq(request({ hashedMessage: randomBytes(20) })), 'badDataFormat'],
    ['SHA-1', () => w.opensslBytes(['ts', '-query', '-data', 'data.txt', '-sha1']), 'badAlg'],
    ['MD5', () => w.opensslBytes(['ts', '-query', '-data', 'data.txt', '-md5']), 'badAlg'],
    [
      'unknown policy',
      () => w.opensslBytes(['ts', '-query', '-data', 'data.txt', '-tspolicy', '1.2.3.4']),
      'unacceptedPolicy',
    ],
    [
      'unknown critical extension',
      () => encodeTimeStampReq(request({ extensions: [{ id: '1.2.3.4.5', critical: true, value: NULL }] })),
      'unacceptedExtension',
    ],
    [
      'unknown non-critical extension (§2.4.1: critical or not)',
      () => encodeTimeStampReq(request({ extensions: [{ id: '1.2.3.4.5', critical: false, value: NULL }] })),
      'unacceptedExtension',
    ],
    ['version 2', () => encodeTimeStampReq(request({ version: 2 })), 'badRequest'],
    [
      'nonce over 160 bits',
      () => encodeTimeStampReq(request({ nonce: Uint8Array.of(0x01, ...randomBytes(20)) })),
      'badRequest',
    ],
    ['negative nonce', () => encodeTimeStampReq(request({ nonce: Uint8Array.of(0x80, 0x01) })), 'badRequest'],
  ];
  for (const [name, make, failInfo] of cases) {
    it(`TSA-1 ${name} → rejection, ${failInfo}`, async () => {
      const r = await postTsa(make());
      expect(r.status).toBe(200);
      expect(r.type).toBe('application/timestamp-reply');
      const reply = decodeTimeStampResp(r.body);
      expect(reply.status).toBe(2);
      expect(reply.failInfo).toEqual([failInfo]);
      expect(reply.token).toBeUndefined();
      w.write('bad.tsr', r.body);
      expect(w.openssl(['ts', '-reply', '-in', 'bad.tsr', '-text']).out).toContain('Status: Rejected.');
    });
  }

  it('TSA-1 fuzz: 150 mutated requests each get a TimeStampResp (granted or rejected), never an exception', async () => {
    const base = good();
    for (let i = 0; i < 150; i++) {
      const q = Buffer.from(base);
      for (let k = 0; k <= i % 3; k++) q[(i * 7 + k * 13) % q.length] = randomBytes(1)[0] as number;
      const cut = i % 5 === 0 ? q.subarray(0, i % q.length) : q;
      const reply = decodeTimeStampResp(await t.app.tsa.issue(cut));
      expect([0, 2]).toContain(reply.status);
      expect(reply.failInfo).not.toContain('systemFailure');
      if (reply.token) issued.push(serialOf(reply.token));
    }
  });

  const http: Array<[string, () => Promise<{ status: number; json(): unknown }>, number, ErrorCode]> = [
    ['oversized body', () => postTsa(Buffer.alloc(17 * 1024, 0x30)), 413, 'body_too_large'],
    ['JSON content type', () => postTsa('{}', 'application/json'), 415, 'tsa_unsupported_media_type'],
    ['text content type', () => postTsa('x', 'text/plain'), 415, 'tsa_unsupported_media_type'],
    ['GET', () => postTsa('', QUERY, 'GET'), 405, 'tsa_method_not_allowed'],
  ];
  for (const [name, send, status, code] of http) {
    it(`TSA-1 ${name} → HTTP ${status} ${code}, never 500`, async () => {
      const r = await send();
      expect(r.status).toBe(status);
      expect((r.json() as { error_description: string }).error_description).toBe(describeCode(code));
    });
  }
});

describe('TSA-1 / API-1: CSC signatures/timestamp', () => {
  it('TSA-1 signatures/timestamp round trip: the token verifies with openssl, nonce echoed', async () => {
    const digest = sha256('csc document');
    const nonce = 'c0ffee0123456789abcdef';
    const r = await t.post(
      'signatures/timestamp',
      { hash: digest.toString('base64'), hashAlgo: OID.sha256, nonce },
      t.token,
    );
    expect(r.status, r.text).toBe(200);
    const token = Buffer.from(r.json.timestamp, 'base64');
    issued.push(serialOf(token));
    w.write('csc.tst', token);
    expect(tsVerifyIn(w, { token: 'csc.tst' }, { digest })).toContain('Verification: OK');
    expect(w.openssl(['ts', '-reply', '-in', 'csc.tst', '-token_in', '-text']).out).toContain(
      `Nonce: 0x${nonce.toUpperCase()}`,
    );
    const v = await verifyToken(token, {
      hash: HASHES['SHA-256'],
      digest,
      nonce: Buffer.from(`00${nonce}`, 'hex'),
      trustAnchors: [chain[2] as Buffer],
    });
    const demoUser = await t.app.users.findByUsername(t.demo.username);
    expect((await findToken(t.app.store, v.serial))?.actor).toBe(demoUser?.id);
  });

  const digest = sha256('x').toString('base64');
  const ok = { hash: digest, hashAlgo: OID.sha256 };
  /** [case, body, with the demo token, HTTP status, catalogue code, its parameters] */
  const bad: Array<[string, Record<string, unknown>, boolean, number, ErrorCode, Record<string, string>?]> = [
    ['no token', ok, false, 401, 'invalid_token'],
    ['empty hash', { ...ok, hash: '' }, true, 400, 'empty_hash'],
    ['bad base64', { ...ok, hash: 'abc' }, true, 400, 'invalid_base64_hash'],
    ['wrong length', { ...ok, hashAlgo: OID.sha512 }, true, 400, 'invalid_digest_length'],
    ['SHA-1 hashAlgo', { ...ok, hashAlgo: '1.3.14.3.2.26' }, true, 400, 'invalid_parameter', { name: 'hashAlgo' }],
    ['nonce not hex', { ...ok, nonce: 'xyz' }, true, 400, 'invalid_parameter', { name: 'nonce' }],
    ['nonce over 160 bits', { ...ok, nonce: 'f'.repeat(41) }, true, 400, 'invalid_parameter', { name: 'nonce' }],
    ['no hash', { hashAlgo: OID.sha256 }, true, 400, 'missing_string', { name: 'hash' }],
  ];
  for (const [name, body, withToken, status, code, params] of bad) {
    it(`TSA-1 signatures/timestamp ${name} → ${status} ${code}`, async () => {
      const r = await t.post('signatures/timestamp', body, withToken ? t.token : undefined);
      expect(r.status, r.text).toBe(status);
      expect(r.json.error_description).toBe(describeCode(code, params));
    });
  }
});

describe('TSA-1: TimestampSource — in-process and an external TSA over HTTP', () => {
  it('TSA-1 in-process source: a SHA-512 token that openssl verifies', async () => {
    const digest = createHash('sha512').update('in-process').digest();
    const token = await inProcessTimestampSource(t.app.tsa).timestamp(digest, 'SHA-512');
    issued.push(serialOf(token));
    w.write('in.tst', token);
    expect(tsVerifyIn(w, { token: 'in.tst' }, { digest })).toContain('Verification: OK');
  });

  it('TSA-1 external client against our own /tsa on a listening port: nonce, imprint, signature and chain checked', async () => {
    const base = await t.listen();
    const source = createHttpTimestampSource({
      url: `${base}/tsa`,
      timeoutMs: 10_000,
      trustAnchors: [chain[2] as Buffer],
    });
    const digest = sha256('over the network');
    const token = await source.timestamp(digest, 'SHA-256');
    issued.push(serialOf(token));
    w.write('ext.tst', token);
    expect(tsVerifyIn(w, { token: 'ext.tst' }, { digest })).toContain('Verification: OK');
  });

  /** A fetch that asks our TSA, with the request and/or the reply altered on the way. */
  function forging(opts: { request?: (f: TimeStampReqFields) => TimeStampReqFields; reply?: (b: Buffer) => Buffer }) {
    return (async (_url: string | URL | Request, init?: RequestInit) => {
      const sent = decodeTimeStampReq(new Uint8Array(init?.body as Uint8Array));
      const r = await postTsa(encodeTimeStampReq(opts.request ? opts.request(sent) : sent));
      const reply = decodeTimeStampResp(r.body);
      if (reply.token) issued.push(serialOf(reply.token));
      const body = opts.reply ? opts.reply(Buffer.from(r.body)) : r.body;
      return new Response(body, { headers: { 'content-type': 'application/timestamp-reply' } });
    }) as typeof fetch;
  }

  const flipGenTime = (b: Buffer) => {
    const m = /\d{14}Z/.exec(b.toString('latin1'));
    const i = (m?.index ?? 0) + 13;
    b[i] = b[i] === 0x30 ? 0x31 : 0x30;
    return b;
  };
  const flipSignature = (b: Buffer) => {
    b[b.length - 1] = (b[b.length - 1] as number) ^ 0x01;
    return b;
  };
  const forged: Array<[string, Parameters<typeof forging>[0], ErrorCode, RegExp]> = [
    [
      'a reply for another nonce (replay)',
      { request: (f) => ({ ...f, nonce: Uint8Array.of(0x11) }) },
      'tsa_response_invalid',
      /nonce/,
    ],
    [
      'a reply for another imprint',
      { request: (f) => ({ ...f, hashedMessage: sha256('other') }) },
      'tsa_response_invalid',
      /imprint/,
    ],
    ['a TSTInfo altered after signing', { reply: flipGenTime }, 'tsa_response_invalid', /message-digest/],
    ['a signature altered', { reply: flipSignature }, 'tsa_response_invalid', /signature/],
    ['a refusal', { request: (f) => ({ ...f, hashOid: '1.2.840.113549.2.5' }) }, 'tsa_refused', /badAlg/],
  ];
  for (const [name, how, code, detail] of forged) {
    it(`TSA-1 external client refuses ${name} (${code})`, async () => {
      const source = createHttpTimestampSource({ url: 'http://tsa.invalid/tsa', fetch: forging(how), timeoutMs: 5000 });
      const err = await source.timestamp(sha256('forged'), 'SHA-256').catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe(code);
      expect((err as Error).message).toMatch(detail);
    });
  }

  it('TSA-1 external client refuses a token signed by a certificate without the timeStamping EKU', async () => {
    // A well-formed token over the right imprint and nonce, signed by a 'signing' certificate of our CA.
    const key = await t.app.keys.generate('EC-P256', 'test');
    await t.app.ca.issue({ keyId: key.id, subjectDn: 'CN=not a TSA', profile: 'signing', validityDays: 30 });
    const certs = (await t.app.keys.certificate(key.id))?.chain ?? [];
    const fake = (async (_url: string | URL | Request, init?: RequestInit) => {
      const sent = decodeTimeStampReq(new Uint8Array(init?.body as Uint8Array));
      const tstInfo = encodeTstInfo({
        ...{ policy: '2.999.1.2', hashOid: sent.hashOid, hashedMessage: sent.hashedMessage, serial: Uint8Array.of(7) },
        ...{ genTime: Date.now(), accuracyMs: 1000, ...(sent.nonce ? { nonce: sent.nonce } : {}) },
      });
      const signer = {
        chain: certs.slice(0, 2),
        hash: 'SHA-256' as const,
        signAlgo: OID.ecdsaWithSHA256,
        signingTime: new Date(),
      };
      const p = prepareCms({
        signer,
        contentType: CMS_OID.tstInfo,
        content: tstInfo,
        contentDigest: sha256(tstInfo),
        signingTimeAttribute: false,
      });
      const [sig] = await t.app.keys.signDigests(key.id, { scheme: 'ecdsa', hash: HASHES['SHA-256'] }, [p.digest]);
      const whole = grantedResponse(p.assemble(sig as Buffer));
      return new Response(whole, { headers: { 'content-type': 'application/timestamp-reply' } });
    }) as typeof fetch;
    const source = createHttpTimestampSource({ url: 'http://tsa.invalid/tsa', fetch: fake, timeoutMs: 5000 });
    const err = await source.timestamp(sha256('not a tsa'), 'SHA-256').catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('tsa_response_invalid');
    expect((err as Error).message).toContain('timeStamping');
  });

  it('TSA-1 external client refuses a TSA certificate that does not chain to its trust anchors', async () => {
    const source = createHttpTimestampSource({
      url: 'http://tsa.invalid/tsa',
      fetch: forging({}),
      timeoutMs: 5000,
      trustAnchors: [chain[0] as Buffer], // not a CA: nothing chains to it
    });
    const err = await source.timestamp(sha256('anchors'), 'SHA-256').catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('tsa_response_invalid');
  });

  const transport: Array<[string, typeof fetch, ErrorCode]> = [
    ['HTTP 500', (async () => new Response('x', { status: 500 })) as typeof fetch, 'tsa_unreachable'],
    [
      'another media type',
      (async () => new Response('{}', { headers: { 'content-type': 'application/json' } })) as typeof fetch,
      'tsa_response_invalid',
    ],
    [
      'garbage',
      (async () =>
        new Response('junk', { headers: { 'content-type': 'application/timestamp-reply' } })) as typeof fetch,
      'tsa_response_invalid',
    ],
    [
      'no answer within the timeout',
      ((_u: string, init?: RequestInit) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        )) as unknown as typeof fetch,
      'tsa_unreachable',
    ],
  ];
  for (const [name, fake, code] of transport) {
    it(`TSA-1 external client: ${name} → ${code}`, async () => {
      const source = createHttpTimestampSource({ url: 'http://tsa.invalid/tsa', fetch: fake, timeoutMs: 100 });
      const err = await source.timestamp(sha256('transport'), 'SHA-256').catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe(code);
    });
  }
});

describe("TSA-1: the TSA's key and certificate — failure, revocation and renewal", () => {
  const tsaDeps = (over: { keys?: KeyService; clock?: Clock } = {}) => {
    const a = t.app;
    return {
      ...{ store: a.store, keys: over.keys ?? a.keys, ca: a.ca, audit: a.audit, random: systemRandom },
      ...{
        clock: over.clock ?? { now: () => Date.now() },
        policyOid: '2.999.1.2',
        accuracyMs: 1000,
        subjectDn: 'CN=shomei TSA',
      },
    };
  };
  /** The certificate the token's SignerInfo names (the SET OF certificates is sorted, not signer first). */
  const signerOf = async (token: Uint8Array, digest: Buffer) =>
    Buffer.from((await verifyToken(token, { hash: HASHES['SHA-256'], digest })).signerCertificate);
  const stampNow = async () => {
    const token = await t.app.tsa.stamp({ hash: HASHES['SHA-256'], digest: sha256('k'), certReq: true, actor: 'test' });
    issued.push(serialOf(token));
    return token;
  };

  it('TSA-1 a key store failure is a systemFailure rejection, reported to onError, never thrown', async () => {
    const failing = Object.assign(Object.create(t.app.keys) as KeyService, {
      signDigests: async () => {
        throw new Error('HSM down');
      },
    });
    const errors: unknown[] = [];
    const tsa = createTsa({ ...tsaDeps({ keys: failing }), onError: (e) => errors.push(e) });
    const reply = decodeTimeStampResp(await tsa.issue(encodeTimeStampReq(request())));
    expect(reply.status).toBe(2);
    expect(reply.failInfo).toEqual(['systemFailure']);
    expect(String(errors[0])).toContain('HSM down');
  });

  it('TSA-1 / CA-2 a revoked TSA certificate is replaced at once and its key retired', async () => {
    const before = await stampNow();
    const old = await findToken(t.app.store, serialOf(before));
    const serial = serialHex(new X509Certificate(chain[0] as Buffer).serialNumber);
    await t.app.ca.revoke(ISSUING_ID, serial, 'keyCompromise', ACTOR);
    const after = await stampNow();
    expect((await signerOf(after, sha256('k'))).equals(await signerOf(before, sha256('k')))).toBe(false);
    expect((await t.app.keys.get(old?.keyId ?? '')).status).toBe('retired');
    const fresh = await t.app.tsa.certificates();
    const v = workdir();
    try {
      writeTrust(v, fresh);
      v.write('t.tst', after);
      expect(tsVerifyIn(v, { token: 't.tst' }, { digest: sha256('k') })).toContain('Verification: OK');
    } finally {
      v.remove();
    }
  });

  it('TSA-1 renewal: a year before its certificate ends the key stops stamping; other instances follow', async () => {
    const before = await stampNow();
    const later = Date.now() + 2.5 * 365 * 86_400_000;
    const renewing = createTsa(tsaDeps({ clock: { now: () => later } }));
    const renewed = await renewing.stamp({
      hash: HASHES['SHA-256'],
      digest: sha256('r'),
      certReq: true,
      actor: 'test',
    });
    issued.push(serialOf(renewed));
    expect((await signerOf(renewed, sha256('r'))).equals(await signerOf(before, sha256('k')))).toBe(false);
    // The app's TSA still holds the retired key: its next signature fails, and it finds the new one.
    const after = await stampNow();
    expect((await signerOf(after, sha256('k'))).equals(await signerOf(renewed, sha256('r')))).toBe(true);
  });
});

describe('TSA-1 / LOG-1: every token is in the audit log and the DB', () => {
  it('TSA-1 each token issued above has a tsa.token log entry and a tsa_tokens row with its imprint', async () => {
    expect(issued.length).toBeGreaterThan(40);
    const events = (await logEvents(t.app)).filter((e) => e.type === 'tsa.token');
    const logged = new Map(events.map((e) => [e.serial as string, e]));
    for (const serial of issued) {
      const e = logged.get(serial);
      expect(e, serial).toBeDefined();
      const row = await findToken(t.app.store, serial);
      expect(row?.policy).toBe(e?.policy);
      expect(Buffer.from(row?.imprint ?? []).toString('hex')).toBe(e?.imprint);
      expect(row?.hashOid).toBe(e?.hashAlgorithm);
    }
  });
});

describe.each(await backends())('TSA-1 / DEP-2: the token register on $name', (backend) => {
  it('TSA-1 a serial is recorded once: the database refuses a second token with it, whatever the instance', async () => {
    const db = await backend.create();
    try {
      const row = {
        ...{ serial: '4f00aa', genTime: Date.UTC(2026, 0, 1, 0, 0, 0, 120), policy: '2.999.1.2' },
        ...{ hashOid: OID.sha256, imprint: sha256('x'), keyId: 'k1', actor: 'anonymous' },
      };
      expect(await recordToken(db.store, row)).toBe(true);
      expect(await recordToken(db.store, { ...row, imprint: sha256('y'), actor: 'other' })).toBe(false);
      const found = await findToken(db.store, '4f00aa');
      expect(found?.genTime).toBe(row.genTime);
      expect(Buffer.from(found?.imprint ?? []).equals(sha256('x'))).toBe(true);
      expect(found?.actor).toBe('anonymous');
    } finally {
      await db.drop();
    }
  });
});
