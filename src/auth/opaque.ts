/**
 * Opaque bearer secrets (access/refresh tokens, SAD handles): 256 random bits, base64url, stored
 * only as SHA-256. Looking one up is an indexed equality on the hash, so neither a timing
 * difference nor a database leak gives an attacker a usable value (AUTH-2, pitfall 7).
 */
import { createHash } from 'node:crypto';
import type { Random } from '../platform/index.js';

const OPAQUE_BYTES = 32;
const OPAQUE_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export function newOpaque(random: Random): string {
  return random.bytes(OPAQUE_BYTES).toString('base64url');
}

/** Rejects anything that cannot be one of ours before hashing (and before any database query). */
export function isOpaque(value: unknown): value is string {
  return typeof value === 'string' && OPAQUE_FORMAT.test(value);
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}
