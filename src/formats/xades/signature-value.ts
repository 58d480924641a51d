/**
 * The ds:SignatureValue from what signHash returns. ECDSA: CSC and our key store return a DER
 * Ecdsa-Sig-Value, XML-DSig 1.1 §6.4.3 wants r || s, each left-padded to the field size. The value
 * is checked against the certificate before it is embedded, so a wrong key or a corrupted remote
 * answer is refused instead of producing a document that no one can verify.
 */
import { constants, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { ecdsaDerToRaw } from '../cms/index.js';
import type { XmlSignatureMethod } from './algorithms.js';

const bad = (detail: string): ShomeiError => new ShomeiError('xades_signature_invalid', { detail });

/** Field size in bytes of an EC key, read from its JWK coordinate (always full length). */
function fieldBytes(key: KeyObject): number {
  const x = key.export({ format: 'jwk' }).x;
  if (!x) throw bad('not an EC key');
  return Buffer.from(x, 'base64url').length;
}

function ecdsaRaw(der: Uint8Array, size: number): Buffer {
  const raw = ecdsaDerToRaw(der, size);
  if (!raw) throw bad('the ECDSA signature is not a DER Ecdsa-Sig-Value');
  return raw;
}

export const signerKey = (certDer: Uint8Array): KeyObject => new X509Certificate(certDer).publicKey;

/** XML-DSig signature check over canonical SignedInfo (ECDSA values in r || s form). */
export function verifyXmlSignature(
  method: XmlSignatureMethod,
  key: KeyObject,
  signedInfo: Uint8Array,
  value: Uint8Array,
): boolean {
  const k =
    method.scheme === 'ecdsa'
      ? { key, dsaEncoding: 'ieee-p1363' as const }
      : method.scheme === 'rsa-pss'
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: method.hash.length }
        : key;
  try {
    return verify(method.hash.node, signedInfo, k, value);
  } catch {
    return false; // a key of another type than the method names: not a valid signature
  }
}

/** The bytes to base64 into ds:SignatureValue, after checking they sign `signedInfo`. */
export function xmlSignatureValue(
  method: XmlSignatureMethod,
  certDer: Uint8Array,
  signedInfo: Uint8Array,
  signatureValue: Uint8Array,
): Buffer {
  const key = signerKey(certDer);
  const value = method.scheme === 'ecdsa' ? ecdsaRaw(signatureValue, fieldBytes(key)) : Buffer.from(signatureValue);
  if (!verifyXmlSignature(method, key, signedInfo, value)) {
    throw bad('the signature value does not verify with the signing certificate');
  }
  return value;
}
