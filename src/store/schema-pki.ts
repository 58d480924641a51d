/**
 * Table types of the key store, the CA and the TSA (DB-2, CA-1..3, TSA-1): keys and their
 * certificates, CA authorities, the registry of issued certificates, CRLs, time-stamp tokens.
 * Conventions as in schema.ts (epoch-millisecond numbers, Buffers for binary, 0/1 flags).
 */
import type { Generated } from 'kysely';
export type KeyStatus = 'active' | 'retired' | 'destroyed';

export interface KeysTable {
  id: string;
  /** Key-store reference: `soft:<id>` or a PKCS#11 URI. */
  ref: string;
  /** Row of the algorithm table, e.g. 'RSA-2048', 'EC-P256'. */
  key_type: string;
  purpose: string;
  /** Wrapped PKCS#8 (software key store only). */
  wrapped: Buffer | null;
  kek_id: string | null;
  /** SubjectPublicKeyInfo, DER. */
  public_key: Buffer;
  status: KeyStatus;
  created_at: number;
  destroyed_at: number | null;
}

export interface KeyCertificatesTable {
  key_id: string;
  /** JSON array of base64 DER certificates, end-entity first. */
  chain: string;
  serial_number: string;
  subject_dn: string;
  issuer_dn: string;
  not_before: number;
  not_after: number;
  status: string;
  created_at: number;
  /** RFC 5280 §5.3.1 revocation (KEY-2); null while the certificate is not revoked. */
  revoked_at: number | null;
  revocation_reason: string | null;
}

/** Certificates a renewal replaced, kept for the record (KEY-2). */
export interface KeyCertificatesPreviousTable {
  key_id: string;
  serial_number: string;
  chain: string;
  not_before: number;
  not_after: number;
  status: string;
  replaced_at: number;
}

export interface CaAuthoritiesTable {
  id: string;
  key_id: string;
  certificate: Buffer;
  subject_dn: string;
  /** 'root' | 'issuing' | 'ocsp' (the delegated OCSP responder, CA-2). */
  role: string;
  created_at: number;
  /** The CA that certified this one; null for the root. */
  parent_id: Generated<string | null>;
  /** 'online', or 'offline' for a root whose key is used only in a ceremony (CA-1). */
  status: Generated<string>;
  /** Number of the latest CRL issued (RFC 5280 §5.2.3). */
  crl_number: Generated<number>;
}

/** Every certificate a CA of this service issued (CA-2): what CRLs and OCSP answer from. */
export interface CaCertificatesTable {
  issuer_id: string;
  /** Lower-case hex of the serial number's magnitude, no leading zeros. */
  serial: string;
  subject_dn: string;
  key_id: string | null;
  profile: string;
  not_before: number;
  not_after: number;
  status: 'good' | 'revoked' | 'hold';
  /** RFC 5280 §5.3.1 CRLReason code; 6 (certificateHold) while on hold. */
  revocation_reason: number | null;
  revoked_at: number | null;
  der: Buffer;
  created_at: number;
}

export interface CaCrlsTable {
  issuer_id: string;
  number: number;
  this_update: number;
  next_update: number;
  der: Buffer;
}

/** TSA-1 (tsa/): one row per time-stamp token issued; the serial (lower-case hex) is unique. */
export interface TsaTokensTable {
  serial: string;
  /** TSTInfo.genTime, epoch ms. */
  gen_time: number;
  policy: string;
  /** OID of MessageImprint.hashAlgorithm. */
  hash_algorithm: string;
  /** MessageImprint.hashedMessage. */
  imprint: Buffer;
  /** The TSA key that signed the token. */
  key_id: string;
  /** Who asked: a user id (CSC signatures/timestamp) or 'anonymous' (POST /tsa). */
  actor: string;
}
