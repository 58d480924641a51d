/**
 * The two encodings of an ECDSA signature: the DER Ecdsa-Sig-Value our key store and CSC return
 * (RFC 5480 / X9.62) and r||s, each left-padded to the field size, that JWS (RFC 7518 §3.4) and
 * XML-DSig 1.1 (§6.4.3) want. One conversion for every format; @noble/curves parses and checks it.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';

/** Field size in bytes → curve (P-256, P-384, P-521). */
const BY_FIELD_BYTES: Readonly<Record<number, typeof p256 | typeof p384 | typeof p521>> = {
  32: p256,
  48: p384,
  66: p521,
};

/** r||s of `fieldBytes` each from a DER Ecdsa-Sig-Value; undefined when it is not one for that curve. */
export function ecdsaDerToRaw(der: Uint8Array, fieldBytes: number): Buffer | undefined {
  const curve = BY_FIELD_BYTES[fieldBytes];
  try {
    return curve ? Buffer.from(curve.Signature.fromBytes(der, 'der').toBytes('compact')) : undefined;
  } catch {
    return undefined;
  }
}

/** The DER Ecdsa-Sig-Value of r||s; undefined when `raw` is not 2 × `fieldBytes` of a valid r and s. */
export function ecdsaRawToDer(raw: Uint8Array, fieldBytes: number): Buffer | undefined {
  const curve = BY_FIELD_BYTES[fieldBytes];
  if (!curve || raw.length !== 2 * fieldBytes) return undefined;
  try {
    return Buffer.from(curve.Signature.fromBytes(raw, 'compact').toBytes('der'));
  } catch {
    return undefined;
  }
}
