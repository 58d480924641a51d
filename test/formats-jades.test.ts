/**
 * FMT-1 JAdES (ETSI TS 119 182-1): B-B, B-T, B-LT and B-LTA made with the demo signer's keys
 * through the two-step contract of src/formats/ports.ts, checked by independent tools — the `jose`
 * library verifies the JWS (compact and flattened JSON, detached too) with the certificate's
 * public key, and `openssl ts -verify` checks each time-stamp (from the built-in TSA, and from an
 * openssl `ts -reply` TSA) against the bytes TS 119 182-1 says it covers — and by our own
 * verifier, which must also reject tampering.
 */
import { createHash, X509Certificate } from 'node:crypto';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaAuthority } from '../src/ca/index.js';
import { type JadesOptions, prepareJades, verifyJades } from '../src/formats/jades/index.js';
import type { FormatServices, SignerIdentity, TimestampSource } from '../src/formats/ports.js';
import { inProcessTimestampSource } from '../src/tsa/index.js';
import {
  appRevocation,
  crlVerify,
  demoSigner,
  ocspText,
  type TestTsa,
  testTsa,
  tsVerify as verifyTs,
} from './formats-support.js';
import { OIDS, startApp, type TestApp } from './support/app.js';

// ---------- signing with the demo credentials ----------
type Demo = 'p256' | 'rsa2048' | 'rsaPss';
const ALGO: Record<Demo, string> = { p256: OIDS.ecdsaSha256, rsa2048: OIDS.sha256WithRSA, rsaPss: OIDS.rsassaPss };

describe('FMT-1 JAdES (ETSI TS 119 182-1)', () => {
  let t: TestApp;
  let tsa: TestTsa;
  let services: FormatServices;
  let builtin: TimestampSource;
  /** The trust anchor and the certificates between it and each TSA (for openssl ts -verify). */
  let chains: { root: Buffer; builtin: Buffer[]; openssl: Buffer[] };
  const doc = Buffer.from('{"invoice":42,"amount":"¥1,000"}');

  beforeAll(async () => {
    t = await startApp();
    tsa = await testTsa(t.app);
    builtin = inProcessTimestampSource(t.app.tsa);
    services = { timestamps: builtin, revocation: appRevocation(t.app) };
    const [root, issuing] = (await t.app.ca.authorities()) as [CaAuthority, CaAuthority];
    const [builtinTsa] = await t.app.tsa.certificates();
    chains = {
      root: root.certificate,
      builtin: [issuing.certificate, builtinTsa as Buffer],
      openssl: [issuing.certificate],
    };
  });
  afterAll(async () => {
    tsa?.remove();
    await t?.close();
  });

  /** The demo credential, signing now (sigT); its sign() is signDigests, as signHash does. */
  const identity = (cred: Demo) => demoSigner(t, cred, ALGO[cred], { signingTime: new Date() });

  /** prepare → sign → finish. */
  async function sign(cred: Demo, opts: JadesOptions, payload = doc, svc: FormatServices = services) {
    const s = await identity(cred);
    const p = await prepareJades(payload, s.signer, opts, svc);
    return { out: Buffer.from(await p.finish(await s.sign(p.digest))).toString('utf8'), signer: s.signer, prepared: p };
  }

  const publicKey = (signer: SignerIdentity) => new X509Certificate(signer.chain[0] as Uint8Array).publicKey;
  const crit = { sigT: true };
  const b64json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const unb64json = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  /** `openssl ts -verify -data`: the token covers exactly `data` and chains to the CA's root. */
  const tsVerify = (data: string, token: Uint8Array, via: 'builtin' | 'openssl' = 'builtin') =>
    verifyTs(token, { data }, { root: chains.root, untrusted: chains[via] }).out;

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
    ['the built-in TSA', 'builtin'],
    ['an openssl ts -reply TSA', 'openssl'],
  ] as const)(
    'FMT-1 JAdES B-T with %s: openssl ts -verify accepts sigTst over the base64url JWS Signature',
    async (_, chain) => {
      const svc = chain === 'openssl' ? { timestamps: tsa } : services;
      const { out, signer } = await sign('p256', { level: 'B-T', serialization: 'json' }, doc, svc);
      const jws = JSON.parse(out);
      await jose.flattenedVerify(jws, publicKey(signer), { crit });
      const [component] = jws.header.etsiU as string[];
      const sigTst = unb64json(component as string).sigTst;
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
    const names = etsiU.map((e) => Object.keys(unb64json(e))[0]);
    expect(names).toEqual(['sigTst', 'xVals', 'rVals', 'arcTst']);
    const arc = unb64json(etsiU[3] as string).arcTst;
    const input = `${jws.payload}.${jws.protected}.${jws.signature}.${etsiU.slice(0, 3).join('')}`;
    expect(tsVerify(input, Buffer.from(arc.tstTokens[0].val, 'base64'))).toContain('Verification: OK');
    const mine = await verifyJades(out);
    expect(mine.level).toBe('B-LTA');
    // The service's collector: OCSP for the signer's and the TSA's certificates, the root's CRL for the issuing CA.
    const vd = mine.validationData;
    expect([vd?.ocspResponses.length, vd?.crls.length]).toEqual([2, 1]);
    for (const o of vd?.ocspResponses ?? []) expect(ocspText(o)).toContain('Cert Status: good');
    for (const crl of vd?.crls ?? []) expect(crlVerify(crl, [chains.root]).out).toContain('verify OK');
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
    const s = await identity('p256');
    const future = { ...s.signer, signingTime: new Date(Date.now() + 3_600_000) };
    const p = await prepareJades(doc, future, { level: 'B-T', serialization: 'json' }, services);
    const out = await p.finish(await s.sign(p.digest));
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
    const wrong = await (await identity('p256')).sign(other.prepared.digest);
    await expect(p.finish(wrong)).rejects.toMatchObject({ code: 'invalid_parameter' });
  });

  it('FMT-1 JAdES: the same input, signer and signing time give the same digest (ports.ts contract)', async () => {
    const { signer } = await identity('p256');
    const a = await prepareJades(doc, signer, { level: 'B-B', serialization: 'compact' }, {});
    const b = await prepareJades(Buffer.from(doc), signer, { level: 'B-B', serialization: 'compact' }, {});
    expect(Buffer.from(a.digest).equals(Buffer.from(b.digest))).toBe(true);
    expect(a.digest.length).toBe(32);
  });
});
