/**
 * CA-2: the OCSP responder (RFC 6960, RFC 5019's HTTP profile) checked with the independent
 * oracle, `openssl ocsp`, over a real port: good → revoked with its reason, hold and release,
 * unknown and unauthorised, SHA-1 and SHA-256 CertIDs, POST and GET (RFC 6960 A.1) with the RFC
 * 5019 §6.2 caching headers, garbage never answered with a 500, responses pre-generated and reused
 * byte for byte until a status change, the directory a CDN serves, and the responder's renewal.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OCSPRequest, OCSPResponse } from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkIssue, type CaAuthority, ISSUING_ID, serialHex } from '../src/ca/index.js';
import { createOcspResponder, MAX_REQUEST_BYTES, parseOcspRequest, RESPONDER_PURPOSE } from '../src/ca/ocsp/index.js';
import { manualClock, systemPlatform } from '../src/platform/index.js';
import { certPem } from './keys-openssl.js';
import { ACTOR, startApp, startAppOn, type TestApp } from './support/app.js';
import { backends } from './support/stores.js';

const DER = 'application/ocsp-request';

/** A scratch directory for PEMs, requests and responses, and openssl run in it. */
function workdir() {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-ocsp-'));
  return {
    dir,
    write: (name: string, data: string | Uint8Array) => writeFileSync(join(dir, name), data),
    read: (name: string) => readFileSync(join(dir, name)),
    /** Asynchronous: the server answering openssl runs in this process. */
    openssl(args: string[]): Promise<{ ok: boolean; out: string }> {
      return new Promise((resolve) => {
        execFile('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) =>
          resolve({ ok: !err, out: `${stdout}${stderr}` }),
        );
      });
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

describe.each(await backends())('OCSP responder on $name', (backend) => {
  let t: TestApp;
  let base: string;
  let root: CaAuthority;
  let issuing: CaAuthority;
  const w = workdir();
  let n = 0;

  beforeAll(async () => {
    t = await startAppOn(backend, { demo: false });
    base = await t.listen();
    [root, issuing] = (await t.app.ca.authorities()) as [CaAuthority, CaAuthority];
    w.write('root.pem', certPem(root.certificate));
    w.write('issuing.pem', certPem(issuing.certificate));
  });
  afterAll(async () => {
    await t?.close();
    w.remove();
  });

  /** A fresh end-entity certificate from the issuing CA, written as <name>.pem. */
  async function issue(): Promise<{ name: string; serial: string }> {
    const key = await t.app.keys.generate('EC-P256', 'signing');
    const der = await t.app.ca.issue({
      keyId: key.id,
      subjectDn: `CN=OCSP test ${++n}`,
      profile: 'signing',
      validityDays: 30,
    });
    const name = `ee${n}.pem`;
    w.write(name, certPem(der));
    return { name, serial: serialHex(new X509Certificate(der).serialNumber) };
  }

  /** openssl ocsp against this service about `target` (-cert … or -serial …), verified against the root. */
  const query = (issuer: string, target: string[], extra: string[] = []) =>
    w.openssl(['ocsp', ...extra, '-issuer', issuer, ...target, '-url', `${base}/ocsp`, '-CAfile', 'root.pem']);
  const ask = (certs: string[], extra: string[] = []) =>
    query(
      'issuing.pem',
      certs.flatMap((c) => ['-cert', c]),
      extra,
    );

  const post = (body: Uint8Array, type = DER) =>
    fetch(`${base}/ocsp`, { method: 'POST', headers: { 'content-type': type }, body });
  const bytes = async (r: Response) => Buffer.from(await r.arrayBuffer());
  /** OCSPResponseStatus of a DER OCSPResponse, read by pkijs. */
  const statusOf = (der: Buffer) => OCSPResponse.fromBER(der).responseStatus.valueBlock.valueDec;

  /** A DER request for `cert` made by openssl (no nonce unless asked). */
  async function request(cert: string, extra: string[] = ['-no_nonce']): Promise<Buffer> {
    const out = `req${++n}.der`;
    const r = await w.openssl(['ocsp', '-issuer', 'issuing.pem', '-cert', cert, '-reqout', out, ...extra]);
    expect(r.ok, r.out).toBe(true);
    return w.read(out);
  }

  /** openssl's reading of a response we fetched ourselves. */
  function readResponse(der: Buffer, cert: string) {
    const file = `resp${++n}.der`;
    w.write(file, der);
    return w.openssl([
      'ocsp',
      '-respin',
      file,
      '-issuer',
      'issuing.pem',
      '-cert',
      cert,
      '-CAfile',
      'root.pem',
      '-resp_text',
    ]);
  }

  it('CA-2: openssl ocsp gets good, then revoked with the reason, signed by the responder certificate', async () => {
    const ee = await issue();
    const good = await ask([ee.name], ['-resp_text']);
    expect(good.out).toContain('Response verify OK');
    expect(good.out).toContain(`${ee.name}: good`);
    expect(good.out).toMatch(/Responder Id: [0-9A-F]{40}/); // byKey
    expect(good.out).toContain('Subject: CN=shomei OCSP responder');
    expect(good.out).toContain('OCSP Signing');
    expect(good.out).toMatch(/This Update: .*\n\s*Next Update: /);
    const [responder] = await t.app.keys.find({ purpose: RESPONDER_PURPOSE });
    expect(responder?.keyType).toBe('EC-P256');

    await t.app.ca.revoke(ISSUING_ID, ee.serial, 'keyCompromise', ACTOR);
    const revoked = await ask([ee.name]);
    expect(revoked.out).toContain('Response verify OK');
    expect(revoked.out).toContain(`${ee.name}: revoked`);
    expect(revoked.out).toContain('Reason: keyCompromise');
    expect(revoked.out).toContain('Revocation Time:');
  });

  it('CA-2: a held certificate is revoked with certificateHold, and good again after release', async () => {
    const ee = await issue();
    await t.app.ca.revoke(ISSUING_ID, ee.serial, 'certificateHold', ACTOR);
    const held = await ask([ee.name]);
    expect(held.out).toContain(`${ee.name}: revoked`);
    expect(held.out).toContain('Reason: certificateHold');
    await t.app.ca.release(ISSUING_ID, ee.serial, ACTOR);
    const released = await ask([ee.name]);
    expect(released.out).toContain('Response verify OK');
    expect(released.out).toContain(`${ee.name}: good`);
  });

  it('CA-2: a reason of unspecified is left out of the response (RFC 5280 §5.3.1)', async () => {
    const ee = await issue();
    await t.app.ca.revoke(ISSUING_ID, ee.serial, 'unspecified', ACTOR);
    const r = await ask([ee.name]);
    expect(r.out).toContain(`${ee.name}: revoked`);
    expect(r.out).not.toContain('Reason:');
  });

  it('CA-2: SHA-256 CertIDs (openssl ocsp -sha256) are matched and echoed', async () => {
    const ee = await issue();
    const r = await ask([ee.name], ['-sha256', '-resp_text']);
    expect(r.out).toContain('Response verify OK');
    expect(r.out).toContain(`${ee.name}: good`);
    expect(r.out).toContain('Hash Algorithm: sha256');
  });

  it('CA-2: several CertIDs in one request are answered together', async () => {
    const [a, b] = [await issue(), await issue()];
    await t.app.ca.revoke(ISSUING_ID, b.serial, 'superseded', ACTOR);
    const r = await ask([a.name, b.name]);
    expect(r.out).toContain('Response verify OK');
    expect(r.out).toContain(`${a.name}: good`);
    expect(r.out).toContain(`${b.name}: revoked`);
    expect(r.out).toContain('Reason: superseded');
  });

  it("CA-2: the issuing CA's own certificate is answered by the root, which signs directly", async () => {
    const r = await query('root.pem', ['-cert', 'issuing.pem']);
    expect(r.out).toContain('Response verify OK');
    expect(r.out).toContain('issuing.pem: good');
  });

  it('CA-2: a serial this CA never issued is unknown', async () => {
    const r = await query('issuing.pem', ['-serial', '0x0123456789abcdef']);
    expect(r.out).toContain('Response verify OK');
    expect(r.out).toContain('0x0123456789abcdef: unknown');
  });

  it("CA-2: another CA's certificate gets unauthorized (OCSPResponseStatus 6)", async () => {
    const selfSigned = 'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=Another-CA';
    const made = await w.openssl([...selfSigned.split(' '), '-keyout', 'other.key', '-out', 'other.pem']);
    expect(made.ok, made.out).toBe(true);
    const r = await query('other.pem', ['-serial', '0x01']);
    expect(r.out).toContain('Responder Error: unauthorized (6)');
  });

  it('CA-2: GET /ocsp/{base64} (RFC 6960 A.1) answers with the RFC 5019 §6.2 caching headers', async () => {
    const ee = await issue();
    const b64 = (await request(ee.name)).toString('base64');
    const res = await fetch(`${base}/ocsp/${encodeURIComponent(b64)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ocsp-response');
    const cc = res.headers.get('cache-control') ?? '';
    const maxAge = Number(/^max-age=(\d+), public, no-transform, must-revalidate$/.exec(cc)?.[1]);
    expect(maxAge).toBeGreaterThan(86_400 - 60);
    expect(maxAge).toBeLessThanOrEqual(86_400);
    const last = Date.parse(res.headers.get('last-modified') ?? '');
    expect(Date.parse(res.headers.get('expires') ?? '') - last).toBe(86_400_000);
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const body = await bytes(res);
    const read = await readResponse(body, ee.name);
    expect(read.out).toContain('Response verify OK');
    expect(read.out).toContain(`${ee.name}: good`);

    // Unencoded '/' and '+' in the path work too; a CDN revalidating gets 304.
    const again = await fetch(`${base}/ocsp/${b64}`);
    expect((await bytes(again)).equals(body)).toBe(true);
    const revalidated = await fetch(`${base}/ocsp/${encodeURIComponent(b64)}`, {
      headers: { 'if-none-match': etag ?? '' },
    });
    expect(revalidated.status).toBe(304);

    // POST answers are not for shared caches.
    const viaPost = await post(await request(ee.name));
    expect(viaPost.headers.get('cache-control')).toBe('no-store');
    expect((await bytes(viaPost)).equals(body)).toBe(true);
  });

  it('CA-2: single-CertID responses are signed once and reused byte for byte, nonce or not, and re-signed at once on revocation', async () => {
    const ee = await issue();
    const first = await bytes(await post(await request(ee.name)));
    const second = await bytes(await post(await request(ee.name)));
    const withNonce = await bytes(await post(await request(ee.name, ['-nonce'])));
    expect(second.equals(first)).toBe(true);
    expect(withNonce.equals(first)).toBe(true);
    // openssl accepts the nonce-less answer to its nonce-carrying request, with a warning (RFC 9654 §2.1).
    const r = await ask([ee.name]);
    expect(r.out).toContain('WARNING: no nonce in response');
    expect(r.out).toContain('Response verify OK');

    await t.app.ca.revoke(ISSUING_ID, ee.serial, 'cessationOfOperation', ACTOR);
    const after = await bytes(await post(await request(ee.name)));
    expect(after.equals(first)).toBe(false);
    expect((await readResponse(after, ee.name)).out).toContain('Reason: cessationOfOperation');
  });

  it('CA-2: garbage, truncated, oversized and over-long requests get malformedRequest or 413 — never a 500', async () => {
    const ee = await issue();
    const valid = await request(ee.name);
    const malformed = Buffer.from('3003 0a01 01'.replace(/ /g, ''), 'hex');
    for (const body of [randomBytes(64), valid.subarray(0, valid.length - 3), Buffer.concat([valid, Buffer.of(0)])]) {
      const res = await post(body);
      expect(res.status).toBe(200);
      expect((await bytes(res)).equals(malformed)).toBe(true);
    }
    const empty = await fetch(`${base}/ocsp`, { method: 'POST', headers: { 'content-type': DER } });
    expect((await bytes(empty)).equals(malformed)).toBe(true);
    expect((await post(randomBytes(MAX_REQUEST_BYTES + 1))).status).toBe(413);
    expect((await post(valid, 'application/octet-stream')).status).toBe(415);
    for (const path of ['!!!!', encodeURIComponent(randomBytes(30).toString('base64')), '', 'A'.repeat(14_000)]) {
      const res = await fetch(`${base}/ocsp/${path}`);
      expect(res.status).toBe(200);
      expect((await bytes(res)).equals(malformed)).toBe(true);
    }
    // 21 CertIDs is one more than a request may carry.
    const many = await w.openssl([
      'ocsp',
      '-issuer',
      'issuing.pem',
      ...Array.from({ length: 21 }, (_, i) => ['-serial', `${i + 1}`]).flat(),
      '-reqout',
      'many.der',
      '-no_nonce',
    ]);
    expect(many.ok, many.out).toBe(true);
    expect(statusOf(await bytes(await post(w.read('many.der'))))).toBe(1);
    // Mutations of a valid request: every answer is a well-formed OCSPResponse.
    for (let i = 0; i < 200; i++) {
      const m = Buffer.from(valid);
      m[i % m.length] = Math.floor(Math.random() * 256);
      const res = await post(m);
      expect(res.status).toBe(200);
      expect([0, 1, 6]).toContain(statusOf(await bytes(res)));
    }
  });

  it('CA-2: pregenerate signs the response of every certificate of the issuing CA in batches, with progress, into the directory a CDN serves', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    await bulkIssue(t.app.ca, { count: 1000, spki, actor: ACTOR, validityDays: 30 });
    const dir = join(w.dir, 'cdn');
    const responder = createOcspResponder({
      ca: t.app.ca,
      keys: t.app.keys,
      store: t.app.store,
      clock: systemPlatform.clock,
      dir,
    });
    const progress: [number, number][] = [];
    const result = await responder.pregenerate(ISSUING_ID, {
      batchSize: 250,
      onProgress: (done, total) => progress.push([done, total]),
    });
    const total = progress[0]?.[1] ?? 0;
    expect(total).toBeGreaterThanOrEqual(1000);
    expect(result.count).toBe(total);
    // One call per batch of 250, counting up to the total.
    const done = progress.map(([d]) => d);
    expect(done).toHaveLength(Math.ceil(total / 250));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(total);
    const [folder] = readdirSync(dir);
    const files = readdirSync(join(dir, folder as string));
    expect(files).toHaveLength(total);
    expect(result.count / result.seconds).toBeGreaterThan(100);

    // A file, read by openssl; and what the responder then serves for that certificate.
    const ee = await issue();
    await responder.pregenerate(ISSUING_ID);
    const file = readFileSync(join(dir, folder as string, `${ee.serial}.der`));
    const read = await readResponse(file, ee.name);
    expect(read.out).toContain('Response verify OK');
    expect(read.out).toContain(`${ee.name}: good`);
    expect((await responder.respond(await request(ee.name))).der.equals(file)).toBe(true);
  });

  it('CA-2: a revocation made by another process is picked up by reconcile', async () => {
    const ee = await issue();
    const responder = createOcspResponder({
      ca: t.app.ca,
      keys: t.app.keys,
      store: t.app.store,
      clock: systemPlatform.clock,
    });
    const req = await request(ee.name);
    await responder.respond(req); // in use: reconcile looks only once the responder is used
    expect(await responder.reconcile()).toBe(0); // the baseline
    const before = (await responder.respond(req)).der;
    // This responder is not the app's listener: to it, the revocation happens elsewhere.
    await t.app.ca.revoke(ISSUING_ID, ee.serial, 'affiliationChanged', ACTOR);
    expect((await responder.respond(req)).der.equals(before)).toBe(true);
    expect(await responder.reconcile()).toBeGreaterThanOrEqual(1);
    expect((await readResponse((await responder.respond(req)).der, ee.name)).out).toContain(
      'Reason: affiliationChanged',
    );
  });
});

describe('OCSP responder over time (CA-2)', () => {
  const clock = manualClock(Date.now() - 60_000);
  let t: TestApp;
  const w = workdir();

  beforeAll(async () => {
    t = await startApp({ demo: false, platform: { ...systemPlatform, clock } });
    const [, issuing] = (await t.app.ca.authorities()) as [CaAuthority, CaAuthority];
    w.write('issuing.pem', certPem(issuing.certificate));
  });
  afterAll(async () => {
    await t?.close();
    w.remove();
  });

  it('CA-2: the responder certificate is reused while it has more than 7 days left, then replaced by a new key', async () => {
    const responder = createOcspResponder({ ca: t.app.ca, keys: t.app.keys, store: t.app.store, clock });
    const first = await responder.ensureResponder();
    clock.advance(22 * 86_400_000);
    expect((await responder.ensureResponder()).keyId).toBe(first.keyId);
    // A second instance finds the stored responder rather than making one.
    const other = createOcspResponder({ ca: t.app.ca, keys: t.app.keys, store: t.app.store, clock });
    expect((await other.ensureResponder()).keyId).toBe(first.keyId);
    clock.advance(2 * 86_400_000); // 6 days left
    const renewed = await responder.ensureResponder();
    expect(renewed.keyId).not.toBe(first.keyId);
    expect(renewed.certificate.equals(first.certificate)).toBe(false);
    expect((await t.app.keys.get(first.keyId)).status).toBe('retired');
  });

  it('CA-2: a responder whose key is retired, or whose certificate is revoked, is replaced at once', async () => {
    const responder = createOcspResponder({ ca: t.app.ca, keys: t.app.keys, store: t.app.store, clock });
    const key = await t.app.keys.generate('EC-P256', 'signing');
    const der = await t.app.ca.issue({ keyId: key.id, subjectDn: 'CN=replaced', profile: 'signing', validityDays: 30 });
    w.write('replaced.pem', certPem(der));
    const made = await w.openssl([
      'ocsp',
      '-issuer',
      'issuing.pem',
      '-cert',
      'replaced.pem',
      '-reqout',
      'r.der',
      '-no_nonce',
    ]);
    expect(made.ok, made.out).toBe(true);
    const first = await responder.ensureResponder();
    await t.app.keys.retire(first.keyId, { actor: ACTOR, reason: 'test' });
    const answered = await responder.respond(w.read('r.der'));
    expect(OCSPResponse.fromBER(answered.der).responseStatus.valueBlock.valueDec).toBe(0);
    const second = await responder.ensureResponder();
    expect(second.keyId).not.toBe(first.keyId);

    const serial = serialHex(new X509Certificate(second.certificate).serialNumber);
    await t.app.ca.revoke(ISSUING_ID, serial, 'keyCompromise', ACTOR);
    await responder.statusChanged(ISSUING_ID, serial); // the app's own responder hears it from the CA
    expect((await responder.ensureResponder()).keyId).not.toBe(second.keyId);
  });

  it('CA-2: a response is reused until half its validity has passed, then signed again', async () => {
    const key = await t.app.keys.generate('EC-P256', 'signing');
    const der = await t.app.ca.issue({ keyId: key.id, subjectDn: 'CN=time', profile: 'signing', validityDays: 30 });
    w.write('ee.pem', certPem(der));
    const r = await w.openssl(['ocsp', '-issuer', 'issuing.pem', '-cert', 'ee.pem', '-reqout', 'req.der', '-no_nonce']);
    expect(r.ok, r.out).toBe(true);
    const req = w.read('req.der');
    const responder = createOcspResponder({
      ca: t.app.ca,
      keys: t.app.keys,
      store: t.app.store,
      clock,
      validityMs: 3_600_000,
    });
    const first = await responder.respond(req);
    clock.advance(29 * 60_000);
    expect((await responder.respond(req)).der.equals(first.der)).toBe(true);
    clock.advance(2 * 60_000);
    const later = await responder.respond(req);
    expect(later.der.equals(first.der)).toBe(false);
    expect('thisUpdate' in later && 'thisUpdate' in first && later.thisUpdate - first.thisUpdate).toBe(31 * 60_000);
  });
});

describe('OCSP request parser (CA-2)', () => {
  const w = workdir();
  afterAll(() => w.remove());

  /** What pkijs reads: the serials, or undefined if it refuses the bytes. */
  const pkijsSerials = (der: Buffer) => {
    try {
      return OCSPRequest.fromBER(der).tbsRequest.requestList.map((r) =>
        serialHex(r.reqCert.serialNumber.valueBlock.valueHexView),
      );
    } catch {
      return undefined;
    }
  };
  const ourSerials = (der: Buffer) => {
    try {
      return parseOcspRequest(der).certIds.map((c) => c.serial);
    } catch {
      return undefined;
    }
  };

  it('CA-2: agrees with pkijs on openssl requests and never accepts what pkijs refuses, over 3,000 mutations', async () => {
    const ca = 'req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=Parser-CA';
    expect((await w.openssl([...ca.split(' '), '-keyout', 'ca.key', '-out', 'ca.pem'])).ok).toBe(true);
    const seeds: Buffer[] = [];
    for (const [i, extra] of [['-no_nonce'], ['-nonce'], ['-sha256', '-no_nonce'], ['-sha384', '-nonce']].entries()) {
      const serials = ['0x01', '0x00ff', '0x7fffffffffffffffffffffffffffffff', '0x80'].slice(0, i + 1);
      const args = ['ocsp', ...extra, '-issuer', 'ca.pem', ...serials.flatMap((s) => ['-serial', s])];
      expect((await w.openssl([...args, '-reqout', `seed${i}.der`])).ok).toBe(true);
      seeds.push(w.read(`seed${i}.der`));
    }
    for (const seed of seeds) expect(ourSerials(seed)).toEqual(pkijsSerials(seed));
    let refusedByUsOnly = 0;
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[i % seeds.length] as Buffer;
      const m = Buffer.from(i % 7 === 0 ? seed.subarray(0, i % seed.length) : seed);
      for (let k = 0; k <= i % 3; k++) m[(i * 31 + k * 17) % m.length] = (i * 131 + k) & 0xff;
      const ours = ourSerials(m);
      const theirs = pkijsSerials(m);
      if (ours) expect(ours).toEqual(theirs);
      else if (theirs) refusedByUsOnly++; // BER that is not DER, trailing bytes, bad versions: stricter than pkijs
    }
    expect(refusedByUsOnly).toBeLessThan(3000);
  });
});

describe('OCSP signing budget per address (CA-2, B5)', () => {
  it('CA-2: answers signed on demand are limited per client address (then tryLater); kept answers and other addresses are not', async () => {
    const clock = manualClock(Date.now() - 60_000);
    const t = await startApp({
      demo: false,
      platform: { ...systemPlatform, clock },
      config: { ca: { ocsp: { signingPerSecond: 1, signingBurst: 2 } } },
    });
    const w = workdir();
    try {
      const issuing = (await t.app.ca.authorities())[1] as CaAuthority;
      w.write('issuing.pem', certPem(issuing.certificate));
      const unknown = async (serial: string) => {
        const r = await w.openssl([
          'ocsp',
          '-issuer',
          'issuing.pem',
          '-serial',
          serial,
          '-no_nonce',
          '-reqout',
          `${serial}.der`,
        ]);
        expect(r.ok, r.out).toBe(true);
        return w.read(`${serial}.der`);
      };
      const ask = async (body: Buffer, remoteAddress: string) => {
        const r = await t.app.http.inject({
          method: 'POST',
          url: '/ocsp',
          headers: { 'content-type': DER },
          payload: body,
          remoteAddress,
        });
        expect(r.statusCode).toBe(200);
        return OCSPResponse.fromBER(r.rawPayload).responseStatus.valueBlock.valueDec;
      };
      const [a, b, c, d] = await Promise.all(['0x0a01', '0x0a02', '0x0a03', '0x0a04'].map(unknown));
      expect(await ask(a as Buffer, '10.0.0.1')).toBe(0);
      expect(await ask(b as Buffer, '10.0.0.1')).toBe(0);
      expect(await ask(c as Buffer, '10.0.0.1')).toBe(3); // tryLater: the burst of 2 is spent
      expect(await ask(c as Buffer, '10.0.0.2')).toBe(0); // another address has its own budget
      clock.advance(1000);
      expect(await ask(d as Buffer, '10.0.0.1')).toBe(0); // one more a second
      expect(await ask(a as Buffer, '10.0.0.1')).toBe(3); // unknown serials are never kept, so never free
      // A known certificate's answer, once signed for someone, is kept: free for everyone after.
      const key = await t.app.keys.generate('EC-P256', 'signing');
      w.write(
        'known.pem',
        certPem(await t.app.ca.issue({ keyId: key.id, subjectDn: 'CN=kept', profile: 'signing', validityDays: 30 })),
      );
      const made = await w.openssl([
        'ocsp',
        '-issuer',
        'issuing.pem',
        '-cert',
        'known.pem',
        '-no_nonce',
        '-reqout',
        'known.der',
      ]);
      expect(made.ok, made.out).toBe(true);
      expect(await ask(w.read('known.der'), '10.0.0.2')).toBe(0);
      expect(await ask(w.read('known.der'), '10.0.0.1')).toBe(0);
    } finally {
      w.remove();
      await t.close();
    }
  });
});
