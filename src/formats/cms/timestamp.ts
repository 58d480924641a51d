/**
 * RFC 3161 time-stamp tokens (§2.4.2), read and checked in one place for every user: CAdES, PAdES,
 * XAdES and JAdES embed them, the TSA client (tsa/verify-token.ts) verifies other TSAs' tokens.
 * pkijs reads the TSTInfo; certificates come from the DER reader (chain.ts) so they keep their bytes.
 */
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { ContentInfo, SignedData, TSTInfo } from 'pkijs';
import { ShomeiError } from '../../errors.js';
import { HASHES, type HashName, hashByOid } from '../../keys/index.js';
import type { TimestampSource } from '../ports.js';
import { chainOf, signedDataCertificates, signerChain } from './chain.js';
import { CMS_OID } from './oids.js';

export interface TimestampToken {
  /** pkijs's SignedData, for checking the token's signature. */
  readonly signed: SignedData;
  readonly tstInfo: TSTInfo;
  /** The DER TSTInfo: the eContent the message-digest attribute covers. */
  readonly content: Uint8Array;
  readonly genTime: Date;
  /** messageImprint.hashAlgorithm. */
  readonly hashOid: string;
  readonly imprint: Buffer;
}

const timestampInvalid = (detail: string): Error => new ShomeiError('timestamp_invalid', { detail });

/**
 * Reads a TimeStampToken (ContentInfo DER). `fail` makes the error for what is not one, so each
 * caller keeps its own catalogue code (the TSA client's tsa_response_invalid, JAdES's jades_malformed).
 */
export function readTimestampToken(
  der: Uint8Array,
  fail: (detail: string) => Error = timestampInvalid,
): TimestampToken {
  let ci: ContentInfo;
  try {
    ci = ContentInfo.fromBER(der);
  } catch {
    throw fail('the token cannot be read');
  }
  if (ci.contentType !== CMS_OID.signedData) throw fail('not a SignedData');
  try {
    const signed = new SignedData({ schema: ci.content });
    const eContent = signed.encapContentInfo.eContent;
    if (signed.encapContentInfo.eContentType !== CMS_OID.tstInfo || !eContent) throw new Error('not a TSTInfo');
    const content = new Uint8Array(eContent.getValue());
    const tstInfo = TSTInfo.fromBER(content);
    const imprint = tstInfo.messageImprint;
    return {
      signed,
      tstInfo,
      content,
      genTime: tstInfo.genTime,
      hashOid: imprint.hashAlgorithm.algorithmId,
      imprint: Buffer.from(imprint.hashedMessage.valueBlock.valueHexView),
    };
  } catch {
    throw fail('content is not a TSTInfo');
  }
}

/** Whether the token's messageImprint (RFC 3161 §2.4.2) is the digest of `data` (unsupported_algorithm for an unknown hash). */
export function coversData(token: TimestampToken, data: Uint8Array): boolean {
  const expected = createHash(hashByOid(token.hashOid).node).update(data).digest();
  return expected.length === token.imprint.length && timingSafeEqual(expected, token.imprint);
}

/** TSTInfo.messageImprint (RFC 3161 §2.4.2) must be `digest` under `hash`: timestamp_invalid otherwise. */
export function checkToken(token: Uint8Array, digest: Uint8Array, hash: HashName): void {
  const t = readTimestampToken(token, () => timestampInvalid('not a time-stamp token'));
  if (t.hashOid !== HASHES[hash].oid || !t.imprint.equals(digest)) {
    throw timestampInvalid('the message imprint does not match the request');
  }
}

/**
 * A token from `tsa` over `digest`, checked before anything is built on it: a TSA answering for
 * other data must not yield a "B-T" signature.
 */
export async function stampDigest(tsa: TimestampSource, digest: Uint8Array, hash: HashName): Promise<Uint8Array> {
  const token = await tsa.timestamp(digest, hash);
  checkToken(token, digest, hash);
  return token;
}

/** stampDigest over the `hash` digest of `data`. */
export const stampData = (tsa: TimestampSource, data: Uint8Array, hash: HashName): Promise<Uint8Array> =>
  stampDigest(tsa, createHash(HASHES[hash].node).update(data).digest(), hash);

/** Whether a DER certificate has the timeStamping extended key usage (false when it cannot be read). */
export function isTsaCertificate(der: Uint8Array): boolean {
  try {
    return (new X509Certificate(der).keyUsage ?? []).includes(CMS_OID.kpTimeStamping);
  } catch {
    return false;
  }
}

/**
 * The TSA's certificate first, then its issuers as far as the token carries them: what B-LT collects
 * validation data for. The TSA's is the one the SignerInfo names, or else the only one with the
 * timeStamping EKU (RFC 3161 §2.3); [] when the token carries neither (certReq was false). Issuers
 * are also looked for in `pool` (the certificates of the signature the token stamps).
 */
export function tsaChain(token: Uint8Array, pool: readonly Uint8Array[] = []): Uint8Array[] {
  const named = signerChain(token, pool);
  if (named.length > 0) return named;
  const certs = signedDataCertificates(token);
  const tsa = certs.find(isTsaCertificate);
  return tsa ? chainOf(tsa, [...certs, ...pool]) : [];
}
