/**
 * The leaf pass of the offline verifier: one pass in seq order that checks each entry's bytes
 * against its leaf hash, its own seq and its time, and folds the stored leaf hashes into a compact
 * range to compare with every trusted checkpoint (RFC 9162 §2.1.1). Allocation-light: a million
 * entries are a million of these calls.
 */
import { Frontier, leafHash } from './merkle.js';
import type { LeafRow } from './tables.js';
import type { Problem } from './verify.js';
import type { TrustedCheckpoint } from './verify-checkpoints.js';

/** The per-leaf state machine of the single pass; kept allocation-light for million-entry logs. */
export class LeafWalk {
  expected = 0;
  pending = 0;
  readonly #frontier = new Frontier();
  #next = 0; // index of the next trusted checkpoint to compare
  #lastGood = 0; // size of the last checkpoint that matched: narrows where tampering happened
  #gap = false; // after a missing leaf the tree positions are unknown; roots cannot be checked
  #lastTime = Number.NEGATIVE_INFINITY; // log time never runs backwards (see tables.ts appendPosition)
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
      this.report({
        code: 'missing_entry',
        seq: this.expected,
        range,
        message: `entries ${range[0]}..${seq - 1} are missing`,
      });
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
    this.#checkTime(seq, fields.time);
  }

  /** An entry dated before the newest checkpoint yet not in it, or before its predecessor, was inserted later. */
  #checkTime(seq: number, time: number): void {
    const newest = this.#newest;
    const uncovered = newest === undefined || seq >= newest.size;
    if (newest && uncovered && time < newest.time) {
      this.report({
        code: 'backdated_entry',
        seq,
        checkpoint: newest.size,
        message: `entry ${seq} is dated before the checkpoint at size ${newest.size} yet is not in it`,
      });
    } else if (time < this.#lastTime) {
      this.report({ code: 'backdated_entry', seq, message: `entry ${seq} is dated before the entry preceding it` });
    } else if (uncovered) this.pending += 1;
    this.#lastTime = Math.max(this.#lastTime, time);
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

/**
 * Reads `seq` and `time` without JSON.parse, which would cost more than the hashing. Sound because
 * this runs only on bytes that matched their leaf hash, i.e. canonical JSON written by entry.ts:
 * there `"seq":` after `{` or `,` can only be the top-level key (quotes inside strings are escaped).
 */
function parseSeqTime(data: Buffer): { seq: number; time: number } | undefined {
  const seq = numberField(data, SEQ_KEY);
  const time = numberField(data, TIME_KEY);
  return seq === undefined || time === undefined ? undefined : { seq, time };
}

const SEQ_KEY = Buffer.from('"seq":');
const TIME_KEY = Buffer.from('"time":');

function numberField(data: Buffer, key: Buffer): number | undefined {
  for (let at = data.indexOf(key); at >= 0; at = data.indexOf(key, at + 1)) {
    const before = data[at - 1];
    if (before !== 0x7b && before !== 0x2c) continue; // '{' or ','
    let value = 0;
    let i = at + key.length;
    for (; i < data.length && (data[i] as number) >= 0x30 && (data[i] as number) <= 0x39; i++) {
      value = value * 10 + ((data[i] as number) - 0x30);
    }
    const after = data[i];
    return i > at + key.length && (after === 0x2c || after === 0x7d) ? value : undefined;
  }
  return undefined;
}
