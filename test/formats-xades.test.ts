/**
 * FMT-1 XAdES (ETSI EN 319 132-1 baseline): enveloped, enveloping and detached signatures with the
 * demo ECDSA P-256 and RSA credentials, checked by xmlsec1 and `openssl ts -verify` (independent
 * oracles) and by our own verification; B-T/B-LT/B-LTA with a test TSA (`openssl ts -reply` with a
 * certificate of the built-in CA's `tsa` profile) and revocation data from the built-in CA's OCSP
 * responder and CRLs through `app.http.inject`; hostile and malformed XML refused with catalogue codes.
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { AlgorithmIdentifier, RSASSAPSSParams } from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import type { CaAuthority } from '../src/ca/index.js';
import { catalogue, ShomeiError } from '../src/errors.js';
import type { AdesLevel, FormatServices, SignerIdentity, TimestampSource } from '../src/formats/ports.js';
import { parseXml, prepareXades, verifyXades, type XadesOptions } from '../src/formats/xades/index.js';
import {
  appRevocation,
  crlVerify,
  demoSigner,
  ocspText,
  type TestSigner,
  type TestTsa,
  testTsa,
  tsVerify as verifyTs,
  workdir,
} from './formats-support.js';
import { certPem } from './keys-openssl.js';
import { OIDS, startApp, type TestApp } from './support/app.js';

const XMLSEC = spawnSync('xmlsec1', ['--version']).status === 0;
if (!XMLSEC && process.env.CI) throw new Error('xmlsec1 is required in CI');
if (!XMLSEC) console.warn('xmlsec1 not found: the xmlsec1 checks are skipped (never in CI)');

const w = workdir('shomei-xades-');
const { file, run } = w;

/** DER RSASSA-PSS-params with SHA-256 and MGF1-SHA-256, and this salt length. */
function pssParams(saltLength: number): Uint8Array {
  const sha256 = new AlgorithmIdentifier({ algorithmId: OIDS.sha256 });
  const mgf = new AlgorithmIdentifier({ algorithmId: '1.2.840.113549.1.1.8', algorithmParams: sha256.toSchema() });
  return new Uint8Array(
    new RSASSAPSSParams({ hashAlgorithm: sha256, maskGenAlgorithm: mgf, saltLength }).toSchema().toBER(),
  );
}

const DOC = `<?xml version="1.0" encoding="UTF-8"?>
<!-- an invoice -->
<inv:Invoice xmlns:inv="urn:example:invoice" xmlns="urn:example:default" number="42">\r
  <inv:Line amount="10.00">Tea &amp; biscuits</inv:Line>
  <Note xml:lang="ja">請求書</Note>
</inv:Invoice>
<?trailer done?>
`;

