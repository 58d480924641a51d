/** Certificates and path results as the report shows them (plain JSON: names as text, times as ISO 8601). */
import { X509Certificate } from 'node:crypto';
import type { PathResult } from './path.js';
import type { CertificateSummary, PathReport, RevocationEvidence } from './report.js';

const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');

export function summarize(der: Uint8Array): CertificateSummary {
  try {
    const x = new X509Certificate(der);
    return {
      subject: oneLine(x.subject),
      issuer: oneLine(x.issuer),
      serial: x.serialNumber,
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
    };
  } catch {
    return { subject: '(unreadable certificate)', issuer: '', serial: '', notBefore: '', notAfter: '' };
  }
}

/** Whether the certificate's validity period has ended at `at`. */
export function expiredAt(der: Uint8Array, at: Date): boolean {
  try {
    return Date.parse(new X509Certificate(der).validTo) < at.getTime();
  } catch {
    return true;
  }
}

/**
 * The path result for the report. Revocation evidence is 'embedded' when the response or CRL used
 * was one the signature or document carried, 'fetched' otherwise (`embedded` tells which).
 */
export function reportPath(p: PathResult, at: Date, embeddedStatus: boolean): PathReport {
  const revocation = p.revocation.map(
    (r): RevocationEvidence => ({
      certificate: p.chain[r.cert] ? summarize(p.chain[r.cert] as Uint8Array).subject : `#${r.cert}`,
      source: r.source === 'none' ? 'none' : embeddedStatus ? 'embedded' : 'fetched',
      status: r.source === 'none' ? 'unknown' : `${r.status} (${r.source.toUpperCase()})`,
      ...(r.revokedAt ? { revokedAt: r.revokedAt.toISOString() } : {}),
    }),
  );
  return {
    indication: p.indication,
    ...(p.subIndication ? { subIndication: p.subIndication } : {}),
    ...(p.reason ? { reason: p.reason } : {}),
    at: at.toISOString(),
    chain: p.chain.map(summarize),
    revocation,
  };
}
