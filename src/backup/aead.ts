/**
 * The AES primitives of the backup formats, in one place so the Wycheproof vectors exercise exactly
 * what the backups use (test/keys-wycheproof.test.ts):
 * - AES-GCM (NIST SP 800-38D) with a 96-bit IV (§5.2.1.1) and a full 128-bit tag (§5.2.1.2);
 *   node:crypto's `final()` rejects a wrong tag, so nothing unauthenticated is returned.
 * - AES Key Wrap (RFC 3394, default IV A6A6A6A6A6A6A6A6) and Key Wrap with Padding (RFC 5649,
 *   AIV A65959A6 || MLI), i.e. NIST SP 800-38F KW / KWP, via OpenSSL's id-aesN-wrap(-pad).
 * These helpers throw on failure; the callers map that to their own catalogue error.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

const IV_LEN = 12;
const TAG_LEN = 16;

function aesBits(key: Uint8Array): 128 | 192 | 256 {
  if (key.length === 16) return 128;
  if (key.length === 24) return 192;
  if (key.length === 32) return 256;
  throw new RangeError('AES: key must be 16, 24 or 32 bytes');
}

export interface GcmSealed {
  readonly ct: Buffer;
  readonly tag: Buffer;
}

export function gcmSeal(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plain: Uint8Array): GcmSealed {
  if (iv.length !== IV_LEN) throw new RangeError('AES-GCM: IV must be 12 bytes');
  const cipher = createCipheriv(`aes-${aesBits(key)}-gcm`, key, iv, { authTagLength: TAG_LEN });
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { ct, tag: cipher.getAuthTag() };
}

/** SP 800-38D §7.2 GCM-AD: the plaintext, or a throw when the tag does not verify. */
export function gcmOpen(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, ct: Uint8Array, tag: Uint8Array): Buffer {
  if (iv.length !== IV_LEN || tag.length !== TAG_LEN) throw new RangeError('AES-GCM: IV 12 and tag 16 bytes');
  const decipher = createDecipheriv(`aes-${aesBits(key)}-gcm`, key, iv, { authTagLength: TAG_LEN });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]);
}

const RFC3394_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const RFC5649_AIV = Buffer.from('a65959a6', 'hex');

function kwCipherName(kek: Uint8Array, pad: boolean): string {
  return `id-aes${aesBits(kek)}-wrap${pad ? '-pad' : ''}`;
}

/** RFC 3394 §2.2.1 (pad = false; key data a multiple of 8 bytes, ≥ 16) or RFC 5649 §4.1 (pad = true). */
export function keyWrap(kek: Uint8Array, keyData: Uint8Array, pad: boolean): Buffer {
  const cipher = createCipheriv(kwCipherName(kek, pad), kek, pad ? RFC5649_AIV : RFC3394_IV);
  return Buffer.concat([cipher.update(keyData), cipher.final()]);
}

/** RFC 3394 §2.2.2 / RFC 5649 §4.2: the key data, or a throw when the integrity check fails. */
export function keyUnwrap(kek: Uint8Array, wrapped: Uint8Array, pad: boolean): Buffer {
  // RFC 3394 §2: at least two 64-bit blocks of key data, so three of wrapped output; RFC 5649: two.
  if (wrapped.length % 8 !== 0 || wrapped.length < (pad ? 16 : 24)) throw new RangeError('AES-KW: bad length');
  const decipher = createDecipheriv(kwCipherName(kek, pad), kek, pad ? RFC5649_AIV : RFC3394_IV);
  return Buffer.concat([decipher.update(wrapped), decipher.final()]);
}
