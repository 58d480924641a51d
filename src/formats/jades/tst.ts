/**
 * RFC 3161 time-stamp tokens as JAdES carries them (`sigTst`, `arcTst`: TS 119 182-1 §5.3.4,
 * §5.3.6): what a token says (time, imprint, TSA certificates), and whether its CMS signature holds
 * (RFC 5652 §5.6, through pkijs). Whether the TSA is trusted is validation/'s question, not this one.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { Certificate, ContentInfo, SignedData, TSTInfo } from 'pkijs';
import { ShomeiError } from '../../errors.js';
import { HASHES, type HashName, hashByOid } from '../../keys/index.js';

const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const ID_CT_TSTINFO = '1.2.840.113549.1.9.16.1.4';
const EKU_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';

export interface TimestampInfo {
  readonly genTime: Date;
  readonly hash: HashName;
  readonly imprint: Buffer;
  /** DER certificates carried in the token (the TSA's first when it can be told). */
  readonly certificates: Buffer[];
  readonly signed: SignedData;
}

const malformed = (what: string, detail: string) =>
  new ShomeiError('jades_malformed', { detail: `${what}: ${detail}` });

/** Parses a TimeStampToken (ContentInfo DER); throws jades_malformed when it is not one. */
export function readTimestamp(der: Uint8Array, what: string): TimestampInfo {
  try {
    const ci = ContentInfo.fromBER(der);
    if (ci.contentType !== ID_SIGNED_DATA) throw malformed(what, 'not SignedData');
    const signed = new SignedData({ schema: ci.content });
    const eci = signed.encapContentInfo;
    if (eci.eContentType !== ID_CT_TSTINFO || !eci.eContent) throw malformed(what, 'not a TSTInfo');
    const tst = TSTInfo.fromBER(eci.eContent.getValue());
    const hash = hashByOid(tst.messageImprint.hashAlgorithm.algorithmId).name;
    const certificates = (signed.certificates ?? [])
      .filter((c): c is Certificate => c instanceof Certificate)
      .map((c) => Buffer.from(c.toSchema().toBER()));
    return {
      genTime: tst.genTime,
      hash,
      imprint: Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView),
      certificates: tsaFirst(certificates),
      signed,
    };
  } catch (e) {
    if (e instanceof ShomeiError) throw e.code === 'unsupported_algorithm' ? malformed(what, e.message) : e;
    throw malformed(what, 'not a DER time-stamp token');
  }
}

/** The time-stamping certificate first (RFC 3161 §2.3: the only one with the timeStamping EKU). */
function tsaFirst(certs: Buffer[]): Buffer[] {
  const isTsa = (der: Buffer) => {
    try {
      return (new X509Certificate(der).keyUsage ?? []).includes(EKU_TIME_STAMPING);
    } catch {
      return false;
    }
  };
  return [...certs.filter(isTsa), ...certs.filter((c) => !isTsa(c))];
}

/** Checks the token covers `data` (RFC 3161 §2.4.2 messageImprint) and its CMS signature verifies. */
export async function checkTimestamp(token: TimestampInfo, data: Uint8Array, what: string): Promise<void> {
  const expected = createHash(HASHES[token.hash].node).update(data).digest();
  if (!expected.equals(token.imprint)) {
    throw new ShomeiError('jades_invalid', { detail: `${what} does not cover this signature` });
  }
  let ok = false;
  try {
    // pkijs checks a TSTInfo's imprint against `data` itself before the signature (RFC 3161 §2.4.2).
    const bytes = Uint8Array.from(data).buffer;
    const r = await token.signed.verify({ signer: 0, data: bytes, checkChain: false, extendedMode: true });
    ok = r.signatureVerified === true && isTsaCertificate(r.signerCertificate);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new ShomeiError('jades_invalid', { detail: `${what}: the time-stamp token signature does not verify` });
}

function isTsaCertificate(cert: Certificate | null | undefined): boolean {
  if (!cert) return false;
  try {
    const der = Buffer.from(cert.toSchema().toBER());
    return (new X509Certificate(der).keyUsage ?? []).includes(EKU_TIME_STAMPING);
  } catch {
    return false;
  }
}
