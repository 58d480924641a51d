/** HTTP Basic credentials (RFC 7617) for CSC auth/login (csc-api-v2.md §3.2). */
import { ShomeiError } from '../errors.js';

export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

const BASIC = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i;
// Far above any sane user:password; keeps a hostile header from costing us a large scrypt input.
const MAX_DECODED = 1024;

export function parseBasicAuthorization(header: string | undefined): BasicCredentials {
  const m = header === undefined ? null : BASIC.exec(header);
  if (!m || m[1]!.length % 4 !== 0) throw new ShomeiError('malformed_auth_header');
  const decoded = Buffer.from(m[1]!, 'base64');
  if (decoded.length > MAX_DECODED) throw new ShomeiError('malformed_credentials');
  // RFC 7617 §2.1: UTF-8; a byte sequence that is not valid UTF-8 is malformed, not a wrong password.
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(decoded);
  } catch {
    throw new ShomeiError('malformed_credentials');
  }
  const colon = text.indexOf(':');
  if (colon <= 0) throw new ShomeiError('malformed_credentials');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
