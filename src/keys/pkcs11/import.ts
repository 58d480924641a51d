/**
 * KEY-2 import. The private key enters the token the way an HSM receives a key wrapped elsewhere:
 * the PKCS#8 is wrapped here under a fresh AES-256 key with AES Key Wrap with Padding (RFC 5649,
 * NIST SP 800-38F KWP), that AES key becomes a session object (CKA_TOKEN=false, unwrap only), and
 * C_UnwrapKey (v2.40 §5.13) with CKM_AES_KEY_WRAP_PAD (v2.40 Current Mechanisms §2.14.3) makes
 * the private key object from the wrapped PKCS#8 — CKA_SENSITIVE / non-extractable, so it cannot
 * be read back; the token does not mark it CKA_ALWAYS_SENSITIVE, which honestly records that it
 * was once outside. The session key is destroyed at once and its bytes wiped here. The public half
 * is a C_CreateObject (§5.7) of public attributes only. A CA transfer (keys/transport.ts) takes the
 * same second step, under a session key the token unwrapped itself (transfer.ts).
 */
import { createCipheriv, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { ShomeiError } from '../../errors.js';
import type { Random } from '../../platform/index.js';
import { KEY_TYPES, type KeyType } from '../algorithms.js';
import { keyTypeOfKeyObject } from '../key-object.js';
import { ecParams, ecPointAttribute } from './spki.js';
import { CKK_EC_EDWARDS, privateKeyAttributes, publicKeyAttributes } from './templates.js';

export interface ParsedPkcs8 {
  readonly keyType: KeyType;
  /** The public half only: the private half reaches the token wrapped (unwrapPrivateKey). */
  readonly jwk: JsonWebKey;
}

/** The public half named by a SubjectPublicKeyInfo (a transfer's certified key, transfer.ts). */
export function parseSpki(der: Uint8Array): ParsedPkcs8 {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'certificate' });
  }
  return { keyType: keyTypeOfKeyObject(key), jwk: key.export({ format: 'jwk' }) };
}

export function parsePkcs8(der: Uint8Array): ParsedPkcs8 {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'key' });
  }
  return { keyType: keyTypeOfKeyObject(key), jwk: createPublicKey(key).export({ format: 'jwk' }) };
}

const part = (jwk: JsonWebKey, name: keyof JsonWebKey): Buffer => {
  const v = jwk[name];
  if (typeof v !== 'string') throw new ShomeiError('invalid_parameter', { name: 'key' });
  return Buffer.from(v, 'base64url');
};

/**
 * Object templates: `privateKey` holds attributes only (the key itself comes through C_UnwrapKey,
 * unwrapPrivateKey), `publicKey` the public parts (§2.1.2 CKA_MODULUS/CKA_PUBLIC_EXPONENT, §2.3.3
 * CKA_EC_PARAMS/CKA_EC_POINT). No secret is copied into a template, so `secrets` is empty.
 */
export function importTemplates(key: ParsedPkcs8, id: Buffer, label: string) {
  const info = KEY_TYPES[key.keyType];
  const priv = privateKeyAttributes(key.keyType, id, label);
  const pub = publicKeyAttributes(key.keyType, id, label);
  const secrets: { value: Buffer }[] = [];
  if (info.family === 'rsa') {
    const parts = [
      { type: pkcs11js.CKA_MODULUS, value: part(key.jwk, 'n') },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: part(key.jwk, 'e') },
    ];
    return { privateKey: priv, publicKey: [...pub, ...parts], secrets };
  }
  const params = { type: pkcs11js.CKA_EC_PARAMS, value: ecParams(info) };
  // X9.62 uncompressed point for ECDSA keys; the 32-byte key itself for Ed25519 (v3.0 §2.3.10).
  const point =
    info.family === 'ed25519'
      ? part(key.jwk, 'x')
      : Buffer.concat([Buffer.of(0x04), part(key.jwk, 'x'), part(key.jwk, 'y')]);
  const ecPoint = { type: pkcs11js.CKA_EC_POINT, value: ecPointAttribute(point) };
  return { privateKey: priv, publicKey: [...pub, params, ecPoint], secrets };
}

/** RFC 5649 §3 alternative initial value. */
const KWP_AIV = Buffer.from('a65959a6', 'hex');
const AES_KEY_BYTES = 32;

/**
 * The one-use unwrapping key: a session object that can only unwrap (v2.40 §4.10 secret key
 * objects). Without `value` it is the template for a key the token unwraps itself (transfer.ts).
 */
export function sessionWrappingKey(value?: Buffer): pkcs11js.Template {
  const template: pkcs11js.Template = [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_UNWRAP, value: true },
    { type: pkcs11js.CKA_WRAP, value: false },
    { type: pkcs11js.CKA_ENCRYPT, value: false },
    { type: pkcs11js.CKA_DECRYPT, value: false },
  ];
  return value ? [...template, { type: pkcs11js.CKA_VALUE, value }] : template;
}

/**
 * KEY-2: the private key object from PKCS#8 DER through C_UnwrapKey with CKM_AES_KEY_WRAP_PAD under
 * a session AES key that is destroyed afterwards. `template` is the private key's attributes
 * (templates.ts privateKeyAttributes). The caller wipes `pkcs8`.
 */
export function unwrapPrivateKey(
  p11: pkcs11js.PKCS11,
  session: pkcs11js.Handle,
  pkcs8: Uint8Array,
  template: pkcs11js.Template,
  random: Random,
): pkcs11js.Handle {
  if (template.some((a) => a.type === pkcs11js.CKA_KEY_TYPE && a.value === CKK_EC_EDWARDS)) {
    return createEdwardsKey(p11, session, pkcs8, template);
  }
  const aes = random.bytes(AES_KEY_BYTES);
  let wrapped: Buffer;
  let wrappingKey: pkcs11js.Handle;
  try {
    const cipher = createCipheriv('id-aes256-wrap-pad', aes, KWP_AIV);
    wrapped = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
    wrappingKey = p11.C_CreateObject(session, sessionWrappingKey(aes));
  } finally {
    aes.fill(0);
  }
  try {
    return p11.C_UnwrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, wrappingKey, wrapped, template);
  } finally {
    p11.C_DestroyObject(session, wrappingKey);
  }
}

/**
 * SoftHSM 2.6 cannot C_UnwrapKey an EdDSA PKCS#8 (CKR_FUNCTION_FAILED), so an Ed25519 key (only
 * ever the log's key, never a signing credential) is created with its 32-byte seed as CKA_VALUE
 * (v3.0 §2.3.10), wiped afterwards.
 */
function createEdwardsKey(
  p11: pkcs11js.PKCS11,
  session: pkcs11js.Handle,
  pkcs8: Uint8Array,
  template: pkcs11js.Template,
) {
  const jwk = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  const value = part(jwk, 'd');
  try {
    return p11.C_CreateObject(session, [
      ...template,
      { type: pkcs11js.CKA_EC_PARAMS, value: ecParams(KEY_TYPES.Ed25519) },
      { type: pkcs11js.CKA_VALUE, value },
    ]);
  } finally {
    value.fill(0);
  }
}
