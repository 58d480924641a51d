/**
 * The signing log (function ④): writers append leaves through group commit (LOG-3); the integrator
 * folds them into the Merkle tree and signs checkpoints (LOG-2); proofs serve evidence (LOG-4).
 * Appends and integration share one cross-instance lock, so several instances on PostgreSQL
 * append to one dense sequence.
 */
import type { Clock } from '../platform/index.js';
import type { Store, Tx } from '../store/index.js';
import { checkEvent, decodeEntry, encodeEntry, type LogEntry } from './entry.js';
import type { AuditEvent, AuditReceipt, AuditSink } from './event.js';
import { groupCommit } from './group-commit.js';
import { createIntegrator, type SignedCheckpoint, toSigned } from './integrator.js';
import { leafHash } from './merkle.js';
import type { NoteSigner } from './note.js';
import { consistencyProof, inclusionProof } from './proof.js';
import { createProofCache } from './proof-cache.js';
import { appendPosition, insertLeaves, type LeafRow, LOG_LOCK_ID, latestCheckpointRow } from './tables.js';
import { consistencyTiles, inclusionTiles } from './tiles.js';

export type { SignedCheckpoint } from './integrator.js';

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

export interface AuditLogStats {
  /** Committed append transactions (each one fsync). */
  readonly batches: number;
  readonly entries: number;
  readonly checkpoints: number;
}

export type StoredEntry = LogEntry & { readonly leafHash: Buffer; readonly data: Buffer };

export interface AuditLog extends AuditSink {
  /** Signs a checkpoint over every leaf committed so far; returns the newest one (none if empty). */
  checkpoint(): Promise<SignedCheckpoint | undefined>;
  latest(): Promise<SignedCheckpoint | undefined>;
  entry(seq: number): Promise<StoredEntry | undefined>;
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
  const { store } = opts;
  // tlog-checkpoint: the origin is the first line of the note, so it cannot contain a newline.
  if (!/^[^\n]+$/.test(opts.origin)) throw new TypeError('audit log origin must be one non-empty line');
  const stats = { batches: 0, entries: 0, checkpoints: 0 };
  const appends = groupCommit<AuditEvent, AuditReceipt>(
    { maxEntries: opts.batchMaxEntries ?? 512, maxDelayMs: opts.batchMaxDelayMs ?? 2 },
    async (events) => {
      const rows = await store.exclusive(LOG_LOCK_ID, (tx) => writeBatch(tx, opts.clock, events));
      stats.batches += 1;
      stats.entries += rows.length;
      return rows.map((r) => ({ seq: r.seq, leafHash: r.leafHash.toString('hex') }));
    },
  );
  const checkpoint = createIntegrator({ ...opts, onSigned: () => stats.checkpoints++ });
  let timer: NodeJS.Timeout | undefined;
  const proofs = createProofCache(store.db);

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
    entry: (seq) => readEntry(store, seq),
    inclusionProof: async (seq, size) => {
      const tree = await proofs.tree(size, inclusionTiles(seq, size));
      return inclusionProof(tree, seq, size).map(Buffer.from);
    },
    consistencyProof: async (from, to) => {
      const tree = await proofs.tree(to, consistencyTiles(from, to));
      return consistencyProof(tree, from, to).map(Buffer.from);
    },
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

/** One batch, inside the log lock: numbered from the current end, since another instance may have appended. */
async function writeBatch(tx: Tx, clock: Clock, events: AuditEvent[]) {
  const { next, notBefore } = await appendPosition(tx);
  const time = Math.max(clock.now(), notBefore);
  const rows: LeafRow[] = events.map((event, i) => {
    const data = encodeEntry(next + i, time, event);
    return { seq: next + i, leafHash: leafHash(data), data };
  });
  await insertLeaves(tx, rows, time);
  return rows;
}

async function readEntry(store: Store, seq: number): Promise<StoredEntry | undefined> {
  const row = await store.db
    .selectFrom('audit_leaves')
    .select(['leaf_hash', 'data'])
    .where('seq', '=', seq)
    .executeTakeFirst();
  return row && { ...decodeEntry(row.data), leafHash: row.leaf_hash, data: row.data };
}
