/**
 * OCSP for B-LT (RFC 6960, RFC 5019 profile): a one-certificate request with a SHA-1 CertID (RFC
 * 5019 §2.1.1 — what every responder answers), and a check that the answer is successful, signed
 * by an authorised responder, for this certificate, and current — anything else is not embedded.
 */
import { BasicOCSPResponse, Certificate, OCSPRequest, OCSPResponse } from 'pkijs';

const OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
/** Clock skew tolerated on thisUpdate (RFC 5019 §4: responders may pre-produce responses). */
const SKEW_MS = 5 * 60_000;

export interface OcspQuery {
  readonly der: Uint8Array;
  readonly request: OCSPRequest;
}

export async function ocspQuery(cert: Uint8Array, issuer: Uint8Array): Promise<OcspQuery> {
  const request = new OCSPRequest();
  await request.createForCertificate(Certificate.fromBER(cert), {
    hashAlgorithm: 'SHA-1',
    issuerCertificate: Certificate.fromBER(issuer),
  });
  return { request, der: new Uint8Array(request.toSchema(true).toBER(false)) };
}

export type OcspVerdict = { ok: true; responderCerts: Uint8Array[] } | { ok: false; reason: string };

/** Whether `der` is a usable answer to `query` at `now` (ms). */
export async function checkOcspResponse(
  der: Uint8Array,
  query: OcspQuery,
  issuer: Uint8Array,
  now: number,
): Promise<OcspVerdict> {
  let basic: BasicOCSPResponse;
  try {
    const res = OCSPResponse.fromBER(der);
    if (res.responseStatus.valueBlock.valueDec !== 0) return { ok: false, reason: 'not successful' };
    if (res.responseBytes?.responseType !== OCSP_BASIC) return { ok: false, reason: 'not a basic response' };
    basic = BasicOCSPResponse.fromBER(res.responseBytes.response.valueBlock.valueHexView);
  } catch {
    return { ok: false, reason: 'not an OCSPResponse' };
  }
  const certId = query.request.tbsRequest.requestList[0]?.reqCert;
  const single = basic.tbsResponseData.responses.find((r) => certId && r.certID.isEqual(certId));
  if (!single) return { ok: false, reason: 'no answer for this certificate' };
  // CertStatus ::= CHOICE { good [0], revoked [1], unknown [2] }: unknown says nothing.
  if (single.certStatus.idBlock.tagNumber === 2) return { ok: false, reason: 'status unknown' };
  if (single.thisUpdate.getTime() > now + SKEW_MS) return { ok: false, reason: 'thisUpdate in the future' };
  if (single.nextUpdate && single.nextUpdate.getTime() < now) return { ok: false, reason: 'expired' };
  const issuerCert = Certificate.fromBER(issuer);
  if (!basic.certs || basic.certs.length === 0) basic.certs = [issuerCert];
  try {
    if (!(await basic.verify({ trustedCerts: [issuerCert] }))) return { ok: false, reason: 'bad signature' };
  } catch {
    return { ok: false, reason: 'responder not authorised' };
  }
  const responderCerts = basic.certs
    .map((c) => new Uint8Array(c.toSchema(true).toBER(false)))
    .filter((c) => Buffer.compare(c, issuer) !== 0);
  return { ok: true, responderCerts };
}
