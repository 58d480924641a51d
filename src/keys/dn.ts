/**
 * Distinguished names between their RFC 4514 string form (configuration, CSC `subjectDN`) and the
 * X.501 Name of pkijs. Hand-written because @peculiar/x509's Name needs a reflect-metadata polyfill
 * we do not ship; the subset is what certificate subjects use (no hex-encoded `#` values).
 */
import * as asn1js from 'asn1js';
import { AttributeTypeAndValue, RelativeDistinguishedNames } from 'pkijs';
import { ShomeiError } from '../errors.js';

/** RFC 4519 / RFC 5280 Appendix A attribute types. */
const TYPES: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4',
  SERIALNUMBER: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  STREET: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  T: '2.5.4.12',
  GN: '2.5.4.42',
  ORGANIZATIONIDENTIFIER: '2.5.4.97',
  DC: '0.9.2342.19200300.100.1.25',
  E: '1.2.840.113549.1.9.1',
};
const NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k === 'SERIALNUMBER' ? 'serialNumber' : k]));
/** RFC 5280 §4.1.2.4 / Appendix A: countryName and serialNumber are PrintableString, email IA5String. */
const PRINTABLE = new Set([TYPES.C, TYPES.SERIALNUMBER]);

const invalid = (): ShomeiError => new ShomeiError('invalid_parameter', { name: 'subjectDN' });

/** Splits on unescaped `sep` (RFC 4514 §2.4: `\` escapes the next character). */
function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '\\' && i + 1 < s.length) cur += ch + s[++i];
    else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const unescapeValue = (v: string): string => v.trim().replace(/\\(.)/g, '$1');

function atv(pair: string): AttributeTypeAndValue {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw invalid();
  const key = pair.slice(0, eq).trim().toUpperCase();
  const type = TYPES[key] ?? (/^\d+(\.\d+)+$/.test(key) ? key : undefined);
  const value = unescapeValue(pair.slice(eq + 1));
  if (!type || value === '') throw invalid();
  const encoded = PRINTABLE.has(type)
    ? new asn1js.PrintableString({ value })
    : type === TYPES.E
      ? new asn1js.IA5String({ value })
      : new asn1js.Utf8String({ value });
  return new AttributeTypeAndValue({ type, value: encoded });
}

/** X.690 §11.6: DER orders the members of a SET OF by their encodings. */
function derSetOf(atvs: AttributeTypeAndValue[]): asn1js.Set {
  const encoded = atvs.map((a) => Buffer.from(a.toSchema().toBER(false))).sort(Buffer.compare);
  return new asn1js.Set({ value: encoded.map((e) => asn1js.fromBER(e).result) });
}

/**
 * RFC 4514 string → Name. The string lists RDNs last-first (§2.1), so the order is reversed. The
 * Name is encoded here (one SET per RDN) because pkijs would put every attribute in a single SET.
 */
export function parseDn(dn: string): RelativeDistinguishedNames {
  if (dn.trim() === '') throw invalid();
  const rdns = splitUnescaped(dn, ',')
    .reverse()
    .map((rdn) => derSetOf(splitUnescaped(rdn, '+').map(atv)));
  return RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: rdns }).toBER(false));
}

const escapeValue = (v: string): string =>
  v
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');

/** Name → RFC 4514 string (most specific RDN first). */
export function formatDn(name: RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((t) => `${NAMES[t.type] ?? t.type}=${escapeValue(String(t.value.valueBlock.value))}`)
    .reverse()
    .join(', ');
}
