/**
 * FMT-1 CAdES baseline B-B → B-LTA (ETSI EN 319 122-1) and the revocation collector, checked with
 * independent tools: `openssl cms -verify` (signature), `openssl ts -verify` (signature and archive
 * time-stamps), `openssl ocsp -respin` and `openssl crl` (embedded revocation data), pkijs for
 * parsing; and the archive-time-stamp-v3 imprint recomputed by our own code.
 */
import { createHash } from 'node:crypto';
import { CertificateRevocationList, ContentInfo, SignedData, TSTInfo } from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaAuthority, ISSUING_ID } from '../src/ca/index.js';
import { ShomeiError } from '../src/errors.js';
import {
  addCadesArchiveTimestamp,
  archiveInput,
  prepareCades,
  prepareCadesDigest,
  timestampTokens,
} from '../src/formats/cades/index.js';
import {
  bytesOf,
  CMS_OID,
  children,
  readSignedData,
  signatureValueOf,
  splice,
  TAG,
  tlv,
  unsignedAttrsField,
} from '../src/formats/cms/index.js';
import {
  checkUrl,
  createHttpFetch,
  createRevocationSource,
  type HttpFetch,
  injectFetch,
  routeFetch,
} from '../src/formats/ltv/index.js';
import type { FormatServices, TimestampSource } from '../src/formats/ports.js';
import { inProcessTimestampSource } from '../src/tsa/index.js';
import {
  appRevocation,
  crlVerify,
  type TestSigner,
  type TestTsa,
  testSigner,
  testTsa,
  cmsVerify as verifyCms,
  tsVerify as verifyTs,
} from './formats-support.js';
import { certPem, openssl } from './keys-openssl.js';
import { OIDS, startApp, type TestApp } from './support/app.js';

const content = Buffer.from('CAdES test document\n');

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return e instanceof ShomeiError ? e.code : `not a ShomeiError: ${e}`;
  }
  return 'no error';
}

/** pkijs's reading of the SignedData (independent of our TLV code). */
const signedData = (cms: Uint8Array) => new SignedData({ schema: ContentInfo.fromBER(cms).content });

/** The TSTInfo messageImprint of a token, read with pkijs. */
function imprintOf(token: Uint8Array): Buffer {
  const sd = signedData(token);
  const octets = sd.encapContentInfo.eContent?.getValue() ?? new ArrayBuffer(0);
  return Buffer.from(TSTInfo.fromBER(octets).messageImprint.hashedMessage.valueBlock.valueHexView);
}

/** The signature as it was before its last unsigned attribute was added. */
function withoutLastUnsigned(cms: Uint8Array): Uint8Array {
  const v = readSignedData(cms);
  const u = unsignedAttrsField(v);
  if (!u) throw new Error('no unsigned attributes');
  const kept = children(cms, u).slice(0, -1);
  return splice(cms, [...v.path, v.signerInfos, v.signerInfo, u], tlv(TAG.ctx1, ...kept.map((a) => bytesOf(cms, a))));
}

