/**
 * A parsed PDF, read lazily: the cross-reference table, objects loaded on demand (directly or from
 * object streams, §7.5.7), references resolved with a hop limit. Encrypted files are refused: a
 * signature over an encrypted file would need the file's key to write the new objects (§7.6).
 */
import { ShomeiError } from '../../errors.js';
import { Lexer, malformed } from './lexer.js';
import { isDict, isInt, isRef, type PdfDict, PdfRef, type PdfValue } from './objects.js';
import { decodeStream, streamBytes, streamStart } from './streams.js';
import { readXref, type XrefTable } from './xref.js';

interface Loaded {
  readonly value: PdfValue;
  readonly gen: number;
  /** Offset of the stream data when the object is a stream. */
  readonly streamAt?: number;
}

export interface PdfStream {
  readonly dict: PdfDict;
  readonly data: Buffer;
}

export interface PdfDocument {
  readonly buf: Buffer;
  readonly xref: XrefTable;
  /** The next free object number (/Size of the newest section). */
  readonly size: number;
  /** The object's value (a stream's dictionary for streams); null for free or missing objects (§7.3.10). */
  get(ref: PdfRef): PdfValue;
  resolve(v: PdfValue | undefined): PdfValue;
  /** A stream object's decoded data. */
  stream(ref: PdfRef): PdfStream;
}

const MAX_HOPS = 32;

export function openPdf(input: Uint8Array): PdfDocument {
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < 16 || buf.toString('latin1', 0, 1024).indexOf('%PDF-') < 0) throw malformed('not a PDF file');
  const xref = readXref(buf);
  if (xref.trailer.has('Encrypt')) throw new ShomeiError('pdf_encrypted');
  const sizeValue = xref.trailer.get('Size');
  let size = isInt(sizeValue) && sizeValue > 0 ? sizeValue : 1;
  for (const num of xref.entries.keys()) if (num >= size) size = num + 1;
  const cache = new Map<number, Loaded>();
  const objStms = new Map<number, { data: Buffer; first: number; offsets: number[] }>();
  let depth = 0;

  function atOffset(num: number, offset: number): Loaded {
    if (offset < 0 || offset >= buf.length) throw malformed(`object ${num} is outside the file`);
    const lx = new Lexer(buf, offset);
    const n = lx.int();
    const gen = lx.int();
    lx.expect('obj');
    if (n !== num) throw malformed(`object ${num} is not where the xref says`);
    const value = lx.value();
    if (isDict(value) && lx.token(true) === 'stream') return { value, gen, streamAt: streamStart(lx) };
    return { value, gen };
  }

  function objectStream(num: number) {
    let s = objStms.get(num);
    if (s) return s;
    const { dict, data } = stream(new PdfRef(num, 0));
    const n = dict.get('N');
    const first = dict.get('First');
    if (!isInt(n) || !isInt(first) || n < 0 || first < 0 || first > data.length) throw malformed('bad object stream');
    const lx = new Lexer(data, 0);
    const offsets: number[] = [];
    for (let i = 0; i < n; i++) {
      lx.int();
      offsets.push(first + lx.int());
    }
    s = { data, first, offsets };
    objStms.set(num, s);
    return s;
  }

  function load(num: number): Loaded {
    const hit = cache.get(num);
    if (hit) return hit;
    if (++depth > MAX_HOPS) throw malformed('references nested too deeply');
    try {
      const e = xref.entries.get(num);
      let loaded: Loaded;
      if (!e || e.kind === 'free') loaded = { value: null, gen: 0 };
      else if (e.kind === 'offset') loaded = atOffset(num, e.offset);
      else {
        const s = objectStream(e.stream);
        const at = s.offsets[e.index];
        if (at === undefined || at >= s.data.length) throw malformed(`object ${num} is missing from its stream`);
        loaded = { value: new Lexer(s.data, at).value(), gen: 0 };
      }
      cache.set(num, loaded);
      return loaded;
    } finally {
      depth--;
    }
  }

  function resolve(v: PdfValue | undefined): PdfValue {
    let cur: PdfValue | undefined = v;
    for (let i = 0; isRef(cur); i++) {
      if (i >= MAX_HOPS) throw malformed('reference chain too long');
      cur = load(cur.num).value;
    }
    return cur === undefined ? null : cur;
  }

  function stream(ref: PdfRef): PdfStream {
    const o = load(ref.num);
    if (!isDict(o.value) || o.streamAt === undefined) throw malformed(`object ${ref.num} is not a stream`);
    const len = resolve(o.value.get('Length'));
    const raw = streamBytes(buf, o.streamAt, isInt(len) ? len : undefined);
    return { dict: o.value, data: decodeStream(o.value, raw) };
  }

  return { buf, xref, size, get: (ref) => load(ref.num).value, resolve, stream };
}
