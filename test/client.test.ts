/**
 * CLI-2 / API-1: the typed CSC v2 client (src/client) against a listening service over real HTTP —
 * info, auth/login, credentials/list and info, authorize + signHash (signatures checked by node
 * crypto and `openssl pkeyutl`), signDoc (checked by `openssl cms -verify`), signatures/timestamp
 * (checked by `openssl ts -verify`), CscError fields on refusals, transport failures, the signAlgo
 * choice and the PKCE authorize URL; the same client over CSC v1 (1.0.4.0 field names on the wire,
 * signatures checked by openssl), signDocumentLocally over v1 (openssl cms -verify), and
 * asynchronous signHash with signPolling / waitFor.
 */
import { createHash, createVerify, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaAuthority } from '../src/ca/index.js';
import {
  authorizationUrl,
  type CscClient,
  CscError,
  CscTransportError,
  CscUsageError,
  type CscVersion,
  chooseSignAlgorithm,
  createCscClient,
  createPkce,
  signDocumentLocally,
} from '../src/client/index.js';
import { documentFormat } from '../src/formats/index.js';
import { certPem, openssl, pkeyutlVerify } from './keys-openssl.js';
import { OIDS, startApp, type TestApp } from './support/app.js';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest();

describe('CLI-2 CSC v2 client', () => {
  let t: TestApp;
  let base: string;
  let client: CscClient;
  let root: Buffer;

  beforeAll(async () => {
    t = await startApp();
    base = await t.listen();
    root = ((await t.app.ca.authorities())[0] as CaAuthority).certificate;
    const anon = createCscClient({ baseUrl: base });
    const login = await anon.login({ username: t.demo.username, password: t.demo.password });
    client = anon.withToken(login.accessToken);
  });
  afterAll(() => t.close());

  it('API-1 info: specs, methods, formats and levels, typed', async () => {
    const info = await createCscClient({ baseUrl: base }).info();
    expect(info.specs).toMatch(/^2\./);
    expect(info.methods).toEqual(expect.arrayContaining(['signatures/signHash', 'signatures/signDoc']));
    expect(info.signatureFormats.P).toEqual(['Revision']);
    expect(info.signatureFormats.X).toContain('Enveloped');
    expect(info.conformanceLevels).toContain('Ades-B-LTA');
    expect(info.signAlgorithms).toContain(OIDS.ecdsaSha256);
  });

  it('API-1 login with rememberMe, list: the demo credentials; the service accepts the new token', async () => {
    const r = await createCscClient({ baseUrl: base }).login({
      username: t.demo.username,
      password: t.demo.password,
      rememberMe: true,
    });
    expect(r.accessToken.length).toBeGreaterThan(10);
    expect(r.expiresIn).toBeGreaterThan(0);
    const ids = await createCscClient({ baseUrl: base }).withToken(r.accessToken).credentialsList();
    expect(ids).toEqual(expect.arrayContaining(Object.values(t.demo.credentials)));
  });

  it('API-1 credentials/info with the chain: DER certificates, each issued by the next (node crypto)', async () => {
    const info = await client.credentialsInfo(t.demo.credentials.p256, { certificates: 'chain', certInfo: true });
    expect(info.key.status).toBe('enabled');
    expect(info.key.curve).toBe(OIDS.p256);
    expect(info.cert.certificates.length).toBeGreaterThanOrEqual(2);
    const certs = [...info.cert.certificates, root].map((d) => new X509Certificate(d));
    for (let i = 0; i + 1 < certs.length; i++) {
      const [c, issuer] = [certs[i] as X509Certificate, certs[i + 1] as X509Certificate];
      if (c.subject === issuer.subject) continue; // the root may be in the chain already
      expect(c.checkIssued(issuer) && c.verify(issuer.publicKey)).toBe(true);
    }
    expect(info.cert.subjectDN).toContain('Demo Signer');
    expect(info.auth).toMatchObject({ mode: 'explicit', objects: [{ id: 'PIN' }] });
  });

  it('API-1 authorize + signHash: ECDSA verified by node crypto, RSA by openssl pkeyutl', async () => {
    const data = Buffer.from('client-signed data');
    const digest = sha256(data);
    for (const [cred, signAlgo] of [
      [t.demo.credentials.p256, OIDS.ecdsaSha256],
      [t.demo.credentials.rsa2048, OIDS.sha256WithRSA],
    ] as const) {
      const { sad, expiresIn } = await client.authorize({
        credentialID: cred,
        hashes: [digest],
        hashAlgorithmOID: OIDS.sha256,
        pin: t.demo.pin,
      });
      expect(expiresIn).toBeGreaterThan(0);
      const [sig] = await client.signHash({ credentialID: cred, sad, hashes: [digest], signAlgo });
      const info = await client.credentialsInfo(cred);
      const leaf = new X509Certificate(info.cert.certificates[0] as Buffer);
      expect(
        createVerify('sha256')
          .update(data)
          .verify(leaf.publicKey, sig as Buffer),
      ).toBe(true);
      const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
      const opts = signAlgo === OIDS.sha256WithRSA ? ['digest:sha256'] : [];
      expect(pkeyutlVerify(spki, digest, sig as Buffer, opts).out).toContain('Signature Verified Successfully');
    }
  });

  it('FMT-1 signDoc through the client: CAdES attached, openssl cms -verify accepts it', async () => {
    const text = Buffer.from('signed by signDoc\n');
    const cred = t.demo.credentials.p256;
    const { sad } = await client.authorize({
      credentialID: cred,
      hashes: [sha256(text)],
      hashAlgorithmOID: OIDS.sha256,
      pin: t.demo.pin,
    });
    const r = await client.signDoc({
      credentialID: cred,
      sad,
      documents: [{ document: text, signatureFormat: 'C', signAlgo: OIDS.ecdsaSha256 }],
    });
    expect(r.documentWithSignature).toHaveLength(1);
    const v = openssl({ 'a.p7m': r.documentWithSignature[0] as Buffer, 'root.pem': certPem(root) }, [
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
    expect(v.out).toContain('signed by signDoc');
  });

  it('TSA-1 signatures/timestamp through the client: openssl ts -verify accepts the token, nonce echoed', async () => {
    const digest = sha256('to be time-stamped');
    const token = await client.timestamp(digest, OIDS.sha256, 'c0ffee42');
    const files = { 't.tst': token, 'root.pem': certPem(root) };
    const text = openssl(files, ['ts', '-reply', '-in', '{t.tst}', '-token_in', '-text']);
    expect(text.out).toContain('Nonce: 0xC0FFEE42');
    const v = openssl(files, [
      'ts',
      '-verify',
      '-digest',
      digest.toString('hex'),
      '-in',
      '{t.tst}',
      '-token_in',
      '-CAfile',
      '{root.pem}',
    ]);
    expect(v.out).toContain('Verification: OK');
  });

  it('API-1 CscError: a wrong PIN carries status 400, error and error_description; no secret in the message', async () => {
    const e = await client
      .authorize({
        credentialID: t.demo.credentials.rsaPss,
        hashes: [sha256('x')],
        hashAlgorithmOID: OIDS.sha256,
        pin: '000000',
      })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CscError);
    const c = e as CscError;
    expect(c.status).toBe(400);
    expect(c.error).toBe('invalid_pin');
    expect(c.error_description).toMatch(/attempts left/);
    expect(c.method).toBe('credentials/authorize');
    expect(c.message).not.toContain('000000');
  });

  it('API-1 CscError: a bad token is 401 invalid_token; a wrong password is authentication_error', async () => {
    const bad = await createCscClient({ baseUrl: base })
      .withToken('not-a-token')
      .credentialsList()
      .catch((x: unknown) => x);
    expect(bad).toMatchObject({ status: 401, error: 'invalid_token' });
    const login = await createCscClient({ baseUrl: base })
      .login({ username: t.demo.username, password: 'wrong password' })
      .catch((x: unknown) => x);
    expect(login).toBeInstanceOf(CscError);
    expect(login).toMatchObject({ status: 401, error: 'authentication_error' });
    expect((login as Error).message).not.toContain('wrong password');
  });

  it('CLI-2 transport: refused port, timeout, plain HTTP to a remote host, no token — each a clear CscTransportError', async () => {
    const refused = await createCscClient({ baseUrl: 'http://127.0.0.1:1' })
      .info()
      .catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(CscTransportError);
    expect(refused).toMatchObject({ reason: 'network' });
    expect((refused as Error).message).toContain('cannot reach http://127.0.0.1:1');

    const hang: typeof fetch = (_u, init) =>
      new Promise((_r, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const slow = await createCscClient({ baseUrl: base, fetch: hang, timeoutMs: 50 })
      .info()
      .catch((x: unknown) => x);
    expect(slow).toMatchObject({ reason: 'timeout', message: expect.stringContaining('no answer within 50 ms') });

    expect(() => createCscClient({ baseUrl: 'http://sign.example.com' })).toThrow(/use https/);
    await expect(createCscClient({ baseUrl: base }).credentialsList()).rejects.toMatchObject({ reason: 'no_token' });
  });

  it('CLI-2 signAlgo choice from credentials/info key: by curve for ECDSA, sha256WithRSA for RSA, none for PSS-only', async () => {
    const p256 = await client.credentialsInfo(t.demo.credentials.p256);
    expect(chooseSignAlgorithm(p256.key)).toEqual({ signAlgo: OIDS.ecdsaSha256, hash: 'SHA-256' });
    const rsa = await client.credentialsInfo(t.demo.credentials.rsa2048);
    expect(chooseSignAlgorithm(rsa.key)).toEqual({ signAlgo: OIDS.sha256WithRSA, hash: 'SHA-256' });
    const p384 = { status: 'enabled', len: 384, curve: '1.3.132.0.34', algo: [OIDS.ecdsaSha256, OIDS.ecdsaSha384] };
    expect(chooseSignAlgorithm(p384)).toEqual({ signAlgo: OIDS.ecdsaSha384, hash: 'SHA-384' });
    expect(() => chooseSignAlgorithm({ status: 'enabled', len: 3072, algo: [OIDS.rsassaPss] })).toThrow(CscUsageError);
  });

  it('AUTH-3 PKCE helper: the authorize URL carries the S256 challenge of the verifier and base64url hashes', () => {
    const pkce = createPkce();
    expect(pkce.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const digest = sha256('doc');
    const url = new URL(
      authorizationUrl({
        oauth2: `${base}/csc/v2`,
        clientId: 'app',
        redirectUri: 'https://app.example/cb',
        codeChallenge: pkce.challenge,
        state: 'st',
        scope: 'credential',
        credentialID: 'c1',
        numSignatures: 1,
        hashes: [digest],
        hashAlgorithmOID: OIDS.sha256,
      }),
    );
    expect(url.pathname).toBe('/csc/v2/oauth2/authorize');
    const q = url.searchParams;
    expect(q.get('code_challenge')).toBe(createHash('sha256').update(pkce.verifier).digest('base64url'));
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('hashes')).toBe(digest.toString('base64url'));
  });

  /** A fetch that keeps each request body (JSON) by CSC method, then calls the real one. */
  function recording(): { fetch: typeof fetch; bodies: Map<string, Record<string, unknown>> } {
    const bodies = new Map<string, Record<string, unknown>>();
    const rec: typeof fetch = (url, init) => {
      const method = String(url).replace(/^.*\/csc\/v[12]\//, '');
      if (typeof init?.body === 'string') bodies.set(method, JSON.parse(init.body));
      return fetch(url, init);
    };
    return { fetch: rec, bodies };
  }

  async function signedIn(version: CscVersion, f?: typeof fetch): Promise<CscClient> {
    const anon = createCscClient({ baseUrl: base, version, ...(f ? { fetch: f } : {}) });
    return anon.withToken((await anon.login({ username: t.demo.username, password: t.demo.password })).accessToken);
  }

  it('API-1 v1 and v2, one client interface: list, info, authorize, signHash on the same credential; openssl verifies both', async () => {
    const cred = t.demo.credentials.p256;
    for (const version of ['v1', 'v2'] as const) {
      const rec = recording();
      const c = await signedIn(version, rec.fetch);
      expect(c.apiUrl).toBe(`${base}/csc/${version}`);
      expect((await createCscClient({ baseUrl: base, version }).info()).specs).toBe(
        version === 'v1' ? '1.0.4.0' : (await c.info()).specs,
      );
      expect(await c.credentialsList()).toEqual(expect.arrayContaining(Object.values(t.demo.credentials)));
      const info = await c.credentialsInfo(cred, { certificates: 'chain', authInfo: true });
      expect(info.auth).toMatchObject({ mode: 'explicit', objects: [{ id: 'PIN' }] });
      const digest = sha256(`signed over CSC ${version}`);
      const { sad } = await c.authorize({
        credentialID: cred,
        hashes: [digest],
        hashAlgorithmOID: OIDS.sha256,
        pin: t.demo.pin,
      });
      const [sig] = await c.signHash({
        credentialID: cred,
        sad,
        hashes: [digest],
        signAlgo: OIDS.ecdsaSha256,
        hashAlgorithmOID: OIDS.sha256,
      });
      const spki = new X509Certificate(info.cert.certificates[0] as Buffer).publicKey.export({
        type: 'spki',
        format: 'der',
      });
      expect(pkeyutlVerify(spki, digest, sig as Buffer, []).out).toContain('Signature Verified Successfully');
      // The wire: §7's v1 names (hash, hashAlgo, PIN) or v2's (hashes, hashAlgorithmOID, authData).
      const authorize = rec.bodies.get('credentials/authorize');
      const signHash = rec.bodies.get('signatures/signHash');
      if (version === 'v1') {
        expect(authorize).toMatchObject({ hash: [digest.toString('base64')], hashAlgo: OIDS.sha256, PIN: t.demo.pin });
        expect(authorize).not.toHaveProperty('authData');
        expect(signHash).toMatchObject({ hash: [digest.toString('base64')], hashAlgo: OIDS.sha256 });
        expect(signHash).not.toHaveProperty('hashes');
      } else {
        expect(authorize).toMatchObject({ hashes: [digest.toString('base64')], authData: [{ id: 'PIN' }] });
        expect(signHash).toMatchObject({ hashes: [digest.toString('base64')], hashAlgorithmOID: OIDS.sha256 });
      }
    }
  });

  it('API-1 v1 credentials/list paging: the client follows nextPageToken; v1 has no signDoc or async mode', async () => {
    const pages: Record<string, unknown>[] = [];
    const paged: typeof fetch = async (_u, init) => {
      const body = JSON.parse(String(init?.body));
      pages.push(body);
      const page = body.pageToken ? { credentialIDs: ['c3'] } : { credentialIDs: ['c1', 'c2'], nextPageToken: '2' };
      return new Response(JSON.stringify(page), { status: 200 });
    };
    const c = createCscClient({ baseUrl: base, version: 'v1', fetch: paged }).withToken('tk');
    expect(await c.credentialsList()).toEqual(['c1', 'c2', 'c3']);
    expect(pages).toEqual([{}, { pageToken: '2' }]);
    const req = { credentialID: 'c1', hashes: [sha256('x')], signAlgo: OIDS.ecdsaSha256 };
    await expect(c.signHash(req, { async: {} })).rejects.toThrow(CscUsageError);
    await expect(c.signDoc({ credentialID: 'c1', documents: [] })).rejects.toThrow(/not part of CSC v1/);
  });

  it('FMT-1 signDocumentLocally over CSC v1: CAdES attached, openssl cms -verify accepts it', async () => {
    const text = Buffer.from('signed locally over v1\n');
    const r = await signDocumentLocally(await signedIn('v1'), {
      credentialID: t.demo.credentials.p256,
      document: text,
      format: documentFormat({
        signature_format: 'C',
        conformance_level: 'Ades-B-B',
        signed_envelope_property: 'Attached',
      }),
      pin: t.demo.pin,
      signingTime: new Date(),
      services: {},
    });
    expect(r.signAlgo).toBe(OIDS.ecdsaSha256);
    const v = openssl({ 'a.p7m': Buffer.from(r.output), 'root.pem': certPem(root) }, [
      ...['cms', '-verify', '-inform', 'DER', '-in', '{a.p7m}'],
      ...['-CAfile', '{root.pem}', '-purpose', 'any'],
    ]);
    expect(v.out).toContain('Verification successful');
    expect(v.out).toContain('signed locally over v1');
  });

  it('API-1 async signHash through the client: a handle, signPolling, waitFor; openssl verifies the signatures', async () => {
    const cred = t.demo.credentials.p256;
    const info = await client.credentialsInfo(cred);
    const spki = new X509Certificate(info.cert.certificates[0] as Buffer).publicKey.export({
      type: 'spki',
      format: 'der',
    });
    const digests = [sha256('async one'), sha256('async two')];
    const slept: number[] = [];
    const c = createCscClient({ baseUrl: base, sleep: async (ms) => void slept.push(ms) }).withToken(
      (await createCscClient({ baseUrl: base }).login({ username: t.demo.username, password: t.demo.password }))
        .accessToken,
    );
    const { sad } = await c.authorize({
      credentialID: cred,
      hashes: digests,
      hashAlgorithmOID: OIDS.sha256,
      pin: t.demo.pin,
    });
    const handle = await c.signHash(
      { credentialID: cred, sad, hashes: digests, signAlgo: OIDS.ecdsaSha256 },
      { async: { validityMs: 60_000 } },
    );
    expect(handle).toMatchObject({ responseID: expect.any(String), count: 2 });
    const sigs = await c.waitFor(handle, { intervalMs: 20, timeoutMs: 10_000 });
    expect(sigs).toHaveLength(2);
    digests.forEach((d, i) => {
      expect(pkeyutlVerify(spki, d, sigs[i] as Buffer, []).out).toContain('Signature Verified Successfully');
    });
    expect(slept.every((ms) => ms === 20)).toBe(true);
  });

  it('API-1 waitFor: a request still pending (202 accepted_request) after the time allowed is a timeout', async () => {
    let polls = 0;
    const pending: typeof fetch = async () => {
      polls++;
      const body = { error: 'accepted_request', error_description: 'The request is still being processed' };
      return new Response(JSON.stringify(body), { status: 202 });
    };
    const c = createCscClient({ baseUrl: base, fetch: pending, sleep: async () => {} }).withToken('tk');
    expect(await c.signPolling({ responseID: 'r1', count: 1 })).toEqual({ state: 'pending' });
    await expect(c.waitFor({ responseID: 'r1', count: 1 }, { intervalMs: 100, timeoutMs: 500 })).rejects.toMatchObject({
      reason: 'timeout',
    });
    expect(polls).toBe(1 + 5);
  });
});
