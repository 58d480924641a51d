/**
 * The one-time user identification code (USER-4): 120 random bits, shown once, written as six
 * groups of four Crockford base32 characters (no I, L, O, U: nothing to misread when typed from a
 * letter). Only its SHA-256 is stored.
 */
import { createHash } from 'node:crypto';
import type { Random } from '../platform/index.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_BYTES = 15; // 120 bits = 24 base32 characters

export function generateEnrolmentCode(random: Random): string {
  const bytes = random.bytes(CODE_BYTES);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out.match(/.{4}/g)!.join('-');
}

/** Crockford decoding rules: case-insensitive, O→0, I/L→1, separators ignored. */
export function normaliseEnrolmentCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function hashEnrolmentCode(code: string): string {
  return createHash('sha256').update(normaliseEnrolmentCode(code), 'utf8').digest('hex');
}
