/** Shared state of one validation run, passed to revocation checks that recurse into signer paths. */
import type { Certificate } from './certificate.js';
import type { Crl } from './crl.js';
import type { OcspResponse } from './ocsp.js';

export interface Context {
  readonly pool: readonly Certificate[];
  readonly anchors: readonly Certificate[];
  readonly at: Date;
  readonly crls: readonly Crl[];
  readonly ocsp: readonly OcspResponse[];
  /** Recursion depth of CRL-signer / OCSP-responder path validation. */
  readonly depth: number;
  /** Certificates whose validation is under way, to cut CRL-signer cycles (PKITS 4.5.6). */
  readonly inProgress: ReadonlySet<string>;
  /** Validates `cert` as a CRL or OCSP signer from the same anchors (with revocation). */
  readonly validateSigner: (cert: Certificate, ctx: Context) => boolean;
}

export interface CertStatus {
  readonly source: 'crl' | 'ocsp' | 'none';
  readonly status: 'good' | 'revoked' | 'unknown';
  readonly reason?: string;
  readonly revokedAt?: Date;
  readonly thisUpdate?: Date;
  readonly producedAt?: Date;
}
