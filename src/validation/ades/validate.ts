/**
 * validateSignatures: a signed document in, a report out (ETSI TS 119 102-2 in spirit), as a
 * pipeline: detect the format → read each signature with its format's own code → evaluate each
 * (time-stamps, path at the best signature time, indication) → report.
 */
import { ShomeiError } from '../../errors.js';
import { type Clock, systemClock } from '../../platform/index.js';
import { readCmsSignature } from './cms-signature.js';
import { detectDocument } from './detect.js';
import { evaluate } from './evaluate.js';
import type { RevocationFetch } from './fetch.js';
import type { ExtractedSignature } from './model.js';
import { readPdfSignatures } from './pades.js';
import type { DocumentKind, ValidationReport } from './report.js';
import { readJades, readXades } from './xml-jws.js';

export interface ValidateOptions {
  /** The content of a detached signature (CAdES detached, XAdES detached reference, JAdES sigD). */
  readonly detachedContent?: Uint8Array;
  /** Trust anchors (DER certificates); nothing else is trusted. */
  readonly anchors: readonly Uint8Array[];
  /** The current time of the validation (default: the clock's now). */
  readonly at?: Date;
  readonly clock?: Clock;
  /** For signatures without embedded status: 'require' makes a missing status INDETERMINATE. */
  readonly revocationMode: 'require' | 'prefer';
  /** Fetches revocation status now for signatures that carry none. */
  readonly fetch?: RevocationFetch;
}

/** What this validator leaves out of EN 319 102-1, said in every report. */
export const SIMPLIFICATIONS: readonly string[] = [
  'No signature validation policy: the algorithm table of this service stands in for cryptographic constraints.',
  'Best-signature-time is the earliest time-stamp that passes; POE is not tracked per object (no past-validation of each time-stamp chain).',
  'A time-stamp that fails or is indeterminate is reported and ignored; it does not fail the signature.',
  'With a proof of existence the embedded revocation data is judged at that time, in "prefer" mode.',
  'An expired signer certificate without embedded revocation data is INDETERMINATE OUT_OF_BOUNDS_NO_POE, time-stamp or not.',
  'PDF: later revisions are judged by which existing objects they redefine; no DocMDP/FieldMDP permissions are evaluated; a modification does not change the indication of the signature but fails the document.',
  'Signature policies, signer attributes, commitment types and content-hints are not evaluated.',
  'Revocation evidence is labelled "embedded" whenever the signature carries any status data, "fetched" otherwise.',
  'CMS: the first SignerInfo only; XML: one XAdES signature per document; PDF: document time-stamps are reported only as time-stamps of the signatures before them, and a signature widget may change its /AP.',
];

async function readSignatures(kind: DocumentKind, bytes: Uint8Array, detached?: Uint8Array) {
  switch (kind) {
    case 'PDF':
      return readPdfSignatures(bytes);
    case 'CMS':
      return [readCmsSignature(bytes, detached, 'CAdES', 'Signature1')];
    case 'XML':
      return [readXades(bytes, detached)];
    case 'JWS':
      return [await readJades(bytes, detached)];
  }
}

export async function validateSignatures(input: Uint8Array, opts: ValidateOptions): Promise<ValidationReport> {
  if (opts.anchors.length === 0) throw new ShomeiError('validation_no_trust_anchor');
  const at = opts.at ?? new Date((opts.clock ?? systemClock).now());
  const { kind, bytes } = detectDocument(input);
  const found: ExtractedSignature[] = await readSignatures(kind, bytes, opts.detachedContent).catch((e: unknown) => {
    if (e instanceof ShomeiError) throw e;
    throw new ShomeiError('validation_document_malformed', { detail: e instanceof Error ? e.message : 'unreadable' });
  });
  const evalOpts = {
    anchors: opts.anchors,
    at,
    revocationMode: opts.revocationMode,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  };
  const signatures = [];
  for (const sig of found) signatures.push(await evaluate(sig, evalOpts));
  return {
    documentFormat: kind,
    validatedAt: at.toISOString(),
    signatures,
    allPassed:
      signatures.length > 0 &&
      signatures.every((s) => s.indication === 'TOTAL-PASSED' && !s.coverage?.modifiedAfterSigning),
    simplifications: SIMPLIFICATIONS,
  };
}
