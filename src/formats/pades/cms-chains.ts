/**
 * The certificate chains a PDF signature needs validation data for (EN 319 142-1 §5.4): the
 * signer's, read from the CMS in /Contents, and the TSA's of every signature time-stamp in its
 * unsigned attributes — or, for a document time-stamp, the token's own.
 */
import { X509Certificate } from 'node:crypto';
import {
  attributesOf,
  bytesOf,
  CMS_OID,
  children,
  issuerAndSerialNumber,
  readSignedData,
  readTlv,
  unsignedAttrsField,
} from '../cms/index.js';
import { malformed } from './lexer.js';

/** The DER at the start of /Contents, without the zero padding after it. */
export function trimDer(contents: Uint8Array): Uint8Array {
  try {
    return contents.subarray(0, readTlv(contents, 0).end);
  } catch {
    throw malformed('the signature /Contents is not DER');
  }
}

const parse = (der: Uint8Array): X509Certificate | undefined => {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
};

/** The signer's certificate first, then its issuers as far as the set reaches. */
function orderChain(certs: readonly Uint8Array[], sid: Uint8Array): Uint8Array[] {
  const parsed = certs.map((der) => ({ der, x: parse(der) }));
  const signer = parsed.find((c) => c.x && Buffer.from(issuerAndSerialNumber(c.der)).equals(sid));
  if (!signer) return [...certs];
  const chain = [signer];
  for (let cur = signer; chain.length < parsed.length; ) {
    const next = parsed.find((c) => c.x && !chain.includes(c) && cur.x?.checkIssued(c.x));
    if (!next) break;
    chain.push(next);
    cur = next;
  }
  return chain.map((c) => c.der);
}

function signerChain(der: Uint8Array): { chain: Uint8Array[]; tokens: Uint8Array[] } {
  const v = readSignedData(der);
  const certs = v.certificates ? children(der, v.certificates).map((t) => bytesOf(der, t)) : [];
  const sid = v.signerFields[1];
  const chain = sid ? orderChain(certs, bytesOf(der, sid)) : certs;
  const unsigned = unsignedAttrsField(v);
  const tokens = unsigned
    ? attributesOf(der, unsigned)
        .filter((a) => a.type === CMS_OID.signatureTimeStampToken)
        .flatMap((a) => a.values.map((t) => bytesOf(der, t)))
    : [];
  return { chain, tokens };
}

/** Every chain the signature in `der` (a CMS signature or a time-stamp token) depends on, its own first. */
export function chainsOf(der: Uint8Array): Uint8Array[][] {
  const { chain, tokens } = signerChain(der);
  return [chain, ...tokens.map((t) => signerChain(t).chain)];
}
