/**
 * The log's two tables (audit_leaves, audit_checkpoints), read and written only from here. Reads go
 * page by page in seq order so a million-leaf log never becomes a million-row array.
 */
import type { Db, Tx } from '../store/index.js';
import { HASH_SIZE } from './merkle.js';

export const PAGE_SIZE = 10_000;

/** pg_advisory_xact_lock key of the log ('SHOM'); SQLite's single writer serialises anyway. */
export const LOG_LOCK_ID = 0x53484f4d;

export interface LeafRow {
  readonly seq: number;
  readonly leafHash: Buffer;
  readonly data: Buffer;
}

export interface CheckpointRow {
  readonly size: number;
  readonly rootHash: Buffer;
  readonly note: string;
}

type Reader = Db | Tx;

/** Number of leaves = max(seq) + 1; seqs are dense because they are assigned under the log lock. */
export async function leafCount(db: Reader): Promise<number> {
  const row = await db
    .selectFrom('audit_leaves')
    .select((eb) => eb.fn.max('seq').as('max'))
    .executeTakeFirst();
  return row?.max == null ? 0 : Number(row.max) + 1;
}

/**
 * Where the next batch starts: its first seq, and the earliest time it may carry — no earlier than
 * the last leaf or checkpoint, so log time never runs backwards even across instances with skewed
 * clocks, and the verifier can treat an entry dated before its predecessor as inserted after the fact.
 */
export async function appendPosition(tx: Tx): Promise<{ next: number; notBefore: number }> {
  const leaf = await tx
    .selectFrom('audit_leaves')
    .select(['seq', 'created_at'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const cp = await tx
    .selectFrom('audit_checkpoints')
    .select('created_at')
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return {
    next: leaf ? Number(leaf.seq) + 1 : 0,
    notBefore: Math.max(Number(leaf?.created_at ?? 0), Number(cp?.created_at ?? 0)),
  };
}

export async function insertLeaves(tx: Tx, rows: readonly LeafRow[], createdAt: number): Promise<void> {
  // 4 parameters per row: well below SQLite's and PostgreSQL's bind-parameter limits.
  for (let i = 0; i < rows.length; i += 1000) {
    const values = rows.slice(i, i + 1000).map((r) => ({
      seq: r.seq,
      leaf_hash: r.leafHash,
      data: r.data,
      created_at: createdAt,
    }));
    await tx.insertInto('audit_leaves').values(values).execute();
  }
}

/** Leaves with seq in [from, to), in seq order, one page at a time. */
export async function* leafPages(db: Reader, from = 0, to = Number.MAX_SAFE_INTEGER): AsyncGenerator<LeafRow[]> {
  let next = from;
  while (next < to) {
    const rows = await db
      .selectFrom('audit_leaves')
      .select(['seq', 'leaf_hash', 'data'])
      .where('seq', '>=', next)
      .where('seq', '<', to)
      .orderBy('seq')
      .limit(PAGE_SIZE)
      .execute();
    if (rows.length === 0) return;
    // Both drivers already return Buffers for blob/bytea: no copies.
    yield rows.map((r) => ({ seq: Number(r.seq), leafHash: r.leaf_hash, data: r.data }));
    next = Number(rows[rows.length - 1]?.seq) + 1;
  }
}

/** Leaf hashes of seq [from, to) packed into one buffer; throws if any seq in the range is missing. */
export async function packedLeafHashRange(db: Reader, from: number, to: number): Promise<Buffer> {
  const packed = Buffer.alloc((to - from) * HASH_SIZE);
  let expected = from;
  for (let start = from; start < to; start += PAGE_SIZE) {
    const rows = await db
      .selectFrom('audit_leaves')
      .select(['seq', 'leaf_hash'])
      .where('seq', '>=', start)
      .where('seq', '<', Math.min(to, start + PAGE_SIZE))
      .orderBy('seq')
      .execute();
    for (const r of rows) {
      if (Number(r.seq) !== expected) throw new Error(`audit log: leaf ${expected} is missing`);
      packed.set(r.leaf_hash, (expected - from) * HASH_SIZE);
      expected += 1;
    }
  }
  if (expected !== to) throw new Error(`audit log: leaf ${expected} is missing`);
  return packed;
}

export async function latestCheckpointRow(db: Reader): Promise<CheckpointRow | undefined> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .select(['size', 'root_hash', 'note'])
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { size: Number(row.size), rootHash: Buffer.from(row.root_hash), note: row.note };
}

export async function allCheckpointRows(db: Reader): Promise<CheckpointRow[]> {
  const rows = await db.selectFrom('audit_checkpoints').select(['size', 'root_hash', 'note']).orderBy('size').execute();
  return rows.map((r) => ({ size: Number(r.size), rootHash: Buffer.from(r.root_hash), note: r.note }));
}
