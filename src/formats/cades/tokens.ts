/**
 * RFC 3161 time-stamp tokens as CAdES embeds them: checked against the imprint we asked for before
 * they are embedded (a TSA answering for other data must not yield a "B-T" signature), and read for
 * their certificates so that B-LT can add the TSA's validation data.
 */
import { X509Certificate } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { HASHES, type HashName } from '../../keys/index.js';
import {
  bytesOf,
  CMS_OID,
  children,
  contentOf,
  issuerAndSerialNumber,
  oidString,
  readSignedData,
  readTlv,
  TAG,
} from '../cms/index.js';

const invalid = (detail: string): ShomeiError => new ShomeiError('timestamp_invalid', { detail });

/** TSTInfo.messageImprint (RFC 3161 §2.4.2) must be `digest` under `hash`. */
export function checkToken(token: Uint8Array, digest: Uint8Array, hash: HashName): void {
  let imprintOid: string;
  let imprint: Uint8Array;
  try {
    const v = readSignedData(token);
    const [type, explicit] = children(token, v.encapContentInfo);
    if (!type || oidString(contentOf(token, type)) !== CMS_OID.tstInfo || explicit?.tag !== TAG.ctx0) {
      throw new Error('not a TSTInfo');
    }
    const octets = readTlv(token, explicit.body, explicit.end);
    const tstInfo = readTlv(token, octets.body, octets.end);
    const messageImprint = children(token, tstInfo)[2];
    const [alg, value] = messageImprint ? children(token, messageImprint) : [];
    const algOid = alg ? children(token, alg)[0] : undefined;
    if (!algOid || value?.tag !== TAG.octetString) throw new Error('no messageImprint');
    imprintOid = oidString(contentOf(token, algOid));
    imprint = contentOf(token, value);
  } catch (e) {
    throw e instanceof ShomeiError && e.code === 'timestamp_invalid' ? e : invalid('not a time-stamp token');
  }
  if (imprintOid !== HASHES[hash].oid || Buffer.compare(imprint, digest) !== 0) {
    throw invalid('the message imprint does not match the request');
  }
}

/** The certificates of a SignedData (a token, a signature), as they are stored. */
export function signedDataCertificates(cms: Uint8Array): Uint8Array[] {
  const v = readSignedData(cms);
  return v.certificates ? children(cms, v.certificates).map((c) => Uint8Array.from(bytesOf(cms, c))) : [];
}

/** The certificate the (first) SignerInfo's issuerAndSerialNumber names, if the SignedData carries it. */
export function signerCertificate(cms: Uint8Array): Uint8Array | undefined {
  const v = readSignedData(cms);
  const sid = v.signerFields[1];
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

/** Orders `leaf` and its issuers found in `pool` (node:crypto checkIssued), up to a self-signed root. */
export function chainOf(leaf: Uint8Array, pool: readonly Uint8Array[]): Uint8Array[] {
  const parsed = pool.map((der) => ({ der, x: new X509Certificate(der) }));
  const chain = [leaf];
  let current = new X509Certificate(leaf);
  for (let i = 0; i < 8 && current.issuer !== current.subject; i++) {
    const child = current;
    const issuer = parsed.find((p) => child.checkIssued(p.x) && child.verify(p.x.publicKey));
    if (!issuer) break;
    chain.push(issuer.der);
    current = issuer.x;
  }
  return chain;
}
