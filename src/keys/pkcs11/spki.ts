/**
 * SubjectPublicKeyInfo from a token's public key attributes (v2.40 §2.1.2 RSA: CKA_MODULUS,
 * CKA_PUBLIC_EXPONENT; §2.3.3 EC: CKA_EC_POINT is the DER OCTET STRING of an X9.62 point), built
 * through node:crypto's JWK import so no DER is written by hand.
 */
import { createPublicKey } from 'node:crypto';
import * as asn1js from 'asn1js';
import { type Curve, type KeyTypeInfo, OID } from '../algorithms.js';

const FIELD_BYTES: Readonly<Record<Curve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

const b64u = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const stripZeros = (b: Buffer): Buffer => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
};

export function rsaSpki(modulus: Buffer, exponent: Buffer): Buffer {
  const jwk = { kty: 'RSA', n: b64u(stripZeros(modulus)), e: b64u(stripZeros(exponent)) };
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
}

/** v2.40 §2.3.3: CKA_EC_POINT is DER-encoded; some modules return the raw point (v3.0 allows neither). */
export function ecPointBytes(curve: Curve, ecPoint: Buffer): Buffer {
  const raw = 1 + 2 * FIELD_BYTES[curve];
  return ecPoint.length === raw ? ecPoint : unwrapOctetString(ecPoint);
}

function unwrapOctetString(der: Buffer): Buffer {
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.OctetString)) throw new Error('CKA_EC_POINT: not DER');
  return Buffer.from(parsed.result.valueBlock.valueHexView);
}

export function ecSpki(curve: Curve, ecPoint: Buffer): Buffer {
  const point = ecPointBytes(curve, ecPoint);
  const n = FIELD_BYTES[curve];
  if (point.length !== 1 + 2 * n || point[0] !== 0x04) throw new Error('CKA_EC_POINT: not an uncompressed point');
  const jwk = { kty: 'EC', crv: curve, x: b64u(point.subarray(1, 1 + n)), y: b64u(point.subarray(1 + n)) };
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
}

/**
 * CKA_EC_PARAMS (v2.40 §2.3.3): the DER of the curve's namedCurve OID (RFC 5480 §2.1.1.1); for
 * Ed25519 the id-Ed25519 OID of RFC 8410 §3, one of the two forms v3.0 §2.3.10 allows.
 */
export function ecParams(info: KeyTypeInfo): Buffer {
  const oid = info.family === 'ed25519' ? OID.ed25519 : info.curveOid;
  if (!oid) throw new Error(`${info.name} has no curve`);
  return Buffer.from(new asn1js.ObjectIdentifier({ value: oid }).toBER());
}

/** v3.0 §2.3.10: CKA_EC_POINT of an Edwards key is the DER OCTET STRING of the 32-byte key (RFC 8032 §5.1.5). */
export function ed25519Spki(ecPoint: Buffer): Buffer {
  const parsed = ecPoint.length === 32 ? ecPoint : unwrapOctetString(ecPoint);
  if (parsed.length !== 32) throw new Error('CKA_EC_POINT: not an Ed25519 key');
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: b64u(parsed) };
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
}

/** The DER OCTET STRING wrapping of an uncompressed point, as CKA_EC_POINT carries it. */
export function ecPointAttribute(point: Buffer): Buffer {
  return Buffer.from(new asn1js.OctetString({ valueHex: point }).toBER());
}
