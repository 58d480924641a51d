/** The parts of a certificate CMS names it by (RFC 5652 §10.2.4, RFC 5035 §4), taken as raw bytes. */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { bytesOf, children, readTlv, TAG, tlv } from './der.js';
import { octetString } from './encode.js';

export interface CertificateName {
  /** DER Name of the issuer, exactly as in the certificate. */
  readonly issuer: Uint8Array;
  /** DER INTEGER serialNumber, exactly as in the certificate. */
  readonly serial: Uint8Array;
}

/** RFC 5280 §4.1: TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, … }. */
export function certificateName(cert: Uint8Array): CertificateName {
  try {
    const outer = readTlv(cert, 0);
    const tbs = children(cert, outer)[0];
    if (outer.tag !== TAG.sequence || !tbs || tbs.tag !== TAG.sequence) throw new Error('not a certificate');
    const fields = children(cert, tbs);
    const skip = fields[0]?.tag === TAG.ctx0 ? 1 : 0;
    const serial = fields[skip];
    const issuer = fields[skip + 2];
    if (serial?.tag !== TAG.integer || issuer?.tag !== TAG.sequence) throw new Error('not a certificate');
    return { issuer: bytesOf(cert, issuer), serial: bytesOf(cert, serial) };
  } catch (e) {
    throw new ShomeiError('certificate_mismatch', { detail: 'a chain entry is not a DER certificate' }, { cause: e });
  }
}

/** IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber } (RFC 5652 §10.2.4). */
export function issuerAndSerialNumber(cert: Uint8Array): Uint8Array {
  const n = certificateName(cert);
  return tlv(TAG.sequence, n.issuer, n.serial);
}

/**
 * SigningCertificateV2 with one ESSCertIDv2 (RFC 5035 §4): hashAlgorithm is SHA-256, the DEFAULT,
 * so DER omits it (X.690 §11.5); issuerSerial names the issuer as a directoryName GeneralName.
 */
export function signingCertificateV2(cert: Uint8Array): Uint8Array {
  const n = certificateName(cert);
  const certHash = createHash('sha256').update(cert).digest();
  const issuerSerial = tlv(TAG.sequence, tlv(TAG.sequence, tlv(0xa4, n.issuer)), n.serial);
  const essCertIdV2 = tlv(TAG.sequence, octetString(certHash), issuerSerial);
  return tlv(TAG.sequence, tlv(TAG.sequence, essCertIdV2));
}