describe('FMT-1 XAdES (EN 319 132-1)', () => {
  let t: TestApp;
  let root: CaAuthority;
  let issuing: CaAuthority;
  type Who = 'p256' | 'rsa' | 'pss';
  const SIGN_ALGO = { p256: OIDS.ecdsaSha256, rsa: OIDS.sha256WithRSA, pss: OIDS.rsassaPss } as const;
  const TIME = new Date(Date.UTC(2026, 0, 15, 9, 30, 0));
  const signers = {} as Record<Who, TestSigner>;
  const tsas: TestTsa[] = [];
  let services: FormatServices;

  /** The shared `openssl ts -reply` TSA (a certificate of the built-in CA's tsa profile), removed after the file. */
  async function trackedTsa(subjectDn: string): Promise<TestTsa> {
    const tsa = await testTsa(t.app, { subjectDn });
    tsas.push(tsa);
    return tsa;
  }

  beforeAll(async () => {
    t = await startApp();
    [root, issuing] = (await t.app.ca.authorities()) as [CaAuthority, CaAuthority];
    for (const [name, cred] of [
      ['p256', 'p256'],
      ['rsa', 'rsa2048'],
      ['pss', 'rsaPss'],
    ] as const) {
      signers[name] = await demoSigner(t, cred, SIGN_ALGO[name], { signingTime: TIME });
    }
    services = { timestamps: await trackedTsa('CN=Test TSA'), revocation: appRevocation(t.app) };
  });
  afterAll(async () => {
    for (const tsa of tsas) tsa.remove();
    await t?.close();
    w.remove();
  });

  const identity = (who: Who): SignerIdentity => signers[who].signer;
  /** The signer's certificate. */
  const certOf = (who: Who) => signers[who].signer.chain[0] as Buffer;

  async function sign(
    who: Who,
    input: Uint8Array | { bytes: Uint8Array; mimeType?: string },
    opts: Partial<XadesOptions> & { level?: AdesLevel } = {},
    svc: FormatServices = services,
  ): Promise<Uint8Array> {
    const o = { level: 'B-B' as AdesLevel, packaging: 'enveloped' as const, ...opts };
    const p = await prepareXades(input, identity(who), o, svc);
    return p.finish(await signers[who].sign(p.digest));
  }
  /** xmlsec1 files a relative URI under "remote"; it resolves it against the working directory. */
  const RELATIVE_URIS = ['--enabled-reference-uris', 'empty,same-doc,local,remote'];

  /** xmlsec1 --verify against the built-in root only. */
  function xmlsec(signed: Uint8Array, extra: string[] = []): { ok: boolean; out: string } {
    const rootDer = file('root.der', root.certificate);
    return run('xmlsec1', [
      '--verify',
      '--trusted-der',
      rootDer,
      '--id-attr:Id',
      'http://uri.etsi.org/01903/v1.3.2#:SignedProperties',
      '--id-attr:Id',
      'http://www.w3.org/2000/09/xmldsig#:Object',
      ...extra,
      file('signed.xml', signed),
    ]);
  }

  it.each(['p256', 'rsa'] as const)(
    'FMT-1 XAdES B-B enveloped (%s): xmlsec1 and our check accept it; the host bytes are kept',
    async (who) => {
      const signed = await sign(who, Buffer.from(DOC));
      const text = Buffer.from(signed).toString('utf8');
      const at = DOC.lastIndexOf('</inv:Invoice>');
      expect(text.startsWith(DOC.slice(0, at))).toBe(true);
      expect(text.endsWith(DOC.slice(at))).toBe(true);
      expect(text.slice(at, text.length - (DOC.length - at))).toMatch(/^<ds:Signature [\s\S]*<\/ds:Signature>$/);
      const v = verifyXades(signed);
      expect(v.level).toBe('B-B');
      expect(v.signingTime).toBe('2026-01-15T09:30:00Z');
      expect(v.signerCertificate.equals(certOf(who))).toBe(true);
      if (XMLSEC) {
        const x = xmlsec(signed);
        expect(x.ok, x.out).toBe(true);
        expect(x.out).toMatch(/^OK\b/m);
        if (process.env.XADES_DEBUG) console.log(x.out, text);
      }
    },
  );

  const tamper = (signed: Uint8Array, from: string | RegExp, to: string): Buffer => {
    const text = Buffer.from(signed).toString('utf8');
    const out = text.replace(from, to);
    expect(out).not.toBe(text);
    return Buffer.from(out);
  };
  const expectCode = (f: () => unknown, code: keyof typeof catalogue) => {
    let err: unknown;
    try {
      f();
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code });
    expect(catalogue[code].status).toBeGreaterThanOrEqual(400);
    expect(catalogue[code].status).toBeLessThan(500);
  };

  it.each(['p256', 'rsa'] as const)(
    'FMT-1 XAdES B-B enveloping (%s): the document in a ds:Object, accepted by xmlsec1 and our check',
    async (who) => {
      const signed = await sign(who, Buffer.from(DOC), { packaging: 'enveloping' });
      const text = Buffer.from(signed).toString('utf8');
      expect(text).toMatch(/^<\?xml[^>]*>\n<ds:Signature /);
      expect(text).toContain('<ds:Object Id="xades-');
      expect(text).toContain('<inv:Line amount="10.00">Tea &amp; biscuits</inv:Line>');
      expect(verifyXades(signed).level).toBe('B-B');
      if (XMLSEC) {
        const x = xmlsec(signed);
        expect(x.ok, x.out).toBe(true);
      }
    },
  );

  it.each(['p256', 'rsa'] as const)(
    'FMT-1 XAdES B-B detached (%s): Reference to an external URI with the digest of its bytes',
    async (who) => {
      const bytes = Buffer.from('%PDF-1.7 not really, any bytes at all\n\u0000\u00ff');
      const signed = await sign(
        who,
        { bytes, mimeType: 'application/pdf' },
        { packaging: 'detached', detachedUri: 'document.bin' },
      );
      const text = Buffer.from(signed).toString('utf8');
      expect(text).toContain('URI="document.bin"');
      expect(text).toContain('<xades:MimeType>application/pdf</xades:MimeType>');
      const detached = (u: string) => (u === 'document.bin' ? bytes : undefined);
      expect(verifyXades(signed, { detached }).level).toBe('B-B');
      expectCode(() => verifyXades(signed, { detached: () => Buffer.from('other bytes') }), 'xades_signature_invalid');
      if (XMLSEC) {
        w.write('document.bin', bytes);
        const x = xmlsec(signed, RELATIVE_URIS);
        expect(x.ok, x.out).toBe(true);
        w.write('document.bin', 'tampered');
        expect(xmlsec(signed, RELATIVE_URIS).ok).toBe(false);
      }
    },
  );

  it('FMT-1 XAdES B-B with RSASSA-PSS (RFC 6931 sha256-rsa-MGF1): xml-crypto and openssl verify it; our check too', async () => {
    // Enveloping: xml-crypto reads URI="" as the root element only, without the PIs around it
    // that XML-DSig §4.4.3.2 includes (and xmlsec1 and we do), so the host document's PI would trip it.
    const signed = await sign('pss', Buffer.from(DOC), { packaging: 'enveloping' });
    const text = Buffer.from(signed).toString('utf8');
    expect(text).toContain('Algorithm="http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"');
    expect(verifyXades(signed).level).toBe('B-B');
    // xml-crypto's own XML-DSig pipeline (references, SignedInfo, PSS) with the signer's certificate.
    const cert = certPem(certOf('pss'));
    const xmlCrypto = (xml: string) => {
      const sx = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
      sx.loadSignature(/<ds:Signature [\s\S]*<\/ds:Signature>/.exec(xml)?.[0] ?? '');
      try {
        return sx.checkSignature(xml);
      } catch {
        return false;
      }
    };
    expect(xmlCrypto(text)).toBe(true);
    expect(xmlCrypto(text.replace('biscuits', 'cake'))).toBe(false);
    // openssl: the PSS value over canonical SignedInfo (as our verifier canonicalises it).
    const { doc } = parseXml(signed);
    const si = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'SignedInfo').item(0);
    const value = /<ds:SignatureValue[^>]*>([^<]+)</.exec(text)?.[1] ?? '';
    const pub = file('pub.pem', new X509Certificate(certOf('pss')).publicKey.export({ type: 'spki', format: 'pem' }));
    const r = run('openssl', [
      'dgst',
      '-sha256',
      '-sigopt',
      'rsa_padding_mode:pss',
      '-sigopt',
      'rsa_pss_saltlen:32',
      '-verify',
      pub,
      '-signature',
      file('sig.bin', Buffer.from(value, 'base64')),
      file('si.xml', new ExclusiveCanonicalization().process(si as never, {}) as string),
    ]);
    expect(r.out).toContain('Verified OK');
  });

  it('FMT-1 XAdES: a tampered document, signed property or signature value is rejected by xmlsec1 and by our check', async () => {
    const signed = await sign('p256', Buffer.from(DOC));
    const cases = [
      tamper(signed, 'Tea &amp; biscuits', 'Tea &amp; cake'),
      tamper(signed, 'number="42"', 'number="43"'),
      tamper(signed, '2026-01-15T09:30:00Z', '2026-01-14T09:30:00Z'),
      tamper(signed, /(<ds:SignatureValue[^>]*>)[A-Za-z0-9+/]{4}/, '$1ABCD'),
    ];
    const enveloping = await sign('rsa', Buffer.from(DOC), { packaging: 'enveloping' });
    cases.push(tamper(enveloping, 'Tea &amp; biscuits', 'Tea &amp; cake'));
    for (const bad of cases) {
      expectCode(() => verifyXades(bad), 'xades_signature_invalid');
      if (XMLSEC) expect(xmlsec(bad).ok).toBe(false);
    }
  });

  it('FMT-1 XAdES: SigningCertificateV2 carries the certificate digest and a DER IssuerSerialV2 openssl reads', async () => {
    const text = Buffer.from(await sign('p256', Buffer.from('<a/>'))).toString('utf8');
    expect(text).toMatch(/<a><ds:Signature [\s\S]*<\/ds:Signature><\/a>$/);
    const serial = /<xades:IssuerSerialV2>([^<]+)</.exec(text)?.[1] ?? '';
    const parsed = run('openssl', [
      'asn1parse',
      '-inform',
      'DER',
      '-in',
      file('is.der', Buffer.from(serial, 'base64')),
    ]);
    expect(parsed.ok, parsed.out).toBe(true);
    expect(parsed.out).toContain('cont [ 4 ]');
    expect(parsed.out).toContain('shomei issuing CA');
    const certSerial = run('openssl', [
      'x509',
      '-inform',
      'DER',
      '-noout',
      '-serial',
      '-in',
      file('c.der', certOf('p256')),
    ]);
    expect(parsed.out.replace(/\s/g, '')).toContain(`INTEGER:${certSerial.out.trim().replace('serial=', '')}`);
  });

  it.each([
    ['an empty root', '<a/>'],
    ['a PI after the root that contains "<?" and "</a>"', '<a>x</a>\n<?pi </a><? y?>\n<!-- c <?x?> -->'],
    [
      'namespace undeclarations, CDATA, character references and attribute white space',
      '<r xmlns="urn:d" xmlns:p="urn:p" p:z="2" a="1"><e xmlns="" b="x&#9;y&#10;z"><![CDATA[<&>]]>&#x41;&lt;</e>' +
        '<p:e xmlns:q="urn:q" q:a="&quot;" p:b="\'">t\r\n</p:e><f xml:space="preserve">  </f></r>',
    ],
    ['a byte-order mark and CRLF line ends', '\uFEFF<?xml version="1.0"?>\r\n<a\r\n b="1">\r\n</a >\r\n'],
  ])('FMT-1 XAdES enveloped and enveloping: %s (xmlsec1 agrees with our canonicalisation)', async (_what, xml) => {
    const signed = await sign('p256', Buffer.from(xml));
    expect(parseXml(signed).root.lastChild?.nodeName).toBe('ds:Signature');
    const enveloping = await sign('p256', Buffer.from(xml), { packaging: 'enveloping' });
    for (const doc of [signed, enveloping]) {
      expect(verifyXades(doc).level).toBe('B-B');
      if (XMLSEC) expect(xmlsec(doc).ok).toBe(true);
    }
  });

  it('FMT-1 XAdES: same input, signer and signing time give the same digest; RSA PKCS#1 output is byte-identical', async () => {
    const a = await prepareXades(Buffer.from(DOC), identity('p256'), { level: 'B-B', packaging: 'enveloped' }, {});
    const b = await prepareXades(Buffer.from(DOC), identity('p256'), { level: 'B-B', packaging: 'enveloped' }, {});
    expect(Buffer.from(a.digest).equals(Buffer.from(b.digest))).toBe(true);
    const r1 = await sign('rsa', Buffer.from(DOC));
    const r2 = await sign('rsa', Buffer.from(DOC));
    expect(Buffer.from(r1).equals(Buffer.from(r2))).toBe(true);
  });

  /** The subjects of these certificates as `openssl x509 -subject` prints them, one text. */
  const subjectsOf = (certs: readonly Uint8Array[] = []) =>
    certs
      .map((c) => run('openssl', ['x509', '-inform', 'DER', '-noout', '-subject', '-in', file('c.der', c)]).out)
      .join('');

  /** `openssl ts -verify` of a token over `input`, against the built-in root. */
  const tsVerify = (token: Buffer, data: Buffer) =>
    verifyTs(token, { data }, { root: root.certificate, untrusted: [issuing.certificate] });

  it('FMT-1 XAdES B-T: SignatureTimeStamp over canonical ds:SignatureValue, verified by openssl ts -verify', async () => {
    const signed = await sign('p256', Buffer.from(DOC), { level: 'B-T' });
    const v = verifyXades(signed);
    expect(v.level).toBe('B-T');
    const ts = v.signatureTimeStamp;
    expect(ts?.input.toString('utf8')).toMatch(
      /^<ds:SignatureValue xmlns:ds="http:\/\/www.w3.org\/2000\/09\/xmldsig#" Id="[^"]+">[A-Za-z0-9+/=]+<\/ds:SignatureValue>$/,
    );
    const r = tsVerify(ts?.token as Buffer, ts?.input as Buffer);
    expect(r.out).toContain('Verification: OK');
    expect(tsVerify(ts?.token as Buffer, Buffer.from('something else')).ok).toBe(false);
    if (XMLSEC) expect(xmlsec(signed).ok).toBe(true);
  });

  it('FMT-1 XAdES B-LT: CertificateValues (TSA path, OCSP responder; not the KeyInfo path again) and RevocationValues openssl can read', async () => {
    const signed = await sign('rsa', Buffer.from(DOC), { level: 'B-LT', packaging: 'enveloping' });
    const v = verifyXades(signed);
    expect(v.level).toBe('B-LT');
    const values = v.values;
    // The service's collector: OCSP for the signer's and the TSA's certificates, the root's CRL for the issuing CA.
    expect([values?.ocspResponses.length, values?.crls.length]).toEqual([2, 1]);
    const certs = (values?.certificates ?? []).map((c) => c.toString('base64'));
    // §5.4.1: the signer's path is in ds:KeyInfo already and is not repeated.
    for (const c of signers.rsa.signer.chain) expect(certs).not.toContain(Buffer.from(c).toString('base64'));
    const subjects = subjectsOf(values?.certificates);
    expect(subjects).toContain('Test TSA');
    expect(subjects).toContain('OCSP responder');
    for (const o of values?.ocspResponses ?? []) expect(ocspText(o)).toContain('Cert Status: good');
    for (const c of values?.crls ?? []) expect(crlVerify(c, [root.certificate]).out).toContain('verify OK');
    if (XMLSEC) expect(xmlsec(signed).ok).toBe(true);
  });

  it('FMT-1 XAdES B-LTA: the ArchiveTimeStamp input (EN 319 132-1 §5.5.2.2) is recomputed and openssl ts -verify accepts it', async () => {
    const bytes = Buffer.from('detached payload');
    const detached = (u: string) => (u === 'payload.txt' ? bytes : undefined);
    const signed = await sign(
      'p256',
      { bytes },
      { level: 'B-LTA', packaging: 'detached', detachedUri: 'payload.txt', mimeType: 'text/plain' },
    );
    const v = verifyXades(signed, { detached });
    expect(v.level).toBe('B-LTA');
    const [ats] = v.archiveTimeStamps;
    const input = ats?.input.toString('utf8') ?? '';
    // Step 1 starts with the detached bytes, then SignedProperties; step 2 SignedInfo, SignatureValue, KeyInfo; step 3 the values.
    expect(input.startsWith('detached payload<xades:SignedProperties')).toBe(true);
    const order = [
      '<ds:SignedInfo',
      '<ds:SignatureValue',
      '<ds:KeyInfo',
      '<xades:SignatureTimeStamp',
      '<xades:CertificateValues',
      '<xades:RevocationValues',
    ];
    const at = order.map((tag) => input.indexOf(tag));
    expect(at.every((x, i) => x > 0 && (i === 0 || x > (at[i - 1] as number)))).toBe(true);
    expect(tsVerify(ats?.token as Buffer, ats?.input as Buffer).out).toContain('Verification: OK');
    // Anything the archive time-stamp covers, changed afterwards, breaks it (here: a certificate value).
    const text = Buffer.from(signed).toString('utf8');
    const first = /<xades:EncapsulatedX509Certificate>([^<]+)</.exec(text)?.[1] ?? '';
    const other =
      /<xades:EncapsulatedX509Certificate>[^<]+<\/xades:EncapsulatedX509Certificate><xades:EncapsulatedX509Certificate>([^<]+)</.exec(
        text,
      )?.[1] ?? '';
    const swapped = tamper(
      signed,
      `<xades:EncapsulatedX509Certificate>${first}<`,
      `<xades:EncapsulatedX509Certificate>${other}<`,
    );
    expectCode(() => verifyXades(swapped, { detached }), 'xades_signature_invalid');
    if (XMLSEC) {
      w.write('payload.txt', bytes);
      expect(xmlsec(signed, RELATIVE_URIS).ok).toBe(true);
    }
  });

  it('FMT-1 XAdES B-LTA: an archive time-stamp from another TSA brings its path in xades141:TimeStampValidationData', async () => {
    const first = services.timestamps as TimestampSource;
    const second = await trackedTsa('CN=Second TSA');
    let calls = 0;
    const alternating: TimestampSource = { timestamp: (d, h) => (calls++ === 0 ? first : second).timestamp(d, h) };
    const svc = { ...services, timestamps: alternating };
    const signed = await sign('rsa', Buffer.from(DOC), { level: 'B-LTA' }, svc);
    const text = Buffer.from(signed).toString('utf8');
    expect(text).toMatch(/<\/xades141:ArchiveTimeStamp><xades141:TimeStampValidationData URI="#[^"]+-archivets1">/);
    const v = verifyXades(signed);
    expect(v.level).toBe('B-LTA');
    expect(subjectsOf(v.values?.certificates)).toContain('Second TSA');
    const [ats] = v.archiveTimeStamps;
    expect(tsVerify(ats?.token as Buffer, ats?.input as Buffer).out).toContain('Verification: OK');
    if (XMLSEC) expect(xmlsec(signed).ok).toBe(true);
  });

  it('FMT-1 XAdES B-T and B-LT without a time-stamping service or revocation source are refused before signing', async () => {
    const doc = Buffer.from(DOC);
    await expect(
      prepareXades(doc, identity('p256'), { level: 'B-T', packaging: 'enveloped' }, {}),
    ).rejects.toMatchObject({
      code: 'format_service_missing',
    });
    const onlyTsa = { timestamps: services.timestamps } as FormatServices;
    await expect(
      prepareXades(doc, identity('p256'), { level: 'B-LT', packaging: 'enveloped' }, onlyTsa),
    ).rejects.toMatchObject({
      code: 'format_service_missing',
    });
  });

  it('FMT-1 XAdES B-T: a token that does not cover the signature value, or is no token, is refused (timestamp_invalid)', async () => {
    const tsa = services.timestamps as TimestampSource;
    const wrong: TimestampSource = { timestamp: (d, h) => tsa.timestamp(Buffer.alloc(d.length, 7), h) };
    const garbage: TimestampSource = { timestamp: async () => Buffer.from('not a token') };
    for (const timestamps of [wrong, garbage]) {
      await expect(sign('p256', Buffer.from(DOC), { level: 'B-T' }, { timestamps })).rejects.toMatchObject({
        code: 'timestamp_invalid',
      });
    }
  });

  it('FMT-1 XAdES: RSASSA-PSS with a salt other than the hash length, a hash contradicting signAlgo and a key/algorithm mismatch are catalogue errors', async () => {
    const doc = Buffer.from(DOC);
    const o = { level: 'B-B', packaging: 'enveloped' } as const;
    const salt20 = { ...identity('pss'), signAlgoParams: pssParams(20) };
    await expect(prepareXades(doc, salt20, o, {})).rejects.toMatchObject({ code: 'unsupported_algorithm' });
    const contradicts = { ...identity('p256'), hash: 'SHA-384' as const };
    await expect(prepareXades(doc, contradicts, o, {})).rejects.toMatchObject({ code: 'hash_algorithm_contradicts' });
    const mismatch = { ...identity('rsa'), signAlgo: OIDS.ecdsaSha256 };
    await expect(prepareXades(doc, mismatch, o, {})).rejects.toMatchObject({ code: 'invalid_parameter' });
    const p = await prepareXades(doc, identity('p256'), o, {});
    await expect(p.finish(Buffer.from('30060201010201', 'hex'))).rejects.toMatchObject({
      code: 'xades_signature_invalid',
    });
  });

  it('FMT-1 XAdES: mangled documents and signatures give catalogue errors, never anything else', async () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const mangle = (b: Uint8Array, alphabet: string) => {
      const m = Buffer.from(b);
      for (let k = 0; k < 3; k++) m[random(m.length)] = alphabet.charCodeAt(random(alphabet.length));
      return m;
    };
    const outcome = async (f: () => unknown) => {
      try {
        await f();
        return 'ok';
      } catch (e) {
        return e instanceof ShomeiError ? 'catalogue' : String(e);
      }
    };
    const signed = await sign('p256', Buffer.from(DOC));
    const results = new Set<string>();
    for (let k = 0; k < 200; k++) {
      results.add(await outcome(() => verifyXades(mangle(signed, '<>/="&#;AZaz09+ \n'))));
      const doc = mangle(Buffer.from(DOC), '<>/="&#;?!-:x \r\u00e9');
      results.add(
        await outcome(() => prepareXades(doc, identity('rsa'), { level: 'B-B', packaging: 'enveloped' }, {})),
      );
    }
    expect([...results].filter((r) => r !== 'ok' && r !== 'catalogue')).toEqual([]);
    expect(results.has('catalogue')).toBe(true);
  });

  it.each([
    ['a DOCTYPE with entities', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', 'xml_doctype_forbidden'],
    [
      'an external entity',
      '<?xml version="1.0"?><!DOCTYPE a SYSTEM "file:///etc/passwd"><a/>',
      'xml_doctype_forbidden',
    ],
    ['an undeclared entity', '<a>&x;</a>', 'xml_invalid'],
    ['mismatched tags', '<a><b></a>', 'xml_invalid'],
    ['two roots', '<a/><b/>', 'xml_invalid'],
    ['an unbound prefix', '<p:a/>', 'xml_invalid'],
    ['no root', 'just text', 'xml_invalid'],
    ['a non-UTF-8 declaration', '<?xml version="1.0" encoding="ISO-8859-1"?><a/>', 'xml_invalid'],
  ] as const)('FMT-1 XAdES: %s is refused (%s)', async (_what, xml, code) => {
    await expect(
      prepareXades(Buffer.from(xml), identity('p256'), { level: 'B-B', packaging: 'enveloped' }, {}),
    ).rejects.toMatchObject({ code });
    expect(catalogue[code].status).toBe(400);
  });

  it('FMT-1 XAdES: invalid UTF-8 and oversized documents are refused with catalogue errors', async () => {
    const o = { level: 'B-B', packaging: 'enveloping' } as const;
    const latin1 = Buffer.from([0x3c, 0x61, 0x3e, 0xe9, 0x3c, 0x2f, 0x61, 0x3e]);
    await expect(prepareXades(latin1, identity('p256'), o, {})).rejects.toMatchObject({ code: 'xml_invalid' });
    const big = Buffer.from(`<a>${'x'.repeat(2048)}</a>`);
    await expect(prepareXades(big, identity('p256'), { ...o, maxBytes: 1024 }, {})).rejects.toMatchObject({
      code: 'xml_too_large',
    });
    expect(catalogue.xml_too_large.status).toBe(413);
    expectCode(() => verifyXades(Buffer.from('<!DOCTYPE x><x/>')), 'xml_doctype_forbidden');
    expectCode(() => verifyXades(Buffer.from('<x/>')), 'xades_signature_invalid');
  });
});
