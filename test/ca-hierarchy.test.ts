import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lifecycleDeps, releaseCredential, revokeCredential } from '../src/admin/index.js';
import { bulkIssue, ISSUING_ID, ROOT_ID } from '../src/ca/index.js';
import { certPem, crlText, openssl, opensslCsr, verifyWithCrls } from './keys-openssl.js';
import { ACTOR, addCredential, authorizeBody, startAppOn, type TestApp } from './support/app.js';
import { backends } from './support/stores.js';

const text = (der: Uint8Array) =>
  openssl({ 'c.der': der }, ['x509', '-inform', 'DER', '-in', '{c.der}', '-noout', '-text']).out;

describe.each(await backends())('CA hierarchy, CRLs and repository on $name', (backend) => {
  let t: TestApp;
  let demoId: string;
  const why = { actor: ACTOR, reason: 'test' };

  beforeAll(async () => {
    t = await startAppOn(backend);
    demoId = (await t.app.users.findByUsername('demo'))!.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const raw = async (url: string) => {
    const r = await t.app.http.inject({ method: 'GET', url });
    return { status: r.statusCode, body: r.rawPayload, headers: r.headers, text: r.body };
  };
  const chainOf = async (credentialID: string) => {
    const info = await t.post('credentials/info', { credentialID, certificates: 'chain' }, t.token);
    return (info.json.cert.certificates as string[]).map((c) => Buffer.from(c, 'base64'));
  };
  /** openssl verify with the CRLs the service publishes now. */
  const verify = async (ee: Buffer) => {
    const [root, issuing] = await t.app.ca.authorities();
    const rootCrl = (await raw(`/crl/${ROOT_ID}.crl`)).body;
    const issuingCrl = (await raw(`/crl/${ISSUING_ID}.crl`)).body;
    return verifyWithCrls({ root: root!.certificate, issuing: issuing!.certificate, ee, crls: [rootCrl, issuingCrl] });
  };
  const signOnce = (credentialID: string) =>
    t.post('credentials/authorize', authorizeBody(credentialID, t.demo.pin, [randomBytes(32)]), t.token);

  it('CA-1: every credential certificate, the demo ones included, carries the AIA (OCSP, caIssuers) and CRL distribution point URLs of the running service', async () => {
    const base = t.app.baseUrl;
    for (const id of [t.demo.credentials.p256, await addCredential(t.app, demoId)]) {
      const [ee, issuing, root] = await chainOf(id);
      expect(root, 'a three-certificate chain').toBeDefined();
      const x = text(ee as Buffer);
      expect(x).toContain(`OCSP - URI:${base}/ocsp`);
      expect(x).toContain(`CA Issuers - URI:${base}/ca/${ISSUING_ID}.der`);
      expect(x).toContain(`URI:${base}/crl/${ISSUING_ID}.crl`);
      expect(text(issuing as Buffer)).toContain(`URI:${base}/crl/${ROOT_ID}.crl`);
      // The URLs answer with what they promise.
      const fetched = await raw(`/ca/${ISSUING_ID}.der`);
      expect(fetched.headers['content-type']).toBe('application/pkix-cert');
      expect(fetched.body.equals(issuing as Buffer)).toBe(true);
    }
  });

  it('CA-2: openssl verify -crl_check_all accepts a fresh signer certificate with the published CRLs, and rejects it after revocation; signing stops at once', async () => {
    const id = await addCredential(t.app, demoId);
    const [ee] = await chainOf(id);
    const before = await verify(ee as Buffer);
    expect(before.out).toContain('OK');
    expect(before.ok).toBe(true);
    await revokeCredential(lifecycleDeps(t.app), id, 'keyCompromise', why);
    const after = await verify(ee as Buffer);
    expect(after.ok).toBe(false);
    expect(after.out).toContain('certificate revoked');
    const crl = crlText((await raw(`/crl/${ISSUING_ID}.crl`)).body);
    expect(crl).toContain('Key Compromise');
    expect(crl).toMatch(/X509v3 CRL Number:\s+\d+/);
    expect(crl).toContain('X509v3 Authority Key Identifier');
    const refused = await signOnce(id);
    expect(refused.status).toBe(400);
  });

  it('CA-2: a hold puts the certificate in the CRL as certificateHold and stops signing; release takes it out and signing resumes', async () => {
    const id = await addCredential(t.app, demoId);
    const [ee] = await chainOf(id);
    expect((await signOnce(id)).status).toBe(200);
    await revokeCredential(lifecycleDeps(t.app), id, 'certificateHold', why);
    expect((await signOnce(id)).status).toBe(400);
    const held = await verify(ee as Buffer);
    expect(held.ok).toBe(false);
    const crl = crlText((await raw(`/crl/${ISSUING_ID}.crl`)).body);
    expect(crl).toContain('Certificate Hold');
    await releaseCredential(lifecycleDeps(t.app), id, why);
    expect((await verify(ee as Buffer)).ok).toBe(true);
    expect((await signOnce(id)).status).toBe(200);
    // A release of a certificate that is not on hold is refused.
    await expect(releaseCredential(lifecycleDeps(t.app), id, why)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('CA-3: the repository lists each CA certificate with the SHA-256 fingerprint openssl prints', async () => {
    const index = await t.get('/ca/index.json');
    expect(index.status).toBe(200);
    const listed = index.json.authorities as { id: string; sha256: string; role: string; certificate: string }[];
    expect(listed.map((a) => a.role)).toEqual(['root', 'issuing']);
    const page = await t.get('/ca');
    for (const a of listed) {
      const der = (await raw(`/ca/${a.id}.der`)).body;
      const fp = openssl({ 'c.der': der }, [
        'x509',
        '-inform',
        'DER',
        '-in',
        '{c.der}',
        '-noout',
        '-fingerprint',
        '-sha256',
      ]).out;
      expect(fp.trim()).toBe(`sha256 Fingerprint=${a.sha256}`);
      expect(page.text).toContain(a.sha256);
      const pem = await raw(`/ca/${a.id}.pem`);
      expect(pem.text).toContain('-----BEGIN CERTIFICATE-----');
    }
    expect((await t.get('/ca/policy')).text).toContain('2.999.1.1');
    expect((await raw('/ca/nope.der')).status).toBe(404);
    expect((await raw('/crl/nope.crl')).status).toBe(404);
    expect((await raw('/ca/..%2f..%2fetc.der')).status).toBe(404);
  });

  it('CA-1: each profile carries its extensions (signing, seal, TSA, OCSP responder, TLS, issuing CA)', async () => {
    const issue = async (profile: 'signing' | 'seal' | 'tsa' | 'ocsp' | 'tls', extra = {}) => {
      const key = await t.app.keys.generate('EC-P256', 'test');
      return text(
        await t.app.ca.issue({ keyId: key.id, subjectDn: `CN=${profile} test`, profile, validityDays: 30, ...extra }),
      );
    };
    const signing = await issue('signing');
    expect(signing).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(signing).toContain('Policy: 2.999.1.1');
    expect(signing).not.toContain('Extended Key Usage');
    const seal = await issue('seal');
    expect(seal).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    const tsa = await issue('tsa');
    expect(tsa).toMatch(/Extended Key Usage: critical\s+Time Stamping/);
    expect(tsa).toMatch(/Key Usage: critical\s+Digital Signature\n/);
    const ocsp = await issue('ocsp');
    expect(ocsp).toMatch(/Extended Key Usage:\s+OCSP Signing/);
    expect(ocsp).toContain('OCSP No Check');
    expect(ocsp).not.toContain('OCSP - URI');
    const tls = await issue('tls', { dnsNames: ['rssp.example'] });
    expect(tls).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(tls).toContain('DNS:rssp.example');
    const key = await t.app.keys.generate('EC-P256', 'test');
    await expect(
      t.app.ca.issue({ keyId: key.id, subjectDn: 'CN=x', profile: 'tls', validityDays: 30 }),
    ).rejects.toMatchObject({
      code: 'invalid_parameter',
    });
    await expect(
      t.app.ca.issue({ keyId: key.id, subjectDn: 'CN=x', profile: 'ocsp', validityDays: 365 }),
    ).rejects.toMatchObject({
      code: 'invalid_parameter',
    });
    const issuing = text((await t.app.ca.issuing()).certificate);
    expect(issuing).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(issuing).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
  });

  it('CA-1: a certificate from a PKCS#10 request made by openssl verifies; a request whose signature does not verify, or with a weak key, is refused', async () => {
    const csr = opensslCsr('/CN=device 42/O=Example', { der: true });
    const der = await t.app.ca.issueFromCsr({ csr, profile: 'seal', validityDays: 30 }, ACTOR);
    const x = text(der);
    expect(x).toMatch(/Subject: CN ?= ?device 42, O ?= ?Example/);
    const [root, issuing] = await t.app.ca.authorities();
    const v = openssl(
      { 'root.pem': certPem(root!.certificate), 'issuing.pem': certPem(issuing!.certificate), 'ee.pem': certPem(der) },
      ['verify', '-CAfile', '{root.pem}', '-untrusted', '{issuing.pem}', '{ee.pem}'],
    );
    expect(v.ok, v.out).toBe(true);
    const tampered = Buffer.from(csr);
    tampered[tampered.length - 5] = (tampered[tampered.length - 5] as number) ^ 0xff;
    await expect(
      t.app.ca.issueFromCsr({ csr: tampered, profile: 'seal', validityDays: 30 }, ACTOR),
    ).rejects.toMatchObject({ code: 'invalid_parameter' });
    const weak = opensslCsr('/CN=weak', { newkey: ['rsa:1024'], der: true });
    await expect(t.app.ca.issueFromCsr({ csr: weak, profile: 'seal', validityDays: 30 }, ACTOR)).rejects.toMatchObject({
      code: 'invalid_parameter',
    });
    await expect(
      t.app.ca.issueFromCsr({ csr: 'garbage', profile: 'seal', validityDays: 30 }, ACTOR),
    ).rejects.toMatchObject({ code: 'invalid_parameter' });
    // Nobody outside gets a certificate to answer OCSP for this CA.
    await expect(t.app.ca.issueFromCsr({ csr, profile: 'ocsp', validityDays: 30 }, ACTOR)).rejects.toMatchObject({
      code: 'invalid_parameter',
    });
  });

  it('CA-2: bulk issuance records every certificate; one of them revoked is in the next CRL', async () => {
    const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    const before = await t.app.ca.registry.count(ISSUING_ID);
    const seen: number[] = [];
    const r = await bulkIssue(t.app.ca, {
      count: 1200,
      spki,
      batchSize: 500,
      actor: ACTOR,
      onProgress: (n) => seen.push(n),
    });
    expect(r.issued).toBe(1200);
    expect(seen.at(-1)).toBe(1200);
    expect(seen.every((n, i) => i === 0 || n > (seen[i - 1] as number))).toBe(true);
    expect(await t.app.ca.registry.count(ISSUING_ID)).toBe(before + 1200);
    const one = await t.app.store.db
      .selectFrom('ca_certificates')
      .select('serial')
      .where('subject_dn', '=', 'CN=device 7')
      .executeTakeFirstOrThrow();
    await t.app.ca.revoke(ISSUING_ID, one.serial, 'cessationOfOperation', ACTOR);
    const crl = crlText((await raw(`/crl/${ISSUING_ID}.crl`)).body);
    expect(crl.toLowerCase()).toContain(one.serial.toUpperCase().toLowerCase());
    expect(crl).toContain('Cessation Of Operation');
  });

  it('CA-2: CRL numbers grow with each CRL; the CRL is cacheable until its nextUpdate', async () => {
    const first = await t.app.crls.issue(ISSUING_ID);
    const second = await t.app.crls.issue(ISSUING_ID);
    expect(second.number).toBe(first.number + 1);
    const r = await raw(`/crl/${ISSUING_ID}.crl`);
    expect(r.headers['content-type']).toBe('application/pkix-crl');
    expect(String(r.headers['cache-control'])).toMatch(/^public, max-age=\d+/);
    expect(r.headers.expires).toBeDefined();
  });
});
