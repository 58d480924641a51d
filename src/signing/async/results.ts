/**
 * The `async_results` table (migration 008): one row per accepted asynchronous request. Every
 * transition is a conditional UPDATE, so two instances answering polls for one handle cannot both
 * hand out its result.
 */
import type { Store } from '../../store/index.js';

export type AsyncKind = 'signHash' | 'signDoc';
export type AsyncStatus = 'pending' | 'done' | 'failed' | 'fetched' | 'expired';

export interface AsyncRow {
  readonly id: string;
  readonly userId: string;
  readonly clientId: string;
  readonly kind: AsyncKind;
  readonly status: AsyncStatus;
  readonly body: Buffer | null;
  readonly errorCode: string | null;
  readonly expiresAt: number;
}

/** How long the reason of a gone result (fetched, expired) is remembered after its expiry. */
const TOMBSTONE_MS = 24 * 3600_000;

export function asyncResults(store: Store) {
  const db = store.db;
  return {
    async insert(row: Omit<AsyncRow, 'status' | 'body' | 'errorCode'>, now: number): Promise<void> {
      await db
        .insertInto('async_results')
        .values({
          id: row.id,
          user_id: row.userId,
          client_id: row.clientId,
          kind: row.kind,
          status: 'pending',
          body: null,
          error_code: null,
          created_at: now,
          expires_at: row.expiresAt,
        })
        .execute();
    },

    async remove(id: string): Promise<void> {
      await db.deleteFrom('async_results').where('id', '=', id).execute();
    },

    async get(id: string): Promise<AsyncRow | undefined> {
      const r = await db.selectFrom('async_results').selectAll().where('id', '=', id).executeTakeFirst();
      if (!r) return undefined;
      return {
        id: r.id,
        userId: r.user_id,
        clientId: r.client_id,
        kind: r.kind as AsyncKind,
        status: r.status as AsyncStatus,
        body: r.body,
        errorCode: r.error_code,
        expiresAt: Number(r.expires_at),
      };
    },

    /** pending → done/failed, unless it expired meanwhile. Returns whether the result was kept. */
    async settle(id: string, now: number, outcome: { body: Buffer } | { errorCode: string }): Promise<boolean> {
      const set =
        'body' in outcome
          ? { status: 'done', body: outcome.body }
          : { status: 'failed', error_code: outcome.errorCode };
      const r = await db
        .updateTable('async_results')
        .set(set)
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** done/failed → fetched, once: the body is dropped in the same statement. */
    async claim(id: string, from: 'done' | 'failed'): Promise<boolean> {
      const r = await db
        .updateTable('async_results')
        .set({ status: 'fetched', body: null })
        .where('id', '=', id)
        .where('status', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Drops the bodies of expired results (kept as tombstones) and forgets old tombstones. */
    async purge(now: number): Promise<void> {
      await db
        .updateTable('async_results')
        .set({ status: 'expired', body: null })
        .where('expires_at', '<=', now)
        .where('status', 'in', ['pending', 'done', 'failed'])
        .execute();
      await db
        .deleteFrom('async_results')
        .where('expires_at', '<=', now - TOMBSTONE_MS)
        .execute();
    },
  };
}

export type AsyncResults = ReturnType<typeof asyncResults>;
