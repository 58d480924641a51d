/**
 * The validation report (ETSI TS 119 102-2 in spirit, simplified): one entry per signature with
 * its indication and sub-indication (EN 319 102-1 §5.1.3), the signer, the times, the time-stamps,
 * the chain and revocation evidence used, the level reached and what the signature covers. Every
 * field is plain JSON (times as ISO 8601, binary as hex) so the same object is the HTTP answer, the
 * CLI's --json output and the input of the HTML rendering.
 */
import type { AdesLevel } from '../../formats/index.js';

/** EN 319 102-1 §5.1.2 main status indications. */
export type Indication = 'TOTAL-PASSED' | 'INDETERMINATE' | 'TOTAL-FAILED';

/** EN 319 102-1 Table 5 / Table 6 sub-indications used here. */
export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'REVOKED_NO_POE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'CHAIN_CONSTRAINTS_FAILURE'
  | 'TRY_LATER'
  | 'SIGNED_DATA_NOT_FOUND'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'TIMESTAMP_ORDER_FAILURE'
  | 'CERTIFICATE_CHAIN_GENERAL_FAILURE';

export type DocumentKind = 'PDF' | 'CMS' | 'XML' | 'JWS';
export type SignatureFormatName = 'PAdES' | 'CAdES' | 'XAdES' | 'JAdES';

export interface CertificateSummary {
  readonly subject: string;
  readonly issuer: string;
  /** Hex, as openssl prints it. */
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface RevocationEvidence {
  readonly certificate: string;
  /** Where the status came from: embedded in the signature / document, or fetched now. */
  readonly source: 'embedded' | 'fetched' | 'none';
  readonly status: string;
  readonly revokedAt?: string;
}

export interface PathReport {
  readonly indication: 'PASSED' | 'FAILED' | 'INDETERMINATE';
  readonly subIndication?: string;
  readonly reason?: string;
  /** The time the path was validated at. */
  readonly at: string;
  readonly chain: readonly CertificateSummary[];
  readonly revocation: readonly RevocationEvidence[];
}

export interface TimestampReport {
  readonly kind: 'signature' | 'archive' | 'document';
  readonly genTime?: string;
  readonly tsa?: CertificateSummary;
  /** Imprint and token signature (RFC 3161 §2.4.2). */
  readonly imprintValid: boolean;
  /** The TSA's path at genTime, EKU timeStamping required. */
  readonly path?: PathReport;
  readonly indication: 'PASSED' | 'FAILED' | 'INDETERMINATE';
  readonly reason?: string;
}

/** PDF only: which bytes the signature's /ByteRange covers and what came after (ISO 32000-1 §12.8.1). */
export interface PdfCoverage {
  readonly byteRange: readonly number[];
  /** The ByteRange is the whole revision except /Contents, starting at offset 0. */
  readonly wellFormed: boolean;
  /** The revision the signature ends. */
  readonly coveredUpTo: number;
  readonly fileLength: number;
  readonly coversWholeFile: boolean;
  /** What each later revision did: 'signature', 'document-timestamp', 'dss' or 'other'. */
  readonly laterRevisions: readonly { readonly end: number; readonly kind: string; readonly detail?: string }[];
  /** True when a later revision is not an allowed incremental update (EN 319 142-1 §5.4, 5.5). */
  readonly modifiedAfterSigning: boolean;
}

export interface SignatureReport {
  readonly id: string;
  readonly format: SignatureFormatName;
  readonly indication: Indication;
  readonly subIndication?: SubIndication;
  /** Why, in words. */
  readonly reasons: readonly string[];
  readonly signer?: CertificateSummary;
  readonly claimedSigningTime?: string;
  /** The time the signer's certificate was checked at (EN 319 102-1 §5.6.2.4 best-signature-time, simplified). */
  readonly validationTime: string;
  readonly level: AdesLevel;
  readonly integrity: { readonly valid: boolean; readonly detail?: string };
  readonly timestamps: readonly TimestampReport[];
  readonly certificatePath?: PathReport;
  readonly coverage?: PdfCoverage;
}

export interface ValidationReport {
  readonly documentFormat: DocumentKind;
  /** When the validation ran. */
  readonly validatedAt: string;
  readonly signatures: readonly SignatureReport[];
  /** TOTAL-PASSED only when there is at least one signature and every one is TOTAL-PASSED. */
  readonly allPassed: boolean;
  readonly simplifications: readonly string[];
}
