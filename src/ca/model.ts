/** The CA's shared shapes (CA-1): authorities, issuance requests, options. */
import type { AuditSink } from '../audit/event.js';
import type { KeyService, KeyType } from '../keys/index.js';
import type { Clock, Random } from '../platform/index.js';
import type { Store } from '../store/index.js';
import type { ProfileName } from './profiles.js';

export const DAY = 86_400_000;
export const ROOT_ID = 'local-root';
export const ISSUING_ID = 'issuing-1';

/** The policy OID of certificates issued with the default configuration (the example arc, X.660 2.999). */
export const DEFAULT_POLICY_OIDS: readonly string[] = ['2.999.1.1'];

export interface LocalCaOptions {
  readonly store: Store;
  /** CA actions are logged like signatures (SPEC roles: key/CA administrator). */
  readonly audit: AuditSink;
  readonly keys: KeyService;
  readonly clock: Clock;
  readonly random: Random;
  /** Base URL of this service: the AIA and CRL distribution point URLs are under it. */
  readonly publicUrl: string;
  readonly rootSubjectDn?: string;
  readonly issuingSubjectDn?: string;
  readonly rootKeyType?: Extract<KeyType, 'EC-P384' | 'RSA-3072'>;
  readonly rootValidityDays?: number;
  /** Certificate policy OIDs (CA-3). */
  readonly policies?: readonly string[];
}

export interface CaAuthority {
  readonly id: string;
  readonly keyId: string;
  /** DER. */
  readonly certificate: Buffer;
  readonly subjectDn: string;
  readonly role: 'root' | 'issuing';
  readonly parentId: string | null;
  /** 'offline': the key is not in the key store; it signs only in a ceremony (offline-root.ts). */
  readonly status: 'online' | 'offline';
}

/** The root, as callers before the hierarchy knew it. */
export type CaRoot = CaAuthority;

export type EndEntityProfile = Exclude<ProfileName, 'issuing-ca'>;

export interface IssueRequest {
  readonly keyId: string;
  readonly subjectDn: string;
  readonly profile: EndEntityProfile;
  readonly validityDays: number;
  /** TLS profile: the DNS names. */
  readonly dnsNames?: readonly string[];
}

export type KeylessRequest = Omit<IssueRequest, 'keyId'> & { readonly spki: Buffer };

export interface CsrIssueRequest {
  /** PEM or DER (base64 in a string). */
  readonly csr: string | Uint8Array;
  readonly profile: EndEntityProfile;
  readonly validityDays: number;
  /** Overrides the CSR's subject (the RA decides what is certified). */
  readonly subjectDn?: string;
  readonly dnsNames?: readonly string[];
}

export type StatusListener = (issuerId: string, serial: string) => Promise<void> | void;
