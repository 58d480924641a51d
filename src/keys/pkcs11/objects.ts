/** Finding and reading a key's token objects by CKA_ID (PKCS#11 v2.40 §5.7 object management). */
import pkcs11js from 'pkcs11js';
import { ShomeiError } from '../../errors.js';
import type { KeyTypeInfo } from '../algorithms.js';
import { ecSpki, ed25519Spki, rsaSpki } from './spki.js';

/** All objects of a class with this CKA_ID (§5.7 C_FindObjectsInit / C_FindObjects / …Final). */
export function findObjects(p11: pkcs11js.PKCS11, session: pkcs11js.Handle, cls: number, id: Buffer) {
  p11.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: cls },
    { type: pkcs11js.CKA_ID, value: id },
  ]);
  try {
    return p11.C_FindObjects(session, 4);
  } finally {
    p11.C_FindObjectsFinal(session);
  }
}

export function findKey(p11: pkcs11js.PKCS11, session: pkcs11js.Handle, cls: number, id: Buffer): pkcs11js.Handle {
  const [found, extra] = findObjects(p11, session, cls, id);
  // A missing object is a destroyed (or foreign) key; two with one CKA_ID is a token we cannot trust.
  if (!found) throw new ShomeiError('unknown_key');
  if (extra) throw new ShomeiError('invalid_state', { detail: 'two token objects share one CKA_ID' });
  return found;
}

/** SPKI of a public key object (§2.1.2 CKA_MODULUS/CKA_PUBLIC_EXPONENT, §2.3.3 CKA_EC_POINT). */
export function readSpki(p11: pkcs11js.PKCS11, session: pkcs11js.Handle, key: pkcs11js.Handle, info: KeyTypeInfo) {
  if (info.family === 'rsa') {
    const [n, e] = p11.C_GetAttributeValue(session, key, [
      { type: pkcs11js.CKA_MODULUS },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT },
    ]);
    if (!n || !e) throw new ShomeiError('keystore_error');
    return rsaSpki(n.value, e.value);
  }
  const [point] = p11.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_EC_POINT }]);
  if (!point) throw new ShomeiError('keystore_error');
  if (info.family === 'ed25519') return ed25519Spki(point.value);
  if (!info.curve) throw new ShomeiError('keystore_error');
  return ecSpki(info.curve, point.value);
}
