/**
 * Distinguished names and GeneralNames (RFC 5280 §4.1.2.4, §4.2.1.6) with the comparison rules of
 * §7.1: attribute values of string types compare case-insensitively with internal whitespace
 * compressed (the PKITS 4.3 name-chaining tests rely on this); other values compare as bytes.
 */
import { children, concat, DerError, encode, expect, oid, parseDer, TAG, type Tlv } from './der.js';

/** Decodes a directory/IA5 string to text; returns undefined for types we do not decode. */
export function text(t: Tlv): string | undefined {
  if (t.cls !== 0) return undefined;
  switch (t.tag) {
    case TAG.UTF8:
      return new TextDecoder('utf-8', { fatal: true }).decode(t.value);
    case TAG.PRINTABLE:
    case TAG.IA5:
    case TAG.T61:
    case 26: // VisibleString
      return new TextDecoder('latin1').decode(t.value);
    case TAG.BMP: {
      let s = '';
      for (let i = 0; i + 1 < t.value.length; i += 2) s += String.fromCharCode((t.value[i]! << 8) | t.value[i + 1]!);
      return s;
    }
    case TAG.UNIVERSAL: {
      let s = '';
      for (let i = 0; i + 3 < t.value.length; i += 4) {
        const dv = new DataView(t.value.buffer, t.value.byteOffset + i, 4);
        s += String.fromCodePoint(dv.getUint32(0));
      }
      return s;
    }
    default:
      return undefined;
  }
}

export interface Attribute {
  readonly type: string;
  /** Normalised comparison key of the value. */
  readonly key: string;
  readonly text?: string;
}
export interface Name {
  readonly der: Uint8Array;
  readonly rdns: readonly (readonly Attribute[])[];
  /** Whole-name comparison key. */
  readonly key: string;
}

export const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';
export const OID_COMMON_NAME = '2.5.4.3';

/** RFC 4518-ish: fold case, trim, and collapse runs of spaces (§7.1 "insignificant whitespace"). */
const foldString = (s: string): string => s.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');

function attribute(t: Tlv): Attribute {
  const [typeT, valueT] = children(expect(t, TAG.SEQUENCE, 'AttributeTypeAndValue'));
  if (!valueT) throw new DerError('attribute without value');
  const type = oid(typeT);
  const s = text(valueT);
  const key =
    s !== undefined
      ? `s:${foldString(s)}`
      : `b:${valueT.cls}.${valueT.tag}:${Buffer.from(valueT.value).toString('hex')}`;
  return s !== undefined ? { type, key, text: s } : { type, key };
}

const rdnKey = (rdn: readonly Attribute[]): string =>
  rdn
    .map((a) => `${a.type}=${a.key}`)
    .sort()
    .join('+');

export function parseName(t: Tlv): Name {
  const rdns = children(expect(t, TAG.SEQUENCE, 'Name')).map((set) => {
    const attrs = children(expect(set, TAG.SET, 'RelativeDistinguishedName')).map(attribute);
    if (attrs.length === 0) throw new DerError('empty RDN');
    return attrs;
  });
  return { der: t.der, rdns, key: rdns.map(rdnKey).join(',') };
}

export const nameEquals = (a: Name, b: Name): boolean => a.key === b.key;

/** True when `base`'s RDNs are a prefix of `name`'s (DN subtree, §4.2.1.10). */
export function dnWithin(name: Name, base: Name): boolean {
  if (base.rdns.length > name.rdns.length) return false;
  return base.rdns.every((rdn, i) => rdnKey(rdn) === rdnKey(name.rdns[i]!));
}

/** Appends one RDN (DER of a SET) to a name: nameRelativeToCRLIssuer (§5.2.5). */
export function appendRdn(name: Name, rdnSetDer: Uint8Array): Name {
  const content = concat([...children(parseDer(name.der)).map((c) => c.der), rdnSetDer]);
  return parseName(parseDer(encode(0x30, content)));
}

export const emailsInName = (n: Name): string[] =>
  n.rdns.flatMap((r) => r.filter((a) => a.type === OID_EMAIL_ADDRESS && a.text !== undefined).map((a) => a.text!));

export const commonNames = (n: Name): string[] =>
  n.rdns.flatMap((r) => r.filter((a) => a.type === OID_COMMON_NAME && a.text !== undefined).map((a) => a.text!));

export type GeneralName =
  | { readonly kind: 'email' | 'dns' | 'uri'; readonly value: string }
  | { readonly kind: 'dn'; readonly value: Name }
  | { readonly kind: 'ip'; readonly value: Uint8Array }
  | { readonly kind: 'other'; readonly tag: number; readonly value: Uint8Array };

const ascii = (v: Uint8Array): string => {
  for (const b of v) if (b > 0x7e || b < 0x20) throw new DerError('IA5String with non-printable characters');
  return new TextDecoder('latin1').decode(v);
};

/** GeneralName (§4.2.1.6): [1] rfc822Name, [2] dNSName, [4] directoryName, [6] URI, [7] iPAddress. */
export function parseGeneralName(t: Tlv): GeneralName {
  if (t.cls !== 2) throw new DerError('GeneralName must be context-tagged');
  switch (t.tag) {
    case 1:
      return { kind: 'email', value: ascii(t.value) };
    case 2:
      return { kind: 'dns', value: ascii(t.value) };
    case 4:
      return { kind: 'dn', value: parseName(children(t)[0] ?? fail()) };
    case 6:
      return { kind: 'uri', value: ascii(t.value) };
    case 7:
      return { kind: 'ip', value: t.value };
    default:
      return { kind: 'other', tag: t.tag, value: t.der };
  }
}

const fail = (): never => {
  throw new DerError('empty directoryName');
};

export const parseGeneralNames = (t: Tlv): GeneralName[] => children(t).map(parseGeneralName);

export function generalNameEquals(a: GeneralName, b: GeneralName): boolean {
  if (a.kind === 'dn' && b.kind === 'dn') return nameEquals(a.value, b.value);
  if (a.kind === 'ip' && b.kind === 'ip') return Buffer.from(a.value).equals(b.value);
  if (a.kind === 'other' && b.kind === 'other') return Buffer.from(a.value).equals(b.value);
  if (a.kind !== b.kind) return false;
  return String(a.value).toLowerCase() === String(b.value).toLowerCase();
}

const SHORT: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  [OID_EMAIL_ADDRESS]: 'emailAddress',
};

/** A readable DN for reasons and logs (RFC 4514 order: most specific RDN first). */
export const formatName = (n: Name): string =>
  [...n.rdns]
    .reverse()
    .map((r) => r.map((a) => `${SHORT[a.type] ?? a.type}=${a.text ?? '#'}`).join('+'))
    .join(', ') || '(empty)';
