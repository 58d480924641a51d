/**
 * The B-B signing-certificate property (EN 319 132-1 §5.2.2, xades:SigningCertificateV2): the
 * digest of the signer's certificate and its IssuerSerialV2, the base64 of a DER `IssuerSerial`
 * (RFC 5035 §4: GeneralNames holding the issuer as directoryName, and the serial number), made
 * from the certificate's own bytes so that the issuer Name is exactly the one it carries.
 */
import { createHash, type KeyObject, X509Certificate } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { type HashAlgorithm, type KeyType, keyTypeOfKeyObject } from '../../keys/index.js';
import { certificateName, TAG, tlv } from '../cms/index.js';
import { DIGEST_URI } from './algorithms.js';

/** GeneralName directoryName [4] is EXPLICIT (Name is a CHOICE, X.680 §31.2.7). */
const DIRECTORY_NAME = 0xa4;

export function issuerSerialV2(certDer: Uint8Array): Buffer {
  const { issuer, serial } = certificateName(certDer);
  return Buffer.from(tlv(TAG.sequence, tlv(TAG.sequence, tlv(DIRECTORY_NAME, issuer)), serial));
}

/** The xades:SigningCertificateV2 element for the signer's certificate. */
export function signingCertificateXml(certDer: Uint8Array, hash: HashAlgorithm): string {
  const digest = createHash(hash.node).update(certDer).digest('base64');
  return (
    '<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>' +
    `<ds:DigestMethod Algorithm="${DIGEST_URI[hash.name]}"/><ds:DigestValue>${digest}</ds:DigestValue>` +
    `</xades:CertDigest><xades:IssuerSerialV2>${issuerSerialV2(certDer).toString('base64')}</xades:IssuerSerialV2>` +
    '</xades:Cert></xades:SigningCertificateV2>'
  );
}

/** The algorithm-table key type of the signer's certificate, to resolve the SignatureMethod. */
export function signerKeyType(certDer: Uint8Array): KeyType {
  let key: KeyObject;
  try {
    key = new X509Certificate(certDer).publicKey;
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'signer certificate' });
  }
  return keyTypeOfKeyObject(key);
}
