/**
 * PAdES (EN 319 142-1): every signature field's /V of the document, in order. A /Sig is a CMS
 * signature over its /ByteRange; a /DocTimeStamp (ETSI.RFC3161) is a time-stamp over its own, and
 * counts as an archive time-stamp for every signature it follows. The DSS (§5.4.2) is validation
 * data for them all. Each signature reports what its ByteRange covers and what came after it.
 */

import { ShomeiError } from '../../errors.js';
import { signatureFields } from '../../formats/pades/catalog.js';
import { trimDer } from '../../formats/pades/cms-chains.js';
import { openPdf, type PdfDocument } from '../../formats/pades/document.js';
import { existingDss } from '../../formats/pades/dss.js';
import { isDict, isInt, isName, isRef, type PdfDict, PdfString } from '../../formats/pades/objects.js';
import { readCmsSignature } from './cms-signature.js';
import { type EmbeddedData, type ExtractedSignature, levelOf, type TimestampInput } from './model.js';
import { coverageOf } from './pdf-coverage.js';

/** Signatures and document time-stamps validated per file (bounded work on hostile input). */
const MAX_SIGNATURES = 50;

interface PdfSig {
  readonly name: string;
  readonly dict: PdfDict;
  readonly byteRange: readonly number[];
  readonly der: Uint8Array;
  readonly signedBytes: Buffer;
  readonly end: number;
  readonly isDocTs: boolean;
}

function readSig(pdf: Buffer, field: PdfDict, doc: PdfDocument, i: number): PdfSig | undefined {
  const v = doc.resolve(field.get('V'));
  if (!isDict(v)) return undefined;
  const br = doc.resolve(v.get('ByteRange'));
  const contents = v.get('Contents');
  if (!Array.isArray(br) || br.length !== 4 || !br.every(isInt) || !(contents instanceof PdfString)) return undefined;
  const [a, b, c, d] = br as [number, number, number, number];
  if (a < 0 || b < 0 || c < a + b || c + d > pdf.length) return undefined;
  const t = field.get('T');
  return {
    name: t instanceof PdfString ? t.bytes.toString('latin1') : `Signature${i + 1}`,
    dict: v,
    byteRange: [a, b, c, d],
    der: trimDer(contents.bytes),
    signedBytes: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]),
    end: c + d,
    isDocTs: isName(v.get('Type'), 'DocTimeStamp') || isName(v.get('SubFilter'), 'ETSI.RFC3161'),
  };
}

/** PDF date (ISO 32000-1 §7.9.4): D:YYYYMMDDHHmmSS followed by Z or ±HH'mm'. */
export function pdfDateOf(s: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|([+-])(\d{2})'?(\d{2})?'?)?/.exec(s);
  if (!m) return undefined;
  const n = (i: number, dflt: number) => (m[i] ? Number(m[i]) : dflt);
  const utc = Date.UTC(n(1, 0), n(2, 1) - 1, n(3, 1), n(4, 0), n(5, 0), n(6, 0));
  const offset = m[8] ? (m[8] === '-' ? -1 : 1) * (n(9, 0) * 60 + n(10, 0)) * 60_000 : 0;
  return new Date(utc - offset);
}

function dssData(doc: PdfDocument): EmbeddedData {
  const dss = existingDss(doc);
  const streams = (key: string) => {
    const list = doc.resolve(dss.get(key));
    return Array.isArray(list) ? list.filter(isRef).map((r) => new Uint8Array(doc.stream(r).data)) : [];
  };
  return { certificates: streams('Certs'), ocsps: streams('OCSPs'), crls: streams('CRLs') };
}

export function readPdfSignatures(input: Uint8Array): ExtractedSignature[] {
  const pdf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const doc = openPdf(pdf);
  const sigs = signatureFields(doc).flatMap((f, i) => readSig(pdf, f, doc, i) ?? []);
  if (sigs.length > MAX_SIGNATURES) {
    throw new ShomeiError('validation_document_malformed', { detail: `more than ${MAX_SIGNATURES} signatures` });
  }
  const dss = dssData(doc);
  const docTs = sigs.filter((s) => s.isDocTs);
  const coverage = coverageOf(pdf, sigs);
  return sigs
    .filter((s) => !s.isDocTs)
    .map((sig) => {
      const cms = readCmsSignature(sig.der, sig.signedBytes, 'PAdES', sig.name);
      const archive = docTs
        .filter((t) => t.end > sig.end)
        .map((t): TimestampInput => ({ kind: 'document', token: t.der, covers: { data: t.signedBytes } }));
      const m = sig.dict.get('M');
      const claimed = m instanceof PdfString ? pdfDateOf(m.bytes.toString('latin1')) : undefined;
      const hasValues = cms.embedded.crls.length + cms.embedded.ocsps.length + dss.ocsps.length + dss.crls.length > 0;
      const stamps = [...cms.timestamps, ...archive];
      return {
        ...cms,
        ...((cms.claimedSigningTime ?? claimed) ? { claimedSigningTime: cms.claimedSigningTime ?? claimed } : {}),
        level: levelOf(stamps.length > 0, hasValues, hasValues && archive.length > 0),
        timestamps: stamps,
        embedded: {
          certificates: [...cms.embedded.certificates, ...dss.certificates],
          ocsps: [...cms.embedded.ocsps, ...dss.ocsps],
          crls: [...cms.embedded.crls, ...dss.crls],
        },
        coverage: coverage(sig),
      };
    });
}
