/**
 * VERIFY (issue 8) done-when: for each format (CAdES, PAdES, XAdES, JAdES) a valid, a tampered, a
 * revoked-before-signing and an expired-without-LTV sample get the right indication; a PDF changed
 * after signing says so; a signer revoked after a B-LT signature still passes. Samples are made with
 * the format code and the built-in CA / TSA / OCSP of an in-process service on a manual clock.
 * Independent oracles: openssl cms -verify and openssl ocsp (CAdES), pdfsig (PAdES), xmlsec1
 * (XAdES), jose (JAdES), openssl x509 -checkend (expiry).
 */

import { spawnSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { flattenedVerify, importX509 } from 'jose';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaAuthority, ISSUING_ID, serialHex } from '../src/ca/index.js';
import { prepareCades } from '../src/formats/cades/index.js';
import { bytesOf, children, readSignedData } from '../src/formats/cms/index.js';
import { prepareJades } from '../src/formats/jades/index.js';
import { catalogOf, firstPage } from '../src/formats/pades/catalog.js';
import { openPdf } from '../src/formats/pades/document.js';
import { preparePades } from '../src/formats/pades/index.js';
import { dict, name, str } from '../src/formats/pades/objects.js';
import { appendRevision, numberer, objectBytes } from '../src/formats/pades/writer.js';
import type { AdesLevel, FormatServices, SignerIdentity } from '../src/formats/ports.js';
import { prepareXades } from '../src/formats/xades/index.js';
import { resolveSignature } from '../src/keys/index.js';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { inProcessTimestampSource } from '../src/tsa/index.js';
import { type ValidationReport, validateSignatures } from '../src/validation/ades/index.js';
import { appRevocation, cmsVerify, ocspText, type Workdir, workdir } from './formats-support.js';
import { certPem, openssl } from './keys-openssl.js';
import { ACTOR, OIDS, startApp, type TestApp } from './support/app.js';

const XMLSEC = spawnSync('xmlsec1', ['--version']).status === 0;
const PDFSIG = spawnSync('pdfsig', ['-v']).status === 0;
if ((!XMLSEC || !PDFSIG) && process.env.CI) throw new Error('xmlsec1 and pdfsig are required in CI');
if (!XMLSEC || !PDFSIG) console.warn('xmlsec1 or pdfsig not found: those oracle checks are skipped (never in CI)');

type Format = 'CAdES' | 'PAdES' | 'XAdES' | 'JAdES';

/** One byte of the signed content changed: the CAdES eContent, the PDF's binary comment line, the XML text. */
function tamperByte(format: Format, doc: Buffer): Buffer {
  const out = Buffer.from(doc);
  const at =
    format === 'CAdES'
      ? out.indexOf('validation sample')
      : format === 'PAdES'
        ? out.indexOf('%', 1) + 1
        : out.indexOf('>100<') + 1;
  if (at <= 0) throw new Error(`nothing to tamper with in the ${format} sample`);
  out[at] = (out[at] as number) ^ 0x01;
  return out;
}

/**
 * An incremental update that is no signature (ISO 32000-1 §7.5.6): the first page's /MediaBox
 * redefined, or a visible FreeText annotation added to its /Annots (the key a signature widget uses).
 */
function modifyAfterSigning(pdf: Buffer, how: 'mediabox' | 'annotation' = 'mediabox'): Buffer {
  const doc = openPdf(pdf);
  const page = firstPage(doc, catalogOf(doc).value);
  const changed = new Map(page.value);
  if (how === 'mediabox')
    return appendRevision(doc, [objectBytes(page.ref, new Map([...changed, ['MediaBox', [0, 0, 300, 300]]]))]);
  const ref = numberer(doc)();
  const note = dict({ Type: name('Annot'), Subtype: name('FreeText'), Rect: [0, 0, 200, 50], Contents: str('PAID') });
  const annots = doc.resolve(changed.get('Annots'));
  changed.set('Annots', [...(Array.isArray(annots) ? annots : []), ref]);
  return appendRevision(doc, [objectBytes(ref, note), objectBytes(page.ref, changed)]);
}

const pdfsigLines = (w: Workdir, pdf: Uint8Array): string => w.run('pdfsig', [w.file('s.pdf', pdf)]).out;
const FORMATS: Format[] = ['CAdES', 'PAdES', 'XAdES', 'JAdES'];
const DAY = 86_400_000;

interface Signer {
  readonly identity: SignerIdentity;
  readonly cert: Buffer;
  sign(digest: Uint8Array): Promise<Uint8Array>;
}

