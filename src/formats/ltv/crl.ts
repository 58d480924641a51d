/** CRLs for B-LT (RFC 5280 §5): issued by the certificate's issuer, signed by it, and current. */
import { Certificate, CertificateRevocationList } from 'pkijs';

export type CrlVerdict = { ok: true } | { ok: false; reason: string };

export async function checkCrl(der: Uint8Array, issuer: Uint8Array, now: number): Promise<CrlVerdict> {
  let crl: CertificateRevocationList;
  try {
    crl = CertificateRevocationList.fromBER(der);
  } catch {
    return { ok: false, reason: 'not a CRL' };
  }
  const issuerCert = Certificate.fromBER(issuer);
  if (!crl.issuer.isEqual(issuerCert.subject)) return { ok: false, reason: 'another issuer' };
  if (crl.nextUpdate && crl.nextUpdate.value.getTime() < now) return { ok: false, reason: 'expired' };
  try {
    if (!(await crl.verify({ issuerCertificate: issuerCert }))) return { ok: false, reason: 'bad signature' };
  } catch {
    return { ok: false, reason: 'bad signature' };
  }
  return { ok: true };
}
