/**
 * OCSPResponse encoding (RFC 6960 §4.2.1): the unsuccessful statuses, and the BasicOCSPResponse
 * of one or more SingleResponses, signed elsewhere (signer.ts) over the DER of ResponseData.
 */
import type { IssuedCertificate } from '../registry.js';
import { ctx, generalizedTime, oid, TAG, tlv } from './der.js';

/** OCSPResponseStatus (RFC 6960 §4.2.1); 4 is not used. */
export const OCSP_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;
export type OcspFailure = Exclude<keyof typeof OCSP_STATUS, 'successful'>;

/** CRLReason certificateHold (RFC 5280 §5.3.1): a hold is answered as revoked with this reason. */
export const CERTIFICATE_HOLD = 6;

export type CertStatus =
  | { readonly kind: 'good' }
  | { readonly kind: 'revoked'; readonly time: number; readonly reason: number | null }
  | { readonly kind: 'unknown' };

/**
 * The registry's record as a CertStatus (RFC 6960 §2.2): never issued is unknown, and a hold is
 * revoked with reason certificateHold until it is released.
 */
export function certStatusOf(
  row: Pick<IssuedCertificate, 'status' | 'revocation_reason' | 'revoked_at'> | undefined,
): CertStatus {
  if (!row) return { kind: 'unknown' };
  if (row.status === 'good') return { kind: 'good' };
  if (row.revoked_at === null) throw new Error(`registry: ${row.status} without a revocation time`);
  const reason = row.status === 'hold' ? CERTIFICATE_HOLD : row.revocation_reason;
  return { kind: 'revoked', time: Number(row.revoked_at), reason };
}

export interface SingleAnswer {
  /** DER CertID, as asked. */
  readonly certId: Buffer;
  readonly status: CertStatus;
}

export interface Validity {
  /** ms; also producedAt. */
  readonly thisUpdate: number;
  readonly nextUpdate: number;
}

const ID_PKIX_OCSP_BASIC = oid('1.3.6.1.5.5.7.48.1.1');

/** OCSPResponse with no responseBytes: the status alone. */
export const failureResponse = (status: OcspFailure): Buffer =>
  tlv(TAG.sequence, tlv(TAG.enumerated, Buffer.of(OCSP_STATUS[status])));

/**
 * CertStatus ::= CHOICE { good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo, unknown [2]
 * IMPLICIT NULL }; RevokedInfo ::= SEQUENCE { revocationTime, revocationReason [0] EXPLICIT CRLReason
 * OPTIONAL } — the reason is left out when unspecified (as RFC 5280 §5.3.1 asks of CRL entries).
 */
export function certStatusDer(s: CertStatus): Buffer {
  if (s.kind === 'good') return Buffer.of(ctx(0, false), 0);
  if (s.kind === 'unknown') return Buffer.of(ctx(2, false), 0);
  const reason = s.reason ? [tlv(ctx(0), tlv(TAG.enumerated, Buffer.of(s.reason)))] : [];
  return tlv(ctx(1), generalizedTime(s.time), ...reason);
}

/**
 * ResponseData ::= SEQUENCE { version [0] DEFAULT v1 (absent), responderID byKey [2] KeyHash,
 * producedAt, responses SEQUENCE OF SingleResponse } — no response extensions (no nonce).
 * SingleResponse ::= SEQUENCE { certID, certStatus, thisUpdate, nextUpdate [0] EXPLICIT }.
 */
export function responseData(responderKeyHash: Buffer, v: Validity, answers: readonly SingleAnswer[]): Buffer {
  const thisUpdate = generalizedTime(v.thisUpdate);
  const nextUpdate = tlv(ctx(0), generalizedTime(v.nextUpdate));
  const singles = answers.map((a) => tlv(TAG.sequence, a.certId, certStatusDer(a.status), thisUpdate, nextUpdate));
  return tlv(
    TAG.sequence,
    tlv(ctx(2), tlv(TAG.octetString, responderKeyHash)),
    thisUpdate,
    tlv(TAG.sequence, ...singles),
  );
}

/**
 * OCSPResponse ::= SEQUENCE { successful, responseBytes [0] EXPLICIT SEQUENCE { id-pkix-ocsp-basic,
 * OCTET STRING BasicOCSPResponse } }; BasicOCSPResponse ::= SEQUENCE { tbsResponseData,
 * signatureAlgorithm, signature BIT STRING, certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }.
 */
export function successResponse(
  tbsResponseData: Buffer,
  signatureAlgorithm: Buffer,
  signature: Buffer,
  certs: readonly Buffer[],
): Buffer {
  const basic = tlv(
    TAG.sequence,
    tbsResponseData,
    signatureAlgorithm,
    tlv(TAG.bitString, Buffer.of(0), signature),
    ...(certs.length > 0 ? [tlv(ctx(0), tlv(TAG.sequence, ...certs))] : []),
  );
  return tlv(
    TAG.sequence,
    tlv(TAG.enumerated, Buffer.of(OCSP_STATUS.successful)),
    tlv(ctx(0), tlv(TAG.sequence, ID_PKIX_OCSP_BASIC, tlv(TAG.octetString, basic))),
  );
}
