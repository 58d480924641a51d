/**
 * A strict, bounded DER reader for the validator. Hand-written on purpose (STYLE 16): path
 * validation compares names and keys byte for byte and must never throw or allocate without bound
 * on hostile input, and it needs each element's exact encoding (TBS bytes, Name DER, SPKI bytes),
 * which asn1js's lenient BER decoding does not expose uniformly. Any malformed input raises
 * {@link DerError}, which the validator turns into a FAILED/INDETERMINATE result.
 */

export class DerError extends Error {}

export interface Tlv {
  /** Tag class: 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly cls: number;
  readonly constructed: boolean;
  readonly tag: number;
  /** The whole encoding (header + content). */
  readonly der: Uint8Array;
  /** The content octets. */
  readonly value: Uint8Array;
}

const MAX_LENGTH_OCTETS = 4;

/** Reads one TLV at `off`; returns it and the offset after it. */
export function readTlv(buf: Uint8Array, off: number): { tlv: Tlv; next: number } {
  if (off + 2 > buf.length) throw new DerError('truncated header');
  const id = buf[off]!;
  if ((id & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used in X.509');
  let p = off + 1;
  const first = buf[p++]!;
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n === 0 || n > MAX_LENGTH_OCTETS) throw new DerError('indefinite or oversized length');
    len = 0;
    for (let i = 0; i < n; i++) {
      if (p >= buf.length) throw new DerError('truncated length');
      len = len * 256 + buf[p++]!;
    }
    if (len < 0x80 || (n > 1 && buf[p - n] === 0)) throw new DerError('non-minimal length');
  }
  const end = p + len;
  if (end > buf.length) throw new DerError('truncated content');
  const tlv: Tlv = {
    cls: id >> 6,
    constructed: (id & 0x20) !== 0,
    tag: id & 0x1f,
    der: buf.subarray(off, end),
    value: buf.subarray(p, end),
  };
  return { tlv, next: end };
}

/** Parses exactly one element filling `buf`. */
export function parseDer(buf: Uint8Array): Tlv {
  const { tlv, next } = readTlv(buf, 0);
  if (next !== buf.length) throw new DerError('trailing data');
  return tlv;
}

/** The children of a constructed element. */
export function children(t: Tlv | undefined): Tlv[] {
  if (!t?.constructed) throw new DerError('expected a constructed element');
  const out: Tlv[] = [];
  let off = 0;
  while (off < t.value.length) {
    const r = readTlv(t.value, off);
    out.push(r.tlv);
    off = r.next;
  }
  return out;
}

export const isUniversal = (t: Tlv | undefined, tag: number): boolean =>
  t !== undefined && t.cls === 0 && t.tag === tag;
export const isContext = (t: Tlv | undefined, tag: number): boolean => t !== undefined && t.cls === 2 && t.tag === tag;

export function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || !isUniversal(t, tag)) throw new DerError(`expected ${what}`);
  return t;
}

export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  ENUMERATED: 10,
  UTF8: 12,
  SEQUENCE: 16,
  SET: 17,
  PRINTABLE: 19,
  T61: 20,
  IA5: 22,
  UTC_TIME: 23,
  GENERALIZED_TIME: 24,
  UNIVERSAL: 28,
  BMP: 30,
} as const;

export function oid(t: Tlv | undefined): string {
  const v = expect(t, TAG.OID, 'OBJECT IDENTIFIER').value;
  if (v.length === 0 || v.length > 64 || (v[v.length - 1]! & 0x80) !== 0) throw new DerError('bad OID');
  const arcs: number[] = [];
  let acc = 0;
  for (const b of v) {
    if (acc === 0 && b === 0x80) throw new DerError('non-minimal OID arc');
    acc = acc * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(acc);
      acc = 0;
    }
  }
  const first = arcs.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

export function bool(t: Tlv | undefined): boolean {
  const v = expect(t, TAG.BOOLEAN, 'BOOLEAN').value;
  if (v.length !== 1) throw new DerError('bad BOOLEAN');
  return v[0] !== 0;
}

/** A non-negative small INTEGER (lengths, counts), universal or implicitly tagged. */
export function smallInt(t: Tlv | undefined): number {
  if (!t || t.constructed) throw new DerError('expected INTEGER');
  const v = t.value;
  if (v.length === 0 || v.length > 6 || (v[0]! & 0x80) !== 0) throw new DerError('INTEGER out of range');
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

export function bigInt(t: Tlv | undefined): bigint {
  const v = expect(t, TAG.INTEGER, 'INTEGER').value;
  if (v.length === 0) throw new DerError('empty INTEGER');
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if (v[0]! & 0x80) n -= 1n << BigInt(v.length * 8);
  return n;
}

/** BIT STRING content without the unused-bits octet. */
export function bitString(t: Tlv | undefined): { bytes: Uint8Array; unused: number } {
  const v = expect(t, TAG.BIT_STRING, 'BIT STRING').value;
  if (v.length === 0 || v[0]! > 7 || (v.length === 1 && v[0] !== 0)) throw new DerError('bad BIT STRING');
  return { bytes: v.subarray(1), unused: v[0]! };
}

/** Bit `i` (0 = most significant bit of the first byte) of a named-bit BIT STRING. */
export const bit = (bytes: Uint8Array, i: number): boolean => ((bytes[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;

/** UTCTime (two-digit year) or GeneralizedTime (four) text as a Date, or undefined (RFC 5280 §4.1.2.5). */
export function timeText(utc: boolean, s: string): Date | undefined {
  const m = utc
    ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
    : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(s);
  if (!m) return undefined;
  let year = Number(m[1]);
  if (utc) year += year >= 50 ? 1900 : 2000; // RFC 5280 §4.1.2.5.1
  const ms = Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

export function time(t: Tlv | undefined): Date {
  if (t?.cls !== 0 || (t.tag !== TAG.UTC_TIME && t.tag !== TAG.GENERALIZED_TIME)) throw new DerError('expected a Time');
  const s = new TextDecoder('latin1').decode(t.value);
  const d = timeText(t.tag === TAG.UTC_TIME, s);
  if (!d) throw new DerError(`bad time ${s}`);
  return d;
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Minimal DER encoder for the few structures we rebuild (DSA parameter inheritance, RDN append). */
export function encode(tagByte: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len =
    n < 0x80
      ? [n]
      : n < 0x100
        ? [0x81, n]
        : n < 0x10000
          ? [0x82, n >> 8, n & 0xff]
          : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tagByte;
  out.set(len, 1);
  out.set(content, 1 + len.length);
  return out;
}

export const concat = (parts: readonly Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
