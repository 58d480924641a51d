/**
 * The offline verifier (LOG-2): needs only the log (a LogSource: leaves in seq order, checkpoints)
 * and the log's verifier key. One streaming pass recomputes the RFC 9162 tree from the stored leaf
 * hashes, checks every signed checkpoint against it, and checks each entry's bytes against its leaf
 * hash and its own seq. Every problem names the entry or the checkpoint (and range) it concerns.
 * Like tessera's and sigstore-js's verifiers it knows nothing of HTTP or of the database.
 */

import { parseVerifierKey } from './note.js';
import type { CheckpointRow, LeafRow } from './tables.js';
import { type CheckpointProblem, checkCheckpoints } from './verify-checkpoints.js';
import { LeafWalk } from './verify-leaves.js';

export interface LogSource {
  /** Leaves in ascending seq order, a page at a time. */
  leaves(): AsyncIterable<readonly LeafRow[]>;
  checkpoints(): Promise<readonly CheckpointRow[]>;
}

export type ProblemCode =
  | 'edited_entry'
  | 'malformed_entry'
  | 'missing_entry'
  | 'duplicate_entry'
  | 'reordered_entry'
  | 'backdated_entry'
  | 'root_mismatch'
  | CheckpointProblem;

export interface Problem {
  readonly code: ProblemCode;
  readonly message: string;
  readonly seq?: number;
  /** Size of the checkpoint concerned. */
  readonly checkpoint?: number;
  /** Half-open seq range [from, to) known to hold the problem. */
  readonly range?: readonly [number, number];
}

export interface VerifyReport {
  readonly ok: boolean;
  /** One past the highest seq read (the number of leaves when none is missing). */
  readonly size: number;
  /** Checkpoints whose signature verified. */
  readonly checkpoints: number;
  readonly latest?: { readonly size: number; readonly time: number };
  /**
   * Entries after the newest checkpoint that are plausibly legitimate, i.e. not yet checkpointed:
   * nothing authenticates them yet, so `ok` says only that nothing is wrong with the rest.
   */
  readonly pending: number;
  readonly problems: readonly Problem[];
  /** Problems beyond `maxProblems`, counted but not listed. */
  readonly omitted: number;
}

export interface VerifyOptions {
  /** Expected checkpoint origin; defaults to the verifier key's name. */
  readonly origin?: string;
  readonly maxProblems?: number;
}

export async function verifyLog(
  source: LogSource,
  verifierKey: string,
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const key = parseVerifierKey(verifierKey);
  const problems: Problem[] = [];
  let omitted = 0;
  const report = (p: Problem): void => {
    if (problems.length < (opts.maxProblems ?? 1000)) problems.push(p);
    else omitted += 1;
  };
  const trusted = checkCheckpoints(await source.checkpoints(), key, opts.origin ?? key.name, report);
  const walk = new LeafWalk(trusted, report);
  for await (const page of source.leaves()) for (const leaf of page) walk.leaf(leaf);
  walk.end();
  const newest = trusted[trusted.length - 1];
  return {
    ok: problems.length === 0 && omitted === 0,
    size: walk.expected,
    checkpoints: trusted.length,
    ...(newest && { latest: { size: newest.size, time: newest.time } }),
    pending: walk.pending,
    problems,
    omitted,
  };
}
