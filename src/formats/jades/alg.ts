/**
 * JWS `alg` values (RFC 7518 §3.1) for the schemes of the one algorithm table (keys/). The row is
 * chosen from what keys/ resolves for the signer, so a JAdES signature can only use a scheme the
 * key store executes. Kept here, not in keys/signature.ts: only JOSE formats need these names.
 */
import { type KeyObject, X509Certificate } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import {
  HASHES,
  type HashName,
  KEY_TYPES,
  keyTypeOfKeyObject,
  type ResolvedSignature,
  type SchemeName,
} from '../../keys/index.js';
import { resolveSigner } from '../cms/index.js';
import type { SignerIdentity } from '../ports.js';

export type JwsAlg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

export interface JwsAlgorithm {
  readonly alg: JwsAlg;
  readonly scheme: SchemeName;
  readonly hash: HashName;
  /** ECDSA: the curve RFC 7518 §3.4 pairs with the hash, and the byte length of r and of s. */
  readonly curve?: 'P-256' | 'P-384' | 'P-521';
  readonly coordinateBytes?: number;
}

const rsa = (alg: JwsAlg, scheme: SchemeName, hash: HashName): JwsAlgorithm => ({ alg, scheme, hash });
const es = (alg: JwsAlg, hash: HashName, curve: 'P-256' | 'P-384' | 'P-521', n: number): JwsAlgorithm => ({
  alg,
  scheme: 'ecdsa',
  hash,
  curve,
  coordinateBytes: n,
});

export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = [
  rsa('RS256', 'rsa-pkcs1', 'SHA-256'),
  rsa('RS384', 'rsa-pkcs1', 'SHA-384'),
  rsa('RS512', 'rsa-pkcs1', 'SHA-512'),
  rsa('PS256', 'rsa-pss', 'SHA-256'),
  rsa('PS384', 'rsa-pss', 'SHA-384'),
  rsa('PS512', 'rsa-pss', 'SHA-512'),
  es('ES256', 'SHA-256', 'P-256', 32),
  es('ES384', 'SHA-384', 'P-384', 48),
  es('ES512', 'SHA-512', 'P-521', 66),
];

export interface ChosenAlgorithm {
  readonly jws: JwsAlgorithm;
  /** What the key store executes (keys/ resolveSignature), for signDigests and for checking the value. */
  readonly resolved: ResolvedSignature;
  /** DER SubjectPublicKeyInfo of the signer's certificate. */
  readonly spki: Buffer;
}

/** The JWS row for the signer's certificate key, signAlgo and hash; unsupported_algorithm otherwise. */
export function chooseAlgorithm(signer: SignerIdentity): ChosenAlgorithm {
  const first = signer.chain[0];
  if (!first) throw new ShomeiError('jades_invalid_option', { name: 'chain', detail: 'no signer certificate' });
  if (!Object.hasOwn(HASHES, signer.hash)) {
    throw new ShomeiError('jades_invalid_option', { name: 'hash', detail: String(signer.hash) });
  }
  let key: KeyObject;
  try {
    key = new X509Certificate(first).publicKey;
  } catch {
    throw new ShomeiError('jades_invalid_option', { name: 'chain', detail: 'the first certificate cannot be read' });
  }
  const keyType = keyTypeOfKeyObject(key);
  const resolved = resolveSigner(signer, keyType);
  return {
    jws: jwsRow(resolved, KEY_TYPES[keyType].curve),
    resolved,
    spki: key.export({ type: 'spki', format: 'der' }),
  };
}

function jwsRow(sig: ResolvedSignature, curve: string | undefined): JwsAlgorithm {
  const row = JWS_ALGORITHMS.find((a) => a.scheme === sig.scheme && a.hash === sig.hash.name);
  // RFC 7518 §3.4: each ES alg fixes the curve; §3.5: PS algs use a salt as long as the hash.
  const fits =
    row &&
    (row.scheme !== 'ecdsa' || row.curve === curve) &&
    (row.scheme !== 'rsa-pss' || sig.saltLength === sig.hash.length);
  if (!row || !fits) {
    throw new ShomeiError('unsupported_algorithm', {
      detail: `no JWS alg for ${sig.scheme} ${sig.hash.name} ${curve ?? ''}`.trim(),
    });
  }
  return row;
}

/** The row named by a JWS header's `alg`, or undefined. */
export const jwsAlgorithm = (alg: unknown): JwsAlgorithm | undefined => JWS_ALGORITHMS.find((a) => a.alg === alg);
