/**
 * What every signature format (FMT-1) is built on: a signature is made in two steps so that the
 * same code serves server-side `signatures/signDoc` and client-side signing through `signHash`
 * (the CLI computes the digest locally, authorises it, signs it remotely, then embeds):
 *
 *   const p = await prepareX(document, signer, options, services);   // p.digest: what to sign
 *   const signatureValue = await <signHash of p.digest>;              // any way the caller likes
 *   const signed = await p.finish(signatureValue);                    // the signed output
 *
 * Given the same input, signer, `signingTime` and services, both ways give the same bytes.
 */
import type { HashName } from '../keys/index.js';

/** ETSI baseline levels (EN 319 122/132/142, TS 119 182). */
export type AdesLevel = 'B-B' | 'B-T' | 'B-LT' | 'B-LTA';
export const ADES_LEVELS: readonly AdesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];

/** The signer as the format sees it: certificates and algorithm, never the key. */
export interface SignerIdentity {
  /** DER certificates: the signer's first, then its issuers (the root may be omitted). */
  readonly chain: readonly Uint8Array[];
  /** Digest algorithm for the document and the signed attributes / SignedInfo / JWS input. */
  readonly hash: HashName;
  /** CSC signAlgo OID (keys/signature.ts SIGN_ALGORITHMS), e.g. ecdsa-with-SHA256, sha256WithRSA, RSASSA-PSS. */
  readonly signAlgo: string;
  /** DER RSASSA-PSS-params when signAlgo is RSASSA-PSS. */
  readonly signAlgoParams?: Uint8Array;
  /** The claimed signing time (signing-time / SigningTime / sigT); fixed so outputs are reproducible. */
  readonly signingTime: Date;
}

/**
 * A signature waiting for its value. `digest` is the hash (SignerIdentity.hash) of the exact bytes
 * the signature covers; signatureValue is what signHash returns for it (ECDSA: DER Ecdsa-Sig-Value,
 * as CSC and our key store return it; formats that need r||s convert).
 */
export interface PreparedSignature {
  readonly digest: Uint8Array;
  finish(signatureValue: Uint8Array): Promise<Uint8Array>;
}

/** RFC 3161: a time-stamp token (CMS ContentInfo DER) over `digest` of algorithm `hash`. */
export interface TimestampSource {
  timestamp(digest: Uint8Array, hash: HashName): Promise<Uint8Array>;
}

/** Validation data for B-LT: every certificate of the chain (and of the OCSP responders / CRL issuers), their status. */
export interface ValidationData {
  readonly certificates: readonly Uint8Array[];
  /** Full OCSPResponse DER (successful). */
  readonly ocspResponses: readonly Uint8Array[];
  /** CertificateList DER. */
  readonly crls: readonly Uint8Array[];
}

/** Collects revocation data for a chain (signer first), e.g. from AIA/CDP URLs or the built-in CA. */
export interface RevocationSource {
  collect(chain: readonly Uint8Array[]): Promise<ValidationData>;
}

/** What a format needs beyond the signer: a TSA from B-T, revocation data from B-LT. */
export interface FormatServices {
  readonly timestamps?: TimestampSource;
  readonly revocation?: RevocationSource;
}
