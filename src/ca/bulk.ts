/**
 * Bulk issuance (CA-2 at IoT scale, seed 003; the B5 fixture): N certificates of one profile for
 * one public key held elsewhere, in signing batches — each batch one signDigests call (the key
 * store's workers sign in parallel) and one registry transaction. The certificates are real:
 * signed by the issuing CA, recorded, listed in CRLs when revoked, answered by OCSP.
 */
import type { EndEntityProfile, LocalCa } from './local-ca.js';

export interface BulkRequest {
  readonly count: number;
  readonly spki: Buffer;
  readonly profile?: EndEntityProfile;
  readonly validityDays?: number;
  /** Subject of certificate i (0-based). */
  readonly subject?: (i: number) => string;
  readonly batchSize?: number;
  readonly actor: string;
  onProgress?(done: number): void;
}

export async function bulkIssue(ca: LocalCa, req: BulkRequest): Promise<{ issued: number; seconds: number }> {
  const started = performance.now();
  const batch = req.batchSize ?? 500;
  const subject = req.subject ?? ((i: number) => `CN=device ${i + 1}`);
  let next = 0;
  let done = 0;
  // Two batches in flight: one is signed (key store workers) while the other is built and recorded.
  const worker = async () => {
    while (next < req.count) {
      const from = next;
      const n = Math.min(batch, req.count - from);
      next += n;
      const reqs = Array.from({ length: n }, (_, k) => ({
        spki: req.spki,
        subjectDn: subject(from + k),
        profile: req.profile ?? 'seal',
        validityDays: req.validityDays ?? 365,
      }));
      await ca.issueMany(reqs, req.actor);
      done += n;
      req.onProgress?.(done);
    }
  };
  await Promise.all([worker(), worker()]);
  return { issued: done, seconds: (performance.now() - started) / 1000 };
}
