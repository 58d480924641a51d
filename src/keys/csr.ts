/** PKCS#10 certification requests (RFC 2986) for KEY-3: the key is generated first, then certified. */
import { CertificationRequest, PublicKeyInfo } from 'pkijs';
import { parseDn } from './dn.js';
import { type DigestSigner, signPkiObject } from './x509.js';

export async function buildCsr(
  keys: DigestSigner,
  keyId: string,
  spki: Uint8Array,
  subjectDn: string,
): Promise<Buffer> {
  const csr = new CertificationRequest();
  csr.version = 0; // RFC 2986 §4.1: v1
  csr.subject = parseDn(subjectDn);
  csr.subjectPublicKeyInfo = PublicKeyInfo.fromBER(spki);
  csr.attributes = []; // RFC 2986 §4.1: the [0] attributes set is present, possibly empty
  return signPkiObject(keys, keyId, csr);
}
