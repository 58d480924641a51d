/** DER primitives built with asn1js, composed with der.ts so that raw inputs keep their bytes. */
import * as asn1js from 'asn1js';
import { TAG, tlv } from './der.js';

export const oid = (value: string): Uint8Array => new Uint8Array(new asn1js.ObjectIdentifier({ value }).toBER(false));

export const integer = (value: number): Uint8Array => new Uint8Array(new asn1js.Integer({ value }).toBER(false));

export const octetString = (value: Uint8Array): Uint8Array => tlv(TAG.octetString, value);

export const NULL = Uint8Array.of(0x05, 0x00);

/** AlgorithmIdentifier with absent parameters (RFC 5754 §2: SHA-2 digest algorithms), or the given DER. */
export const algorithmId = (id: string, params?: Uint8Array): Uint8Array =>
  params ? tlv(TAG.sequence, oid(id), params) : tlv(TAG.sequence, oid(id));

/** Attribute ::= SEQUENCE { attrType, attrValues SET OF } (RFC 5652 §5.3), values sorted (DER). */
export function attribute(type: string, values: readonly Uint8Array[]): Uint8Array {
  const sorted = [...values].sort((a, b) => Buffer.compare(a, b));
  return tlv(TAG.sequence, oid(type), tlv(TAG.set, ...sorted));
}

const two = (n: number): string => String(n).padStart(2, '0');

/** RFC 5652 §11.3 / RFC 5280 §4.1.2.5: UTCTime from 1950 to 2049, GeneralizedTime otherwise; seconds, Z. */
export function time(d: Date): Uint8Array {
  const y = d.getUTCFullYear();
  const rest = `${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}Z`;
  return y >= 1950 && y < 2050
    ? tlv(0x17, Buffer.from(`${two(y % 100)}${rest}`, 'latin1'))
    : tlv(0x18, Buffer.from(`${String(y).padStart(4, '0')}${rest}`, 'latin1'));
}
