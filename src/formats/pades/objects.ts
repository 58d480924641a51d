/**
 * The PDF object model (ISO 32000-1 §7.3) as far as an incremental update needs it: values are
 * read once into these types and written back with `serialize`. Strings keep their raw bytes and
 * are always written as hex strings (§7.3.4.3), which need no escaping.
 */

export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfString {
  constructor(readonly bytes: Buffer) {}
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
}

export type PdfDict = Map<string, PdfValue>;
export type PdfValue = null | boolean | number | PdfName | PdfString | PdfRef | PdfValue[] | PdfDict;

export const name = (n: string): PdfName => new PdfName(n);
export const str = (s: string | Uint8Array): PdfString =>
  new PdfString(typeof s === 'string' ? Buffer.from(s, 'latin1') : Buffer.from(s));
export const dict = (entries: Record<string, PdfValue | undefined>): PdfDict => {
  const d: PdfDict = new Map();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) d.set(k, v);
  return d;
};

export const isDict = (v: PdfValue | undefined): v is PdfDict => v instanceof Map;
export const isRef = (v: PdfValue | undefined): v is PdfRef => v instanceof PdfRef;
export const isName = (v: PdfValue | undefined, n?: string): v is PdfName =>
  v instanceof PdfName && (n === undefined || v.name === n);
export const isInt = (v: PdfValue | undefined): v is number => typeof v === 'number' && Number.isInteger(v);

/** Characters a name writes as #xx (§7.3.5): delimiters, whitespace, '#', and anything outside '!'..'~'. */
const NAME_PLAIN = /^[!-~]$/;
const NAME_SPECIAL = new Set(['#', '(', ')', '<', '>', '[', ']', '{', '}', '/', '%']);

function writeName(n: string): string {
  let out = '/';
  for (const ch of Buffer.from(n, 'latin1')) {
    const c = String.fromCharCode(ch);
    out += NAME_PLAIN.test(c) && !NAME_SPECIAL.has(c) ? c : `#${ch.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Reals never in exponent form, which PDF does not have (§7.3.3). */
function writeNumber(n: number): string {
  if (!Number.isFinite(n)) return '0';
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

export function serialize(v: PdfValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return writeNumber(v);
  if (v instanceof PdfName) return writeName(v.name);
  if (v instanceof PdfString) return `<${v.bytes.toString('hex')}>`;
  if (v instanceof PdfRef) return `${v.num} ${v.gen} R`;
  if (Array.isArray(v)) return `[${v.map(serialize).join(' ')}]`;
  let out = '<<';
  for (const [k, val] of v) out += `${writeName(k)} ${serialize(val)}`;
  return `${out}>>`;
}

/** PDF date string (§7.9.4) in UTC: D:YYYYMMDDHHmmSSZ. */
export function pdfDate(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
}

/** A text string (§7.9.2.2): PDFDocEncoding when it is ASCII, otherwise UTF-16BE with a BOM. */
export function textString(s: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(s)) return str(s);
  const be = Buffer.from(s, 'utf16le').swap16();
  return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
}
