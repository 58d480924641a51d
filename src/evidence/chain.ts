/**
 * Offline checks of the bundle's certificates and revocation data (LOG-4): each certificate signed
 * by the next and valid at the signing time, the top one a given anchor or issued by one, and
 * every OCSP answer and CRL signed by the certificate's issuer, current at the checkpoint time, and
 * not saying the certificate was revoked before it signed. Basic chaining with node:crypto; full
 * RFC 5280 path validation (policies, name constraints) belongs to src/validation/path.
 */
import type { X509Certificate } from 'node:crypto';
import { BasicOCSPResponse, CertificateRevocationList, OCSPResponse } from 'pkijs';
import { checkCrl, checkOcspResponse, ocspQuery } from '../formats/ltv/index.js';

export type Report = (where: string, message: string) => void;

export function checkChain(
  certs: readonly X509Certificate[],
  anchors: readonly X509Certificate[] | undefined,
  at: number,
  report: Report,
): void {
  certs.forEach((c, i) => {
    const where = `certificates[${i}]`;
    if (!(Date.parse(c.validFrom) <= at && at <= Date.parse(c.validTo)))
      report(where, 'is not valid at the signing time');
    const issuer = certs[i + 1];
    if (!issuer) return;
    if (!issuer.ca) report(`certificates[${i + 1}]`, 'is not a CA certificate');
    if (!(c.checkIssued(issuer) && c.verify(issuer.publicKey)))
      report(where, `is not signed by certificates[${i + 1}]`);
  });
  const top = certs.at(-1) as X509Certificate;
  const where = `certificates[${certs.length - 1}]`;
  if (!anchors) {
    if (!(top.checkIssued(top) && top.verify(top.publicKey))) report(where, 'is not a self-signed root');
    return;
  }
  const anchored = anchors.some((a) => a.raw.equals(top.raw) || (top.checkIssued(a) && top.verify(a.publicKey)));
  if (!anchored) report(where, 'does not lead to the given trust anchor');
}

export interface RevocationItem {
  readonly cert: number;
  readonly der: Buffer;
}

export interface RevocationStatus {
  readonly where: string;
  readonly cert: number;
  readonly status: 'good' | 'revoked';
  readonly revokedAt?: number;
}

/** Checks one OCSP answer or CRL for certs[item.cert]; `now` is the checkpoint time, `signedAt` the signature's. */
export async function checkRevocation(
  kind: 'ocsp' | 'crls',
  item: RevocationItem,
  where: string,
  certs: readonly X509Certificate[],
  times: { readonly now: number; readonly signedAt: number },
  report: Report,
): Promise<RevocationStatus | undefined> {
  const subject = certs[item.cert];
  const issuer = certs[item.cert + 1];
  if (!subject || !issuer) {
    report(`${where}.cert`, 'names no certificate with an issuer in the chain');
    return undefined;
  }
  const verdict =
    kind === 'ocsp'
      ? await checkOcspResponse(item.der, await ocspQuery(subject.raw, issuer.raw), issuer.raw, times.now)
      : await checkCrl(item.der, issuer.raw, times.now);
  if (!verdict.ok) {
    report(where, `${kind === 'ocsp' ? 'OCSP response' : 'CRL'} refused: ${verdict.reason}`);
    return undefined;
  }
  const revokedAt = kind === 'ocsp' ? await ocspRevokedAt(item.der, subject, issuer) : crlRevokedAt(item.der, subject);
  // Revocation times have whole seconds (RFC 5280 §4.1.2.5): the signing second itself counts as revoked.
  if (revokedAt !== undefined && revokedAt <= times.signedAt)
    report(where, 'says the certificate was revoked before it signed');
  return {
    where,
    cert: item.cert,
    status: revokedAt === undefined ? 'good' : 'revoked',
    ...(revokedAt !== undefined ? { revokedAt } : {}),
  };
}

/** RFC 6960 §4.2.1 CertStatus: revoked [1] RevokedInfo { revocationTime GeneralizedTime, … }. */
async function ocspRevokedAt(
  der: Buffer,
  subject: X509Certificate,
  issuer: X509Certificate,
): Promise<number | undefined> {
  const res = OCSPResponse.fromBER(der);
  const basic = BasicOCSPResponse.fromBER(
    (res.responseBytes?.response.valueBlock.valueHexView as Uint8Array) ?? new Uint8Array(),
  );
  const certId = (await ocspQuery(subject.raw, issuer.raw)).request.tbsRequest.requestList[0]?.reqCert;
  const single = basic.tbsResponseData.responses.find((r) => certId && r.certID.isEqual(certId));
  if (single?.certStatus.idBlock.tagNumber !== 1) return undefined;
  const time = (single.certStatus.valueBlock as { value?: Array<{ toDate?: () => Date }> }).value?.[0];
  return time?.toDate?.().getTime() ?? Number.NEGATIVE_INFINITY;
}

function crlRevokedAt(der: Buffer, subject: X509Certificate): number | undefined {
  const serial = Buffer.from(subject.serialNumber, 'hex');
  const crl = CertificateRevocationList.fromBER(der);
  const entry = crl.revokedCertificates?.find(
    (r) =>
      Buffer.from(r.userCertificate.valueBlock.valueHexView).equals(serial.length ? serial : Buffer.alloc(1)) ||
      Buffer.from(r.userCertificate.valueBlock.valueHexView).equals(Buffer.concat([Buffer.alloc(1), serial])),
  );
  return entry ? entry.revocationDate.value.getTime() : undefined;
}
