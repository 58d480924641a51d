/**
 * What XAdES needs from an RFC 3161 time-stamp token: its message imprint (to check what it
 * covers) and its TSA's certificate path (for B-LT validation data). Read with the CMS core's
 * DER reader, so certificates keep their exact bytes.
 */
import { X509Certificate } from 'node:crypto';
import { ShomeiError } from '../../errors.js';
import { type HashAlgorithm, hashByOid } from '../../keys/index.js';
import {
  bytesOf,
  certificateName,
  children,
  contentOf,
  oidString,
  readSignedData,
  readTlv,
  TAG,
} from '../cms/index.js';

export interface TokenView {
  readonly hash: HashAlgorithm;
  readonly imprint: Buffer;
  /** The TSA's certificate first, then its issuers as far as the token carries them. */
  readonly chain: Buffer[];
}

const bad = (detail: string): ShomeiError =>
  new ShomeiError('xades_signature_invalid', { detail: `time-stamp token: ${detail}` });

/** RFC 3161 §2.4.2: TSTInfo ::= SEQUENCE { version, policy, messageImprint, … }. */
function messageImprint(tstInfo: Uint8Array): { hash: HashAlgorithm; imprint: Buffer } {
  const fields = children(tstInfo, readTlv(tstInfo, 0));
  const mi = fields[2];
  if (mi?.tag !== TAG.sequence) throw bad('no messageImprint');
  const [algo, value] = children(tstInfo, mi);
  const oid = algo && children(tstInfo, algo)[0];
  if (!oid || value?.tag !== TAG.octetString) throw bad('bad messageImprint');
  return { hash: hashByOid(oidString(contentOf(tstInfo, oid))), imprint: Buffer.from(contentOf(tstInfo, value)) };
}

function orderChain(leaf: X509Certificate, pool: X509Certificate[]): Buffer[] {
  const chain = [leaf];
  for (let c = leaf; chain.length <= pool.length; ) {
    const parent = pool.find((p) => !chain.includes(p) && c.checkIssued(p) && c.verify(p.publicKey));
    if (!parent) break;
    chain.push(parent);
    c = parent;
  }
  return chain.map((c) => c.raw);
}

export function readToken(token: Uint8Array): TokenView {
  try {
    const sd = readSignedData(token);
    const [, explicit] = children(token, sd.encapContentInfo);
    if (explicit?.tag !== TAG.ctx0) throw bad('no TSTInfo');
    const octets = readTlv(token, explicit.body, explicit.end);
    const { hash, imprint } = messageImprint(contentOf(token, octets));
    const certs = sd.certificates ? children(token, sd.certificates).map((t) => bytesOf(token, t)) : [];
    const sid = sd.signerFields[1];
    const leafDer = certs.find((c) => {
      if (sid?.tag !== TAG.sequence) return false;
      const n = certificateName(c);
      return Buffer.concat([n.issuer, n.serial]).equals(Buffer.from(contentOf(token, sid)));
    });
    const pool = certs.map((c) => new X509Certificate(c));
    const leaf = leafDer
      ? pool.find((p) => p.raw.equals(leafDer))
      : pool.find((c) => c.keyUsage?.includes('1.3.6.1.5.5.7.3.8'));
    return { hash, imprint, chain: leaf ? orderChain(leaf, pool) : [] };
  } catch (e) {
    if (e instanceof ShomeiError) throw e;
    throw bad('unreadable');
  }
}
