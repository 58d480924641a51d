/**
 * FMT-1 JAdES (ETSI TS 119 182-1): B-B, B-T, B-LT and B-LTA made with the demo signer's keys
 * through the two-step contract of src/formats/ports.ts, checked by independent tools — the `jose`
 * library verifies the JWS (compact and flattened JSON, detached too) with the certificate's
 * public key, and `openssl ts -verify` checks each time-stamp (from the built-in TSA, and from an
 * openssl `ts -reply` TSA) against the bytes TS 119 182-1 says it covers — and by our own
 * verifier, which must also reject tampering.
 */
import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.js';
import type { CaAuthority } from '../src/ca/index.js';
import { type JadesOptions, prepareJades, verifyJades } from '../src/formats/jades/index.js';
import type { FormatServices, RevocationSource, SignerIdentity, TimestampSource } from '../src/formats/ports.js';
import { HASHES, type HashName, resolveSignature } from '../src/keys/index.js';
import { inProcessTimestampSource } from '../src/tsa/index.js';
import { certPem } from './keys-openssl.js';
import { ACTOR, OIDS, startApp, type TestApp } from './support/app.js';

// ---------- an independent TSA: `openssl ts -reply` with a key certified by the CA's tsa profile ----------
const TS_CONFIG = `[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
serial = {dir}/serial
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`;

interface TestTsa extends TimestampSource {
  /** openssl in the TSA's directory (root.pem, issuing.pem, tsa.pem, builtin-chain.pem there), after writing `files`. */
  openssl(args: string[], files?: Record<string, Uint8Array | string>): { ok: boolean; out: string };
  remove(): void;
}

