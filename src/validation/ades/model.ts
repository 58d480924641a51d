/**
 * What each format's reader hands the common validation steps (EN 319 102-1 §5.2 building blocks,
 * simplified): the integrity verdict, the signer and the certificates found, the claimed signing
 * time, each time-stamp with the bytes (or digest) it must cover, and the embedded validation data.
 */
import type { AdesLevel } from '../../formats/index.js';
import type { Integrity } from './cms-integrity.js';
import type { PdfCoverage, SignatureFormatName } from './report.js';

export interface TimestampInput {
  readonly kind: 'signature' | 'archive' | 'document';
  readonly token: Uint8Array;
  /** The octets the imprint is the hash of, or the imprint itself (CAdES archive time-stamps). */
  readonly covers: { readonly data: Uint8Array } | { readonly digest: Uint8Array };
}

export interface EmbeddedData {
  readonly certificates: readonly Uint8Array[];
  readonly ocsps: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
}

export interface ExtractedSignature {
  readonly id: string;
  readonly format: SignatureFormatName;
  readonly integrity: Integrity;
  readonly signer?: Uint8Array;
  /** Every certificate the signature carries (its chain, values, time-stamp certificates). */
  readonly certificates: readonly Uint8Array[];
  readonly claimedSigningTime?: Date;
  readonly level: AdesLevel;
  readonly timestamps: readonly TimestampInput[];
  readonly embedded: EmbeddedData;
  readonly coverage?: PdfCoverage;
}

export const NO_DATA: EmbeddedData = { certificates: [], ocsps: [], crls: [] };

/** The level the unsigned parts reach (EN 319 122-1 / 132-1 / 142-1 / TS 119 182-1 §6). */
export function levelOf(hasSignatureTs: boolean, hasValues: boolean, hasArchiveTs: boolean): AdesLevel {
  if (!hasSignatureTs) return 'B-B';
  if (hasArchiveTs && hasValues) return 'B-LTA';
  return hasValues ? 'B-LT' : 'B-T';
}
