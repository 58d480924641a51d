/**
 * The offline verifier (LOG-2): needs only the log (a LogSource: leaves in seq order, checkpoints)
 * and the log's verifier key. One streaming pass recomputes the RFC 9162 tree from the stored leaf
 * hashes, checks every signed checkpoint against it, and checks each entry's bytes against its leaf
 * hash and its own seq. Every problem names the entry or the checkpoint (and range) it concerns.
 * Like tessera's and sigstore-js's verifiers it knows nothing of HTTP or of the database.
 */
import { type CheckpointProblem, checkCheckpoints, type TrustedCheckpoint } from './verify-checkpoints.js';
import { Frontier, leafHash } from './merkle.js';
import { parseVerifierKey } from './note.js';
import type { CheckpointRow, LeafRow } from './tables.js';

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
  /** Leaves read. */
  readonly size: number;
  /** Checkpoints whose signature verified. */
  readonly checkpoints: number;
  readonly latest?: { readonly size: number; readonly time: number };
  /** Entries after the newest checkpoint that are plausibly legitimate (not yet checkpointed). */
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

export async function verifyLog(source: LogSource, verifierKey: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
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

/** The per-leaf state machine of the single pass; kept allocation-light for million-entry logs. */
class LeafWalk {
  expected = 0;
  pending = 0;
  readonly #frontier = new Frontier();
  #next = 0; // index of the next trusted checkpoint to compare
  #lastGood = 0; // size of the last checkpoint that matched: narrows where tampering happened
  #gap = false; // after a missing leaf the tree positions are unknown; roots cannot be checked
  readonly #newest: TrustedCheckpoint | undefined;

  constructor(
    readonly trusted: readonly TrustedCheckpoint[],
    readonly report: (p: Problem) => void,
  ) {
    this.#newest = trusted[trusted.length - 1];
    this.#compareCheckpoints();
  }

  leaf(row: LeafRow): void {
    const { seq } = row;
    if (seq < this.expected) {
      this.report({ code: 'duplicate_entry', seq, message: `entry ${seq} appears more than once` });
      return;
    }
    if (seq > this.expected) {
      const range = [this.expected, seq] as const;
      this.report({ code: 'missing_entry', seq: this.expected, range, message: `entries ${range[0]}..${seq - 1} are missing` });
      this.#gap = true;
      this.expected = seq;
    }
    this.#checkEntry(row);
    if (!this.#gap) this.#frontier.append(row.leafHash);
    this.expected += 1;
    this.#compareCheckpoints();
  }

  end(): void {
    const last = this.trusted[this.trusted.length - 1];
    if (last && last.size > this.expected) {
      const range = [this.expected, last.size] as const;
      this.report({
        code: 'missing_entry',
        seq: this.expected,
        checkpoint: last.size,
        range,
        message: `the checkpoint at size ${last.size} covers entries ${range[0]}..${last.size - 1}, which are missing`,
      });
    }
  }

  #checkEntry(row: LeafRow): void {
    const { seq } = row;
    if (!leafHash(row.data).equals(row.leafHash)) {
      this.report({ code: 'edited_entry', seq, message: `entry ${seq} does not match its leaf hash` });
      return;
    }
    const fields = parseSeqTime(row.data);
    if (!fields) {
      this.report({ code: 'malformed_entry', seq, message: `entry ${seq} is not a log entry` });
      return;
    }
    if (fields.seq !== seq) {
      this.report({ code: 'reordered_entry', seq, message: `entry ${seq} holds the entry written as ${fields.seq}` });
    }
    const newest = this.#newest;
    if (newest && seq >= newest.size) {
      // Written after the newest checkpoint yet dated before it: inserted after the fact.
      if (fields.time < newest.time) {
        this.report({
          code: 'backdated_entry',
          seq,
          checkpoint: newest.size,
          message: `entry ${seq} is dated before the checkpoint at size ${newest.size} yet is not in it`,
        });
      } else this.pending += 1;
    }
  }

  #compareCheckpoints(): void {
    for (let cp = this.trusted[this.#next]; cp && cp.size <= this.expected; cp = this.trusted[++this.#next]) {
      if (this.#gap || cp.size < this.expected) continue;
      if (this.#frontier.root().equals(cp.root)) {
        this.#lastGood = cp.size;
        continue;
      }
      const range = [this.#lastGood, cp.size] as const;
      this.report({
        code: 'root_mismatch',
        checkpoint: cp.size,
        range,
        message: `the leaves do not hash to the checkpoint at size ${cp.size}: an entry in ${range[0]}..${cp.size - 1} was edited, removed or moved`,
      });
    }
  }
}

function parseSeqTime(data: Buffer): { seq: number; time: number } | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { seq?: unknown; time?: unknown };
    return typeof v.seq === 'number' && typeof v.time === 'number' ? { seq: v.seq, time: v.time } : undefined;
  } catch {
    return undefined;
  }
}
