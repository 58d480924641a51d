/**
 * Key wrapping for the software key store: PKCS#8 DER sealed with AES-256-GCM under the KEK.
 * Blob: [1 byte version][12 byte IV][16 byte tag][ciphertext]. The AAD binds the blob to its key
 * id and format version, so a blob copied onto another key row does not unwrap.
 * Runs in the main thread (wrap) and in signing workers (unwrap); it takes no injected Random
 * because the IV comes in as a parameter.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const WRAP_VERSION = 1;
const IV_LEN = 12;
const TAG_LEN = 16;
const HEADER = 1 + IV_LEN + TAG_LEN;

export const wrapAad = (keyId: string): Buffer => Buffer.from(`shomei:key:v${WRAP_VERSION}:${keyId}`, 'utf8');

export function wrapKey(kek: Uint8Array, keyId: string, plaintext: Uint8Array, iv: Uint8Array): Buffer {
  if (iv.length !== IV_LEN) throw new Error('wrapKey: IV must be 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_LEN });
  cipher.setAAD(wrapAad(keyId));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(WRAP_VERSION), iv, cipher.getAuthTag(), ct]);
}

/** The plaintext PKCS#8; the caller wipes it (`fill(0)`) when done (SIGN-3). */
export function unwrapKey(kek: Uint8Array, keyId: string, blob: Uint8Array): Buffer {
  if (blob.length <= HEADER || blob[0] !== WRAP_VERSION) throw new Error('unwrapKey: unknown blob format');
  const iv = blob.subarray(1, 1 + IV_LEN);
  const tag = blob.subarray(1 + IV_LEN, HEADER);
  const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: TAG_LEN });
  decipher.setAAD(wrapAad(keyId));
  decipher.setAuthTag(tag);
  // final() throws when the tag, the AAD (key id) or the ciphertext do not match.
  return Buffer.concat([decipher.update(blob.subarray(HEADER)), decipher.final()]);
}
