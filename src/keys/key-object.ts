/**
 * The algorithm-table row of a key made elsewhere (import, transfer, proof of possession): one
 * decision for every key store (SIGN-4). RSA-1024, odd curves, RSA-PSS-only keys and RSA public
 * exponents outside FIPS 186-5 §5.4 are refused.
 */
import type { KeyObject } from 'node:crypto';
import { ShomeiError } from '../errors.js';
import { type KeyType, keyTypeOf } from './algorithms.js';

/** node:crypto's curve names → the table's. */
const NODE_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export function keyTypeOfKeyObject(key: KeyObject): KeyType {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      // FIPS 186-5 §5.4: 2^16 < e < 2^256, e odd.
      if (d.publicExponent === undefined || d.publicExponent < 65537n || d.publicExponent % 2n === 0n) {
        throw new ShomeiError('unsupported_algorithm', { detail: 'RSA public exponent' });
      }
      return keyTypeOf('rsa', d.modulusLength ?? 0);
    case 'ec':
      return keyTypeOf('ec', NODE_CURVES[d.namedCurve ?? ''] ?? `curve ${d.namedCurve}`);
    case 'ed25519':
      return 'Ed25519';
    default:
      throw new ShomeiError('unsupported_algorithm', { detail: `${key.asymmetricKeyType} key` });
  }
}
