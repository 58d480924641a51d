/**
 * What a PDF's later incremental updates changed (ISO 32000-1 §7.5.6; EN 319 142-1 §5.4, §5.5):
 * each later revision is opened as the prefix of the file it ends, and every object it redefines
 * is compared with the previous definition. New objects are harmless until something existing
 * points at them, so only redefinitions count. Allowed: what adding a signature, a DSS or a
 * document time-stamp writes (catalogue /DSS and /AcroForm, a page's /Annots, the form's /Fields
 * and /SigFlags, a signature field's /V, DSS and VRI dictionaries, grown annotation or field arrays).
 * Simplified: no MDP (/DocMDP, /FieldMDP) permissions are evaluated, and new objects are not walked.
 */
import type { PdfDocument } from '../../formats/pades/document.js';
import { openPdf } from '../../formats/pades/document.js';
import {
  isDict,
  isName,
  type PdfDict,
  PdfName,
  PdfRef,
  PdfString,
  type PdfValue,
} from '../../formats/pades/objects.js';
import type { XrefEntry } from '../../formats/pades/xref.js';

/** Redefined objects compared per revision (each is loaded twice): bounded work on hostile input. */
const MAX_CHANGED = 10_000;
const VRI_KEY = /^[0-9A-F]{40}$/;

export function samePdfValue(a: PdfValue | undefined, b: PdfValue | undefined): boolean {
  if (a instanceof PdfName || b instanceof PdfName)
    return a instanceof PdfName && b instanceof PdfName && a.name === b.name;
  if (a instanceof PdfString || b instanceof PdfString)
    return a instanceof PdfString && b instanceof PdfString && a.bytes.equals(b.bytes);
  if (a instanceof PdfRef || b instanceof PdfRef)
    return a instanceof PdfRef && b instanceof PdfRef && a.num === b.num && a.gen === b.gen;
  if (Array.isArray(a) || Array.isArray(b))
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => samePdfValue(x, b[i]));
  if (isDict(a) || isDict(b)) {
    if (!isDict(a) || !isDict(b) || a.size !== b.size) return false;
    return [...a].every(([k, v]) => b.has(k) && samePdfValue(v, b.get(k)));
  }
  return a === b;
}

const isVri = (d: PdfDict) => d.size > 0 && [...d.keys()].every((k) => VRI_KEY.test(k));

interface Docs {
  readonly before: PdfDocument;
  readonly after: PdfDocument;
}
type Rule = (docs: Docs, before: PdfValue | undefined, after: PdfValue | undefined) => boolean;

/** ISO 32000-1 §12.7.4.5: a signature field has /FT /Sig, on itself or inherited from its parent. */
function isSignatureField(docs: Docs, v: PdfValue): boolean {
  const d = docs.after.resolve(v);
  if (!isDict(d)) return false;
  const parent = docs.after.resolve(d.get('Parent'));
  return isName(d.get('FT'), 'Sig') || (isDict(parent) && isName(parent.get('FT'), 'Sig'));
}

/** An /Annots or /Fields array that only grew, and only by signature fields (no new visible content). */
const grewBySignatures: Rule = (docs, before, after) => {
  const b = docs.before.resolve(before ?? null);
  const a = docs.after.resolve(after ?? null);
  const old = Array.isArray(b) ? b : [];
  if (!Array.isArray(a) || old.length > a.length || !old.every((x, i) => samePdfValue(x, a[i]))) return false;
  return a.slice(old.length).every((x) => isSignatureField(docs, x));
};

const isDss: Rule = (docs, _b, a) => {
  const d = docs.after.resolve(a ?? null);
  return d === null || (isDict(d) && isName(d.get('Type'), 'DSS'));
};
const isSignatureValue: Rule = (docs, _b, a) => {
  const d = docs.after.resolve(a ?? null);
  return isDict(d) && (isName(d.get('Type'), 'Sig') || isName(d.get('Type'), 'DocTimeStamp'));
};
const ACRO_FORM: Record<string, Rule> = { Fields: grewBySignatures, SigFlags: () => true };
/** A new or replaced /AcroForm: the same form, with only signature fields added. */
const sameFormPlusSignatures: Rule = (docs, b, a) => {
  const before = docs.before.resolve(b ?? null);
  const after = docs.after.resolve(a ?? null);
  return isDict(after) && changedOnly(docs, isDict(before) ? before : new Map(), after, ACRO_FORM);
};

