/**
 * The encodings a JWS is made of: base64url without padding (RFC 7515 §2), and the JWS form of an
 * ECDSA signature, r||s each left-padded to the curve size (RFC 7518 §3.4), converted from and to
 * the DER Ecdsa-Sig-Value our key store and CSC return (the conversion is the CMS core's, shared
 * with XAdES).
 */
import { ShomeiError } from '../../errors.js';
import { ecdsaDerToRaw, ecdsaRawToDer } from '../cms/index.js';
import type { JwsAlgorithm } from './alg.js';

export const b64url = (bytes: Uint8Array | string): string =>
  (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)).toString('base64url');

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Strict base64url decoding: Buffer.from silently skips foreign characters, so check first. */
export function fromB64url(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !B64URL.test(text) || text.length % 4 === 1) {
    throw new ShomeiError('jades_malformed', { detail: `${what} is not base64url` });
  }
  return Buffer.from(text, 'base64url');
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 (x5c, tstTokens `val`: RFC 7515 §4.1.6 and TS 119 182-1 use base64, not base64url). */
export function fromB64(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || text.length === 0 || !B64.test(text)) {
    throw new ShomeiError('jades_malformed', { detail: `${what} is not base64` });
  }
  return Buffer.from(text, 'base64');
}

/** The JWS Signature bytes for a value signHash returned (RSA: as is; ECDSA: DER → r||s). */
export function toJwsSignature(alg: JwsAlgorithm, value: Uint8Array): Buffer {
  if (!alg.curve) return Buffer.from(value);
  const raw = ecdsaDerToRaw(value, alg.coordinateBytes ?? 0);
  if (!raw) throw new ShomeiError('invalid_parameter', { name: 'signatureValue' });
  return raw;
}

/** The DER form keys/verifySignature takes, from JWS Signature bytes; undefined when malformed. */
export function fromJwsSignature(alg: JwsAlgorithm, sig: Uint8Array): Buffer | undefined {
  if (!alg.curve) return Buffer.from(sig);
  return ecdsaRawToDer(sig, alg.coordinateBytes ?? 0);
}