async function createTestTsa(app: App): Promise<TestTsa> {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-jades-tsa-'));
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  };
  const must = (args: string[]) => {
    const r = run(args);
    if (!r.ok) throw new Error(`openssl ${args[0]}: ${r.out}`);
  };
  must(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'tsa.key']);
  must(['req', '-new', '-key', 'tsa.key', '-subj', '/CN=shomei test TSA/O=shomei tests', '-out', 'tsa.csr']);
  const csr = readFileSync(join(dir, 'tsa.csr'), 'utf8');
  const der = await app.ca.issueFromCsr({ csr, profile: 'tsa', validityDays: 30 }, ACTOR);
  const [root, issuing] = (await app.ca.authorities()) as [CaAuthority, CaAuthority];
  writeFileSync(join(dir, 'tsa.pem'), certPem(der));
  writeFileSync(join(dir, 'root.pem'), certPem(root.certificate));
  writeFileSync(join(dir, 'issuing.pem'), certPem(issuing.certificate));
  const [builtinTsa] = await app.tsa.certificates();
  writeFileSync(join(dir, 'builtin-chain.pem'), certPem(issuing.certificate) + certPem(builtinTsa as Uint8Array));
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(join(dir, 'ts.cnf'), TS_CONFIG.replace('{dir}', dir));
  return {
    async timestamp(digest: Uint8Array, hash: HashName) {
      const flag = `-${hash.replace('-', '').toLowerCase()}`;
      must([
        'ts',
        '-query',
        '-digest',
        Buffer.from(digest).toString('hex'),
        flag,
        '-cert',
        '-no_nonce',
        '-out',
        'q.tsq',
      ]);
      const signer = ['-signer', 'tsa.pem', '-inkey', 'tsa.key', '-chain', 'issuing.pem'];
      must(['ts', '-reply', '-config', 'ts.cnf', '-queryfile', 'q.tsq', ...signer, '-token_out', '-out', 'tok.der']);
      return readFileSync(join(dir, 'tok.der'));
    },
    openssl(args, files = {}) {
      for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
      return run(args);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** B-LT data from the built-in CA: its certificates and current CRLs. */
const caRevocation = (app: App): RevocationSource => ({
  async collect(chain) {
    const authorities = await app.ca.authorities();
    const crls: Buffer[] = [];
    for (const a of authorities) crls.push((await app.crls.current(a.id)).der);
    return { certificates: [...chain, ...authorities.map((a) => a.certificate)], crls, ocspResponses: [] };
  },
});

// ---------- signing with the demo credentials ----------
type Demo = 'p256' | 'rsa2048' | 'rsaPss';
const ALGO: Record<Demo, string> = { p256: OIDS.ecdsaSha256, rsa2048: OIDS.sha256WithRSA, rsaPss: OIDS.rsassaPss };

describe('FMT-1 JAdES (ETSI TS 119 182-1)', () => {
  let t: TestApp;
  let tsa: TestTsa;
  let services: FormatServices;
  let builtin: TimestampSource;
  const doc = Buffer.from('{"invoice":42,"amount":"¥1,000"}');

  beforeAll(async () => {
    t = await startApp();
    tsa = await createTestTsa(t.app);
    builtin = inProcessTimestampSource(t.app.tsa);
    services = { timestamps: builtin, revocation: caRevocation(t.app) };
  });
  afterAll(async () => {
    tsa?.remove();
    await t?.close();
  });

  async function identity(cred: Demo, hash: HashName = 'SHA-256') {
    const { keyId } = await t.app.users.getCredential(t.demo.credentials[cred]);
    const chain = (await t.app.keys.certificate(keyId))?.chain ?? [];
    const signer: SignerIdentity = { chain, hash, signAlgo: ALGO[cred], signingTime: new Date() };
    return { keyId, signer };
  }

  /** prepare → signDigests (the key service, as signHash does) → finish. */
  async function sign(cred: Demo, opts: JadesOptions, payload = doc, svc: FormatServices = services) {
    const { keyId, signer } = await identity(cred);
    const p = await prepareJades(payload, signer, opts, svc);
    const { keyType } = await t.app.keys.get(keyId);
    const hashOid = HASHES[signer.hash].oid;
    const sig = resolveSignature({ keyType, signAlgo: signer.signAlgo, hashAlgorithmOID: hashOid });
    const [value] = await t.app.keys.signDigests(keyId, sig, [p.digest]);
    return { out: Buffer.from(await p.finish(value as Buffer)).toString('utf8'), signer, prepared: p };
  }

  const publicKey = (signer: SignerIdentity) => new X509Certificate(signer.chain[0] as Uint8Array).publicKey;
  const crit = { sigT: true };
  const b64json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unb64json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  /** `openssl ts -verify -data`: the token covers exactly `data` and chains to the CA's root. */
  const tsVerify = (data: string, token: Uint8Array, untrusted = 'builtin-chain.pem') =>
    tsa.openssl(
      [
        'ts',
        '-verify',
        '-data',
        'data.txt',
        '-in',
        'tok.der',
        '-token_in',
        '-CAfile',
        'root.pem',
        '-untrusted',
        untrusted,
      ],
      { 'data.txt': data, 'tok.der': token },
    ).out;

  it.each([
    ['p256', 'ES256'],
    ['rsa2048', 'RS256'],
    ['rsaPss', 'PS256'],
  ] as const)('FMT-1 JAdES B-B compact (%s): jose.compactVerify accepts it as %s', async (cred, alg) => {
    const { out, signer } = await sign(cred, {
      level: 'B-B',
      serialization: 'compact',
      contentType: 'application/json',
    });
    const r = await jose.compactVerify(out, publicKey(signer), { crit });
    expect(r.protectedHeader).toMatchObject({ alg, typ: 'jose', cty: 'json', crit: ['sigT'] });
    expect(Buffer.from(r.payload).equals(doc)).toBe(true);
    const h = r.protectedHeader as Record<string, unknown>;
    expect(h['x5t#S256']).toBe(
      createHash('sha256')
        .update(signer.chain[0] as Uint8Array)
        .digest('base64url'),
    );
    expect(h.x5c).toEqual(signer.chain.map((c) => Buffer.from(c).toString('base64')));
    expect(h.sigT).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const mine = await verifyJades(out);
    expect(mine).toMatchObject({ level: 'B-B', alg, detached: false });
    expect(mine.payload.equals(doc)).toBe(true);
  });

  it('FMT-1 JAdES B-B JSON: jose.flattenedVerify accepts it (ES256 and RS256)', async () => {
    for (const cred of ['p256', 'rsa2048'] as const) {
      const { out, signer } = await sign(cred, { level: 'B-B', serialization: 'json' });
      const r = await jose.flattenedVerify(JSON.parse(out), publicKey(signer), { crit });
      expect(r.protectedHeader?.typ).toBe('jose+json');
      expect((await verifyJades(out)).level).toBe('B-B');
    }
  });

  it('FMT-1 JAdES detached (sigD ObjectIdByURIHash): jose verifies with an empty payload, the digest matches the document', async () => {
    const opts = { level: 'B-B', serialization: 'compact', detached: true, contentType: 'application/pdf' } as const;
    const { out, signer } = await sign('p256', { ...opts, documentUri: 'invoice.pdf' });
    expect(out).toMatch(/^[\w-]+\.\.[\w-]+$/);
    const r = await jose.compactVerify(out, publicKey(signer), { crit: { sigT: true, sigD: true } });
    const sigD = (r.protectedHeader as Record<string, unknown>).sigD;
    const hashV = createHash('sha256').update(doc.toString('base64url')).digest('base64url');
    expect(sigD).toEqual({
      mId: 'http://uri.etsi.org/19182/ObjectIdByURIHash',
      pars: ['invoice.pdf'],
      hashM: 'S256',
      hashV: [hashV],
      ctys: ['pdf'],
    });
    expect((await verifyJades(out, { detachedPayload: doc })).detached).toBe(true);
    await expect(verifyJades(out, { detachedPayload: Buffer.from('other') })).rejects.toMatchObject({
      code: 'jades_invalid',
    });
    await expect(verifyJades(out)).rejects.toMatchObject({ code: 'jades_invalid' });
    // JSON, up to B-LTA: no payload member (RFC 7515 Appendix F); arcTst covers the base64url document.
    const lta = await sign('p256', { level: 'B-LTA', serialization: 'json', detached: true });
    const jws = JSON.parse(lta.out);
    expect(jws.payload).toBeUndefined();
    await jose.flattenedVerify({ ...jws, payload: '' }, publicKey(lta.signer), { crit: { sigT: true, sigD: true } });
    expect((await verifyJades(lta.out, { detachedPayload: doc })).level).toBe('B-LTA');
    const arc = unb64json(jws.header.etsiU[3]).arcTst.tstTokens[0].val;
    const input = `${doc.toString('base64url')}.${jws.protected}.${jws.signature}.${jws.header.etsiU.slice(0, 3).join('')}`;
    expect(tsVerify(input, Buffer.from(arc, 'base64'))).toContain('Verification: OK');
  });

  it.each([
    ['the built-in TSA', 'builtin-chain.pem'],
    ['an openssl ts -reply TSA', 'issuing.pem'],
  ])(
    'FMT-1 JAdES B-T with %s: openssl ts -verify accepts sigTst over the base64url JWS Signature',
    async (_, chain) => {
      const svc = chain === 'issuing.pem' ? { timestamps: tsa } : services;
      const { out, signer } = await sign('p256', { level: 'B-T', serialization: 'json' }, doc, svc);
      const jws = JSON.parse(out);
      await jose.flattenedVerify(jws, publicKey(signer), { crit });
      const [component] = jws.header.etsiU as string[];
      const sigTst = JSON.parse(Buffer.from(component as string, 'base64url').toString('utf8')).sigTst;
      const token = Buffer.from(sigTst.tstTokens[0].val, 'base64');
      expect(tsVerify(jws.signature, token, chain)).toContain('Verification: OK');
      expect(tsVerify(`${jws.signature}x`, token, chain)).not.toContain('Verification: OK');
      const mine = await verifyJades(out);
      expect(mine.level).toBe('B-T');
      expect(mine.timestamps.map((s) => s.kind)).toEqual(['sigTst']);
    },
  );

  it('FMT-1 JAdES B-LT and B-LTA: xVals, rVals and an arcTst openssl accepts over §5.3.6.3.1.1 input', async () => {
    const { out, signer } = await sign('rsa2048', { level: 'B-LTA', serialization: 'json' });
    const jws = JSON.parse(out);
    await jose.flattenedVerify(jws, publicKey(signer), { crit });
    const etsiU = jws.header.etsiU as string[];
    const names = etsiU.map((e) => Object.keys(JSON.parse(Buffer.from(e, 'base64url').toString('utf8')))[0]);
    expect(names).toEqual(['sigTst', 'xVals', 'rVals', 'arcTst']);
    const arc = JSON.parse(Buffer.from(etsiU[3] as string, 'base64url').toString('utf8')).arcTst;
    const input = `${jws.payload}.${jws.protected}.${jws.signature}.${etsiU.slice(0, 3).join('')}`;
    expect(tsVerify(input, Buffer.from(arc.tstTokens[0].val, 'base64'))).toContain('Verification: OK');
    const mine = await verifyJades(out);
    expect(mine.level).toBe('B-LTA');
    expect(mine.validationData?.crls.length).toBe(2);
    for (const crl of mine.validationData?.crls ?? []) {
      expect(tsa.openssl(['crl', '-inform', 'DER', '-in', 'c.der', '-noout'], { 'c.der': crl }).ok).toBe(true);
    }
    const lt = await sign('p256', { level: 'B-LT', serialization: 'json' });
    expect((await verifyJades(lt.out)).level).toBe('B-LT');
  });

  const rejectsBoth = async (jws: string, signer: SignerIdentity, code = 'jades_invalid') => {
    await expect(jose.compactVerify(jws, publicKey(signer), { crit })).rejects.toThrow();
    await expect(verifyJades(jws)).rejects.toMatchObject({ code });
  };

  it('FMT-1 JAdES: a tampered payload, protected header or signature is rejected by jose and by our verifier', async () => {
    const { out, signer } = await sign('p256', { level: 'B-B', serialization: 'compact' });
    const [h, p, s] = out.split('.') as [string, string, string];
    await rejectsBoth(`${h}.${Buffer.from('{"invoice":43}').toString('base64url')}.${s}`, signer);
    const later = { ...unb64json(h), sigT: '2030-01-01T00:00:00Z' };
    await rejectsBoth(`${b64json(later)}.${p}.${s}`, signer);
    const sig = Buffer.from(s, 'base64url');
    sig[5] = (sig[5] as number) ^ 1;
    await rejectsBoth(`${h}.${p}.${sig.toString('base64url')}`, signer);
    // Another certificate in x5c: x5t#S256 no longer names it and its key did not sign.
    const other = (await identity('rsa2048')).signer.chain;
    const swapped = { ...unb64json(h), x5c: other.map((c) => Buffer.from(c).toString('base64')) };
    await expect(verifyJades(`${b64json(swapped)}.${p}.${s}`)).rejects.toMatchObject({ code: 'jades_invalid' });
  });

  it('FMT-1 JAdES: a time-stamp over other data, or a dropped etsiU element before arcTst, is rejected', async () => {
    const { out } = await sign('p256', { level: 'B-LTA', serialization: 'json' });
    const jws = JSON.parse(out);
    const etsiU = jws.header.etsiU as string[];
    const foreign = await builtin.timestamp(createHash('sha256').update('something else').digest(), 'SHA-256');
    const forged = b64json({ sigTst: { tstTokens: [{ val: Buffer.from(foreign).toString('base64') }] } });
    const withForged = { ...jws, header: { etsiU: [forged, ...etsiU.slice(1)] } };
    await expect(verifyJades(JSON.stringify(withForged))).rejects.toMatchObject({ code: 'jades_invalid' });
    const dropped = { ...jws, header: { etsiU: [etsiU[0], etsiU[1], etsiU[3]] } };
    await expect(verifyJades(JSON.stringify(dropped))).rejects.toMatchObject({ code: 'jades_invalid' });
    const reordered = { ...jws, header: { etsiU: [etsiU[1], etsiU[0]] } };
    await expect(verifyJades(JSON.stringify(reordered))).rejects.toMatchObject({ code: 'jades_malformed' });
  });

  it('FMT-1 JAdES B-T: a claimed signing time (sigT) later than the signature time-stamp is rejected', async () => {
    const { keyId, signer } = await identity('p256');
    const future = { ...signer, signingTime: new Date(Date.now() + 3_600_000) };
    const p = await prepareJades(doc, future, { level: 'B-T', serialization: 'json' }, services);
    const { keyType } = await t.app.keys.get(keyId);
    const sig = resolveSignature({ keyType, signAlgo: OIDS.ecdsaSha256 });
    const [value] = await t.app.keys.signDigests(keyId, sig, [p.digest]);
    const out = await p.finish(value as Buffer);
    const detail = 'sigTst is earlier than sigT';
    await expect(verifyJades(out)).rejects.toMatchObject({ code: 'jades_invalid', params: { detail } });
  });

  it('FMT-1 JAdES: what cannot be read is jades_malformed (4xx), never a crash', async () => {
    const { out } = await sign('p256', { level: 'B-B', serialization: 'compact' });
    const [h, p, s] = out.split('.') as [string, string, string];
    const unknownCrit = { ...unb64json(h), crit: ['sigT', 'exp'], exp: 1 };
    const noCrit = { ...unb64json(h), crit: undefined };
    for (const bad of [
      'garbage',
      '{}',
      '{"signatures":[]}',
      'a.b',
      `${h}.${p}.${s}!`,
      `${b64json(unknownCrit)}.${p}.${s}`,
      `${b64json(noCrit)}.${p}.${s}`,
      `${b64json({ ...unb64json(h), b64: false })}.${p}.${s}`,
      JSON.stringify({ protected: h, payload: p, signature: s, header: { kid: 'x' } }),
      JSON.stringify({ protected: h, payload: p, signature: s, header: { etsiU: [b64json({ sigTst: {} })] } }),
    ]) {
      const err = await verifyJades(bad).catch((e: unknown) => e);
      expect(err, bad).toMatchObject({ code: 'jades_malformed' });
      expect((err as { status: number }).status).toBe(400);
    }
  });

  it('FMT-1 JAdES: bad options and signer data are catalogue errors', async () => {
    const { signer } = await identity('p256');
    const prep = (o: Partial<JadesOptions>, svc: FormatServices = services, s = signer) =>
      prepareJades(doc, s, { level: 'B-B', serialization: 'json', ...o } as JadesOptions, svc);
    await expect(prep({ level: 'B-T', serialization: 'compact' })).rejects.toMatchObject({ code: 'jades_needs_json' });
    await expect(prep({ level: 'B-X' as 'B-B' })).rejects.toMatchObject({ code: 'jades_invalid_option' });
    await expect(prep({ serialization: 'xml' as 'json' })).rejects.toMatchObject({ code: 'jades_invalid_option' });
    await expect(prep({ contentType: 'text/plain\r\nX: y' })).rejects.toMatchObject({ code: 'jades_invalid_option' });
    await expect(prep({ documentUri: 'a.pdf' })).rejects.toMatchObject({ code: 'jades_invalid_option' });
    await expect(prep({ level: 'B-T' }, {})).rejects.toMatchObject({ code: 'format_service_missing' });
    await expect(prep({ level: 'B-LT' }, { timestamps: tsa })).rejects.toMatchObject({
      code: 'format_service_missing',
    });
    const es384 = { ...signer, hash: 'SHA-384' as const, signAlgo: OIDS.ecdsaSha384 };
    await expect(prep({}, services, es384)).rejects.toMatchObject({ code: 'unsupported_algorithm' });
    const contradicts = { ...signer, hash: 'SHA-384' as const };
    await expect(prep({}, services, contradicts)).rejects.toMatchObject({ code: 'hash_algorithm_contradicts' });
    await expect(prep({}, services, { ...signer, chain: [] })).rejects.toMatchObject({ code: 'jades_invalid_option' });
    const p = await prep({});
    await expect(p.finish(Buffer.from('not a signature'))).rejects.toMatchObject({ code: 'invalid_parameter' });
    const other = await sign('p256', { level: 'B-B', serialization: 'json' }, Buffer.from('another document'));
    const { keyId } = await t.app.users.getCredential(t.demo.credentials.p256);
    const { keyType } = await t.app.keys.get(keyId);
    const sig = resolveSignature({ keyType, signAlgo: OIDS.ecdsaSha256 });
    const [wrong] = await t.app.keys.signDigests(keyId, sig, [other.prepared.digest]);
    await expect(p.finish(wrong as Buffer)).rejects.toMatchObject({ code: 'invalid_parameter' });
  });

  it('FMT-1 JAdES: the same input, signer and signing time give the same digest (ports.ts contract)', async () => {
    const { signer } = await identity('p256');
    const a = await prepareJades(doc, signer, { level: 'B-B', serialization: 'compact' }, {});
    const b = await prepareJades(Buffer.from(doc), signer, { level: 'B-B', serialization: 'compact' }, {});
    expect(Buffer.from(a.digest).equals(Buffer.from(b.digest))).toBe(true);
    expect(a.digest.length).toBe(32);
  });
});
