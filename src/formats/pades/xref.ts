/**
 * Cross-reference sections (ISO 32000-1 §7.5.4, §7.5.5, §7.5.8): classic tables, xref streams,
 * hybrid files (§7.5.8.4 /XRefStm) and /Prev chains, newest entry winning. Section count and entry
 * counts are bounded by the file's size, and a /Prev loop is detected.
 */
import { Lexer, malformed } from './lexer.js';
import { isDict, isInt, type PdfDict, type PdfValue } from './objects.js';
import { decodeStream, streamBytes, streamStart } from './streams.js';

export type XrefEntry =
  | { readonly kind: 'free' }
  | { readonly kind: 'offset'; readonly offset: number; readonly gen: number }
  | { readonly kind: 'compressed'; readonly stream: number; readonly index: number };

export interface XrefTable {
  readonly entries: Map<number, XrefEntry>;
  /** The newest trailer (for an xref stream, its dictionary). */
  readonly trailer: PdfDict;
  /** Offset of the newest section: the new revision's /Prev. */
  readonly startxref: number;
  /** Whether the newest section is an xref stream (the new one then is too). */
  readonly isStream: boolean;
}

const MAX_SECTIONS = 4096;
const MAX_OBJECT_NUMBER = 8_388_607; // ISO 32000-1 Annex C

function findStartxref(buf: Buffer): number {
  const at = buf.lastIndexOf('startxref', buf.length, 'latin1');
  if (at < 0) throw malformed('no startxref');
  const lx = new Lexer(buf, at + 9);
  const off = lx.int();
  if (off < 0 || off >= buf.length) throw malformed('startxref points outside the file');
  return off;
}

const put = (entries: Map<number, XrefEntry>, num: number, e: XrefEntry) => {
  if (num < 0 || num > MAX_OBJECT_NUMBER) throw malformed('object number out of range');
  if (!entries.has(num)) entries.set(num, e);
};

function readTable(lx: Lexer, entries: Map<number, XrefEntry>): PdfDict {
  lx.expect('xref');
  for (;;) {
    const t = lx.token(true);
    if (t === 'trailer') break;
    const start = lx.int();
    const count = lx.int();
    if (start < 0 || count < 0 || count * 18 > lx.buf.length - lx.pos) throw malformed('bad xref subsection');
    for (let i = 0; i < count; i++) {
      const offset = lx.int();
      const gen = lx.int();
      const kind = lx.token();
      if (kind !== 'n' && kind !== 'f') throw malformed('bad xref entry');
      put(entries, start + i, kind === 'n' ? { kind: 'offset', offset, gen } : { kind: 'free' });
    }
  }
  lx.expect('trailer');
  const trailer = lx.value();
  if (!isDict(trailer)) throw malformed('trailer is not a dictionary');
  return trailer;
}

const intArray = (v: PdfValue | undefined): number[] | undefined =>
  Array.isArray(v) && v.every(isInt) ? (v as number[]) : undefined;

function readStreamSection(lx: Lexer, entries: Map<number, XrefEntry>): PdfDict {
  lx.int();
  lx.int();
  lx.expect('obj');
  const d = lx.value();
  if (!isDict(d)) throw malformed('xref stream has no dictionary');
  const length = d.get('Length');
  const data = decodeStream(d, streamBytes(lx.buf, streamStart(lx), isInt(length) ? length : undefined));
  const w = intArray(d.get('W'));
  const size = d.get('Size');
  if (w?.length !== 3 || w.some((x) => x < 0 || x > 8) || !isInt(size)) throw malformed('bad xref stream');
  const index = intArray(d.get('Index')) ?? [0, size];
  const width = (w[0] as number) + (w[1] as number) + (w[2] as number);
  if (width === 0 || index.length % 2) throw malformed('bad xref stream');
  let p = 0;
  const field = (n: number, dflt: number) => {
    if (n === 0) return dflt;
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + (data[p++] as number);
    return v;
  };
  for (let s = 0; s < index.length; s += 2) {
    const first = index[s] as number;
    const count = index[s + 1] as number;
    if (count < 0 || p + count * width > data.length) throw malformed('xref stream is shorter than its /Index');
    for (let i = 0; i < count; i++) {
      const type = field(w[0] as number, 1);
      const a = field(w[1] as number, 0);
      const b = field(w[2] as number, 0);
      if (type === 1) put(entries, first + i, { kind: 'offset', offset: a, gen: b });
      else if (type === 2) put(entries, first + i, { kind: 'compressed', stream: a, index: b });
      else if (type === 0) put(entries, first + i, { kind: 'free' });
    }
  }
  return d;
}

/** Reads every cross-reference section reachable from the last startxref. */
export function readXref(buf: Buffer): XrefTable {
  const startxref = findStartxref(buf);
  const entries = new Map<number, XrefEntry>();
  const seen = new Set<number>();
  let trailer: PdfDict | undefined;
  let isStream = false;
  let next: number | undefined = startxref;
  while (next !== undefined) {
    if (seen.has(next) || seen.size >= MAX_SECTIONS || next < 0 || next >= buf.length)
      throw malformed('broken /Prev chain');
    seen.add(next);
    const lx = new Lexer(buf, next);
    const classic = lx.token(true) === 'xref';
    const t = classic ? readTable(lx, entries) : readStreamSection(lx, entries);
    if (!trailer) {
      trailer = t;
      isStream = !classic;
    }
    const hybrid = t.get('XRefStm');
    if (classic && isInt(hybrid) && !seen.has(hybrid) && hybrid >= 0 && hybrid < buf.length) {
      seen.add(hybrid);
      readStreamSection(new Lexer(buf, hybrid), entries);
    }
    const prev = t.get('Prev');
    next = isInt(prev) ? prev : undefined;
  }
  if (!trailer) throw malformed('no trailer');
  return { entries, trailer, startxref, isStream };
}
