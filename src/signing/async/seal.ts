/**
 * Results at rest: the row is found by SHA-256 of the responseID and its body is sealed with
 * AES-256-GCM under a key derived (HKDF-SHA-256) from the responseID. Only the client that holds the
 * handle can read or claim its result; a database dump shows neither signatures nor documents.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';

const INFO = Buffer.from('shomei async result v1');
const NONCE = 12;
const TAG = 16;

/** The row id of a handle (the handle itself is never stored). */
export const handleId = (responseId: string): string => createHash('sha256').update(responseId).digest('hex');

function keyOf(responseId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(responseId), Buffer.alloc(0), INFO, 32));
}

/** nonce ‖ ciphertext ‖ tag; the row id is bound as associated data. */
export function seal(responseId: string, plaintext: Buffer, nonce: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', keyOf(responseId), nonce);
  cipher.setAAD(Buffer.from(handleId(responseId)));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Throws when the body was not sealed for this handle (GCM authentication). */
export function open(responseId: string, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', keyOf(responseId), sealed.subarray(0, NONCE));
  decipher.setAAD(Buffer.from(handleId(responseId)));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([decipher.update(sealed.subarray(NONCE, sealed.length - TAG)), decipher.final()]);
}

export const NONCE_LENGTH = NONCE;
