/**
 * A minimal DER reader and writer for the OCSP hot path: OCSPRequests in, fixed-shape
 * OCSPResponses out (RFC 6960 §4). Hand-written (STYLE.md 16) because the libraries are far too
 * slow for CA-2's scale — measured on one core, pkijs parses ~1,300 OCSPRequests/s and asn1js
 * ~10,000/s, and asn1js encodes ~8,000 ResponseData/s — while B5 and pre-generating responses for
 * millions of certificates need tens of thousands per second. It accepts DER only (definite,
 * minimal lengths; low tag numbers) and is checked against pkijs and openssl in ca-ocsp.test.ts.
 */
import * as asn1js from 'asn1js';

export class DerError extends Error {}

/** One TLV inside a buffer: the tag, where its value starts and where it ends. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  enumerated: 0x0a,
  generalizedTime: 0x18,
  sequence: 0x30,
} as const;

/** Context-specific tag [n]: constructed for EXPLICIT tagging, primitive for IMPLICIT NULL. */
export const ctx = (n: number, constructed = true): number => (constructed ? 0xa0 : 0x80) | n;

/** X.690 §8.1.2–8.1.3 and §10.1: one TLV within [offset, limit). */
export function readTlv(buf: Uint8Array, offset: number, limit: number = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag number');
  let length = buf[offset + 1] as number;
  let valueStart = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    // 0 is the indefinite form (BER only); more than 3 octets is more than any request here needs.
    if (n === 0 || n > 3 || valueStart + n > limit) throw new DerError('length');
    if (buf[valueStart] === 0) throw new DerError('non-minimal length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (buf[valueStart + i] as number);
    if (length < 0x80) throw new DerError('non-minimal length');
    valueStart += n;
  }
  if (valueStart + length > limit) throw new DerError('truncated');
  return { tag, start: offset, valueStart, end: valueStart + length };
}

/** The TLVs of a constructed value, which they must fill exactly. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.valueStart; p < parent.end; ) {
    const t = readTlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** The TLV if it has this tag; throws otherwise. */
export function expectTag(t: Tlv | undefined, tag: number): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`expected tag ${tag.toString(16)}`);
  return t;
}

/** An OBJECT IDENTIFIER whose subidentifiers are well formed (X.690 §8.19.2: base 128, minimal). */
export function expectOid(buf: Uint8Array, t: Tlv | undefined): Tlv {
  const v = contentOf(buf, expectTag(t, TAG.oid));
  if (v.length === 0 || ((v[v.length - 1] as number) & 0x80) !== 0) throw new DerError('OBJECT IDENTIFIER');
  for (let i = 0; i < v.length; i++) {
    const startsSubidentifier = i === 0 || ((v[i - 1] as number) & 0x80) === 0;
    if (startsSubidentifier && v[i] === 0x80) throw new DerError('OBJECT IDENTIFIER');
  }
  return t as Tlv;
}

/** The one TLV that makes up the whole buffer (no trailing bytes). */
export function readWhole(buf: Uint8Array, tag: number): Tlv {
  const t = expectTag(readTlv(buf, 0), tag);
  if (t.end !== buf.length) throw new DerError('trailing data');
  return t;
}

export const contentOf = (buf: Uint8Array, t: Tlv): Buffer =>
  Buffer.from(buf.buffer, buf.byteOffset + t.valueStart, t.end - t.valueStart);
export const encodingOf = (buf: Uint8Array, t: Tlv): Buffer =>
  Buffer.from(buf.buffer, buf.byteOffset + t.start, t.end - t.start);

/** Encodes one TLV around the concatenated parts. */
export function tlv(tag: number, ...parts: readonly Uint8Array[]): Buffer {
  let n = 0;
  for (const p of parts) n += p.length;
  const head =
    n < 0x80
      ? [tag, n]
      : n < 0x100
        ? [tag, 0x81, n]
        : n < 0x10000
          ? [tag, 0x82, n >> 8, n & 0xff]
          : [tag, 0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from(head), ...parts], head.length + n);
}

/** An OBJECT IDENTIFIER TLV (encoded once by asn1js; callers keep the bytes). */
export const oid = (dotted: string): Buffer => Buffer.from(new asn1js.ObjectIdentifier({ value: dotted }).toBER(false));

/** A positive INTEGER from the hex of its magnitude, minimally encoded (X.690 §8.3.2). */
export function positiveInteger(hex: string): Buffer {
  const even = hex.length % 2 ? `0${hex}` : hex;
  let bytes = Buffer.from(even, 'hex');
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  bytes = bytes.subarray(i);
  if (bytes.length === 0) bytes = Buffer.of(0);
  return ((bytes[0] as number) & 0x80) !== 0 ? tlv(TAG.integer, Buffer.of(0), bytes) : tlv(TAG.integer, bytes);
}

/** RFC 5280 §4.1.2.5.2 GeneralizedTime: YYYYMMDDHHMMSSZ, whole seconds, UTC. */
export function generalizedTime(ms: number): Buffer {
  const iso = new Date(ms).toISOString(); // 2026-01-27T10:11:12.345Z
  const text = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return tlv(TAG.generalizedTime, Buffer.from(text, 'latin1'));
}

/** Reads a GeneralizedTime in the RFC 5280 form generalizedTime writes. */
export function readGeneralizedTime(buf: Uint8Array, t: Tlv | undefined): number {
  const s = contentOf(buf, expectTag(t, TAG.generalizedTime)).toString('latin1');
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new DerError('GeneralizedTime');
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se);
}
