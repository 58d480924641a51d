/**
 * Which kind of signed document the bytes are, by their first bytes only (never by a file name):
 * PDF header (ISO 32000-1 §7.5.2, within the first 1024 bytes as readers allow), XML, a JWS in the
 * JSON or compact serialization (RFC 7515 §7), or a DER / PEM CMS ContentInfo (RFC 5652 §3).
 */
import { ShomeiError } from '../../errors.js';
import type { DocumentKind } from './report.js';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;
const PEM_CMS = /^-----BEGIN (?:PKCS7|CMS)-----([A-Za-z0-9+/=\s]+)-----END (?:PKCS7|CMS)-----\s*$/;

export interface DetectedDocument {
  readonly kind: DocumentKind;
  /** The bytes to read (PEM CMS decoded to DER). */
  readonly bytes: Uint8Array;
}

export function detectDocument(input: Uint8Array): DetectedDocument {
  const head = Buffer.from(input.subarray(0, 1024)).toString('latin1');
  if (head.includes('%PDF-')) return { kind: 'PDF', bytes: input };
  if (input[0] === 0x30) return { kind: 'CMS', bytes: input };
  const text = Buffer.from(input.subarray(0, 64 * 1024))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trim();
  if (text.startsWith('<')) return { kind: 'XML', bytes: input };
  if (text.startsWith('{')) return { kind: 'JWS', bytes: input };
  const whole = Buffer.from(input).toString('utf8').trim();
  if (COMPACT_JWS.test(whole)) return { kind: 'JWS', bytes: input };
  const pem = PEM_CMS.exec(whole);
  if (pem?.[1]) return { kind: 'CMS', bytes: new Uint8Array(Buffer.from(pem[1].replace(/\s+/g, ''), 'base64')) };
  throw new ShomeiError('validation_unsupported_document');
}
