/**
 * CSC `signAlgo` OIDs (csc-api-v2.md §6) → signature scheme, and the one resolver that turns a
 * signing request's algorithm fields into a scheme the key store executes, or a catalogue error.
 */
import { ShomeiError } from '../errors.js';
import {
  HASHES,
  type HashAlgorithm,
  type HashName,
  hashByOid,
  KEY_TYPES,
  type KeyFamily,
  type KeyType,
  OID,
} from './algorithms.js';
import { parsePssParams } from './pss-params.js';

export type SchemeName = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';

export interface SignAlgorithm {
  readonly oid: string;
  readonly scheme: SchemeName;
  readonly family: KeyFamily;
  /** The hash the OID fixes; absent when `hashAlgorithmOID` must say it (rsaEncryption, PSS). */
  readonly hash?: HashName;
}

const row = (oid: string, scheme: SchemeName, family: KeyFamily, hash?: HashName): SignAlgorithm =>
  hash ? { oid, scheme, family, hash } : { oid, scheme, family };

export const SIGN_ALGORITHMS: readonly SignAlgorithm[] = [
  row(OID.rsaEncryption, 'rsa-pkcs1', 'rsa'),
  row(OID.sha256WithRSAEncryption, 'rsa-pkcs1', 'rsa', 'SHA-256'),
  row(OID.sha384WithRSAEncryption, 'rsa-pkcs1', 'rsa', 'SHA-384'),
  row(OID.sha512WithRSAEncryption, 'rsa-pkcs1', 'rsa', 'SHA-512'),
  row(OID.rsassaPss, 'rsa-pss', 'rsa'),
  row(OID.ecdsaWithSHA256, 'ecdsa', 'ec', 'SHA-256'),
  row(OID.ecdsaWithSHA384, 'ecdsa', 'ec', 'SHA-384'),
  row(OID.ecdsaWithSHA512, 'ecdsa', 'ec', 'SHA-512'),
];

/** What the key store executes: a scheme, its hash and (PSS) salt length. */
export interface ResolvedSignature {
  readonly scheme: SchemeName;
  readonly hash: HashAlgorithm;
  readonly saltLength?: number;
}

export interface SignatureRequest {
  readonly keyType: KeyType;
  readonly signAlgo: string;
  readonly hashAlgorithmOID?: string | undefined;
  /** DER parameters (RSASSA-PSS-params), already base64-decoded at the edge. */
  readonly signAlgoParams?: Uint8Array | undefined;
}

export function resolveSignature(req: SignatureRequest): ResolvedSignature {
  const key = KEY_TYPES[req.keyType];
  const algo = SIGN_ALGORITHMS.find((a) => a.oid === req.signAlgo);
  if (!algo) throw new ShomeiError('unsupported_algorithm', { detail: `signAlgo ${req.signAlgo}` });
  if (!key || algo.family !== key.family) throw new ShomeiError('invalid_parameter', { name: 'signAlgo' });
  const hash = resolveHash(algo, req.hashAlgorithmOID);
  if (algo.scheme !== 'rsa-pss') return { scheme: algo.scheme, hash };
  return { scheme: 'rsa-pss', hash, saltLength: pssSaltLength(hash, key.bits, req.signAlgoParams) };
}

function resolveHash(algo: SignAlgorithm, hashOid: string | undefined): HashAlgorithm {
  if (!algo.hash) {
    // csc-api-v2.md §5.1: hashAlgorithmOID is required when signAlgo does not fix the hash.
    if (!hashOid) throw new ShomeiError('missing_string', { name: 'hashAlgorithmOID' });
    return hashByOid(hashOid);
  }
  const fixed = HASHES[algo.hash];
  if (hashOid && hashOid !== fixed.oid) throw new ShomeiError('hash_algorithm_contradicts');
  return fixed;
}

/**
 * Salt length for RSASSA-PSS. Without parameters: the hash length (RFC 8017 §9.1 note 4, the usual
 * profile), MGF1 with the same hash. With parameters: they must agree with hashAlgorithmOID.
 */
function pssSaltLength(hash: HashAlgorithm, modBits: number, der: Uint8Array | undefined): number {
  let saltLength = hash.length;
  if (der && der.length > 0) {
    const p = parsePssParams(der);
    hashByOid(p.hashOid); // SHA-1 (the ASN.1 default) and other unlisted hashes are refused
    if (p.hashOid !== hash.oid) throw new ShomeiError('hash_algorithm_contradicts');
    saltLength = p.saltLength;
  }
  // RFC 8017 §9.1.1 step 3: emLen >= hLen + sLen + 2, emLen = ceil((modBits - 1) / 8).
  const emLen = Math.ceil((modBits - 1) / 8);
  if (saltLength > emLen - hash.length - 2) throw new ShomeiError('invalid_parameter', { name: 'signAlgoParams' });
  return saltLength;
}

/** The key store's own choice for a key type (CSR, certificates, log checkpoints). */
export function defaultSignature(keyType: KeyType): ResolvedSignature {
  const key = KEY_TYPES[keyType];
  const hash = HASHES[key.defaultHash];
  if (key.family === 'rsa') return { scheme: 'rsa-pkcs1', hash };
  if (key.family === 'ec') return { scheme: 'ecdsa', hash };
  throw new ShomeiError('unsupported_algorithm', { detail: `${keyType} signs messages only` });
}

/** X.509 signatureAlgorithm OID for a resolved scheme (RFC 4055 §5, RFC 5758 §3.2). */
export function signatureAlgorithmOid(sig: ResolvedSignature): string {
  const algo = SIGN_ALGORITHMS.find((a) => a.scheme === sig.scheme && a.hash === sig.hash.name);
  if (!algo) throw new ShomeiError('unsupported_algorithm', { detail: `${sig.scheme} ${sig.hash.name}` });
  return algo.oid;
}

/** CSC `key.algo`: the signAlgo OIDs a key of this type accepts. */
export function keyAlgoOids(keyType: KeyType): string[] {
  const key = KEY_TYPES[keyType];
  if (key.family === 'ed25519') return [OID.ed25519];
  return SIGN_ALGORITHMS.filter((a) => a.family === key.family).map((a) => a.oid);
}

/** CSC `key.len` and `key.curve`. */
export function keyInfo(keyType: KeyType): { len: number; curve?: string } {
  const key = KEY_TYPES[keyType];
  return key.curveOid ? { len: key.bits, curve: key.curveOid } : { len: key.bits };
}

/** csc-api-v2.md §1: a hash is the raw digest; reject wrong lengths. */
export function checkDigests(hash: HashAlgorithm, digests: readonly Uint8Array[]): void {
  if (digests.length === 0) throw new ShomeiError('empty_hash_array');
  for (const d of digests) if (d.length !== hash.length) throw new ShomeiError('invalid_digest_length');
}
