/**
 * An incremental update (ISO 32000-1 §7.5.6): new and changed objects appended after the original
 * bytes, then a cross-reference section of the same kind as the newest one (a stream when the file
 * used xref streams, §7.5.8) whose /Prev points at it. The original bytes are never touched, which
 * is what keeps earlier signatures valid.
 */
import type { PdfDocument } from './document.js';
import { malformed } from './lexer.js';
import { dict, isDict, name, type PdfDict, PdfRef, type PdfValue, serialize } from './objects.js';

/** §7.5.4: generation numbers are at most 65535 (and an xref stream row holds two bytes for it). */
const MAX_GENERATION = 65_535;

export interface NewObject {
  readonly ref: PdfRef;
  /** The whole `n g obj … endobj` text. */
  readonly bytes: Buffer;
}

/** `n g obj value endobj`, with stream data when given (its /Length is set here). */
export function objectBytes(ref: PdfRef, value: PdfValue, data?: Uint8Array): NewObject {
  if (ref.gen > MAX_GENERATION) throw malformed('generation number out of range');
  const head = `${ref.num} ${ref.gen} obj\n`;
  if (!data) return { ref, bytes: Buffer.from(`${head}${serialize(value)}\nendobj\n`, 'latin1') };
  const d: PdfDict = new Map(isDict(value) ? value : []);
  d.set('Length', data.length);
  return {
    ref,
    bytes: Buffer.concat([
      Buffer.from(`${head}${serialize(d)}\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream\nendobj\n', 'latin1'),
    ]),
  };
}

/** Allocates object numbers for a new revision, from the document's /Size. */
export function numberer(doc: PdfDocument): () => PdfRef {
  let next = doc.size;
  return () => new PdfRef(next++, 0);
}

/** Runs of consecutive object numbers: [[first, count], …]. */
function runs(nums: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const n of [...nums].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

function trailerEntries(doc: PdfDocument, size: number): PdfDict {
  const t = doc.xref.trailer;
  return dict({
    Size: size,
    Root: t.get('Root'),
    Info: t.get('Info'),
    ID: t.get('ID'),
    Prev: doc.xref.startxref,
  });
}

interface Slot {
  readonly offset: number;
  readonly gen: number;
}

const maxKey = (m: Map<number, Slot>) => {
  let k = 0;
  for (const n of m.keys()) if (n > k) k = n;
  return k;
};

function classicSection(doc: PdfDocument, slots: Map<number, Slot>, at: number): string {
  let s = 'xref\n';
  for (const [first, count] of runs([...slots.keys()])) {
    s += `${first} ${count}\n`;
    for (let n = first; n < first + count; n++) {
      const slot = slots.get(n) as Slot;
      s += `${String(slot.offset).padStart(10, '0')} ${String(slot.gen).padStart(5, '0')} n\r\n`;
    }
  }
  const size = Math.max(doc.size, maxKey(slots) + 1);
  return `${s}trailer\n${serialize(trailerEntries(doc, size))}\nstartxref\n${at}\n%%EOF\n`;
}

/** §7.5.8.2: an uncompressed xref stream with W [1 4 2]; it lists itself too. */
function streamSection(doc: PdfDocument, slots: Map<number, Slot>, at: number): Buffer {
  const num = Math.max(doc.size, maxKey(slots) + 1);
  slots.set(num, { offset: at, gen: 0 });
  const rs = runs([...slots.keys()]);
  const rows = Buffer.alloc(slots.size * 7);
  let p = 0;
  for (const [first, count] of rs)
    for (let n = first; n < first + count; n++) {
      const slot = slots.get(n) as Slot;
      rows[p] = 1;
      rows.writeUInt32BE(slot.offset, p + 1);
      rows.writeUInt16BE(slot.gen, p + 5);
      p += 7;
    }
  const d = trailerEntries(doc, num + 1);
  d.set('Type', name('XRef'));
  d.set('W', [1, 4, 2]);
  d.set('Index', rs.flat());
  const obj = objectBytes(new PdfRef(num, 0), d, rows);
  return Buffer.concat([obj.bytes, Buffer.from(`startxref\n${at}\n%%EOF\n`, 'latin1')]);
}

/** The original bytes followed by the new revision; `objects` keep their own numbers and generations. */
export function appendRevision(doc: PdfDocument, objects: readonly NewObject[]): Buffer {
  const orig = doc.buf;
  const last = orig[orig.length - 1];
  const parts: Buffer[] = [orig];
  let at = orig.length;
  if (last !== 10 && last !== 13) {
    parts.push(Buffer.from('\n'));
    at++;
  }
  const slots = new Map<number, Slot>();
  for (const o of objects) {
    slots.set(o.ref.num, { offset: at, gen: o.ref.gen });
    parts.push(o.bytes);
    at += o.bytes.length;
  }
  parts.push(doc.xref.isStream ? streamSection(doc, slots, at) : Buffer.from(classicSection(doc, slots, at), 'latin1'));
  return Buffer.concat(parts);
}
