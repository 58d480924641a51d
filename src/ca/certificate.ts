/** Certificate TBS assembly (RFC 5280 §4.1) for the local CA; signing goes through keys/. */
import * as asn1js from 'asn1js';
import { Certificate, type Extension, PublicKeyInfo, type RelativeDistinguishedNames, Time } from 'pkijs';
import type { Random } from '../platform/index.js';

export interface CertificateTemplate {
  readonly serial: Uint8Array;
  readonly issuer: RelativeDistinguishedNames;
  readonly subject: RelativeDistinguishedNames;
  readonly notBefore: number;
  readonly notAfter: number;
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Uint8Array;
  /** The same, parsed (a batch certifying one key parses it once). */
  readonly spkiInfo?: PublicKeyInfo;
  readonly extensions: Extension[];
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds. */
function time(ms: number): Time {
  const value = new Date(Math.floor(ms / 1000) * 1000);
  return new Time({ type: value.getUTCFullYear() < 2050 ? 0 : 1, value });
}

/**
 * RFC 5280 §4.1.2.2: a positive INTEGER of at most 20 octets; 128 random bits (CA/B BR §7.1 asks
 * for at least 64), minimally encoded with a leading 0x00 only when the high bit is set.
 */
export function randomSerial(random: Random): Uint8Array {
  const r = random.bytes(16);
  let start = 0;
  while (start < r.length - 1 && r[start] === 0) start++;
  const body = r.subarray(start);
  if (body.length === 1 && body[0] === 0) return Uint8Array.of(1);
  return ((body[0] as number) & 0x80) !== 0 ? Uint8Array.from([0, ...body]) : Uint8Array.from(body);
}

/** RFC 7468 §5 textual encoding of a certificate. */
export const certificatePem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE-----\n${(
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  ).join('\n')}\n-----END CERTIFICATE-----\n`;

export function buildCertificate(t: CertificateTemplate): Certificate {
  const cert = new Certificate();
  cert.version = 2; // v3
  cert.serialNumber = new asn1js.Integer({ valueHex: t.serial });
  cert.issuer = t.issuer;
  cert.subject = t.subject;
  cert.notBefore = time(t.notBefore);
  cert.notAfter = time(t.notAfter);
  cert.subjectPublicKeyInfo = t.spkiInfo ?? PublicKeyInfo.fromBER(t.spki);
  cert.extensions = t.extensions;
  return cert;
}
