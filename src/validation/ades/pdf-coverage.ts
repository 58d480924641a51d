/**
 * What a PDF signature covers (ISO 32000-1 §12.8.1): its /ByteRange must be the whole revision it
 * ends apart from /Contents, and every later revision must be an allowed incremental update
 * (EN 319 142-1 §5.4 DSS, §5.5 document time-stamp, or another signature) — else the document
 * was modified after signing. Each revision is judged once for all signatures of the file.
 */

import { openRevision, revisionEnds, unexplainedChanges } from './pdf-changes.js';
import type { PdfCoverage } from './report.js';

/** Later revisions judged per file; beyond this a file is reported as modified (bounded work). */
const MAX_REVISIONS = 64;

export interface SignedRevision {
  readonly byteRange: readonly number[];
  /** Offset just past the signed revision (ByteRange c + d). */
  readonly end: number;
  readonly isDocTs: boolean;
}

interface RevisionVerdict {
  readonly end: number;
  readonly kind: string;
  readonly detail?: string;
}

export function coverageOf(pdf: Buffer, signatures: readonly SignedRevision[]): (sig: SignedRevision) => PdfCoverage {
  const ends = revisionEnds(pdf);
  const verdicts = new Map<number, RevisionVerdict>();
  function judge(index: number): RevisionVerdict {
    const end = ends[index] as number;
    const known = verdicts.get(end);
    if (known) return known;
    const before = index > 0 && index <= MAX_REVISIONS ? openRevision(pdf, ends[index - 1] as number) : undefined;
    const after = before ? openRevision(pdf, end) : undefined;
    const changes = before && after ? unexplainedChanges(before, after) : ['the revision cannot be compared'];
    const by = signatures.find((s) => s.end === end);
    const kind = changes.length > 0 ? 'other' : by ? (by.isDocTs ? 'document-timestamp' : 'signature') : 'dss';
    const verdict = {
      end,
      kind,
      ...(changes.length > 0 ? { detail: `changed: ${changes.slice(0, 5).join(', ')}` } : {}),
    };
    verdicts.set(end, verdict);
    return verdict;
  }
  const trailing = pdf.length > (ends[ends.length - 1] ?? 0);
  return (sig) => {
    const [a, b, c] = sig.byteRange as [number, number, number, number];
    const gap = pdf.subarray(a + b, c).toString('latin1');
    const wellFormed = a === 0 && /^<[0-9A-Fa-f]*>$/.test(gap) && ends.includes(sig.end);
    const laterRevisions = ends.flatMap((e, i) => (e > sig.end ? [judge(i)] : []));
    if (trailing) laterRevisions.push({ end: pdf.length, kind: 'other', detail: 'bytes after the last %%EOF' });
    return {
      byteRange: sig.byteRange,
      wellFormed,
      coveredUpTo: sig.end,
      fileLength: pdf.length,
      coversWholeFile: sig.end === pdf.length,
      laterRevisions,
      modifiedAfterSigning: laterRevisions.some((r) => r.kind === 'other'),
    };
  };
}
