/**
 * The one algorithm table (STYLE.md 5, SIGN-4): key types, hashes and CSC `signAlgo` OIDs
 * (csc-api-v2.md §6). Code asks these tables; anything not listed is refused.
 */
import { ShomeiError } from '../errors.js';

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  p521: '1.3.132.0.35',
  ed25519: '1.3.101.112',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface HashAlgorithm {
  readonly name: HashName;
  readonly oid: string;
  /** Digest length in bytes. */
  readonly length: number;
  /** Name for node:crypto createHash. */
  readonly node: 'sha256' | 'sha384' | 'sha512';
}

export const HASHES: Readonly<Record<HashName, HashAlgorithm>> = {
  'SHA-256': { name: 'SHA-256', oid: OID.sha256, length: 32, node: 'sha256' },
  'SHA-384': { name: 'SHA-384', oid: OID.sha384, length: 48, node: 'sha384' },
  'SHA-512': { name: 'SHA-512', oid: OID.sha512, length: 64, node: 'sha512' },
};

export type KeyType = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'EC-P256' | 'EC-P384' | 'EC-P521' | 'Ed25519';
export type KeyFamily = 'rsa' | 'ec' | 'ed25519';
export type Curve = 'P-256' | 'P-384' | 'P-521';

export interface KeyTypeInfo {
  readonly name: KeyType;
  readonly family: KeyFamily;
  /** Modulus length (RSA) or field size (EC) in bits. */
  readonly bits: number;
  readonly curve?: Curve;
  readonly curveOid?: string;
  /** Hash paired with this key where the service chooses (CSR, certificates). */
  readonly defaultHash: HashName;
  /** Not on the CRYPTREC list: only when policy allows (SIGN-4). */
  readonly policyGated?: boolean;
}

const rsa = (bits: number): KeyTypeInfo => ({
  name: `RSA-${bits}` as KeyType,
  family: 'rsa',
  bits,
  defaultHash: 'SHA-256',
});
const ec = (curve: Curve, curveOid: string, bits: number, defaultHash: HashName): KeyTypeInfo => ({
  name: `EC-${curve.replace('-', '')}` as KeyType,
  family: 'ec',
  bits,
  curve,
  curveOid,
  defaultHash,
});

export const KEY_TYPES: Readonly<Record<KeyType, KeyTypeInfo>> = {
  'RSA-2048': rsa(2048),
  'RSA-3072': rsa(3072),
  'RSA-4096': rsa(4096),
  'EC-P256': ec('P-256', OID.p256, 256, 'SHA-256'),
  'EC-P384': ec('P-384', OID.p384, 384, 'SHA-384'),
  'EC-P521': ec('P-521', OID.p521, 521, 'SHA-512'),
  Ed25519: { name: 'Ed25519', family: 'ed25519', bits: 256, defaultHash: 'SHA-512', policyGated: true },
};

export interface KeyPolicy {
  /** Ed25519 is not on the CRYPTREC list; allowed only for internal keys such as the log key. */
  readonly allowEd25519?: boolean;
}

/** The table row for a key type name, or unsupported_algorithm (also for policy-gated types). */
export function keyTypeInfo(name: string, policy: KeyPolicy = {}): KeyTypeInfo {
  const info = Object.hasOwn(KEY_TYPES, name) ? KEY_TYPES[name as KeyType] : undefined;
  if (!info) throw new ShomeiError('unsupported_algorithm', { detail: `key type ${name}` });
  if (info.policyGated && !policy.allowEd25519) {
    throw new ShomeiError('unsupported_algorithm', { detail: `key type ${name} is not allowed by policy` });
  }
  return info;
}

/** Key type of an RSA modulus length / EC curve, as found in an imported key; refused otherwise. */
export function keyTypeOf(family: KeyFamily, bitsOrCurve: number | string): KeyType {
  const row = Object.values(KEY_TYPES).find((k) =>
    family === 'rsa'
      ? k.family === 'rsa' && k.bits === bitsOrCurve
      : k.family === family && (k.curve ?? '') === bitsOrCurve,
  );
  if (!row) throw new ShomeiError('unsupported_algorithm', { detail: `${family} key ${bitsOrCurve}` });
  return row.name;
}

export function hashByOid(oid: string): HashAlgorithm {
  const h = Object.values(HASHES).find((x) => x.oid === oid);
  if (!h) throw new ShomeiError('unsupported_algorithm', { detail: `hash ${oid}` });
  return h;
}
