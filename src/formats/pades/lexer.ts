/**
 * A bounded reader of PDF syntax (ISO 32000-1 §7.2, §7.3). Hand-written because no maintained
 * library reads a PDF's objects without rewriting the file (pdf-lib saves whole files, which would
 * break earlier signatures). Every loop advances or stops at the end of the buffer and nesting is
 * capped, so hostile input ends in a `pdf_malformed` error, never a hang or a crash.
 */
import { ShomeiError } from '../../errors.js';
import { type PdfDict, PdfName, PdfRef, PdfString, type PdfValue } from './objects.js';

const MAX_DEPTH = 64;

export const malformed = (detail: string): ShomeiError => new ShomeiError('pdf_malformed', { detail });

const isWs = (c: number | undefined) => c === 0 || c === 9 || c === 10 || c === 12 || c === 13 || c === 32;
const DELIMS = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);
const isDelim = (c: number | undefined) => c === undefined || isWs(c) || DELIMS.has(c);
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const hexVal = (c: number): number =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1;

const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 102: 12 };

export class Lexer {
  constructor(
    readonly buf: Buffer,
    public pos: number,
  ) {}

  /** Skips whitespace and comments. */
  skipWs(): void {
    const b = this.buf;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (isWs(c)) this.pos++;
      else if (c === 0x25) {
        while (this.pos < b.length && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      } else return;
    }
  }

  /** A bare keyword or number token, without consuming it when `peek`. */
  token(peek = false): string {
    this.skipWs();
    const start = this.pos;
    let end = start;
    while (end < this.buf.length && !isDelim(this.buf[end])) end++;
    if (!peek) this.pos = end;
    return this.buf.toString('latin1', start, end);
  }

  expect(keyword: string): void {
    const t = this.token();
    if (t !== keyword) throw malformed(`expected '${keyword}' at ${this.pos}`);
  }

  int(): number {
    const t = this.token();
    if (!/^[+-]?\d{1,15}$/.test(t)) throw malformed(`expected an integer at ${this.pos}`);
    return Number(t);
  }

  value(depth = 0): PdfValue {
    if (depth > MAX_DEPTH) throw malformed('objects nested too deeply');
    this.skipWs();
    const b = this.buf;
    const c = b[this.pos];
    if (c === undefined) throw malformed('unexpected end of file');
    if (c === 0x2f) return this.name();
    if (c === 0x28) return this.literal();
    if (c === 0x3c) return b[this.pos + 1] === 0x3c ? this.dict(depth) : this.hex();
    if (c === 0x5b) return this.array(depth);
    if (isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e) return this.number();
    const t = this.token();
    if (t === 'true') return true;
    if (t === 'false') return false;
    if (t === 'null') return null;
    throw malformed(`unexpected token at ${this.pos}`);
  }

  private number(): number | PdfRef {
    const t = this.token();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) || t.length > 40) throw malformed(`bad number at ${this.pos}`);
    const n = Number(t);
    if (!/^\d+$/.test(t)) return n;
    // `num gen R` is a reference (§7.3.10); look ahead without consuming otherwise.
    const save = this.pos;
    const gen = this.token();
    if (/^\d{1,5}$/.test(gen) && this.token() === 'R') return new PdfRef(n, Number(gen));
    this.pos = save;
    return n;
  }

  private name(): PdfName {
    this.pos++;
    const bytes: number[] = [];
    const b = this.buf;
    while (this.pos < b.length && !isDelim(b[this.pos])) {
      const ch = b[this.pos] as number;
      const hi = hexVal(b[this.pos + 1] ?? 0);
      const lo = hexVal(b[this.pos + 2] ?? 0);
      if (ch === 0x23 && hi >= 0 && lo >= 0) {
        bytes.push(hi * 16 + lo);
        this.pos += 3;
      } else {
        bytes.push(ch);
        this.pos++;
      }
    }
    return new PdfName(Buffer.from(bytes).toString('latin1'));
  }

  private hex(): PdfString {
    const end = this.buf.indexOf(0x3e, this.pos);
    if (end < 0) throw malformed('unterminated hex string');
    const digits = this.buf.toString('latin1', this.pos + 1, end).replace(/[\0\t\n\f\r ]+/g, '');
    if (!/^[0-9a-fA-F]*$/.test(digits)) throw malformed(`bad hex string at ${this.pos}`);
    this.pos = end + 1;
    return new PdfString(Buffer.from(digits.length % 2 ? `${digits}0` : digits, 'hex'));
  }

  /** §7.3.4.2: balanced parentheses, backslash escapes and octal codes. */
  private literal(): PdfString {
    const b = this.buf;
    const out: number[] = [];
    let nest = 1;
    this.pos++;
    while (this.pos < b.length) {
      const c = b[this.pos++] as number;
      if (c === 0x5c) {
        const e = b[this.pos++];
        if (e === undefined) break;
        if (ESCAPES[e] !== undefined) out.push(ESCAPES[e] as number);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let k = 0; k < 2 && (b[this.pos] ?? 0) >= 0x30 && (b[this.pos] ?? 0) <= 0x37; k++)
            v = v * 8 + ((b[this.pos++] as number) - 0x30);
          out.push(v & 0xff);
        } else if (e === 13) {
          if (b[this.pos] === 10) this.pos++;
        } else if (e !== 10) out.push(e);
        continue;
      }
      if (c === 0x28) nest++;
      if (c === 0x29 && --nest === 0) return new PdfString(Buffer.from(out));
      out.push(c);
    }
    throw malformed('unterminated string');
  }

  private array(depth: number): PdfValue[] {
    this.pos++;
    const out: PdfValue[] = [];
    for (;;) {
      this.skipWs();
      if (this.pos >= this.buf.length) throw malformed('unterminated array');
      if (this.buf[this.pos] === 0x5d) {
        this.pos++;
        return out;
      }
      out.push(this.value(depth + 1));
    }
  }

  private dict(depth: number): PdfDict {
    this.pos += 2;
    const out: PdfDict = new Map();
    for (;;) {
      this.skipWs();
      if (this.pos >= this.buf.length) throw malformed('unterminated dictionary');
      if (this.buf[this.pos] === 0x3e && this.buf[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return out;
      }
      if (this.buf[this.pos] !== 0x2f) throw malformed(`dictionary key expected at ${this.pos}`);
      const key = this.name().name;
      out.set(key, this.value(depth + 1));
    }
  }
}
