/**
 * Signature checks on certificates, CRLs and OCSP responses (RFC 5280 §6.1.3 (a)(1)), done by
 * node:crypto from the issuer's SPKI. Supported: RSA PKCS#1 v1.5, RSA-PSS (RFC 4055 parameters),
 * ECDSA P-256/384/521, Ed25519/Ed448 and DSA (PKITS 4.1.4–4.1.6). MD2/MD5 signatures are refused.
 */
import { constants, createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { AlgorithmId } from './certificate.js';
import { parseAlgorithm } from './certificate.js';
import { children, concat, encode, expect, isContext, oid, parseDer, smallInt, TAG, type Tlv } from './der.js';

const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

type Scheme = { kind: 'rsa' | 'ecdsa' | 'dsa'; hash: string } | { kind: 'eddsa' };

const SCHEMES: Record<string, Scheme> = {
  '1.2.840.113549.1.1.5': { kind: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { kind: 'rsa', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
  '1.2.840.10045.4.1': { kind: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { kind: 'ecdsa', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512' },
  '1.2.840.10040.4.3': { kind: 'dsa', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { kind: 'dsa', hash: 'sha256' },
  '1.3.101.112': { kind: 'eddsa' },
  '1.3.101.113': { kind: 'eddsa' },
};
const RSA_PSS = '1.2.840.113549.1.1.10';
export const OID_DSA = '1.2.840.10040.4.1';
const RSA_KEY = '1.2.840.113549.1.1.1';
const EC_KEY = '1.2.840.10045.2.1';

/**
 * Decoding an SPKI into a KeyObject costs far more than the verification itself (OpenSSL 3
 * decoders), and path building checks the same issuer keys many times: keep a small cache.
 */
const KEY_CACHE_SIZE = 256;
const keyCache = new Map<string, KeyObject>();
export function publicKey(spki: Uint8Array): KeyObject {
  const id = Buffer.from(spki).toString('base64');
  let key = keyCache.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(id, key);
  }
  return key;
}

export type SigCheck = { ok: true } | { ok: false; unsupported: boolean; reason: string };

/** Verdicts already reached, keyed by a digest of (key, algorithm, data, signature). */
const verdicts = new Map<string, SigCheck>();
const VERDICT_CACHE_SIZE = 2048;

/** Verifies `signature` over `data` with the public key `spki` (DER SubjectPublicKeyInfo). */
export function verifySigned(data: Uint8Array, alg: AlgorithmId, signature: Uint8Array, spki: Uint8Array): SigCheck {
  const id = createHash('sha256').update(spki).update(alg.der).update(data).update(signature).digest('base64');
  const known = verdicts.get(id);
  if (known) return known;
  const v = check(data, alg, signature, spki);
  if (verdicts.size >= VERDICT_CACHE_SIZE) verdicts.delete(verdicts.keys().next().value as string);
  verdicts.set(id, v);
  return v;
}

function check(data: Uint8Array, alg: AlgorithmId, signature: Uint8Array, spki: Uint8Array): SigCheck {
  try {
    const key = publicKey(spki);
    if (alg.oid === RSA_PSS) return result(verifyPss(data, alg, signature, key));
    const s = SCHEMES[alg.oid];
    if (!s) return { ok: false, unsupported: true, reason: `unsupported signature algorithm ${alg.oid}` };
    const type = key.asymmetricKeyType;
    if (s.kind === 'eddsa') {
      if (type !== 'ed25519' && type !== 'ed448') return mismatch(alg, type);
      if (alg.params)
        return { ok: false, unsupported: false, reason: 'EdDSA AlgorithmIdentifier must not have parameters' };
      return result(verify(null, data, key, signature));
    }
    if (
      (s.kind === 'rsa') !== (type === 'rsa') ||
      (s.kind === 'ecdsa') !== (type === 'ec') ||
      (s.kind === 'dsa') !== (type === 'dsa')
    )
      return mismatch(alg, type);
    if (s.kind === 'rsa') return result(verify(s.hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature));
    return result(verify(s.hash, data, { key, dsaEncoding: 'der' }, signature));
  } catch (e) {
    return { ok: false, unsupported: false, reason: `signature check failed: ${(e as Error).message}` };
  }
}

const result = (ok: boolean): SigCheck =>
  ok ? { ok } : { ok, unsupported: false, reason: 'signature does not verify' };
const mismatch = (alg: AlgorithmId, type: string | undefined): SigCheck => ({
  ok: false,
  unsupported: false,
  reason: `signature algorithm ${alg.oid} does not fit the issuer's ${type ?? 'unknown'} key`,
});

/** RSASSA-PSS-params (RFC 4055 §3.1): hash, MGF1 hash (must match), salt length, trailer 1. */
function verifyPss(data: Uint8Array, alg: AlgorithmId, signature: Uint8Array, key: KeyObject): boolean {
  if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return false;
  let hash = 'sha1';
  let mgfHash = 'sha1';
  let saltLength = 20;
  for (const p of alg.params ? children(expect(alg.params, TAG.SEQUENCE, 'RSASSA-PSS-params')) : []) {
    const inner = children(p)[0];
    if (isContext(p, 0)) hash = HASH_OIDS[parseAlgorithm(inner).oid] ?? 'unknown';
    else if (isContext(p, 1)) {
      const mgf = parseAlgorithm(inner);
      if (mgf.oid !== '1.2.840.113549.1.1.8' || !mgf.params) return false;
      mgfHash = HASH_OIDS[parseAlgorithm(mgf.params).oid] ?? 'unknown';
    } else if (isContext(p, 2)) saltLength = smallInt(inner);
    else if (isContext(p, 3) && smallInt(inner) !== 1) return false;
  }
  if (hash === 'unknown' || hash !== mgfHash) return false;
  return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
}

/** The key algorithm family of an SPKI, for the Web PKI key checks. */
export function keyFamily(spkiAlg: AlgorithmId): 'rsa' | 'ec' | 'dsa' | 'ed' | 'other' {
  if (spkiAlg.oid === RSA_KEY || spkiAlg.oid === RSA_PSS) return 'rsa';
  if (spkiAlg.oid === EC_KEY) return 'ec';
  if (spkiAlg.oid === OID_DSA) return 'dsa';
  if (spkiAlg.oid === '1.3.101.112' || spkiAlg.oid === '1.3.101.113') return 'ed';
  return 'other';
}

/** The named curve of an EC SPKI. */
export const ecCurve = (spkiAlg: AlgorithmId): string | undefined =>
  spkiAlg.oid === EC_KEY && spkiAlg.params?.tag === TAG.OID ? oid(spkiAlg.params) : undefined;

/**
 * DSA parameter inheritance (RFC 5280 §6.1.4 (f), RFC 3279 §2.3.2): a DSA key without parameters
 * takes them from the issuer's working key.
 */
export function inheritDsaParams(spki: Uint8Array, issuerParams: Tlv | undefined): Uint8Array {
  const [algT, keyT] = children(parseDer(spki));
  const [o, params] = children(algT!);
  if (!o || oid(o) !== OID_DSA || params || !issuerParams) return spki;
  return encode(0x30, concat([encode(0x30, concat([o.der, issuerParams.der])), keyT!.der]));
}