/** What each kind of dictionary may change when a signature, a DSS or a document time-stamp is added. */
function rulesFor(before: PdfDict, after: PdfDict): Record<string, Rule> | 'any' {
  if (isName(before.get('Type'), 'DSS') && isName(after.get('Type'), 'DSS')) return 'any';
  if (isVri(before) && isVri(after)) return 'any';
  if (isName(after.get('Type'), 'Catalog')) return { DSS: isDss, AcroForm: sameFormPlusSignatures };
  if (isName(after.get('Type'), 'Page')) return { Annots: grewBySignatures };
  // A signature's appearance (/AP) is allowed to change with its value: see SIMPLIFICATIONS.
  if (isName(after.get('FT'), 'Sig')) return { V: isSignatureValue, AP: () => true };
  if (after.has('Fields')) return ACRO_FORM;
  return {};
}

function changedOnly(docs: Docs, before: PdfDict, after: PdfDict, rules: Record<string, Rule>): boolean {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].every(
    (k) => samePdfValue(before.get(k), after.get(k)) || rules[k]?.(docs, before.get(k), after.get(k)) === true,
  );
}

function explained(docs: Docs, before: PdfValue, after: PdfValue): boolean {
  if (Array.isArray(before) && Array.isArray(after)) return grewBySignatures(docs, before, after);
  if (!isDict(before) || !isDict(after) || !samePdfValue(before.get('Type'), after.get('Type'))) return false;
  const rules = rulesFor(before, after);
  return rules === 'any' || changedOnly(docs, before, after, rules);
}

/** A stream's decoded data; undefined for objects that are not streams (or cannot be decoded). */
function streamData(doc: PdfDocument, ref: PdfRef): Buffer | undefined {
  try {
    return doc.stream(ref).data;
  } catch {
    return undefined;
  }
}

const sameEntry = (a: XrefEntry, b: XrefEntry): boolean =>
  a.kind === b.kind &&
  (a.kind !== 'offset' || (b.kind === 'offset' && a.offset === b.offset && a.gen === b.gen)) &&
  (a.kind !== 'compressed' || (b.kind === 'compressed' && a.stream === b.stream && a.index === b.index));

/** Whether redefining `ref` changed nothing that shows, or only what a signature / DSS update writes. */
function harmless(before: PdfDocument, after: PdfDocument, ref: PdfRef): boolean {
  const [b, a] = [before.get(ref), after.get(ref)];
  if (isDict(a) && (isName(a.get('Type'), 'XRef') || isName(a.get('Type'), 'ObjStm'))) return true;
  // A stream's dictionary says nothing of its content: the data must be the same too.
  const [bData, aData] = [streamData(before, ref), streamData(after, ref)];
  if ((bData || aData) && !(bData && aData && bData.equals(aData))) return false;
  return samePdfValue(b, a) || explained({ before, after }, b, a);
}

/** The objects `after` redefines that `before` had, and whose change is not an allowed update. */
export function unexplainedChanges(before: PdfDocument, after: PdfDocument): string[] {
  const out: string[] = [];
  if (!samePdfValue(before.xref.trailer.get('Root'), after.xref.trailer.get('Root'))) out.push('the trailer /Root');
  if (!samePdfValue(before.xref.trailer.get('Info'), after.xref.trailer.get('Info'))) out.push('the trailer /Info');
  let compared = 0;
  for (const [num, entry] of after.xref.entries) {
    const old = before.xref.entries.get(num);
    if (!old || old.kind === 'free' || sameEntry(old, entry)) continue;
    if (++compared > MAX_CHANGED) return [...out, 'too many redefined objects to compare'];
    if (!harmless(before, after, new PdfRef(num, 0))) out.push(`object ${num}`);
  }
  return out;
}

/** Offsets just past each `%%EOF` marker (and its end of line): where each revision ends. */
export function revisionEnds(pdf: Buffer): number[] {
  const ends: number[] = [];
  for (let at = pdf.indexOf('%%EOF', 0, 'latin1'); at >= 0; at = pdf.indexOf('%%EOF', at + 5, 'latin1')) {
    let end = at + 5;
    while (end < pdf.length && (pdf[end] === 0x0d || pdf[end] === 0x0a)) end++;
    ends.push(end);
  }
  return ends;
}

/** Opens the revision ending at `end`; undefined when that prefix is not a readable PDF. */
export function openRevision(pdf: Buffer, end: number): PdfDocument | undefined {
  try {
    return openPdf(pdf.subarray(0, end));
  } catch {
    return undefined;
  }
}
