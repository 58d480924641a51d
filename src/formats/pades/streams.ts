/**
 * Stream data (ISO 32000-1 §7.3.8, §7.4.4): reading a stream's bytes after its dictionary, and the
 * one filter an incremental writer meets in cross-reference and object streams, FlateDecode with
 * the PNG predictors. Inflation is capped so a zip bomb ends in an error.
 */
import { inflateSync } from 'node:zlib';
import { Lexer, malformed } from './lexer.js';
import { isDict, isInt, isName, type PdfDict, type PdfValue } from './objects.js';

const MAX_INFLATED = 256 * 1024 * 1024;

/** Where a stream's data starts: after `stream` and its end-of-line (§7.3.8.1). */
export function streamStart(lx: Lexer): number {
  lx.expect('stream');
  let p = lx.pos;
  const b = lx.buf;
  if (b[p] === 13) p++;
  if (b[p] === 10) p++;
  return p;
}

/** The stream's bytes given its /Length (already resolved); falls back to `endstream` when /Length is wrong. */
export function streamBytes(buf: Buffer, start: number, length: number | undefined): Buffer {
  if (length !== undefined && length >= 0 && start + length <= buf.length) {
    const after = new Lexer(buf, start + length);
    if (after.token(true) === 'endstream') return buf.subarray(start, start + length);
  }
  const end = buf.indexOf('endstream', start, 'latin1');
  if (end < 0) throw malformed('unterminated stream');
  let e = end;
  if (buf[e - 1] === 10) e--;
  if (buf[e - 1] === 13) e--;
  return buf.subarray(start, Math.max(start, e));
}

function one(v: PdfValue | undefined): PdfValue | undefined {
  return Array.isArray(v) ? (v.length === 1 ? v[0] : v.length === 0 ? undefined : v) : v;
}

/** §7.4.4.4: PNG predictors 10–15 (each row starts with its filter type byte). */
function unpredict(data: Buffer, parms: PdfDict): Buffer {
  const predictor = parms.get('Predictor');
  if (!isInt(predictor) || predictor === 1) return data;
  if (predictor < 10) throw malformed('TIFF predictors are not supported');
  const colors = isInt(parms.get('Colors')) ? (parms.get('Colors') as number) : 1;
  const bpc = isInt(parms.get('BitsPerComponent')) ? (parms.get('BitsPerComponent') as number) : 8;
  const columns = isInt(parms.get('Columns')) ? (parms.get('Columns') as number) : 1;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLen = Math.ceil((colors * bpc * columns) / 8);
  if (rowLen < 1 || rowLen > 1 << 20) throw malformed('bad predictor columns');
  const rows = Math.floor(data.length / (rowLen + 1));
  const out = Buffer.alloc(rows * rowLen);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLen + 1)];
    const src = r * (rowLen + 1) + 1;
    const dst = r * rowLen;
    for (let i = 0; i < rowLen; i++) {
      const x = data[src + i] as number;
      const a = i >= bpp ? (out[dst + i - bpp] as number) : 0;
      const up = r > 0 ? (out[dst - rowLen + i] as number) : 0;
      const ul = r > 0 && i >= bpp ? (out[dst - rowLen + i - bpp] as number) : 0;
      out[dst + i] = (x + predict(type, a, up, ul)) & 0xff;
    }
  }
  return out;
}

function predict(type: number | undefined, a: number, b: number, c: number): number {
  if (type === 0) return 0;
  if (type === 1) return a;
  if (type === 2) return b;
  if (type === 3) return (a + b) >> 1;
  if (type === 4) {
    const p = a + b - c;
    const pa = Math.abs(p - a);
    const pb = Math.abs(p - b);
    const pc = Math.abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  }
  throw malformed('bad PNG predictor row');
}

/** Decoded data of a stream with no filter or FlateDecode. */
export function decodeStream(d: PdfDict, raw: Buffer): Buffer {
  const filter = one(d.get('Filter'));
  if (filter === undefined || filter === null) return raw;
  if (!isName(filter, 'FlateDecode')) throw malformed('unsupported stream filter');
  let data: Buffer;
  try {
    data = inflateSync(raw, { maxOutputLength: MAX_INFLATED });
  } catch {
    throw malformed('a compressed stream cannot be inflated');
  }
  const parms = one(d.get('DecodeParms'));
  return isDict(parms) ? unpredict(data, parms) : data;
}
