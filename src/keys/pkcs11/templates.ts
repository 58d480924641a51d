/**
 * Object templates (PKCS#11 v2.40 §4.8–4.9 public/private key objects). Private keys are token
 * objects that never leave the token in the clear: CKA_SENSITIVE=true, CKA_EXTRACTABLE=false
 * (§4.9: once set, neither can be reverted, and the token sets CKA_ALWAYS_SENSITIVE /
 * CKA_NEVER_EXTRACTABLE for keys generated this way). CKA_ID pairs the two halves; CKA_LABEL is
 * the shomei key id. A key's usage is fixed here too: a signing key signs and nothing else; the
 * transport key (usage 'unwrap', KEY-2) only unwraps transferred keys and cannot sign.
 */
import pkcs11js from 'pkcs11js';
import { KEY_TYPES, type KeyType, type KeyTypeInfo } from '../algorithms.js';
import type { KeyUsage } from '../keystore.js';
import { ecParams } from './spki.js';

/** PKCS#11 v3.0 §6.3 (Edwards curves); pkcs11js 2.1 has no names for them. */
export const CKK_EC_EDWARDS = 0x40;
const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;

const KEY_TYPE: Readonly<Record<KeyTypeInfo['family'], number>> = {
  rsa: pkcs11js.CKK_RSA,
  ec: pkcs11js.CKK_EC,
  ed25519: CKK_EC_EDWARDS,
};

const RSA_F4 = Buffer.from([0x01, 0x00, 0x01]); // e = 65537 (FIPS 186-5 §5.4)

export interface KeyPairTemplates {
  readonly mechanism: pkcs11js.Mechanism;
  readonly publicKey: pkcs11js.Template;
  readonly privateKey: pkcs11js.Template;
}

const common = (id: Buffer, label: string): pkcs11js.Template => [
  { type: pkcs11js.CKA_TOKEN, value: true },
  { type: pkcs11js.CKA_ID, value: id },
  { type: pkcs11js.CKA_LABEL, value: label },
];

export function privateKeyAttributes(
  keyType: KeyType,
  id: Buffer,
  label: string,
  usage: KeyUsage = 'sign',
): pkcs11js.Template {
  const info = KEY_TYPES[keyType];
  return [
    ...common(id, label),
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: KEY_TYPE[info.family] },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_SENSITIVE, value: true },
    { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    { type: pkcs11js.CKA_SIGN, value: usage === 'sign' },
    { type: pkcs11js.CKA_DECRYPT, value: false },
    { type: pkcs11js.CKA_UNWRAP, value: usage === 'unwrap' },
    { type: pkcs11js.CKA_DERIVE, value: false },
  ];
}

export function publicKeyAttributes(
  keyType: KeyType,
  id: Buffer,
  label: string,
  usage: KeyUsage = 'sign',
): pkcs11js.Template {
  const info = KEY_TYPES[keyType];
  return [
    ...common(id, label),
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: KEY_TYPE[info.family] },
    { type: pkcs11js.CKA_PRIVATE, value: false },
    { type: pkcs11js.CKA_VERIFY, value: usage === 'sign' },
    { type: pkcs11js.CKA_ENCRYPT, value: false },
    { type: pkcs11js.CKA_WRAP, value: false },
  ];
}

/**
 * v2.40 §2.1.4 CKM_RSA_PKCS_KEY_PAIR_GEN (CKA_MODULUS_BITS, CKA_PUBLIC_EXPONENT); §2.3.5
 * CKM_EC_KEY_PAIR_GEN and v3.0 §6.3.5 CKM_EC_EDWARDS_KEY_PAIR_GEN (CKA_EC_PARAMS).
 */
export function keyPairTemplates(info: KeyTypeInfo, id: Buffer, label: string, usage?: KeyUsage): KeyPairTemplates {
  const publicKey = publicKeyAttributes(info.name, id, label, usage);
  const privateKey = privateKeyAttributes(info.name, id, label, usage);
  if (info.family === 'rsa') {
    return {
      mechanism: { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
      publicKey: [
        ...publicKey,
        { type: pkcs11js.CKA_MODULUS_BITS, value: info.bits },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: RSA_F4 },
      ],
      privateKey,
    };
  }
  const gen = info.family === 'ec' ? pkcs11js.CKM_EC_KEY_PAIR_GEN : CKM_EC_EDWARDS_KEY_PAIR_GEN;
  return {
    mechanism: { mechanism: gen },
    publicKey: [...publicKey, { type: pkcs11js.CKA_EC_PARAMS, value: ecParams(info) }],
    privateKey,
  };
}
