/**
 * The certificates a SignedData (a signature or a time-stamp token) carries, the one its SignerInfo
 * names, and the path from it up through its issuers: what every format needs to collect B-LT
 * validation data for a signer or a TSA. Certificates keep their exact stored bytes.
 */
import { X509Certificate } from 'node:crypto';
import { issuerAndSerialNumber } from './certificate.js';
import { bytesOf, children, TAG } from './der.js';
import { readSignedData } from './signed-data.js';

/** The certificates of a SignedData, as they are stored. */
export function signedDataCertificates(cms: Uint8Array): Uint8Array[] {
  const v = readSignedData(cms);
  return v.certificates ? children(cms, v.certificates).map((c) => Uint8Array.from(bytesOf(cms, c))) : [];
}

/** The certificate the (first) SignerInfo's issuerAndSerialNumber names, if the SignedData carries it. */
export function signerCertificate(cms: Uint8Array): Uint8Array | undefined {
  const v = readSignedData(cms);
  const sid = v.signerFields[1];
  // RFC 5652 §5.3: a subjectKeyIdentifier sid ([0]) names no issuer and serial to match.
  if (sid?.tag !== TAG.sequence) return undefined;
  const wanted = Buffer.from(bytesOf(cms, sid));
  return signedDataCertificates(cms).find((c) => {
    try {
      return wanted.equals(issuerAndSerialNumber(c));
    } catch {
      return false;
    }
  });
}

const parse = (der: Uint8Array): X509Certificate | undefined => {
  try {
    return new X509Certificate(der);
  } catch {
    return undefined;
  }
};

/** Whether `issuer` issued `child`: names and key identifiers match and its key verifies the signature. */
export function isIssuedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * `leaf` then its issuers found in `pool` (isIssuedBy), up to a
 * self-issued root or the first issuer the pool lacks; unreadable pool entries are passed over.
 */
export function chainOf(leaf: Uint8Array, pool: readonly Uint8Array[]): Uint8Array[] {
  const parsed = pool.flatMap((der) => {
    const x = parse(der);
    return x ? [{ der, x }] : [];
  });
  const chain = [leaf];
  let current = parse(leaf);
  while (current && current.issuer !== current.subject && chain.length <= parsed.length) {
    const child = current;
    const issuer = parsed.find((p) => !chain.some((c) => p.x.raw.equals(c)) && isIssuedBy(child, p.x));
    if (!issuer) break;
    chain.push(issuer.der);
    current = issuer.x;
  }
  return chain;
}

/** The signer's certificate and its issuers from the SignedData's own set and `pool`; [] when it is not there. */
export function signerChain(cms: Uint8Array, pool: readonly Uint8Array[] = []): Uint8Array[] {
  const signer = signerCertificate(cms);
  return signer ? chainOf(signer, [...signedDataCertificates(cms), ...pool]) : [];
}
