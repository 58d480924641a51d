/**
 * The signing log (function ④): writers append leaves through group commit (LOG-3); an integrator
 * folds new leaves into the Merkle tree and signs a C2SP checkpoint (LOG-2). Both run under one
 * cross-instance lock, so several instances on PostgreSQL append to one dense sequence.
 */
import type { Clock } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { type Checkpoint, checkpointText, parseCheckpoint } from './checkpoint.js';
import { checkEvent, decodeEntry, encodeEntry, type LogEntry } from './entry.js';
import type { AuditEvent, AuditReceipt, AuditSink } from './event.js';
import { groupCommit } from './group-commit.js';
import { Frontier, leafHash, packedLeafHashes } from './merkle.js';
import { type NoteSigner, signNote } from './note.js';
import { consistencyProof, inclusionProof } from './proof.js';
import {
  type CheckpointRow,
  insertLeaves,
  type LeafRow,
  latestCheckpointRow,
  leafCount,
  packedLeafHashRange,
} from './tables.js';

/** pg_advisory_xact_lock key of the log ('SHOM'); SQLite's single writer serialises anyway. */
export const LOG_LOCK_ID = 0x53484f4d;

export interface AuditLogOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly signer: NoteSigner;
  /** Checkpoint origin (tlog-checkpoint line 1), conventionally the signer's name. */
  readonly origin: string;
  readonly batchMaxEntries?: number;
  readonly batchMaxDelayMs?: number;
  readonly checkpointIntervalMs?: number;
  /** Where a failed periodic checkpoint is reported (the timer has no caller to throw to). */
  readonly onError?: (err: unknown) => void;
}

export interface SignedCheckpoint extends Checkpoint {
  /** The signed note, verbatim. */
  readonly note: string;
}

export interface AuditLogStats {
  /** Committed append transactions (each one fsync). */
  readonly batches: number;
  readonly entries: number;
  readonly checkpoints: number;
}

export interface AuditLog extends AuditSink {
  /** Signs a checkpoint over every leaf committed so far; returns the newest one (or none if empty). */
  checkpoint(): Promise<SignedCheckpoint | undefined>;
  latest(): Promise<SignedCheckpoint | undefined>;
  entry(seq: number): Promise<(LogEntry & { readonly leafHash: Buffer; readonly data: Buffer }) | undefined>;
  /** RFC 9162 §2.1.3 audit path of leaf `seq` in the tree of `treeSize` leaves. */
  inclusionProof(seq: number, treeSize: number): Promise<Buffer[]>;
  /** RFC 9162 §2.1.4 proof that the tree of `from` leaves is a prefix of the one of `to`. */
  consistencyProof(from: number, to: number): Promise<Buffer[]>;
  /** Waits until every append queued so far is committed (or failed). */
  flush(): Promise<void>;
  /** Starts the periodic checkpoint timer. */
  start(): void;
  /** Stops the timer, flushes pending appends and writes a final checkpoint. */
  stop(): Promise<void>;
  stats(): AuditLogStats;
}

export function createAuditLog(opts: AuditLogOptions): AuditLog {
  const { store, clock } = opts;
  const stats = { batches: 0, entries: 0, checkpoints: 0 };
  let frontier = new Frontier();
  let integrating: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const commitBatch = (events: AuditEvent[]): Promise<AuditReceipt[]> =>
    store.exclusive(LOG_LOCK_ID, async (tx) => {
      // Numbered under the lock: another instance may have appended since our last batch.
      const first = await leafCount(tx);
      const time = clock.now();
      const rows: LeafRow[] = events.map((event, i) => {
        const data = encodeEntry(first + i, time, event);
        return { seq: first + i, leafHash: leafHash(data), data };
      });
      await insertLeaves(tx, rows, time);
      return rows;
    }).then((rows) => {
      stats.batches += 1;
      stats.entries += rows.length;
      return rows.map((r) => ({ seq: r.seq, leafHash: r.leafHash.toString('hex') }));
    });

  const appends = groupCommit<AuditEvent, AuditReceipt>(
    { maxEntries: opts.batchMaxEntries ?? 512, maxDelayMs: opts.batchMaxDelayMs ?? 2 },
    commitBatch,
  );

  const integrate = (): Promise<SignedCheckpoint | undefined> =>
    store.exclusive(LOG_LOCK_ID, async (tx) => {
      const size = await leafCount(tx);
      const last = await latestCheckpointRow(tx);
      if (!last && size === 0) return undefined;
      if (last && last.size >= size) return toSigned(last);
      // Another instance may have appended (or checkpointed): fold whatever we have not seen yet.
      const next = frontier.size <= size ? frontier.clone() : new Frontier();
      const hashes = packedLeafHashes(await packedLeafHashRange(tx, next.size, size));
      for (let i = 0; i < hashes.size; i++) {
        next.append(hashes.at(i));
        if (last && next.size === last.size) assertExtends(next, last);
      }
      const cp: Checkpoint = { origin: opts.origin, size, root: next.root(), time: clock.now() };
      const note = await signNote(checkpointText(cp), opts.signer);
      await tx.insertInto('audit_checkpoints').values({ size, root_hash: cp.root, note, created_at: cp.time }).execute();
      frontier = next;
      stats.checkpoints += 1;
      return { ...cp, note };
    });

  const checkpoint = (): Promise<SignedCheckpoint | undefined> => {
    const run = integrating.then(integrate, integrate);
    integrating = run.catch(() => undefined);
    return run;
  };

  const loadHashes = async (size: number) => packedLeafHashes(await packedLeafHashRange(store.db, 0, size));

  return {
    append: async (event) => {
      checkEvent(event);
      return appends.submit(event);
    },
    checkpoint,
    latest: async () => {
      const row = await latestCheckpointRow(store.db);
      return row && toSigned(row);
    },
    entry: async (seq) => {
      const row = await store.db
        .selectFrom('audit_leaves')
        .select(['leaf_hash', 'data'])
        .where('seq', '=', seq)
        .executeTakeFirst();
      if (!row) return undefined;
      const data = Buffer.from(row.data);
      return { ...decodeEntry(data), leafHash: Buffer.from(row.leaf_hash), data };
    },
    // O(n) in the tree size: fine for evidence bundles; tiles would make it O(log n) if ever needed.
    inclusionProof: async (seq, treeSize) => inclusionProof(await loadHashes(treeSize), seq, treeSize).map(Buffer.from),
    consistencyProof: async (from, to) => consistencyProof(await loadHashes(to), from, to).map(Buffer.from),
    flush: () => appends.flush(),
    start: () => {
      timer ??= setInterval(() => {
        checkpoint().catch((err: unknown) => opts.onError?.(err));
      }, opts.checkpointIntervalMs ?? 1000);
      timer.unref();
    },
    stop: async () => {
      clearInterval(timer);
      timer = undefined;
      await appends.flush();
      await checkpoint();
    },
    stats: () => ({ ...stats }),
  };
}

function toSigned(row: CheckpointRow): SignedCheckpoint {
  return { ...parseCheckpoint(row.note.slice(0, row.note.lastIndexOf('\n\n') + 1)), note: row.note };
}

/** Refuse to sign over a log whose leaves no longer match the last checkpoint (LOG-2): never launder tampering. */
function assertExtends(f: Frontier, last: CheckpointRow): void {
  if (!f.root().equals(last.rootHash)) {
    throw new Error(`audit log: leaves no longer match the checkpoint at size ${last.size}; run the verifier`);
  }
}
