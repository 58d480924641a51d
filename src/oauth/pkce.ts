/** PKCE (RFC 7636), S256 only: `plain` would hand the verifier to anyone who sees the request. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** BASE64URL(SHA-256(verifier)) is 43 characters, no padding (§4.2). */
export const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
/** §4.1: 43..128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** §4.6, compared in constant time. */
export function verifyPkce(challenge: string, verifier: string | undefined): boolean {
  if (verifier === undefined || !VERIFIER.test(verifier)) return false;
  const a = Buffer.from(s256(verifier));
  const b = Buffer.from(challenge);
  return a.length === b.length && timingSafeEqual(a, b);
}