describe('VERIFY AdES validation reports', () => {
  const clock = manualClock(Math.floor((Date.now() - 3_600_000) / 1000) * 1000);
  const w = workdir('shomei-validation-');
  let t: TestApp;
  let root: Buffer;
  let services: FormatServices;
  let pdf: Buffer;
  const xml = Buffer.from('<doc xmlns="urn:test"><amount>100</amount></doc>');
  const text = Buffer.from('validation sample content\n');
  let n = 0;

  /** A P-256 key of the service with a `signing` certificate valid `days` from the clock's now. */
  async function signer(days: number): Promise<Signer> {
    const [r, issuing] = (await t.app.ca.authorities()) as [CaAuthority, CaAuthority];
    const key = await t.app.keys.generate('EC-P256', 'signing');
    const subjectDn = `CN=Validation sample ${++n},C=JP`;
    const cert = await t.app.ca.issue({ keyId: key.id, subjectDn, profile: 'signing', validityDays: days });
    const resolved = resolveSignature({
      keyType: 'EC-P256',
      signAlgo: OIDS.ecdsaSha256,
      hashAlgorithmOID: OIDS.sha256,
    });
    const identity = {
      chain: [cert, issuing.certificate, r.certificate],
      hash: 'SHA-256' as const,
      signAlgo: OIDS.ecdsaSha256,
      signingTime: new Date(clock.now()),
    };
    return {
      identity,
      cert,
      sign: async (digest) => (await t.app.keys.signDigests(key.id, resolved, [digest]))[0] as Uint8Array,
    };
  }

  /** A signature in `format` at `level`, signed now; JAdES `detached` leaves the content out (sigD). */
  async function sign(format: Format, s: Signer, level: AdesLevel, detached = false): Promise<Buffer> {
    const id = { ...s.identity, signingTime: new Date(clock.now()) };
    const p =
      format === 'CAdES'
        ? await prepareCades(text, id, { level, packaging: 'attached' }, services)
        : format === 'PAdES'
          ? await preparePades(pdf, id, { level }, services)
          : format === 'XAdES'
            ? await prepareXades(xml, id, { level, packaging: 'enveloped' }, services)
            : await prepareJades(text, id, { level, serialization: 'json', detached }, services);
    return Buffer.from(await p.finish(await s.sign(p.digest)));
  }

  const validate = (
    doc: Uint8Array,
    at = new Date(clock.now()),
    detachedContent?: Uint8Array,
  ): Promise<ValidationReport> =>
    validateSignatures(doc, {
      anchors: [root],
      at,
      revocationMode: 'prefer',
      ...(detachedContent ? { detachedContent } : {}),
    });

  async function revoke(cert: Buffer): Promise<void> {
    await t.app.ca.revoke(ISSUING_ID, serialHex(new X509Certificate(cert).serialNumber), 'keyCompromise', ACTOR);
  }

  const samples = {} as Record<Format, { valid: Buffer; tampered: Buffer; revoked: Buffer; expired: Buffer }>;
  let good: Signer;
  let revoked: Signer;
  let shortLived: Signer;
  let revokedLater: { doc: Buffer; cert: Buffer };

  beforeAll(async () => {
    t = await startApp({ demo: false, platform: { clock, random: systemRandom } });
    root = ((await t.app.ca.authorities()) as [CaAuthority])[0].certificate;
    services = { timestamps: inProcessTimestampSource(t.app.tsa), revocation: appRevocation(t.app) };
    const doc = await PDFDocument.create();
    doc.addPage().drawText('Validation sample', { font: await doc.embedFont(StandardFonts.Helvetica), y: 700 });
    pdf = Buffer.from(await doc.save({ useObjectStreams: false }));
    // Expired without LTV: a one-day certificate, B-B signatures made now, validated three days later.
    shortLived = await signer(1);
    good = await signer(30);
    revoked = await signer(30);
    const later = await signer(30);
    for (const f of FORMATS) {
      samples[f] = {
        valid: await sign(f, good, 'B-LTA'),
        tampered: await sign(f, good, 'B-T', f === 'JAdES'),
        expired: await sign(f, shortLived, 'B-B'),
        revoked: Buffer.alloc(0),
      };
    }
    revokedLater = { doc: await sign('CAdES', later, 'B-LT'), cert: later.cert };
    // Revoked before signing: the key is reported compromised, a minute later it still signs (B-LT).
    await revoke(revoked.cert);
    clock.advance(60_000);
    for (const f of FORMATS) samples[f].revoked = await sign(f, revoked, 'B-LT');
    clock.advance(60_000);
    await revoke(later.cert);
    clock.advance(60_000);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    w.remove();
  });

  const only = (r: ValidationReport) => {
    expect(r.signatures).toHaveLength(1);
    return r.signatures[0] as ValidationReport['signatures'][number];
  };

  it.each(FORMATS)(
    'VERIFY %s valid B-LTA: TOTAL-PASSED, level B-LTA, every time-stamp PASSED, embedded evidence',
    async (f) => {
      const r = await validate(samples[f].valid);
      const s = only(r);
      expect(s.format).toBe(f);
      expect([s.indication, s.subIndication, s.reasons]).toEqual(['TOTAL-PASSED', undefined, []]);
      expect(s.level).toBe('B-LTA');
      expect(r.allPassed).toBe(true);
      expect(s.signer?.subject).toContain('Validation sample');
      expect(s.signer?.serial).toBe(new X509Certificate(good.cert).serialNumber);
      expect(s.timestamps.map((x) => x.indication).every((i) => i === 'PASSED')).toBe(true);
      expect(s.timestamps.map((x) => x.kind)).toContain(f === 'PAdES' ? 'document' : 'archive');
      // The signer is checked at the signature time-stamp's genTime with what the signature carries.
      expect(s.validationTime).toBe(s.timestamps[0]?.genTime);
      expect(s.certificatePath?.chain).toHaveLength(3);
      expect(s.certificatePath?.revocation[0]).toMatchObject({ source: 'embedded', status: 'good (OCSP)' });
    },
  );

  it('VERIFY oracles agree on the valid samples: openssl cms -verify, pdfsig, xmlsec1, jose', async () => {
    expect(cmsVerify(samples.CAdES.valid, root).ok).toBe(true);
    if (PDFSIG) expect(pdfsigLines(w, samples.PAdES.valid)).toContain('Signature is Valid.');
    if (XMLSEC) {
      const args = [
        '--verify',
        '--trusted-der',
        w.file('root.der', root),
        '--id-attr:Id',
        'http://uri.etsi.org/01903/v1.3.2#:SignedProperties',
      ];
      expect(w.run('xmlsec1', [...args, w.file('x.xml', samples.XAdES.valid)]).ok).toBe(true);
    }
    const jws = JSON.parse(samples.JAdES.valid.toString('utf8'));
    const key = await importX509(certPem(good.cert), 'ES256');
    expect(Buffer.from((await flattenedVerify(jws, key, { crit: { sigT: true } })).payload).equals(text)).toBe(true);
  });

  it.each(FORMATS)('VERIFY %s tampered content: TOTAL-FAILED HASH_FAILURE', async (f) => {
    const doc = samples[f].tampered;
    const r =
      f === 'JAdES'
        ? await validate(doc, undefined, Buffer.from('validation sample content, altered\n'))
        : await validate(tamperByte(f, doc));
    const s = only(r);
    expect([s.indication, s.subIndication]).toEqual(['TOTAL-FAILED', 'HASH_FAILURE']);
    expect(s.integrity.valid).toBe(false);
    expect(r.allPassed).toBe(false);
  });

  it('VERIFY oracles reject the tampered samples: openssl cms -verify, pdfsig, xmlsec1; JAdES sigD digest differs', async () => {
    expect(cmsVerify(tamperByte('CAdES', samples.CAdES.tampered), root).ok).toBe(false);
    if (PDFSIG)
      expect(pdfsigLines(w, tamperByte('PAdES', samples.PAdES.tampered))).not.toContain('Signature is Valid.');
    if (XMLSEC) {
      const args = [
        '--verify',
        '--trusted-der',
        w.file('root.der', root),
        '--id-attr:Id',
        'http://uri.etsi.org/01903/v1.3.2#:SignedProperties',
      ];
      expect(w.run('xmlsec1', [...args, w.file('x.xml', tamperByte('XAdES', samples.XAdES.tampered))]).ok).toBe(false);
    }
    const jws = JSON.parse(samples.JAdES.tampered.toString('utf8'));
    const header = JSON.parse(Buffer.from(jws.protected, 'base64url').toString('utf8'));
    const altered = createHash('sha256')
      .update(Buffer.from('validation sample content, altered\n').toString('base64url'))
      .digest('base64url');
    const original = createHash('sha256').update(text.toString('base64url')).digest('base64url');
    expect(header.sigD.hashV).toEqual([original]);
    expect(altered).not.toBe(original);
  });

  it.each(FORMATS)(
    'VERIFY %s revoked before signing (B-LT, embedded OCSP says revoked): TOTAL-FAILED REVOKED',
    async (f) => {
      const s = only(await validate(samples[f].revoked));
      expect([s.indication, s.subIndication]).toEqual(['TOTAL-FAILED', 'REVOKED']);
      expect(s.level).toBe('B-LT');
      const evidence = s.certificatePath?.revocation[0];
      expect(evidence?.source).toBe('embedded');
      expect(Date.parse(evidence?.revokedAt ?? '')).toBeLessThanOrEqual(Date.parse(s.claimedSigningTime ?? ''));
    },
  );

  it('VERIFY revoked before signing: openssl ocsp reads "Revoked" in the OCSP response the CAdES sample embeds', async () => {
    const v = readSignedData(samples.CAdES.revoked);
    const infos = v.crls ? children(v.der, v.crls).filter((c) => c.tag === 0xa1) : [];
    const texts = infos.map((c) => ocspText(bytesOf(v.der, children(v.der, c)[1] as never)));
    expect(texts.some((x) => /Cert Status: revoked/i.test(x))).toBe(true);
  });

  it.each(FORMATS)(
    'VERIFY %s expired without LTV (B-B, validated after notAfter): INDETERMINATE OUT_OF_BOUNDS_NO_POE',
    async (f) => {
      const at = new Date(clock.now() + 3 * DAY);
      const s = only(await validate(samples[f].expired, at));
      expect([s.indication, s.subIndication]).toEqual(['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE']);
      expect(s.level).toBe('B-B');
      expect(s.validationTime).toBe(at.toISOString());
      // openssl agrees the certificate is no longer valid three days on (-checkend: seconds from now).
      const seconds = String(Math.ceil((at.getTime() - Date.now()) / 1000));
      const r = openssl({ 'c.pem': certPem(shortLived.cert) }, [
        'x509',
        '-in',
        '{c.pem}',
        '-noout',
        '-checkend',
        seconds,
      ]);
      expect(r.out).toContain('will expire');
    },
  );

  it('VERIFY the same expired-certificate signature validated before notAfter passes (the clock is what changed)', async () => {
    const s = only(await validate(samples.CAdES.expired));
    expect(s.indication).toBe('TOTAL-PASSED');
  });

  it('VERIFY CAdES B-LT whose signer was revoked after signing: TOTAL-PASSED at the time-stamp with the embedded OCSP', async () => {
    const s = only(await validate(revokedLater.doc));
    expect([s.indication, s.level]).toEqual(['TOTAL-PASSED', 'B-LT']);
    expect(s.certificatePath?.revocation[0]?.status).toBe('good (OCSP)');
  });

  it('VERIFY PAdES B-LTA: the later revisions are a DSS and a document time-stamp, not modifications', async () => {
    const s = only(await validate(samples.PAdES.valid));
    const c = s.coverage;
    expect(c?.wellFormed).toBe(true);
    expect(c?.coversWholeFile).toBe(false);
    expect(c?.modifiedAfterSigning).toBe(false);
    expect(c?.laterRevisions.map((r) => r.kind)).toEqual(['dss', 'document-timestamp']);
  });

  it('VERIFY PAdES countersigned (a second signature revision): allowed, both signatures TOTAL-PASSED', async () => {
    const id = { ...good.identity, signingTime: new Date(clock.now()) };
    const p = await preparePades(samples.PAdES.valid, id, { level: 'B-B' }, services);
    const twice = Buffer.from(await p.finish(await good.sign(p.digest)));
    const r = await validate(twice);
    expect(r.signatures.map((s) => s.indication)).toEqual(['TOTAL-PASSED', 'TOTAL-PASSED']);
    expect(r.signatures[0]?.coverage?.laterRevisions.map((x) => x.kind)).toEqual([
      'dss',
      'document-timestamp',
      'signature',
    ]);
    expect(r.signatures[1]?.coverage?.coversWholeFile).toBe(true);
    expect(r.allPassed).toBe(true);
    // pdfsig lists the document time-stamp between them, which it does not verify.
    if (PDFSIG) {
      const lines = [...pdfsigLines(w, twice).matchAll(/Signature Validation: (.*)/g)].map((m) => m[1]);
      expect(lines).toEqual(['Signature is Valid.', 'Signature has not yet been verified.', 'Signature is Valid.']);
    }
  });

  it('VERIFY PAdES signed then modified (a non-signature incremental update): "document modified after signing"', async () => {
    const modified = modifyAfterSigning(samples.PAdES.valid);
    const r = await validate(modified);
    const s = only(r);
    expect(s.coverage?.modifiedAfterSigning).toBe(true);
    expect(s.coverage?.laterRevisions.at(-1)).toMatchObject({ kind: 'other' });
    expect(s.reasons).toContain('document modified after signing');
    expect(r.allPassed).toBe(false);
    // pdfsig: the signature itself is intact but no longer covers the whole document.
    if (PDFSIG) expect(pdfsigLines(w, modified)).toContain('Not total document signed');
  });

  it('VERIFY PAdES: a visible non-signature annotation added after signing is a modification, not an allowed update', async () => {
    const s = only(await validate(modifyAfterSigning(samples.PAdES.valid, 'annotation')));
    expect(s.coverage?.modifiedAfterSigning).toBe(true);
    expect(s.coverage?.laterRevisions.at(-1)?.detail).toMatch(/^changed: object \d+$/);
  });

  it('VERIFY a signer not under the given trust anchor: INDETERMINATE NO_CERTIFICATE_CHAIN_FOUND', async () => {
    const unrelated = revoked.cert;
    const r = await validateSignatures(samples.CAdES.expired, {
      anchors: [unrelated],
      at: new Date(clock.now()),
      revocationMode: 'prefer',
    });
    expect([only(r).indication, only(r).subIndication]).toEqual(['INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND']);
  });

  describe('POST /validation', () => {
    const post = (body: unknown, opts: { query?: string; accept?: string } = {}) =>
      t.post(
        `/validation${opts.query ?? ''}`,
        body,
        undefined,
        opts.accept ? { headers: { accept: opts.accept } } : {},
      );
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

    it('VERIFY POST /validation answers the JSON report (CAdES B-LTA TOTAL-PASSED against the service root)', async () => {
      const r = await post({ document: b64(samples.CAdES.valid) });
      expect(r.status).toBe(200);
      expect(r.json.documentFormat).toBe('CMS');
      expect(r.json.signatures[0]).toMatchObject({ format: 'CAdES', indication: 'TOTAL-PASSED', level: 'B-LTA' });
      expect(r.headers['cache-control']).toBe('no-store');
    });

    it('VERIFY POST /validation with detachedContent: the JAdES sigD document decides HASH_FAILURE or TOTAL-PASSED', async () => {
      const ok = await post({ document: b64(samples.JAdES.tampered), detachedContent: b64(text) });
      expect(ok.json.signatures[0].indication).toBe('TOTAL-PASSED');
      const bad = await post({ document: b64(samples.JAdES.tampered), detachedContent: b64(Buffer.from('other')) });
      expect(bad.json.signatures[0]).toMatchObject({ indication: 'TOTAL-FAILED', subIndication: 'HASH_FAILURE' });
    });

    it('VERIFY POST /validation renders HTML for Accept: text/html and ?format=html: no script, escaped, CSP', async () => {
      for (const r of [
        await post({ document: b64(samples.PAdES.revoked) }, { accept: 'text/html' }),
        await post({ document: b64(samples.PAdES.revoked) }, { query: '?format=html' }),
      ]) {
        expect(r.status).toBe(200);
        expect(r.headers['content-type']).toContain('text/html');
        expect(r.headers['content-security-policy']).toContain("default-src 'none'");
        expect(r.text).toContain('TOTAL-FAILED / REVOKED');
        expect(r.text).toContain('CN=Validation sample');
        expect(r.text).not.toMatch(/<script/i);
      }
    });

    it('VERIFY POST /validation: bad input is a catalogue error, never a 500', async () => {
      const cases: [unknown, number, string][] = [
        [{}, 400, 'invalid_request'],
        [{ document: 'not base64!' }, 400, 'invalid_request'],
        [{ document: b64(Buffer.from('plain text, no signature')) }, 400, 'invalid_request'],
        [{ document: b64(Buffer.from('%PDF-1.7\n garbage')) }, 400, 'invalid_request'],
        [{ document: b64(text), extra: 1 }, 400, 'invalid_request'],
        [{ document: 'A'.repeat(12 * 1024 * 1024) }, 400, 'invalid_request'],
      ];
      for (const [body, status, error] of cases) {
        const r = await post(body);
        expect([r.status, r.json?.error]).toEqual([status, error]);
      }
      const unsupported = await post({ document: b64(Buffer.from('plain text, no signature')) });
      expect(unsupported.json.error_description).toMatch(/not a signed PDF, CMS, XML or JWS/);
      const junkCms = await post({ document: b64(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00])) });
      expect([junkCms.status, junkCms.json.signatures[0].indication]).toEqual([200, 'TOTAL-FAILED']);
    });
  });
});
