/**
 * The certificate chains a PDF signature needs validation data for (EN 319 142-1 §5.4): the
 * signer's, read from the CMS in /Contents, and the TSA's of every signature time-stamp in its
 * unsigned attributes — or, for a document time-stamp, the token's own.
 */
import { CMS_OID, readTlv, signedDataCertificates, signerChain, unsignedAttributeValues } from '../cms/index.js';
import { malformed } from './lexer.js';

/** The DER at the start of /Contents, without the zero padding after it. */
export function trimDer(contents: Uint8Array): Uint8Array {
  try {
    return contents.subarray(0, readTlv(contents, 0).end);
  } catch {
    throw malformed('the signature /Contents is not DER');
  }
}

/** The signer's chain (its certificate first, then its issuers), or every certificate when it is not named. */
function chainAndTokens(der: Uint8Array): { chain: Uint8Array[]; tokens: Uint8Array[] } {
  const named = signerChain(der);
  const chain = named.length > 0 ? named : signedDataCertificates(der);
  return { chain, tokens: unsignedAttributeValues(der, [CMS_OID.signatureTimeStampToken]) };
}

/** Every chain the signature in `der` (a CMS signature or a time-stamp token) depends on, its own first. */
export function chainsOf(der: Uint8Array): Uint8Array[][] {
  const { chain, tokens } = chainAndTokens(der);
  return [chain, ...tokens.map((t) => chainAndTokens(t).chain)];
}
