/**
 * The parts of the document structure a signature touches (ISO 32000-1 §7.7.2, §7.7.3.3, §12.7.2):
 * the catalogue, the first page, and the interactive form with its fields. Changed objects are
 * copied, never mutated, so the loaded document stays as read.
 */
import type { PdfDocument } from './document.js';
import { malformed } from './lexer.js';
import { isDict, isName, isRef, type PdfDict, type PdfRef, PdfString, type PdfValue } from './objects.js';

const MAX_TREE_DEPTH = 64;
const MAX_FIELDS = 100_000;

export interface Located<T> {
  readonly ref: PdfRef;
  readonly value: T;
}

export function catalogOf(doc: PdfDocument): Located<PdfDict> {
  const root = doc.xref.trailer.get('Root');
  if (!isRef(root)) throw malformed('the trailer has no /Root');
  const value = doc.resolve(root);
  if (!isDict(value)) throw malformed('the catalogue is not a dictionary');
  return { ref: root, value };
}

/** The first leaf of the page tree (§7.7.3.2), following /Kids[0]. */
export function firstPage(doc: PdfDocument, catalog: PdfDict): Located<PdfDict> {
  let node = catalog.get('Pages');
  for (let i = 0; i < MAX_TREE_DEPTH; i++) {
    if (!isRef(node)) throw malformed('the page tree has no indirect page');
    const d = doc.resolve(node);
    if (!isDict(d)) throw malformed('a page tree node is not a dictionary');
    const kids = doc.resolve(d.get('Kids'));
    if (isName(d.get('Type'), 'Page') || !Array.isArray(kids)) return { ref: node, value: d };
    if (kids.length === 0) throw malformed('the document has no pages');
    node = kids[0];
  }
  throw malformed('the page tree is too deep');
}

/** Every field's fully qualified name (§12.7.3.2), to keep a new field's name unique. */
export function fieldNames(doc: PdfDocument, fields: PdfValue): Set<string> {
  const names = new Set<string>();
  const stack: Array<{ v: PdfValue; prefix: string; depth: number }> = [];
  const list = doc.resolve(fields);
  if (Array.isArray(list)) for (const v of list) stack.push({ v, prefix: '', depth: 0 });
  let seen = 0;
  while (stack.length > 0 && seen++ < MAX_FIELDS) {
    const { v, prefix, depth } = stack.pop() as (typeof stack)[number];
    const d = doc.resolve(v);
    if (!isDict(d)) continue;
    const t = d.get('T');
    const full = t instanceof PdfString ? `${prefix}${t.bytes.toString('latin1')}` : prefix;
    if (t instanceof PdfString) names.add(full);
    const kids = doc.resolve(d.get('Kids'));
    if (Array.isArray(kids) && depth < MAX_TREE_DEPTH)
      for (const k of kids) stack.push({ v: k, prefix: full ? `${full}.` : '', depth: depth + 1 });
  }
  return names;
}

/** Every terminal field dictionary with /FT /Sig and a /V (§12.7.4.5), in document order. */
export function signatureFields(doc: PdfDocument): PdfDict[] {
  const af = doc.resolve(catalogOf(doc).value.get('AcroForm'));
  if (!isDict(af)) return [];
  const out: PdfDict[] = [];
  const list = doc.resolve(af.get('Fields'));
  const stack: Array<{ v: PdfValue; depth: number; ft?: PdfValue }> = Array.isArray(list)
    ? list.map((v) => ({ v, depth: 0 })).reverse()
    : [];
  let seen = 0;
  while (stack.length > 0 && seen++ < MAX_FIELDS) {
    const { v, depth, ft } = stack.pop() as (typeof stack)[number];
    const d = doc.resolve(v);
    if (!isDict(d)) continue;
    const type = d.get('FT') ?? ft;
    if (isName(type, 'Sig') && d.has('V')) out.push(d);
    const kids = doc.resolve(d.get('Kids'));
    if (Array.isArray(kids) && depth < MAX_TREE_DEPTH)
      for (const k of [...kids].reverse()) stack.push({ v: k, depth: depth + 1, ft: type });
  }
  return out;
}
