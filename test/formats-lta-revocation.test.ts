/**
 * FMT-1 done-when: a PAdES B-LTA signature made today still validates, offline and from the data
 * embedded in the PDF alone, after its signer's certificate is revoked later. There is no AdES
 * validator yet, so the proof is by independent tools over the PDF bytes only (poppler's pdfsig,
 * qpdf, openssl cms / ts / ocsp / verify, pdf-lib for the DSS); the only thing a relying party has
 * out of band is the root. The service is asked again only to show that the later status is revoked.
 */
import { X509Certificate } from 'node:crypto';
import { basename } from 'node:path';
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, StandardFonts } from 'pdf-lib';
import { ContentInfo, SignedData } from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaAuthority, ISSUING_ID, serialHex } from '../src/ca/index.js';
import { createRevocationSource, injectFetch } from '../src/formats/ltv/index.js';
import { preparePades } from '../src/formats/pades/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { inProcessTimestampSource } from '../src/tsa/index.js';
import { testSigner, type Workdir, workdir } from './formats-support.js';
import { certPem, crlPem } from './keys-openssl.js';
import { ACTOR, OIDS, startApp, type TestApp } from './support/app.js';

/** One signature or document time-stamp of a PDF: its SubFilter, the bytes it covers, its CMS. */
interface PdfSignature {
  readonly subFilter: string;
  readonly signedBytes: Buffer;
  readonly cms: Buffer;
}

/** A DER value without the zero padding /Contents leaves after it. */
function trimDer(b: Buffer): Buffer {
  const first = b[1] as number;
  const [len, hdr] = first & 0x80 ? [b.readUIntBE(2, first & 0x7f), 2 + (first & 0x7f)] : [first, 2];
  return b.subarray(0, hdr + len);
}

/**
 * Every /ByteRange of the file (independent of src/formats/pades): /Contents is exactly the gap
 * between the two ranges (ISO 32000-1 §12.8.1), and the SubFilter is read from the same object.
 */
function pdfSignatures(pdf: Buffer): PdfSignature[] {
  const text = pdf.toString('latin1');
  return [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map((m) => {
    const [a, b, c, d] = m.slice(1, 5).map(Number) as [number, number, number, number];
    const gap = text.slice(a + b, c);
    if (!/^<[0-9A-Fa-f]*>$/.test(gap)) throw new Error(`no /Contents between the byte ranges at ${a + b}`);
    const obj = text.slice(text.lastIndexOf(' obj', m.index), text.indexOf('endobj', m.index));
    return {
      subFilter: /\/SubFilter\s*\/([\w.]+)/.exec(obj)?.[1] ?? '',
      signedBytes: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]),
      cms: trimDer(Buffer.from(gap.slice(1, -1), 'hex')),
    };
  });
}

/** The catalogue's /DSS arrays (ETSI EN 319 142-1 §5.4.2) as pdf-lib reads them, streams decoded. */
async function pdfDss(pdf: Buffer): Promise<Record<'Certs' | 'OCSPs' | 'CRLs', Buffer[]>> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const dss = doc.catalog.lookup(PDFName.of('DSS'), PDFDict);
  const streams = (key: string) =>
    (dss.lookupMaybe(PDFName.of(key), PDFArray)?.asArray() ?? []).map((r) => {
      const s = doc.context.lookup(r);
      if (!(s instanceof PDFRawStream)) throw new Error(`/DSS /${key} holds a non-stream`);
      return Buffer.from(decodePDFRawStream(s).decode());
    });
  return { Certs: streams('Certs'), OCSPs: streams('OCSPs'), CRLs: streams('CRLs') };
}

/** openssl's "Mmm dd hh:mm:ss yyyy GMT" times, e.g. from -text output, after `label`. */
function opensslTime(out: string, label: string): Date {
  const m = new RegExp(`${label}:? *([A-Z][a-z]{2} +\\d+ \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)? \\d{4} GMT)`).exec(out);
  if (!m) throw new Error(`no "${label}" in: ${out}`);
  return new Date(m[1] as string);
}

