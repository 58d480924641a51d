/**
 * Strict standard base64 (RFC 4648 §4, padded) as CSC requires for binary in JSON
 * (csc-api-v2.md §1). Node's decoder silently skips junk, so we check the alphabet and the
 * round trip: a string that is not exactly the encoding of its bytes is refused.
 */
import { type ErrorCode, ShomeiError } from '../errors.js';

// A flat character class, no repeated group: a grouped pattern recurses per group in V8 and
// overflows the stack on a document-sized string (signDoc carries megabytes).
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeBase64(value: string, onError: ErrorCode, params: Record<string, string> = {}): Buffer {
  if (value.length === 0 || value.length % 4 !== 0 || !B64.test(value)) throw new ShomeiError(onError, params);
  const bytes = Buffer.from(value, 'base64');
  // Canonical only: non-zero padding bits or a misplaced '=' do not survive the round trip.
  if (bytes.toString('base64') !== value) throw new ShomeiError(onError, params);
  return bytes;
}

export const decodeHashes = (values: readonly string[]): Buffer[] =>
  values.map((v) => decodeBase64(v, 'invalid_base64_hash'));

export const encodeBase64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
