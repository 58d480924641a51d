/**
 * KEY-2 import: a PKCS#8 key becomes token objects through C_CreateObject (v2.40 §4.1.2) with the
 * key parts as attributes (§2.1.3 RSA private key objects, §2.3.4 EC private key objects). The
 * private object is created CKA_SENSITIVE / non-extractable, so it cannot be read back; the
 * token does not mark it CKA_ALWAYS_SENSITIVE, which honestly records that it was once outside.
 * (C_UnwrapKey under a transport key would keep the plaintext out of this process: not done yet.)
 */
import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { ShomeiError } from '../../errors.js';
import { KEY_TYPES, type KeyType, keyTypeOf } from '../algorithms.js';
import { ecParams, ecPointAttribute } from './spki.js';
import { privateKeyAttributes, publicKeyAttributes } from './templates.js';

const NODE_CURVES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export interface ParsedPkcs8 {
  readonly keyType: KeyType;
  readonly jwk: JsonWebKey;
}

function keyTypeOfKey(key: KeyObject): KeyType {
  const d = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    // FIPS 186-5 §5.4, as in the software key store.
    if (d.publicExponent === undefined || d.publicExponent < 65537n || d.publicExponent % 2n === 0n) {
      throw new ShomeiError('unsupported_algorithm', { detail: 'RSA public exponent' });
    }
    return keyTypeOf('rsa', d.modulusLength ?? 0);
  }
  if (key.asymmetricKeyType === 'ec') return keyTypeOf('ec', NODE_CURVES[d.namedCurve ?? ''] ?? `${d.namedCurve}`);
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  throw new ShomeiError('unsupported_algorithm', { detail: `${key.asymmetricKeyType} key in the PKCS#11 key store` });
}

export function parsePkcs8(der: Uint8Array): ParsedPkcs8 {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'key' });
  }
  return { keyType: keyTypeOfKey(key), jwk: key.export({ format: 'jwk' }) };
}

const part = (jwk: JsonWebKey, name: keyof JsonWebKey): Buffer => {
  const v = jwk[name];
  if (typeof v !== 'string') throw new ShomeiError('invalid_parameter', { name: 'key' });
  return Buffer.from(v, 'base64url');
};

const RSA_PARTS: readonly [number, keyof JsonWebKey][] = [
  [pkcs11js.CKA_MODULUS, 'n'],
  [pkcs11js.CKA_PUBLIC_EXPONENT, 'e'],
  [pkcs11js.CKA_PRIVATE_EXPONENT, 'd'],
  [pkcs11js.CKA_PRIME_1, 'p'],
  [pkcs11js.CKA_PRIME_2, 'q'],
  [pkcs11js.CKA_EXPONENT_1, 'dp'],
  [pkcs11js.CKA_EXPONENT_2, 'dq'],
  [pkcs11js.CKA_COEFFICIENT, 'qi'],
];

/** Private and public object templates; the caller wipes the Buffers in `secrets` afterwards. */
export function importTemplates(key: ParsedPkcs8, id: Buffer, label: string) {
  const info = KEY_TYPES[key.keyType];
  const priv = privateKeyAttributes(key.keyType, id, label);
  const pub = publicKeyAttributes(key.keyType, id, label);
  if (info.family === 'rsa') {
    const parts = RSA_PARTS.map(([type, name]) => ({ type, value: part(key.jwk, name) }));
    return { privateKey: [...priv, ...parts], publicKey: [...pub, ...parts.slice(0, 2)], secrets: parts.slice(2) };
  }
  const params = { type: pkcs11js.CKA_EC_PARAMS, value: ecParams(info) };
  const value = { type: pkcs11js.CKA_VALUE, value: part(key.jwk, 'd') };
  // X9.62 uncompressed point for ECDSA keys; the 32-byte key itself for Ed25519 (v3.0 §2.3.10).
  const point =
    info.family === 'ed25519'
      ? part(key.jwk, 'x')
      : Buffer.concat([Buffer.of(0x04), part(key.jwk, 'x'), part(key.jwk, 'y')]);
  const ecPoint = { type: pkcs11js.CKA_EC_POINT, value: ecPointAttribute(point) };
  return { privateKey: [...priv, params, value], publicKey: [...pub, params, ecPoint], secrets: [value] };
}