/** The signature-time-stamp-token attribute (RFC 3161 App. A) and the signature value it covers, read by pkijs. */
function signatureTimestamp(cms: Buffer): { token: Buffer; signatureValue: Buffer } {
  const info = new SignedData({ schema: ContentInfo.fromBER(cms).content }).signerInfos[0];
  const attr = info?.unsignedAttrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.14');
  if (!info || !attr?.values[0]) throw new Error('no signature time-stamp');
  return {
    token: Buffer.from(attr.values[0].toBER(false)),
    signatureValue: Buffer.from(info.signature.valueBlock.valueHexView),
  };
}

const epoch = (d: Date) => String(Math.floor(d.getTime() / 1000));
const must = (w: Workdir, args: string[]) => {
  const r = w.openssl(args);
  if (!r.ok) throw new Error(`openssl ${args.join(' ')}: ${r.out}`);
  return r.out;
};

describe('FMT-1 PAdES B-LTA long-term validation after a later revocation', () => {
  // Starts ten minutes ago on a whole second, so the later revocation is still before the real "now".
  const clock = manualClock(Math.floor((Date.now() - 600_000) / 1000) * 1000);
  const svc = workdir('shomei-lta-service-');
  const offline = workdir('shomei-lta-offline-');
  let t: TestApp;
  let pdf: Buffer;
  let signerCert: Buffer;
  let revokedAt: Date;
  /** What the service says after the revocation: openssl's reading of its OCSP response and new CRL. */
  let later: { ocsp: string; crl: string; crlPem: string; crlVerify: string; serial: string };

  beforeAll(async () => {
    t = await startApp({ demo: false, platform: { clock, random: systemRandom } });
    const signer = await testSigner(t.app, 'EC-P256', OIDS.ecdsaSha256, { signingTime: new Date(clock.now()) });
    signerCert = Buffer.from(signer.signer.chain[0] as Uint8Array);
    const doc = await PDFDocument.create();
    doc.addPage().drawText('B-LTA then revoked', { font: await doc.embedFont(StandardFonts.Helvetica), y: 700 });
    const services = {
      timestamps: inProcessTimestampSource(t.app.tsa),
      revocation: createRevocationSource({ fetch: injectFetch((o) => t.app.http.inject(o)), clock }),
    };
    const p = await preparePades(
      Buffer.from(await doc.save({ useObjectStreams: false })),
      signer.signer,
      { level: 'B-LTA' },
      services,
    );
    pdf = Buffer.from(await p.finish(await signer.sign(p.digest)));
    // Five minutes later the key is reported compromised.
    clock.advance(300_000);
    revokedAt = new Date(clock.now());
    const serial = serialHex(new X509Certificate(signerCert).serialNumber);
    await t.app.ca.revoke(ISSUING_ID, serial, 'keyCompromise', ACTOR);
    const [root, issuing] = (await t.app.ca.authorities()) as [CaAuthority, CaAuthority];
    // The relying party's out-of-band trust anchor: the root, and nothing else.
    offline.write('root.pem', certPem(root.certificate));
    later = await askService(root.certificate, issuing.certificate, serial);
  });

  /** The signer's status now, from the OCSP responder and CRL its certificate points to. */
  async function askService(root: Buffer, issuing: Buffer, serial: string) {
    const fetch = injectFetch((o) => t.app.http.inject(o));
    svc.write('root.pem', certPem(root));
    svc.write('issuing.pem', certPem(issuing));
    svc.write('signer.pem', certPem(signerCert));
    const ext = must(svc, ['x509', '-in', 'signer.pem', '-noout', '-ext', 'authorityInfoAccess,crlDistributionPoints']);
    const ocspUrl = /OCSP - URI:(\S+)/.exec(ext)?.[1] as string;
    const crlUrl = /Full Name:\s+URI:(\S+)/.exec(ext)?.[1] as string;
    const request = ['ocsp', '-issuer', 'issuing.pem', '-cert', 'signer.pem', '-no_nonce', '-reqout', '-'];
    const query = svc.opensslBytes(request);
    const headers = { 'content-type': 'application/ocsp-request' };
    const resp = await fetch({ url: ocspUrl, method: 'POST', headers, body: query });
    const crl = await fetch({ url: crlUrl, method: 'GET' });
    expect([resp.status, crl.status]).toEqual([200, 200]);
    const crlFile = svc.file('later.crl', crl.body);
    return {
      ocsp: must(svc, [
        ...['ocsp', '-respin', svc.file('later.ocsp', resp.body), '-issuer', 'issuing.pem', '-cert', 'signer.pem'],
        ...['-CAfile', 'root.pem', '-verify_other', 'issuing.pem'],
      ]),
      crl: must(svc, ['crl', '-inform', 'DER', '-in', crlFile, '-text', '-noout']),
      crlPem: crlPem(crl.body),
      crlVerify: must(svc, ['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', 'issuing.pem', '-noout']),
      // openssl prints whole bytes of the magnitude.
      serial: (serial.length % 2 ? `0${serial}` : serial).toUpperCase(),
    };
  }

  afterAll(async () => {
    svc.remove();
    offline.remove();
    await t?.close();
  });

  it('FMT-1 PAdES B-LTA: after the signing the service says the signer is revoked (keyCompromise), by OCSP and CRL', () => {
    expect(later.ocsp).toContain('Response verify OK');
    expect(later.ocsp).toMatch(/signer\.pem: revoked/);
    expect(later.ocsp).toMatch(/Reason: keyCompromise/);
    expect(later.crl).toMatch(new RegExp(`Serial Number: ${later.serial}`, 'i'));
    expect(later.crl).toContain('Key Compromise');
    expect(later.crlVerify).toContain('verify OK');
    // Both say the revocation happened when it was made, five minutes after the signing.
    expect(opensslTime(later.ocsp, 'Revocation Time').getTime()).toBe(revokedAt.getTime());
    expect(opensslTime(later.crl, 'Revocation Date').getTime()).toBe(revokedAt.getTime());
  });

  it('FMT-1 PAdES B-LTA: validates offline from embedded data after the signer is revoked later', async () => {
    const [sig, docTs, ...more] = pdfSignatures(pdf);
    if (!sig || !docTs) throw new Error('no signature and document time-stamp');
    expect([sig.subFilter, docTs.subFilter, more.length]).toEqual(['ETSI.CAdES.detached', 'ETSI.RFC3161', 0]);
    const dss = await pdfDss(pdf);
    const w = offline;
    w.write('dss-certs.pem', dss.Certs.map(certPem).join(''));
    w.write('dss-crls.pem', dss.CRLs.map(crlPem).join(''));

    // The signature time-stamp (pkijs's reading of the CMS): over the signature value, by a TSA
    // whose chain is in the DSS, at a genTime before the revocation.
    const { token, signatureValue } = signatureTimestamp(sig.cms);
    const tsArgs = ['-token_in', '-CAfile', 'root.pem', '-untrusted', 'dss-certs.pem'];
    const sigTs = w.file('sig-ts.der', token);
    expect(
      must(w, ['ts', '-verify', '-data', w.file('sigvalue.bin', signatureValue), '-in', sigTs, ...tsArgs]),
    ).toContain('Verification: OK');
    const genTime = opensslTime(must(w, ['ts', '-reply', '-in', sigTs, '-token_in', '-text']), 'Time stamp');
    expect(genTime.getTime()).toBeLessThan(revokedAt.getTime());

    // The CMS over the signed byte ranges, the signer certificate taken from the DSS only (-nointern), at genTime.
    const cmsOut = must(w, [
      ...['cms', '-verify', '-binary', '-inform', 'DER', '-in', w.file('sig.der', sig.cms), '-nointern'],
      ...['-content', w.file('content.bin', sig.signedBytes), '-certfile', 'dss-certs.pem', '-CAfile', 'root.pem'],
      ...['-purpose', 'any', '-attime', epoch(genTime), '-signer', 'signer.pem', '-out', '/dev/null'],
    ]);
    expect(cmsOut).toContain('Verification successful');
    const signer = new X509Certificate(w.read('signer.pem'));
    expect(signer.raw.equals(signerCert)).toBe(true);
    const issuer = dss.Certs.find((c) => signer.checkIssued(new X509Certificate(c)));
    if (!issuer) throw new Error("the signer's issuer is not in the DSS");
    w.write('issuer.pem', certPem(issuer));

    // The document time-stamp covers the whole file up to it, DSS (with the signer's OCSP response) included.
    const doc = w.file('doc-ts.der', docTs.cms);
    expect(must(w, ['ts', '-verify', '-data', w.file('doc.bin', docTs.signedBytes), '-in', doc, ...tsArgs])).toContain(
      'Verification: OK',
    );
    const docTime = opensslTime(must(w, ['ts', '-reply', '-in', doc, '-token_in', '-text']), 'Time stamp');
    expect(docTime.getTime()).toBeLessThan(revokedAt.getTime());

    // The embedded OCSP response for the signer: signed by a responder chaining to the root, good, made before the revocation.
    // (openssl fails on the responses for other certificates, e.g. the TSA's: no status for -cert.)
    const answers = dss.OCSPs.map(
      (o) =>
        w.openssl([
          ...['ocsp', '-respin', w.file('ocsp.der', o), '-issuer', 'issuer.pem', '-cert', 'signer.pem'],
          ...['-CAfile', 'root.pem', '-verify_other', 'dss-certs.pem', '-resp_text'],
        ]).out,
    );
    const good = answers.filter((a) => /signer\.pem: good/.test(a));
    expect(good).toHaveLength(1);
    expect(good[0]).toContain('Response verify OK');
    for (const label of ['Produced At', 'This Update']) {
      expect(opensslTime(good[0] as string, label).getTime()).toBeLessThan(revokedAt.getTime());
    }
    for (const d of [...dss.Certs, ...dss.OCSPs, ...dss.CRLs]) expect(docTs.signedBytes.includes(d)).toBe(true);

    // The chain at genTime from the embedded certificates, and the issuing CA's status from the embedded root CRL.
    // (The signer's own status is the OCSP response above: the DSS holds no CRL of the issuing CA,
    // so `-crl_check` of the signer itself cannot run on embedded data — openssl verify takes no OCSP.)
    const verify = ['verify', '-attime', epoch(genTime), '-CAfile', 'root.pem'];
    expect(must(w, [...verify, '-untrusted', 'dss-certs.pem', 'signer.pem'])).toContain('signer.pem: OK');
    expect(must(w, [...verify, '-crl_check', '-CRLfile', 'dss-crls.pem', 'issuer.pem'])).toContain('issuer.pem: OK');

    // The contrast: the CRL published after the revocation, at the real now, says revoked.
    const now = w.openssl([
      'verify',
      '-crl_check',
      '-CRLfile',
      w.file('later.crl', later.crlPem),
      '-CAfile',
      'root.pem',
      '-untrusted',
      'issuer.pem',
      'signer.pem',
    ]);
    expect(now.ok).toBe(false);
    expect(now.out).toContain('certificate revoked');
  });

  it('FMT-1 PAdES B-LTA: pdfsig still says the signature is valid and qpdf --check is clean after the revocation', () => {
    const file = offline.file('signed.pdf', pdf);
    // -no-ocsp: offline; poppler checks the CMS over the byte ranges, not the certificates' status.
    const sig = offline.run('pdfsig', ['-no-ocsp', file]);
    const lines = (label: string) => [...sig.out.matchAll(new RegExp(`${label}: (.*)`, 'g'))].map((m) => m[1]);
    expect(lines('Signature Type')).toEqual(['ETSI.CAdES.detached', 'unknown']);
    expect(lines('Signature Validation')[0]).toBe('Signature is Valid.');
    // The document time-stamp (which poppler does not validate) covers the whole file.
    expect(sig.out).toMatch(/Signature #2:[\s\S]*Total document signed/);
    expect(offline.run('pdfsig', ['-dump', file]).out).toContain('Dumping Signatures: 2');
    // poppler's own extraction of /Contents is the one the openssl checks used.
    const dumped = pdfSignatures(pdf).map((_, i) => trimDer(offline.read(`${basename(file)}.sig${i}`)));
    expect(dumped).toEqual(pdfSignatures(pdf).map((s) => s.cms));
    const check = offline.run('qpdf', ['--check', file]);
    expect(check.ok).toBe(true);
    expect(check.out).toContain('No syntax or stream encoding errors found');
  });
});
