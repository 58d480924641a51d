/**
 * Signature verification for proof of possession on key import (KEY-2) and, later, validation
 * (SIGN-4 keeps the digest path honest: CSC clients send digests, not messages).
 *
 * - Message given: node:crypto `verify` (OpenSSL), which hashes the message itself.
 * - Digest only: node:crypto cannot verify a precomputed digest without hashing it again, so the
 *   RFC 8017 checks are done here on the RSAVP1 output (publicDecrypt with RSA_NO_PADDING,
 *   §5.2.2), and ECDSA goes to @noble/curves with prehash off.
 * Never throws: any malformed key, signature or parameter is simply "not verified".
 */
import {
  constants,
  createHash,
  createPublicKey,
  type KeyObject,
  publicDecrypt,
  timingSafeEqual,
  verify,
} from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import * as asn1js from 'asn1js';
import { HASHES, type HashAlgorithm, type HashName } from './algorithms.js';
import { digestInfo, mgf1 } from './software/rsa.js';

export type VerifyScheme = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';

export interface VerifyRequest {
  /** DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7). */
  readonly spki: Uint8Array;
  readonly scheme: VerifyScheme;
  readonly hash: HashName;
  /** The message; when absent, `digest` is verified directly; when both are given they must match. */
  readonly message?: Uint8Array;
  readonly digest?: Uint8Array;
  /** ECDSA: DER ECDSA-Sig-Value (RFC 5480 / X9.62). RSA: the k-byte signature. */
  readonly signature: Uint8Array;
  /** PSS salt length; defaults to the hash length (RFC 8017 §9.1 note, and what we sign with). */
  readonly saltLength?: number;
}

const CURVES = { prime256v1: p256, secp384r1: p384, secp521r1: p521 } as const;
type CurveName = keyof typeof CURVES;
const isCurve = (c: string | undefined): c is CurveName => c !== undefined && c in CURVES;

export function verifySignature(req: VerifyRequest): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(req.spki), format: 'der', type: 'spki' });
    const hash = HASHES[req.hash];
    if (!hash) return false;
    if (req.message && req.digest) {
      // Both given: they must agree, or a caller could check one and sign-off on the other.
      const h = createHash(hash.node).update(req.message).digest();
      if (req.digest.length !== h.length || !timingSafeEqual(h, req.digest)) return false;
    }
    if (req.message) return verifyMessage(key, hash, req);
    if (!req.digest || req.digest.length !== hash.length) return false;
    if (req.scheme === 'ecdsa') return verifyEcdsaDigest(key, req.digest, req.signature);
    const rsa = key.asymmetricKeyType === 'rsa' ? key : isRsa(key) ? bareRsaKey(req.spki) : undefined;
    if (!rsa) return false;
    if (req.scheme === 'rsa-pkcs1') return verifyPkcs1Digest(rsa, hash, req.digest, req.signature);
    if (req.scheme === 'rsa-pss') return verifyPssDigest(rsa, hash, req.digest, req.signature, req.saltLength);
    return false;
  } catch {
    return false;
  }
}

function verifyMessage(key: KeyObject, hash: HashAlgorithm, req: VerifyRequest): boolean {
  const message = req.message ?? new Uint8Array();
  if (req.scheme === 'ecdsa') {
    if (key.asymmetricKeyType !== 'ec') return false;
    return verify(hash.node, message, { key, dsaEncoding: 'der' }, req.signature);
  }
  if (!isRsa(key)) return false;
  const padding = req.scheme === 'rsa-pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
  const saltLength = req.saltLength ?? hash.length;
  if (req.scheme === 'rsa-pss' && !(Number.isInteger(saltLength) && saltLength >= 0)) return false;
  return verify(hash.node, message, { key, padding, saltLength }, req.signature);
}

const isRsa = (key: KeyObject): boolean => key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss';

/** ECDSA verification (FIPS 186-5 §6.4.2) of a digest: bits2int truncation happens inside noble. */
function verifyEcdsaDigest(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const curveName = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || !isCurve(curveName)) return false;
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.x || !jwk.y) return false;
  const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
  // lowS: false — X9.62 / FIPS 186 accept both s and n − s; prehash: false — it is a digest.
  return CURVES[curveName].verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
}

