/** The public types of path validation (the surface the AdES validator builds on). */

export interface PathInput {
  /** DER end-entity (or any) certificate. */
  readonly target: Uint8Array;
  /** Untrusted candidates, any order, may contain junk or duplicates. */
  readonly intermediates: readonly Uint8Array[];
  /** Trust anchors (DER certificates). */
  readonly anchors: readonly Uint8Array[];
  /** Validation time. */
  readonly at: Date;
  /** Absent: revocation is not checked (and reported as such). */
  readonly revocation?: RevocationInput;
  readonly policy?: PolicyInput;
  /** e.g. id-kp-timeStamping for TSA certificates; absent: not checked. */
  readonly requiredEku?: string;
  /** 'server' adds the CA/B Forum Web PKI rules exercised by x509-limbo. */
  readonly kind?: 'generic' | 'server';
  /** SAN dNSName / iPAddress the leaf must be valid for ('server'). */
  readonly serverName?: string;
  /** Longest path (intermediates, excluding target and anchor) the builder may return. */
  readonly maxIntermediates?: number;
  /** keyUsage bits the leaf must allow, by name (e.g. 'digitalSignature'). */
  readonly requiredKeyUsage?: readonly string[];
}

export interface PolicyInput {
  readonly initialPolicySet?: string[];
  readonly explicitPolicy?: boolean;
  readonly policyMappingInhibit?: boolean;
  readonly anyPolicyInhibit?: boolean;
}

export interface RevocationInput {
  /** CertificateList DER (complete, delta, indirect). */
  readonly crls: readonly Uint8Array[];
  /** OCSPResponse DER. */
  readonly ocsp: readonly Uint8Array[];
  /** require: no status → INDETERMINATE; prefer: note only. */
  readonly mode: 'require' | 'prefer';
  readonly fetch?: (
    urls: { crl: string[]; ocsp: string[] },
    cert: Uint8Array,
    issuer: Uint8Array,
  ) => Promise<{ crls: Uint8Array[]; ocsp: Uint8Array[] }>;
}

export type PathIndication = 'PASSED' | 'FAILED' | 'INDETERMINATE';

export interface RevocationStatus {
  /** Index into `chain`. */
  readonly cert: number;
  readonly source: 'crl' | 'ocsp' | 'none';
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly reason?: string;
  readonly revokedAt?: Date;
  readonly thisUpdate?: Date;
  readonly producedAt?: Date;
}

export interface PathResult {
  readonly indication: PathIndication;
  /** ETSI EN 319 102-1 sub-indication names (REVOKED, EXPIRED, CHAIN_CONSTRAINTS_FAILURE, …). */
  readonly subIndication?: string;
  /** Human-readable: which certificate, which check. */
  readonly reason?: string;
  /** Target first, anchor last (the chosen path). */
  readonly chain: readonly Uint8Array[];
  readonly revocation: readonly RevocationStatus[];
  readonly userConstrainedPolicySet?: readonly string[];
}

export const SUB = {
  REVOKED: 'REVOKED',
  EXPIRED: 'EXPIRED',
  NOT_YET_VALID: 'NOT_YET_VALID',
  CHAIN_CONSTRAINTS_FAILURE: 'CHAIN_CONSTRAINTS_FAILURE',
  NO_CERTIFICATE_CHAIN_FOUND: 'NO_CERTIFICATE_CHAIN_FOUND',
  TRY_LATER: 'TRY_LATER',
  GENERAL: 'CERTIFICATE_CHAIN_GENERAL_FAILURE',
  SIG_CRYPTO_FAILURE: 'SIG_CRYPTO_FAILURE',
  REVOCATION_OUT_OF_BOUNDS_NO_POE: 'REVOCATION_OUT_OF_BOUNDS_NO_POE',
  FORMAT_FAILURE: 'FORMAT_FAILURE',
  CRYPTO_CONSTRAINTS_FAILURE: 'CRYPTO_CONSTRAINTS_FAILURE',
} as const;

/** A failed check: indication, sub-indication and a precise reason. */
export interface Finding {
  readonly indication: 'FAILED' | 'INDETERMINATE';
  readonly sub: string;
  readonly reason: string;
}
