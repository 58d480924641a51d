/**
 * What this TSA accepts in a request (RFC 3161 §2.4.1), decided from the decoded fields: the hash
 * from the one algorithm table (keys/algorithms.ts) with a digest of its length, our policy or none,
 * a nonce of at most 160 bits, and no extensions — none is recognised, and §2.4.1 says a request
 * with an unrecognised one, critical or not, gets unacceptedExtension rather than a token.
 */
import { HASHES, type HashAlgorithm } from '../keys/index.js';
import { refuse } from './failure.js';
import type { TimeStampReqFields } from './request.js';

/** A nonce is "a large random number" (§2.4.1); above 160 bits it is no longer a nonce but a payload. */
export const MAX_NONCE_BITS = 160;

export interface StampRequest {
  readonly hash: HashAlgorithm;
  readonly digest: Uint8Array;
  /** Content octets of a non-negative INTEGER, echoed in the token. */
  readonly nonce?: Uint8Array;
  /** Include the TSA's certificates in the token. */
  readonly certReq: boolean;
  /** Who asked (audit log): a user id, 'system', or 'anonymous'. */
  readonly actor: string;
}

export const knownHash = (oid: string): HashAlgorithm | undefined => Object.values(HASHES).find((h) => h.oid === oid);

/** Throws TsaRefusal unless the nonce is a non-negative INTEGER of at most MAX_NONCE_BITS. */
export function checkNonce(nonce: Uint8Array): void {
  if (((nonce[0] as number) & 0x80) !== 0) refuse('badRequest', 'negative nonce');
  const magnitude = nonce[0] === 0 ? nonce.length - 1 : nonce.length;
  if (magnitude * 8 > MAX_NONCE_BITS) refuse('badRequest', `nonce longer than ${MAX_NONCE_BITS} bits`);
}

export function checkRequest(f: TimeStampReqFields, policy: string, actor: string): StampRequest {
  if (f.version !== 1) refuse('badRequest', 'version must be 1');
  const hash = knownHash(f.hashOid);
  if (!hash || f.hashParams === 'other') return refuse('badAlg', 'unsupported hash algorithm');
  if (f.hashedMessage.length !== hash.length)
    refuse('badDataFormat', `${hash.name} digest must be ${hash.length} bytes`);
  if (f.reqPolicy !== undefined && f.reqPolicy !== policy) refuse('unacceptedPolicy', 'unsupported policy');
  if (f.nonce) checkNonce(f.nonce);
  if (f.extensions.length > 0) refuse('unacceptedExtension', 'extensions are not supported');
  return { hash, digest: f.hashedMessage, ...(f.nonce ? { nonce: f.nonce } : {}), certReq: f.certReq, actor };
}
