/**
 * CSC asynchronous mode (csc-api-v2.md §5.1 `operationMode: "A"`, §5.3 `signatures/signPolling`):
 * a handle at once, the result by polling (checked with openssl), fetched once, expiring with the
 * manual clock, only for the caller who started it, and delivered to `response_uri`.
 *
 * Until app.ts wires `CscDeps.async`, the suite mounts the CSC routes on a second HTTP server of
 * the same app (same store, signing, log and tokens) with asynchronous mode switched on.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokens } from '../src/auth/index.js';
import { registerCsc } from '../src/csc/index.js';
import { ShomeiError } from '../src/errors.js';
import { createHttpServer, type HttpApp } from '../src/http/server.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { type AsyncSigning, createAsyncSigning } from '../src/signing/async/index.js';
import { VERSION } from '../src/version.js';
import { certPem, openssl } from './keys-openssl.js';
import {
  addUser,
  authorizeBody,
  b64,
  CSC,
  logEvents,
  OIDS,
  type Reply,
  sha256,
  startApp,
  type TestApp,
} from './support/app.js';

const TEXT = Buffer.from('async contract text');

describe('API-1 CSC asynchronous mode (signHash, signDoc, signPolling)', () => {
  const clock = manualClock(Date.now());
  let t: TestApp;
  let http: HttpApp;
  let async: AsyncSigning;
  let cert: Buffer;
  let root: Buffer;
  let tokens: ReturnType<typeof createTokens>;

  beforeAll(async () => {
    t = await startApp({ platform: { clock, random: systemRandom } });
    const { app } = t;
    tokens = createTokens({
      store: app.store,
      audit: app.audit,
      clock,
      random: systemRandom,
      accessTokenTtlSeconds: 3600,
      refreshTokenTtlSeconds: 3600,
    });
    async = createAsyncSigning({
      store: app.store,
      clock,
      random: systemRandom,
      audit: app.audit,
      maxValidityMs: 3_600_000,
      allowLoopbackHttp: true,
    });
    http = await createHttpServer({ config: app.config, version: VERSION, logger: false });
    const refuse = () => Promise.reject(new Error('not used by this suite'));
    await registerCsc(http, {
      info: { name: 'async', description: '', region: 'EU', lang: 'en', logo: '', signAlgorithms: [] },
      session: {
        loginBasic: refuse,
        loginRefresh: refuse,
        authenticate: (tk) => tokens.authenticate(tk),
        revoke: refuse,
      },
      signing: app.signing,
      timestamps: app.tsa,
      signDocBodyLimit: app.config.http.signDocBodyLimitBytes,
      async,
    });
    await http.ready();
    const info = await post('credentials/info', { credentialID: cred(), certificates: 'chain' });
    cert = Buffer.from(info.json.cert.certificates[0], 'base64');
    root = Buffer.from(info.json.cert.certificates.at(-1), 'base64');
  });
  afterAll(async () => {
    await http?.close();
    await t?.close();
  });

  const cred = () => t.demo.credentials.p256;
  async function post(method: string, body: unknown, token = t.token): Promise<Reply> {
    const res = await http.inject({
      method: 'POST',
      url: `${CSC}/${method}`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      payload: JSON.stringify(body),
    });
    return {
      status: res.statusCode,
      headers: res.headers,
      text: res.body,
      json: res.body ? JSON.parse(res.body) : undefined,
    };
  }
  const authorize = async (hashes: Buffer[]) => {
    const r = await post('credentials/authorize', authorizeBody(cred(), t.demo.pin, hashes));
    expect(r.status, r.text).toBe(200);
    return r.json.SAD as string;
  };
  /** An asynchronous signHash of fresh digests; returns the reply and the digests. */
  async function signHashAsync(extra: object = {}) {
    const digests = [sha256(`a-${Math.random()}`), sha256(`b-${Math.random()}`)];
    const SAD = await authorize(digests);
    const r = await post('signatures/signHash', {
      credentialID: cred(),
      SAD,
      hashes: digests.map(b64),
      signAlgo: OIDS.ecdsaSha256,
      operationMode: 'A',
      ...extra,
    });
    return { r, digests };
  }
  const poll = (requestID: string, token = t.token) => post('signatures/signPolling', { requestID }, token);
  const verifiesWithOpenssl = (digest: Buffer, sig: Buffer) =>
    openssl({ 'cert.pem': certPem(cert), digest, sig }, [
      'pkeyutl',
      '-verify',
      '-certin',
      '-inkey',
      '{cert.pem}',
      '-sigfile',
      '{sig}',
      '-in',
      '{digest}',
    ]).out;

  it('API-1 async signHash: a responseID at once, the result by polling verifies with openssl, then it is gone', async () => {
    const { r, digests } = await signHashAsync();
    expect(r.status, r.text).toBe(200);
    expect(r.json).toEqual({ responseID: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    await async.idle();
    const done = await poll(r.json.responseID);
    expect(done.status, done.text).toBe(200);
    expect(done.json.signatures).toHaveLength(2);
    digests.forEach((d, i) => {
      expect(verifiesWithOpenssl(d, Buffer.from(done.json.signatures[i], 'base64'))).toContain(
        'Signature Verified Successfully',
      );
    });
    // Fetched once: the second fetch is refused, and the row holds no body any more.
    const again = await poll(r.json.responseID);
    expect(again.status).toBe(400);
    expect(again.json.error_description).toBe('The result of the asynchronous request was already fetched');
    const rows = await t.app.store.db.selectFrom('async_results').select(['body', 'status']).execute();
    expect(rows.every((row) => row.body === null || row.status === 'done')).toBe(true);
    // LOG-1: the request and the fetch are in the log, the handle itself is not.
    const events = await logEvents(t.app);
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['signature.async.accept', 'signature.async.fetch']));
    expect(JSON.stringify(events)).not.toContain(r.json.responseID);
  });

  it('API-1 async signHash: a pending request polls as 202 accepted_request', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started = await async.start(await tokens.authenticate(t.token), { kind: 'signHash' }, async (accepted) => {
      accepted();
      await gate;
      return { signatures: [] };
    });
    const pending = await poll(started);
    expect(pending.status, pending.text).toBe(202);
    expect(pending.json.error).toBe('accepted_request');
    release();
    await async.idle();
    expect((await poll(started)).status).toBe(200);
  });

  it('API-1 async: a failure after acceptance is what the poll answers, once', async () => {
    const handle = await async.start(await tokens.authenticate(t.token), { kind: 'signHash' }, async (accepted) => {
      accepted();
      throw new ShomeiError('keystore_error');
    });
    await async.idle();
    const failed = await poll(handle);
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({
      error: 'server_error',
      error_description: 'The key store could not complete the operation',
    });
    expect((await poll(handle)).json.error_description).toBe(
      'The result of the asynchronous request was already fetched',
    );
  });

  it('API-1 async signHash: a result not fetched within validity_period (ms) expires', async () => {
    const { r } = await signHashAsync({ validity_period: 60_000 });
    expect(r.status, r.text).toBe(200);
    await async.idle();
    clock.advance(60_001);
    const late = await poll(r.json.responseID);
    expect(late.status).toBe(400);
    expect(late.json.error_description).toBe('The result of the asynchronous request has expired');
    const rows = await t.app.store.db
      .selectFrom('async_results')
      .select('body')
      .where('status', '=', 'expired')
      .execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.body === null)).toBe(true);
  });

  it('API-1 async: bad input is refused at once as in mode S (SAD, validity_period, response_uri)', async () => {
    const digest = sha256('refused');
    const base = { credentialID: cred(), hashes: [b64(digest)], signAlgo: OIDS.ecdsaSha256, operationMode: 'A' };
    const badSad = await post('signatures/signHash', { ...base, SAD: 'not-a-sad' });
    expect(badSad.status).toBe(400);
    expect(badSad.json.error_description).toBe('Invalid parameter SAD');
    const SAD = await authorize([digest]);
    const tooLong = await post('signatures/signHash', { ...base, SAD, validity_period: 3_600_001 });
    expect(tooLong.json.error_description).toBe('Out of bounds parameter validity_period');
    const plainHttp = await post('signatures/signHash', { ...base, SAD, response_uri: 'http://example.com/cb' });
    expect(plainHttp.json.error_description).toBe('Invalid parameter response_uri');
    // Neither refusal spent the SAD: it still signs.
    const ok = await post('signatures/signHash', { ...base, SAD });
    expect(ok.status, ok.text).toBe(200);
    await async.idle();
    expect((await poll(ok.json.responseID)).status).toBe(200);
  });

  it("API-1 signPolling: another user's poll and an unknown handle are refused alike", async () => {
    const { r } = await signHashAsync();
    await async.idle();
    const bob = await addUser(t.app, 'bob');
    const bobToken = await t.login('bob', bob.password);
    const foreign = await poll(r.json.responseID, bobToken);
    expect(foreign.status).toBe(400);
    expect(foreign.json.error_description).toBe('Invalid parameter requestID');
    expect((await poll('unknown-handle')).json.error_description).toBe('Invalid parameter requestID');
    // The owner still gets it: the foreign poll did not consume it.
    expect((await poll(r.json.responseID)).status).toBe(200);
  });

  it('API-1 async signDoc: CAdES by polling, openssl cms -verify accepts it', async () => {
    const SAD = await authorize([sha256(TEXT)]);
    const r = await post('signatures/signDoc', {
      credentialID: cred(),
      SAD,
      documents: [{ document: b64(TEXT), signAlgo: OIDS.ecdsaSha256, signature_format: 'C' }],
      operationMode: 'A',
    });
    expect(r.status, r.text).toBe(200);
    expect(Object.keys(r.json)).toEqual(['responseID']);
    await async.idle();
    const done = await poll(r.json.responseID);
    expect(done.status, done.text).toBe(200);
    const cms = Buffer.from(done.json.DocumentWithSignature[0], 'base64');
    const v = openssl({ 'a.p7m': cms, 'root.pem': certPem(root) }, [
      'cms',
      '-verify',
      '-inform',
      'DER',
      '-in',
      '{a.p7m}',
      '-CAfile',
      '{root.pem}',
      '-purpose',
      'any',
    ]);
    expect(v.out).toContain('Verification successful');
    expect(v.out).toContain(TEXT.toString());
  });

  it('API-1 async signHash: the result is POSTed to response_uri (loopback listener), then counts as fetched', async () => {
    const received: unknown[] = [];
    const server: Server = createServer((req, res) => {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => {
        received.push(JSON.parse(data));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const { r, digests } = await signHashAsync({ response_uri: `http://127.0.0.1:${port}/done` });
      expect(r.status, r.text).toBe(200);
      await async.idle();
      expect(received).toHaveLength(1);
      const body = received[0] as { responseID: string; signatures: string[] };
      expect(body.responseID).toBe(r.json.responseID);
      expect(verifiesWithOpenssl(digests[0] as Buffer, Buffer.from(body.signatures[0] as string, 'base64'))).toContain(
        'Signature Verified Successfully',
      );
      expect((await poll(r.json.responseID)).json.error_description).toBe(
        'The result of the asynchronous request was already fetched',
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('API-1 async: a failed response_uri delivery is logged and the result stays pollable', async () => {
    const { r } = await signHashAsync({ response_uri: 'http://127.0.0.1:1/unreachable' });
    await async.idle();
    const events = await logEvents(t.app);
    expect(events.some((e) => e.type === 'signature.async.deliver' && e.outcome === 'failure')).toBe(true);
    expect((await poll(r.json.responseID)).status).toBe(200);
  });

  it('API-1 info: asynchronousOperationMode and signatures/signPolling when wired', async () => {
    const res = await http.inject({ method: 'POST', url: `${CSC}/info`, payload: {} });
    const info = JSON.parse(res.body);
    expect(info.asynchronousOperationMode).toBe(true);
    expect(info.methods).toContain('signatures/signPolling');
  });
});
