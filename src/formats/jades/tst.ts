/**
 * RFC 3161 time-stamp tokens as JAdES carries them (`sigTst`, `arcTst`: TS 119 182-1 §5.3.4,
 * §5.3.6): what a token says (read by the CMS core, cms/timestamp.ts), and whether its CMS signature
 * holds (RFC 5652 §5.6, through pkijs). Whether the TSA is trusted is validation/'s question, not this one.
 */
import type { Certificate } from 'pkijs';
import { ShomeiError } from '../../errors.js';
import { type HashName, hashByOid } from '../../keys/index.js';
import { coversData, isTsaCertificate, readTimestampToken, type TimestampToken } from '../cms/index.js';

export interface TimestampInfo extends TimestampToken {
  readonly hash: HashName;
}

const malformed = (what: string, detail: string) =>
  new ShomeiError('jades_malformed', { detail: `${what}: ${detail}` });

/** Parses a TimeStampToken (ContentInfo DER); throws jades_malformed when it is not one. */
export function readTimestamp(der: Uint8Array, what: string): TimestampInfo {
  const t = readTimestampToken(der, (detail) => malformed(what, detail));
  try {
    return { ...t, hash: hashByOid(t.hashOid).name };
  } catch (e) {
    throw malformed(what, e instanceof Error ? e.message : 'unsupported hash');
  }
}

/** Checks the token covers `data` (RFC 3161 §2.4.2 messageImprint) and its CMS signature verifies. */
export async function checkTimestamp(token: TimestampInfo, data: Uint8Array, what: string): Promise<void> {
  if (!coversData(token, data)) {
    throw new ShomeiError('jades_invalid', { detail: `${what} does not cover this signature` });
  }
  let ok = false;
  try {
    // pkijs checks a TSTInfo's imprint against `data` itself before the signature (RFC 3161 §2.4.2).
    const bytes = Uint8Array.from(data).buffer;
    const r = await token.signed.verify({ signer: 0, data: bytes, checkChain: false, extendedMode: true });
    ok = r.signatureVerified === true && signedByTsa(r.signerCertificate);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new ShomeiError('jades_invalid', { detail: `${what}: the time-stamp token signature does not verify` });
}

function signedByTsa(cert: Certificate | null | undefined): boolean {
  if (!cert) return false;
  try {
    return isTsaCertificate(new Uint8Array(cert.toSchema().toBER()));
  } catch {
    return false;
  }
}