/**
 * OpenSSL will not publicDecrypt with an RSASSA-PSS-restricted key (id-RSASSA-PSS, RFC 4055 §3.1),
 * and Node exports such keys neither as JWK nor PKCS#1; the BIT STRING of the SPKI is the same
 * RSAPublicKey (RFC 8017 §A.1.1) either way, so re-import that as a plain RSA key.
 */
function bareRsaKey(spki: Uint8Array): KeyObject | undefined {
  const parsed = asn1js.fromBER(spki);
  const seq = parsed.result;
  if (parsed.offset === -1 || !(seq instanceof asn1js.Sequence)) return undefined;
  const bits = seq.valueBlock.value[1];
  if (!(bits instanceof asn1js.BitString) || bits.valueBlock.unusedBits !== 0) return undefined;
  return createPublicKey({ key: Buffer.from(bits.valueBlock.valueHexView), format: 'der', type: 'pkcs1' });
}

/**
 * RSAVP1 (RFC 8017 §5.2.2): s^e mod n as k bytes. Refuses a signature that is not exactly k bytes
 * (§8.2.2 step 1, §8.1.2 step 1); OpenSSL refuses s ≥ n (§5.2.2 step 1).
 */
function rsavp1(key: KeyObject, signature: Uint8Array): { em: Buffer; modBits: number } | undefined {
  if (key.asymmetricKeyType !== 'rsa') return undefined;
  const modBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const k = Math.ceil(modBits / 8);
  if (k === 0 || signature.length !== k) return undefined;
  const em = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  return em.length === k ? { em, modBits } : undefined;
}

/** RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2): rebuild EM' and compare it as a whole (step 4). */
function verifyPkcs1Digest(key: KeyObject, hash: HashAlgorithm, digest: Uint8Array, signature: Uint8Array): boolean {
  const v = rsavp1(key, signature);
  if (!v) return false;
  const t = digestInfo(hash, digest);
  const k = v.em.length;
  if (k < t.length + 11) return false; // §9.2 step 3
  // §9.2 step 5: EM = 0x00 || 0x01 || PS (0xff, ≥ 8 bytes) || 0x00 || T
  const expected = Buffer.concat([Buffer.of(0, 1), Buffer.alloc(k - t.length - 3, 0xff), Buffer.of(0), t]);
  return timingSafeEqual(expected, v.em);
}

/** RSASSA-PSS verification (RFC 8017 §8.1.2) with EMSA-PSS-VERIFY (§9.1.2), MGF1 with the same hash. */
function verifyPssDigest(
  key: KeyObject,
  hash: HashAlgorithm,
  mHash: Uint8Array,
  signature: Uint8Array,
  saltLength = hash.length,
): boolean {
  const v = rsavp1(key, signature);
  if (!v || !Number.isInteger(saltLength) || saltLength < 0) return false;
  const emBits = v.modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  // §8.1.2 step 2c: EM is the last emLen octets; when emLen < k the leading octet must be zero.
  if (v.em.length > emLen && v.em[0] !== 0) return false;
  return emsaPssVerify(hash, mHash, v.em.subarray(v.em.length - emLen), emBits, saltLength);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) steps 3–14. */
export function emsaPssVerify(hash: HashAlgorithm, mHash: Uint8Array, em: Uint8Array, emBits: number, sLen: number) {
  const hLen = hash.length;
  const emLen = em.length;
  if (emLen < hLen + sLen + 2) return false; // step 3
  if (em[emLen - 1] !== 0xbc) return false; // step 4
  const maskedDb = em.subarray(0, emLen - hLen - 1); // step 5
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if (((maskedDb[0] ?? 0) & ~topMask & 0xff) !== 0) return false; // step 6
  const dbMask = mgf1(hash, h, maskedDb.length); // step 7
  const db = Buffer.alloc(maskedDb.length);
  for (let i = 0; i < db.length; i++) db[i] = (maskedDb[i] ?? 0) ^ (dbMask[i] ?? 0); // step 8
  db[0] = (db[0] ?? 0) & topMask; // step 9
  const psLen = emLen - hLen - sLen - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return false; // step 10
  if (db[psLen] !== 0x01) return false;
  const salt = db.subarray(db.length - sLen); // step 11
  const h2 = createHashOf(hash, [Buffer.alloc(8), mHash, salt]); // steps 12–13
  return timingSafeEqual(h, h2); // step 14
}

function createHashOf(hash: HashAlgorithm, parts: readonly Uint8Array[]): Buffer {
  const h = createHash(hash.node);
  for (const p of parts) h.update(p);
  return h.digest();
}
