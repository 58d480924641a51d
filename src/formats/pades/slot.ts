/**
 * The signature revision (ISO 32000-1 §12.8.1, ETSI EN 319 142-1 §5.3): a signature field merged
 * with its widget on page 1, /SigFlags 3, and the signature dictionary whose /Contents is a
 * zero-filled placeholder and whose /ByteRange covers every byte of the file except it.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { HASHES, type HashName } from '../../keys/index.js';
import { catalogOf, fieldNames, firstPage } from './catalog.js';
import type { PdfDocument } from './document.js';
import {
  dict,
  isDict,
  isRef,
  name,
  type PdfDict,
  type PdfRef,
  type PdfValue,
  serialize,
  textString,
} from './objects.js';
import { appendRevision, type NewObject, numberer, objectBytes } from './writer.js';

export type ByteRange = readonly [number, number, number, number];

/** A file with a signature placeholder: /Contents (`room` bytes, hex) sits between byteRange[1] and byteRange[2]. */
export interface SignatureSlot {
  readonly out: Buffer;
  readonly byteRange: ByteRange;
  readonly room: number;
}

export interface SlotOptions {
  /** The signature dictionary's own entries; /ByteRange and /Contents are added here. */
  readonly sig: PdfDict;
  /** Bytes reserved for the DER in /Contents. */
  readonly room: number;
  readonly fieldName?: string;
}

const BYTE_RANGE_WIDTH = 10;
const BR_PLACEHOLDER = `[0 ${'0'.repeat(BYTE_RANGE_WIDTH)} ${'0'.repeat(BYTE_RANGE_WIDTH)} ${'0'.repeat(BYTE_RANGE_WIDTH)}]`;

const clone = (d: PdfValue): PdfDict => new Map(isDict(d) ? d : []);

function uniqueName(taken: Set<string>, wanted: string | undefined): string {
  if (wanted !== undefined) return taken.has(wanted) ? `${wanted}_${taken.size + 1}` : wanted;
  for (let i = taken.size + 1; ; i++) if (!taken.has(`Signature${i}`)) return `Signature${i}`;
}

/** Appends `item` to the array at `holder[key]`, rewriting the array object when it is indirect. */
function appendTo(doc: PdfDocument, holder: PdfDict, key: string, item: PdfRef, changed: Map<number, NewObject>) {
  const cur = holder.get(key);
  const list = doc.resolve(cur);
  const next = [...(Array.isArray(list) ? list : []), item];
  if (isRef(cur) && Array.isArray(list)) changed.set(cur.num, objectBytes(cur, next));
  else holder.set(key, next);
}

function sigObject(ref: PdfRef, sig: PdfDict, room: number): NewObject {
  const entries = serialize(sig).slice(2, -2);
  const text = `${ref.num} ${ref.gen} obj\n<<${entries}/ByteRange ${BR_PLACEHOLDER}/Contents <${'0'.repeat(room * 2)}>>>\nendobj\n`;
  return { ref, bytes: Buffer.from(text, 'latin1') };
}

export function appendSignatureSlot(doc: PdfDocument, opts: SlotOptions): SignatureSlot {
  const fresh = numberer(doc);
  const sigRef = fresh();
  const widgetRef = fresh();
  const catalog = catalogOf(doc);
  const page = firstPage(doc, catalog.value);
  const changed = new Map<number, NewObject>();

  const pageDict = clone(page.value);
  appendTo(doc, pageDict, 'Annots', widgetRef, changed);
  const catDict = clone(catalog.value);
  const afValue = catDict.get('AcroForm');
  const af = clone(doc.resolve(afValue));
  const taken = fieldNames(doc, af.get('Fields') ?? null);
  appendTo(doc, af, 'Fields', widgetRef, changed);
  af.set('SigFlags', 3);
  const afRef = isRef(afValue) ? afValue : fresh();
  catDict.set('AcroForm', afRef);

  const widget = dict({
    Type: name('Annot'),
    Subtype: name('Widget'),
    FT: name('Sig'),
    T: textString(uniqueName(taken, opts.fieldName)),
    V: sigRef,
    F: 132, // Print | Locked (§12.5.3)
    Rect: [0, 0, 0, 0],
    P: page.ref,
  });
  const objects: NewObject[] = [
    sigObject(sigRef, opts.sig, opts.room),
    objectBytes(widgetRef, widget),
    objectBytes(page.ref, pageDict),
    objectBytes(afRef, af),
    ...changed.values(),
  ];
  if (!isRef(afValue)) objects.push(objectBytes(catalog.ref, catDict));
  const out = appendRevision(doc, objects);
  return locate(out, doc.buf.length, opts.room);
}

/** Finds the placeholder in the new revision and fills in the real /ByteRange (same width). */
function locate(out: Buffer, from: number, room: number): SignatureSlot {
  const br = out.indexOf(`/ByteRange ${BR_PLACEHOLDER}`, from, 'latin1') + '/ByteRange '.length;
  const lt = out.indexOf('/Contents <', br, 'latin1') + '/Contents '.length;
  const gt = lt + 1 + room * 2;
  const byteRange: ByteRange = [0, lt, gt + 1, out.length - gt - 1];
  const text = `[${byteRange.join(' ')}]`;
  out.write(text.slice(0, -1).padEnd(BR_PLACEHOLDER.length - 1, ' ') + ']', br, 'latin1');
  return { out, byteRange, room };
}

/** The digest of the signed bytes, read once, in place (the file may be large). */
export function digestByteRange(slot: SignatureSlot, hash: HashName): Buffer {
  const [a, b, c, d] = slot.byteRange;
  return createHash(HASHES[hash].node)
    .update(slot.out.subarray(a, a + b))
    .update(slot.out.subarray(c, c + d))
    .digest();
}

/** Writes the DER into the placeholder (hex, zero-padded); refuses rather than corrupt the file. */
export function embedContents(slot: SignatureSlot, der: Uint8Array): Buffer {
  if (der.length > slot.room)
    throw new ShomeiError('pdf_signature_too_large', { size: String(der.length), room: String(slot.room) });
  slot.out.write(Buffer.from(der).toString('hex'), slot.byteRange[1] + 1, 'latin1');
  return slot.out;
}
