/**
 * The scripted CSC API v2 session a standard client runs (API-1; csc-api-v2.md §3–§5), over HTTP,
 * for every demo credential, with each signature checked by two independent oracles: the openssl
 * command line against the certificate the service returned, and node:crypto. Then the log
 * (LOG-1..3): one signed `signature.create` entry per signature, no secrets, and a verifying tree.
 */
import { execFile } from 'node:child_process';
import { constants, createPublicKey, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeSource, verifyLog } from '../src/audit/index.js';
import { METHODS } from '../src/csc/index.js';
import { authorizeBody, b64, basicAuth, logEvents, OIDS, sha256, startApp, type TestApp } from './support/app.js';

const run = promisify(execFile);

/** RSASSA-PSS-params (RFC 4055 §3.1): SHA-256, MGF1 with SHA-256, salt 32, trailer 1 (default, omitted). */
const SHA256_ALGID = '300d06096086480165030402010500';
const PSS_PARAMS_SHA256 = Buffer.from(
  `3034a00f${SHA256_ALGID}a11c301a06092a864886f70d010108${SHA256_ALGID}a203020120`,
  'hex',
);

const pem = (der: Buffer) =>
  `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;

interface Case {
  readonly name: string;
  readonly cred: (t: TestApp) => string;
  readonly signAlgo: string;
  readonly hashAlgorithmOID?: string;
  readonly signAlgoParams?: string;
  readonly pss: boolean;
  readonly keyAlgo: string[];
  readonly len: number;
  readonly curve?: string;
}

const CASES: Case[] = [
  {
    name: 'RSA-2048 sha256WithRSAEncryption',
    cred: (t) => t.demo.credentials.rsa2048,
    signAlgo: OIDS.sha256WithRSA,
    pss: false,
    keyAlgo: [OIDS.sha256WithRSA, OIDS.rsaEncryption, OIDS.rsassaPss],
    len: 2048,
  },
  {
    name: 'RSA-2048 rsaEncryption + hashAlgorithmOID SHA-256',
    cred: (t) => t.demo.credentials.rsa2048,
    signAlgo: OIDS.rsaEncryption,
    hashAlgorithmOID: OIDS.sha256,
    pss: false,
    keyAlgo: [OIDS.rsaEncryption],
    len: 2048,
  },
  {
    name: 'RSA-3072 RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32)',
    cred: (t) => t.demo.credentials.rsaPss,
    signAlgo: OIDS.rsassaPss,
    hashAlgorithmOID: OIDS.sha256,
    signAlgoParams: b64(PSS_PARAMS_SHA256),
    pss: true,
    keyAlgo: [OIDS.rsassaPss],
    len: 3072,
  },
  {
    name: 'ECDSA P-256 ecdsa-with-SHA256',
    cred: (t) => t.demo.credentials.p256,
    signAlgo: OIDS.ecdsaSha256,
    pss: false,
    keyAlgo: [OIDS.ecdsaSha256],
    len: 256,
    curve: OIDS.p256,
  },
];

let t: TestApp;
let work: string;
let signatureCount = 0;
const secrets: string[] = [];

beforeAll(async () => {
  t = await startApp();
  work = mkdtempSync(join(tmpdir(), 'shomei-openssl-'));
  secrets.push(t.demo.password, t.demo.pin, t.token);
});

afterAll(async () => {
  await t?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('API-1: info', () => {
  it('API-1: info reports specs 2.0.0.2, every method offered and the signing algorithms, without authentication', async () => {
    const r = await t.post('info', {});
    expect(r.status).toBe(200);
    expect(r.json.specs).toBe('2.0.0.2');
    expect(typeof r.json.name).toBe('string');
    expect(r.json.name.length).toBeLessThanOrEqual(255);
    expect(r.json.region).toMatch(/^[A-Z]{2}$/);
    expect(typeof r.json.logo).toBe('string');
    expect(typeof r.json.lang).toBe('string');
    expect(typeof r.json.description).toBe('string');
    // oauth2client through oauth2/token; oauth2code through the RSSP's pages (web/rssp).
    expect(r.json.authType).toEqual(['basic', 'oauth2client', 'oauth2code']);
    expect(r.json.oauth2).toMatch(/\/csc\/v2$/);
    expect(r.json.methods).toEqual(expect.arrayContaining([...METHODS]));
    for (const m of [
      'auth/login',
      'auth/revoke',
      'credentials/list',
      'credentials/info',
      'credentials/authorize',
      'signatures/signHash',
    ]) {
      expect(r.json.methods).toContain(m);
    }
    expect(r.json.signAlgorithms.algos).toEqual(
      expect.arrayContaining([OIDS.sha256WithRSA, OIDS.rsaEncryption, OIDS.rsassaPss, OIDS.ecdsaSha256]),
    );
    expect(Array.isArray(r.json.conformance_levels)).toBe(true);
    expect(Array.isArray(r.json.signature_formats.formats)).toBe(true);
  });

  it('API-1: info accepts an empty body and an unknown field', async () => {
    const empty = await t.post('info', undefined, undefined, { raw: '' });
    expect(empty.status).toBe(200);
    const extra = await t.post('info', { lang: 'en', somethingNew: 1 });
    expect(extra.status).toBe(200);
    expect(extra.text).not.toContain('somethingNew');
  });
});

describe('API-1: the scripted session for each demo credential', () => {
  it('AUTH-1: credentials/list returns exactly the three demo credentials', async () => {
    const r = await t.post('credentials/list', {}, t.token);
    expect(r.status).toBe(200);
    expect([...r.json.credentialIDs].sort()).toEqual(
      [t.demo.credentials.rsa2048, t.demo.credentials.rsaPss, t.demo.credentials.p256].sort(),
    );
    const withInfo = await t.post('credentials/list', { credentialInfo: true, certificates: 'none' }, t.token);
    expect(withInfo.status).toBe(200);
    expect(withInfo.json.credentialInfos).toHaveLength(3);
    for (const ci of withInfo.json.credentialInfos) {
      expect(r.json.credentialIDs).toContain(ci.credentialID);
      expect(ci.cert.certificates).toBeUndefined();
    }
  });

  it.each(CASES)('SIGN-1: $name — list → info → authorize 3 → signHash 3, verified by openssl and node', async (c) => {
    const credentialID = c.cred(t);

    const list = await t.post('credentials/list', {}, t.token);
    expect(list.json.credentialIDs).toContain(credentialID);

    const info = await t.post('credentials/info', { credentialID, certificates: 'chain', certInfo: true }, t.token);
    expect(info.status).toBe(200);
    const ci = info.json;
    expect(ci.key.status).toBe('enabled');
    expect(ci.key.algo).toEqual(expect.arrayContaining(c.keyAlgo));
    expect(ci.key.len).toBe(c.len);
    if (c.curve) expect(ci.key.curve).toBe(c.curve);
    else expect(ci.key.curve).toBeUndefined();
    expect(ci.SCAL).toBe('1');
    expect(ci.multisign).toBe(100);
    expect(ci.auth.mode).toBe('explicit');
    expect(ci.auth.objects.map((o: { id: string }) => o.id)).toContain('PIN');
    expect(ci.cert.status).toBe('valid');
    const chain: Buffer[] = ci.cert.certificates.map((s: string) => Buffer.from(s, 'base64'));
    expect(chain.length).toBeGreaterThanOrEqual(2);
    const ee = new X509Certificate(chain[0] as Buffer);
    // certInfo: RFC 4514 DNs, hex serial, GeneralizedTime dates, all matching the certificate.
    expect(ci.cert.subjectDN).toContain('CN=Demo Signer');
    expect(ci.cert.subjectDN).toContain('O=shomei demo');
    expect(ci.cert.subjectDN).toContain('C=JP');
    expect(typeof ci.cert.issuerDN).toBe('string');
    expect(ci.cert.issuerDN.length).toBeGreaterThan(0);
    expect(ci.cert.issuerDN).not.toBe(ci.cert.subjectDN);
    expect(ci.cert.serialNumber).toMatch(/^[0-9a-fA-F]+$/);
    expect(BigInt(`0x${ci.cert.serialNumber}`)).toBe(BigInt(`0x${ee.serialNumber}`));
    expect(ci.cert.validFrom).toMatch(/^\d{14}Z$/);
    expect(ci.cert.validTo).toMatch(/^\d{14}Z$/);
    const gt = (s: string) =>
      Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10), +s.slice(10, 12), +s.slice(12, 14));
    expect(gt(ci.cert.validFrom)).toBe(new Date(ee.validFrom).getTime());
    expect(gt(ci.cert.validTo)).toBe(new Date(ee.validTo).getTime());

    // Three messages, three digests, one authorisation (AUTH-5 batch).
    const messages = [0, 1, 2].map((i) => Buffer.from(`${c.name} document ${i} ${Date.now()}`));
    const digests = messages.map((m) => sha256(m));
    const auth = await t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, digests), t.token);
    expect(auth.status).toBe(200);
    expect(typeof auth.json.SAD).toBe('string');
    expect(auth.json.expiresIn).toBeGreaterThan(0);
    secrets.push(auth.json.SAD);

    const sign = await t.post(
      'signatures/signHash',
      {
        credentialID,
        SAD: auth.json.SAD,
        hashes: digests.map(b64),
        signAlgo: c.signAlgo,
        ...(c.hashAlgorithmOID ? { hashAlgorithmOID: c.hashAlgorithmOID } : {}),
        ...(c.signAlgoParams ? { signAlgoParams: c.signAlgoParams } : {}),
      },
      t.token,
    );
    expect(sign.status, sign.text).toBe(200);
    expect(sign.json.signatures).toHaveLength(3);
    signatureCount += 3;

    const dir = mkdtempSync(join(work, 'case-'));
    const certPem = join(dir, 'cert.pem');
    const pubPem = join(dir, 'pub.pem');
    writeFileSync(certPem, pem(chain[0] as Buffer));
    const pub = createPublicKey(ee.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(pubPem, pub.export({ type: 'spki', format: 'pem' }));
    const pssOpts = c.pss ? ['-pkeyopt', 'rsa_padding_mode:pss', '-pkeyopt', 'rsa_pss_saltlen:32'] : [];
    const pssSigOpts = c.pss ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32'] : [];

    for (const [i, s] of (sign.json.signatures as string[]).entries()) {
      expect(s).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      const sig = Buffer.from(s, 'base64');
      const digestFile = join(dir, `digest${i}.bin`);
      const sigFile = join(dir, `sig${i}.bin`);
      const msgFile = join(dir, `msg${i}.txt`);
      writeFileSync(digestFile, digests[i] as Buffer);
      writeFileSync(sigFile, sig);
      writeFileSync(msgFile, messages[i] as Buffer);
      // Oracle 1a: openssl over the raw digest, key from the returned certificate.
      const pk = await run('openssl', [
        'pkeyutl',
        '-verify',
        '-certin',
        '-inkey',
        certPem,
        '-in',
        digestFile,
        '-sigfile',
        sigFile,
        '-pkeyopt',
        'digest:sha256',
        ...pssOpts,
      ]);
      expect(pk.stdout).toContain('Signature Verified Successfully');
      // Oracle 1b: openssl over the message itself (the digest reached the key un-rehashed, pitfall 6).
      const dg = await run('openssl', [
        'dgst',
        '-sha256',
        '-verify',
        pubPem,
        ...pssSigOpts,
        '-signature',
        sigFile,
        msgFile,
      ]);
      expect(dg.stdout).toContain('Verified OK');
      // Oracle 2: node:crypto.
      const ok = cryptoVerify(
        'sha256',
        messages[i] as Buffer,
        c.pss
          ? { key: ee.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
          : { key: ee.publicKey, dsaEncoding: 'der' },
        sig,
      );
      expect(ok).toBe(true);
      // And a signature over another message does not verify (the oracles are not vacuous).
      expect(cryptoVerify('sha256', Buffer.from('other'), ee.publicKey, sig)).toBe(false);
    }
  });

  it('SIGN-4: a PSS signature carries exactly the salt length the parameters asked for (32, not 20)', async () => {
    // Guard against an oracle that would pass anything: saltlen 20 must not verify a salt-32 signature.
    const credentialID = t.demo.credentials.rsaPss;
    const msg = Buffer.from('pss salt check');
    const digest = sha256(msg);
    const auth = await t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, [digest]), t.token);
    const sign = await t.post(
      'signatures/signHash',
      {
        credentialID,
        SAD: auth.json.SAD,
        hashes: [b64(digest)],
        signAlgo: OIDS.rsassaPss,
        hashAlgorithmOID: OIDS.sha256,
        signAlgoParams: b64(PSS_PARAMS_SHA256),
      },
      t.token,
    );
    expect(sign.status).toBe(200);
    secrets.push(auth.json.SAD);
    signatureCount += 1;
    const info = await t.post('credentials/info', { credentialID }, t.token);
    const ee = new X509Certificate(Buffer.from(info.json.cert.certificates[0], 'base64'));
    const sig = Buffer.from(sign.json.signatures[0], 'base64');
    expect(
      cryptoVerify('sha256', msg, { key: ee.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig),
    ).toBe(true);
    expect(
      cryptoVerify('sha256', msg, { key: ee.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 20 }, sig),
    ).toBe(false);
  });

  it('CA-1: the issued chain verifies with openssl verify against its root (the last certificate)', async () => {
    for (const credentialID of Object.values(t.demo.credentials)) {
      const info = await t.post('credentials/info', { credentialID, certificates: 'chain' }, t.token);
      const chain = (info.json.cert.certificates as string[]).map((s) => Buffer.from(s, 'base64'));
      const dir = mkdtempSync(join(work, 'chain-'));
      const root = join(dir, 'root.pem');
      const ee = join(dir, 'ee.pem');
      const untrusted = join(dir, 'untrusted.pem');
      writeFileSync(root, pem(chain[chain.length - 1] as Buffer));
      writeFileSync(ee, pem(chain[0] as Buffer));
      const middle = chain.slice(1, -1);
      if (middle.length > 0) writeFileSync(untrusted, middle.map(pem).join(''));
      const r = await run('openssl', [
        'verify',
        '-CAfile',
        root,
        ...(middle.length > 0 ? ['-untrusted', untrusted] : []),
        ee,
      ]);
      expect(r.stdout).toContain(': OK');
      // certificates 'single' is the end-entity certificate only; 'none' none.
      const single = await t.post('credentials/info', { credentialID }, t.token);
      expect(single.json.cert.certificates).toEqual([b64(chain[0] as Buffer)]);
      const none = await t.post('credentials/info', { credentialID, certificates: 'none' }, t.token);
      expect(none.json.cert.certificates).toBeUndefined();
    }
  });
});

describe('AUTH-2: tokens', () => {
  it('AUTH-2: auth/revoke answers 204 and the revoked access token stops working (401 invalid_token)', async () => {
    const token = await t.login(t.demo.username, t.demo.password);
    secrets.push(token);
    expect((await t.post('credentials/list', {}, token)).status).toBe(200);
    const r = await t.post('auth/revoke', { token }, token);
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    const after = await t.post('credentials/list', {}, token);
    expect(after.status).toBe(401);
    expect(after.json.error).toBe('invalid_token');
    expect(after.headers['www-authenticate']).toMatch(/^Bearer/);
    // The session's other token is untouched.
    expect((await t.post('credentials/list', {}, t.token)).status).toBe(200);
  });

  it('AUTH-2: revoking a refresh token voids its access tokens; revoking a foreign or unknown token is a silent 204', async () => {
    const first = await t.post('auth/login', { rememberMe: true }, undefined, {
      headers: { authorization: basicAuth(t.demo.username, t.demo.password) },
    });
    const { access_token: access, refresh_token: refresh } = first.json as {
      access_token: string;
      refresh_token: string;
    };
    secrets.push(access, refresh);
    const other = await t.login(t.demo.username, t.demo.password);
    secrets.push(other);
    // Unknown token: 204 (RFC 7009 §2.2), nothing changes.
    expect((await t.post('auth/revoke', { token: 'A'.repeat(43) }, other)).status).toBe(204);
    const r = await t.post('auth/revoke', { token: refresh, token_type_hint: 'refresh_token' }, other);
    expect(r.status).toBe(204);
    const after = await t.post('credentials/list', {}, access);
    expect(after.status).toBe(401);
    expect(after.json.error).toBe('invalid_token');
    expect((await t.post('auth/login', { refresh_token: refresh })).status).toBe(400);
    expect((await t.post('credentials/list', {}, other)).status).toBe(200);
  });

  it('AUTH-2: login with rememberMe yields a refresh_token; login with it gives a working access token', async () => {
    const first = await t.post('auth/login', { rememberMe: true }, undefined, {
      headers: { authorization: basicAuth(t.demo.username, t.demo.password) },
    });
    expect(first.status).toBe(200);
    expect(typeof first.json.access_token).toBe('string');
    expect(typeof first.json.refresh_token).toBe('string');
    expect(first.json.expires_in).toBeGreaterThan(0);
    secrets.push(first.json.access_token, first.json.refresh_token);
    const without = await t.post('auth/login', {}, undefined, {
      headers: { authorization: basicAuth(t.demo.username, t.demo.password) },
    });
    expect(without.json.refresh_token).toBeUndefined();
    secrets.push(without.json.access_token);

    const second = await t.post('auth/login', { refresh_token: first.json.refresh_token });
    expect(second.status, second.text).toBe(200);
    expect(typeof second.json.access_token).toBe('string');
    secrets.push(second.json.access_token);
    if (second.json.refresh_token) secrets.push(second.json.refresh_token);
    const list = await t.post('credentials/list', {}, second.json.access_token);
    expect(list.status).toBe(200);
    expect(list.json.credentialIDs).toHaveLength(3);

    const bogus = await t.post('auth/login', { refresh_token: 'not-a-refresh-token' });
    expect(bogus.status).toBeGreaterThanOrEqual(400);
    expect(bogus.status).toBeLessThan(500);
    expect(bogus.json.error).toBeDefined();
  });
});

describe('LOG-1..3: the log after the session', () => {
  it('LOG-2: GET /log/checkpoint is a signed note and the whole log verifies with the verifier key', async () => {
    await t.app.audit.flush();
    await t.app.audit.checkpoint();
    const cp = await t.get('/log/checkpoint');
    expect(cp.status).toBe(200);
    const lines = cp.text.split('\n');
    expect(lines[0]).toBe(t.app.logVerifierKey.split('+')[0]);
    expect(lines[1]).toMatch(/^\d+$/);
    expect(lines[2]).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(cp.text).toMatch(/\n\n\u2014 \S+ \S+\n/);
    const key = await t.get('/log/key');
    expect(key.text.trim()).toBe(t.app.logVerifierKey);

    const report = await verifyLog(storeSource(t.app.store), t.app.logVerifierKey);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.size).toBe(Number(lines[1]));
    expect(report.pending).toBe(0);
  });

  it('LOG-1, LOG-3: one signature.create entry per signature, and no entry holds a PIN, password, SAD or token', async () => {
    const events = await logEvents(t.app);
    const created = events.filter((e) => e.type === 'signature.create');
    expect(signatureCount).toBe(3 * CASES.length + 1);
    expect(created).toHaveLength(signatureCount);
    for (const e of created) {
      expect(e.outcome).toBe('success');
      expect(Object.values(t.demo.credentials)).toContain(e.credentialID);
      expect(typeof e.hash).toBe('string');
      expect(e.signatureSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(e.sadId).toBeDefined();
    }
    expect(events.filter((e) => e.type === 'sad.issue').length).toBe(CASES.length + 1);
    expect(secrets.length).toBeGreaterThan(5);
    for (const e of events) {
      for (const v of Object.values(e)) {
        if (typeof v !== 'string') continue;
        for (const s of secrets) expect(v.includes(s), `entry ${e.seq} (${e.type}) holds a secret`).toBe(false);
      }
    }
  });
});
