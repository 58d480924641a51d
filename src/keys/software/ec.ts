/**
 * ECDSA over precomputed digests with @noble/curves: node:crypto cannot sign a digest without
 * hashing it again (csc-api-v2.md §9 pitfall 6). The private scalar is read from the PKCS#8 with
 * asn1js, which is far cheaper than createPrivateKey.
 *
 * Output is DER (ECDSA-Sig-Value, RFC 5480 / X9.62): CSC leaves DER vs raw r||s unstated; DER is
 * what CMS (CAdES, PAdES) and X.509 carry. JAdES converts to raw at its edge. Nonces are
 * deterministic (RFC 6979), so signing needs no randomness in the worker.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import * as asn1js from 'asn1js';
import type { Curve } from '../algorithms.js';

const CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;
// A base-point window of 8 roughly doubles signing speed (measured P-256, one core: no table 1,160/s,
// w=6 1,810/s, w=8 2,190/s, w=10 1,540/s — cache misses — at +11/+22/+41 MiB RSS), so w=8; the table
// is built on a worker's first use of each curve, not for curves it never signs with (M1).
const warmed = new Set<Curve>();
function curveFor(curve: Curve) {
  const c = CURVES[curve];
  if (!warmed.has(curve)) {
    c.Point.BASE.precompute(8);
    warmed.add(curve);
  }
  return c;
}
const SCALAR_LEN: Readonly<Record<Curve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

/** The private scalar of an EC PKCS#8 (RFC 5208 PrivateKeyInfo → RFC 5915 ECPrivateKey). */
export function ecScalar(pkcs8: Uint8Array, curve: Curve): Uint8Array {
  const outer = asn1js.fromBER(pkcs8);
  const pki = outer.result;
  if (outer.offset === -1 || !(pki instanceof asn1js.Sequence)) throw new Error('PKCS#8: not a SEQUENCE');
  const privateKey = pki.valueBlock.value[2];
  if (!(privateKey instanceof asn1js.OctetString)) throw new Error('PKCS#8: no privateKey');
  const inner = asn1js.fromBER(privateKey.valueBlock.valueHexView);
  const ecpk = inner.result;
  if (inner.offset === -1 || !(ecpk instanceof asn1js.Sequence)) throw new Error('ECPrivateKey: not a SEQUENCE');
  const d = ecpk.valueBlock.value[1];
  if (!(d instanceof asn1js.OctetString)) throw new Error('ECPrivateKey: no privateKey');
  const bytes = d.valueBlock.valueHexView;
  const len = SCALAR_LEN[curve];
  if (bytes.length > len) throw new Error('ECPrivateKey: scalar too long');
  const out = new Uint8Array(len);
  out.set(bytes, len - bytes.length);
  return out;
}

/** ECDSA signature (DER) of a digest; noble truncates digests longer than the order (X9.62). */
export function signEcdsa(curve: Curve, scalar: Uint8Array, digest: Uint8Array): Buffer {
  // lowS: false — the X9.62 signature as is; low-S normalisation is a Bitcoin convention.
  const sig = curveFor(curve).sign(digest, scalar, { prehash: false, lowS: false, format: 'der' });
  return Buffer.from(sig);
}
