/**
 * A minimal DER TLV reader and writer. Hand-written on purpose: pkijs and asn1js re-encode a parsed
 * structure from their own model, which may change bytes that are already signed or time-stamped
 * (certificates from other CAs, BER content, attribute order). Composing and splicing raw TLVs keeps
 * every byte we did not mean to touch exactly as it was (X.690 §8.1).
 */
import { ShomeiError } from '../../errors.js';

export interface Tlv {
  /** The identifier octet (single-byte tags only: all CMS tags we walk are low-tag-number). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first content octet. */
  readonly body: number;
  /** Offset just after the last content octet. */
  readonly end: number;
}

const malformed = (detail: string): ShomeiError => new ShomeiError('cms_malformed', { detail });

/** The TLV at `offset` (definite lengths only, as DER requires). */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw malformed('truncated');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw malformed('high tag number');
  let len = buf[offset + 1] as number;
  let body = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || body + n > limit) throw malformed('length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[body + i] as number);
    body += n;
  }
  const end = body + len;
  if (end > limit) throw malformed('truncated');
  return { tag, start: offset, body, end };
}

/** The elements inside a constructed TLV. */
export function children(buf: Uint8Array, tlv: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = tlv.body; at < tlv.end; ) {
    const c = readTlv(buf, at, tlv.end);
    out.push(c);
    at = c.end;
  }
  return out;
}

export const bytesOf = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.start, t.end);
export const contentOf = (buf: Uint8Array, t: Tlv): Uint8Array => buf.subarray(t.body, t.end);

function lengthOctets(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Uint8Array.of(0x80 | out.length, ...out);
}

/** tag ‖ length ‖ parts (X.690 §8.1.3, definite form, minimal length). */
export function tlv(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  return Buffer.concat([Uint8Array.of(tag), lengthOctets(body.length), body]);
}

export const TAG = {
  integer: 0x02,
  octetString: 0x04,
  oid: 0x06,
  sequence: 0x30,
  set: 0x31,
  ctx0: 0xa0,
  ctx1: 0xa1,
} as const;

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export function setOf(elements: readonly Uint8Array[], tag: number = TAG.set): Uint8Array {
  return tlv(tag, ...[...elements].sort((a, b) => Buffer.compare(a, b)));
}

/**
 * Replaces the innermost TLV of `path` (outermost first, each the parent of the next) with
 * `replacement`, re-encoding only the lengths of its ancestors; every other byte is kept.
 */
export function splice(buf: Uint8Array, path: readonly Tlv[], replacement: Uint8Array): Uint8Array {
  let current = replacement;
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = path[i] as Tlv;
    const child = path[i + 1] as Tlv;
    current = tlv(parent.tag, buf.subarray(parent.body, child.start), current, buf.subarray(child.end, parent.end));
  }
  return current;
}