describe('FMT-1 CAdES baseline levels', () => {
  let t: TestApp;
  let ec: TestSigner;
  let rsa: TestSigner;
  let externalTsa: TestTsa;
  let tsaCert: Uint8Array;
  let issuing: Buffer;
  let fetchViaApp: HttpFetch;
  let services: FormatServices;

  beforeAll(async () => {
    t = await startApp({ demo: false });
    ec = await testSigner(t.app, 'EC-P256', OIDS.ecdsaSha256);
    rsa = await testSigner(t.app, 'RSA-2048', OIDS.sha256WithRSA);
    externalTsa = await testTsa(t.app);
    tsaCert = (await t.app.tsa.certificates())[0] as Uint8Array;
    issuing = ((await t.app.ca.authorities()) as CaAuthority[])[1]?.certificate as Buffer;
    fetchViaApp = injectFetch((o) => t.app.http.inject(o));
    services = {
      timestamps: inProcessTimestampSource(t.app.tsa),
      revocation: appRevocation(t.app),
    };
  });
  afterAll(async () => {
    externalTsa?.remove();
    await t?.close();
  });

  const files = (s: TestSigner, extra: Record<string, Uint8Array | string> = {}) => ({
    'root.pem': certPem(s.root),
    'issuing.pem': certPem(issuing),
    ...extra,
  });

  const cmsVerify = (s: TestSigner, cms: Uint8Array, detached: boolean) =>
    verifyCms(cms, s.root, detached ? content : undefined);
  const tsVerify = (s: TestSigner, token: Uint8Array, digest: Uint8Array) =>
    verifyTs(token, { digest }, { root: s.root, untrusted: [issuing] });

  async function sign(s: TestSigner, level: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA', packaging: 'attached' | 'detached') {
    const p = await prepareCades(content, s.signer, { level, packaging }, services);
    return p.finish(await s.sign(p.digest));
  }

  for (const [name, pick] of [
    ['ECDSA P-256', () => ec],
    ['RSA', () => rsa],
  ] as const) {
    for (const packaging of ['attached', 'detached'] as const) {
      it(`FMT-1 CAdES B-B ${name} ${packaging}: openssl cms -verify accepts it`, async () => {
        const s = pick();
        const cms = await sign(s, 'B-B', packaging);
        const r = cmsVerify(s, cms, packaging === 'detached');
        expect(r.out).toContain('Verification successful');
        expect(timestampTokens(cms)).toHaveLength(0);
      });
    }
  }

  it('FMT-1 CAdES B-B: the digest-only variant gives the same bytes as the detached one', async () => {
    const digest = createHash('sha256').update(content).digest();
    const a = await prepareCades(content, ec.signer, { level: 'B-B', packaging: 'detached' }, {});
    const b = await prepareCadesDigest(digest, ec.signer, { level: 'B-B' }, {});
    expect(Buffer.from(b.digest)).toEqual(Buffer.from(a.digest));
    const sig = await ec.sign(a.digest);
    expect(Buffer.from(await b.finish(sig))).toEqual(Buffer.from(await a.finish(sig)));
  });

  for (const which of ['built-in', 'openssl'] as const) {
    it(`FMT-1 CAdES B-T (${which} TSA): the signature-time-stamp covers the signature value (openssl ts -verify)`, async () => {
      const timestamps = which === 'built-in' ? services.timestamps : externalTsa;
      const p = await prepareCades(content, ec.signer, { level: 'B-T', packaging: 'detached' }, { timestamps });
      const cms = await p.finish(await ec.sign(p.digest));
      expect(cmsVerify(ec, cms, true).ok).toBe(true);
      const [token] = timestampTokens(cms);
      expect(token).toBeDefined();
      const digest = createHash('sha256').update(signatureValueOf(cms)).digest();
      expect(imprintOf(token as Uint8Array)).toEqual(digest);
      const r = tsVerify(ec, token as Uint8Array, digest);
      expect(r.out).toContain('Verification: OK');
    });
  }

  it('FMT-1 CAdES B-LT: chains and OCSP of signer and TSA in SignedData, each response verified by openssl', async () => {
    const cms = await sign(rsa, 'B-LT', 'attached');
    expect(cmsVerify(rsa, cms, false).out).toContain('Verification successful');
    const sd = signedData(cms);
    expect(sd.version).toBe(5); // RFC 5652 §5.1: an `other` RevocationInfoChoice
    const certs = (sd.certificates ?? []).map((c) =>
      Buffer.from((c as { toSchema(): { toBER(): ArrayBuffer } }).toSchema().toBER()),
    );
    for (const c of [...rsa.signer.chain, tsaCert]) expect(certs).toContainEqual(Buffer.from(c));
    const others = (sd.crls ?? []).filter((c) => 'otherRevInfoFormat' in c) as unknown as {
      otherRevInfoFormat: string;
      otherRevInfo: { toBER(): ArrayBuffer };
    }[];
    expect(others.map((o) => o.otherRevInfoFormat)).toEqual([CMS_OID.riOcspResponse, CMS_OID.riOcspResponse]);
    // The issuing CA's own status: the root's CRL (the root's AIA has no OCSP for CAs).
    expect((sd.crls ?? []).some((c) => c instanceof CertificateRevocationList)).toBe(true);
    const subjects = [rsa.signer.chain[0] as Uint8Array, tsaCert];
    for (const o of others) {
      const resp = Buffer.from(o.otherRevInfo.toBER());
      const ok = subjects.some((cert) => {
        const r = openssl(files(rsa, { 'resp.der': resp, 'cert.pem': certPem(cert) }), [
          'ocsp',
          '-respin',
          '{resp.der}',
          '-CAfile',
          '{root.pem}',
          '-issuer',
          '{issuing.pem}',
          '-cert',
          '{cert.pem}',
        ]);
        return r.ok && /Response verify OK/.test(r.out) && /: good/.test(r.out);
      });
      expect(ok).toBe(true);
    }
  });

  it('FMT-1 CAdES B-LTA: archive-time-stamp-v3 recomputed by our code and verified by openssl ts; re-time-stamped', async () => {
    const cms = await sign(ec, 'B-LTA', 'detached');
    expect(cmsVerify(ec, cms, true).ok).toBe(true);
    const check = (signed: Uint8Array) => {
      const tokens = timestampTokens(signed);
      const ats = tokens[tokens.length - 1] as Uint8Array;
      const { index, imprint } = archiveInput(withoutLastUnsigned(signed));
      expect(imprintOf(ats)).toEqual(Buffer.from(imprint));
      const attr = signedData(ats).signerInfos[0]?.unsignedAttrs?.attributes.find(
        (a) => a.type === CMS_OID.atsHashIndexV3,
      );
      expect(Buffer.from(attr?.values[0]?.toBER() ?? new ArrayBuffer(0))).toEqual(Buffer.from(index));
      expect(tsVerify(ec, ats, imprint).out).toContain('Verification: OK');
      return tokens.length;
    };
    expect(check(cms)).toBe(2);
    const again = await addCadesArchiveTimestamp(cms, services);
    expect(check(again)).toBe(3);
    expect(cmsVerify(ec, again, true).ok).toBe(true);
  });

  it('FMT-1 CAdES bad input: missing services, wrong digest, a TSA answering for other data → catalogue errors', async () => {
    const opts = { packaging: 'attached' } as const;
    expect(await code(prepareCades(content, ec.signer, { ...opts, level: 'B-T' }, {}))).toBe('format_service_missing');
    expect(await code(prepareCades(content, ec.signer, { ...opts, level: 'B-LT' }, { timestamps: externalTsa }))).toBe(
      'format_service_missing',
    );
    expect(await code(addCadesArchiveTimestamp(Buffer.alloc(10), {}))).toBe('format_service_missing');
    expect(await code(addCadesArchiveTimestamp(Buffer.from('not CMS'), { timestamps: externalTsa }))).toBe(
      'cms_malformed',
    );
    expect(await code(prepareCadesDigest(Buffer.alloc(20), ec.signer, { level: 'B-B' }, {}))).toBe(
      'invalid_digest_length',
    );
    const liar: TimestampSource = { timestamp: (_d, h) => externalTsa.timestamp(Buffer.alloc(32, 7), h) };
    const p = await prepareCades(content, ec.signer, { ...opts, level: 'B-T' }, { timestamps: liar });
    expect(await code(p.finish(await ec.sign(p.digest)))).toBe('timestamp_invalid');
    const garbage: TimestampSource = { timestamp: async () => Buffer.from('garbage') };
    const q = await prepareCades(content, ec.signer, { ...opts, level: 'B-T' }, { timestamps: garbage });
    expect(await code(q.finish(await ec.sign(q.digest)))).toBe('timestamp_invalid');
  });

  it('FMT-1 LTV: without OCSP the collector falls back to the CRL (openssl crl verifies it); garbage is refused', async () => {
    const noOcsp: HttpFetch = (req) =>
      new URL(req.url).pathname.startsWith('/ocsp')
        ? Promise.resolve({ status: 503, body: Buffer.alloc(0) })
        : fetchViaApp(req);
    const source = createRevocationSource({ fetch: noOcsp, clock: t.app.platform.clock });
    const data = await source.collect(rsa.signer.chain);
    expect(data.ocspResponses).toHaveLength(0);
    expect(data.crls.length).toBeGreaterThan(0);
    for (const crl of data.crls) expect(crlVerify(crl, [rsa.root, issuing]).out).toContain('verify OK');
    const junk: HttpFetch = async () => ({ status: 200, body: Buffer.from('not DER at all') });
    const refused = createRevocationSource({ fetch: junk, clock: t.app.platform.clock });
    expect(await code(refused.collect(rsa.signer.chain))).toBe('revocation_unavailable');
    // The service's own URLs in-process, anything else over the network (here: junk).
    const routed = routeFetch(new URL(t.app.ca.urls(ISSUING_ID).crl).origin, fetchViaApp, junk);
    const own = await createRevocationSource({ fetch: routed, clock: t.app.platform.clock }).collect(rsa.signer.chain);
    expect(own.ocspResponses).toHaveLength(1);
    expect(await code(() => checkUrl('file:///etc/passwd'))).toBe('revocation_unavailable');
  });

  it('FMT-1 LTV over real HTTP: fetches a CRL from a listening service, refuses oversize bodies and other schemes', async () => {
    const base = await t.listen();
    const url = `${base}${new URL(t.app.ca.urls(ISSUING_ID).crl).pathname}`;
    const ok = await createHttpFetch({ timeoutMs: 5000 })({ url, method: 'GET' });
    expect(ok.status).toBe(200);
    expect(CertificateRevocationList.fromBER(ok.body).issuer).toBeDefined();
    expect(await code(createHttpFetch({ maxBytes: 10 })({ url, method: 'GET' }))).toBe('revocation_unavailable');
    expect(await code(createHttpFetch()({ url: 'ftp://example.invalid/x.crl', method: 'GET' }))).toBe(
      'revocation_unavailable',
    );
  });
});
