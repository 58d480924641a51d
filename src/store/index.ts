/**
 * Storage: one Kysely database, SQLite (better-sqlite3, the embedded default) or PostgreSQL
 * (scale-out, DEP-2). Both dialects pass the same storage test suite.
 *
 * Durability: ordinary transactions are allowed to skip their own fsync (SQLite
 * `synchronous=NORMAL` in WAL mode, PostgreSQL `synchronous_commit=off` for the transaction).
 * `durable` transactions (the audit log's group commit) are flushed before they resolve (SQLite:
 * wal-sync.ts, off the event loop; PostgreSQL: a normal commit); since both logs are sequential, a
 * durable commit also makes every earlier commit durable. This is how a signature is released
 * only after its audit entry — and everything before it — is on disk (LOG-3), at one fsync per
 * batch rather than per request.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { type Kysely as K, Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Dialect } from './dialect.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';
import { walSync } from './wal-sync.js';

export type { Dialect } from './dialect.js';
export type * from './schema.js';

export type Db = K<Database>;
/** A handle inside a transaction (a Kysely instance bound to the transaction's connection). */
export type Tx = K<Database>;

export interface StoreOptions {
  /** `postgres://…` for PostgreSQL; otherwise the SQLite file path (or ':memory:'). */
  readonly url: string;
  readonly poolSize?: number;
}

export interface Store {
  readonly db: Db;
  readonly dialect: Dialect;
  /** A transaction whose commit need not be flushed by itself (a later durable commit will). */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** A transaction that is on disk when the promise resolves. */
  durable<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a durable transaction holding the named exclusive lock across instances
   * (PostgreSQL advisory transaction lock; SQLite's single writer already serialises).
   */
  exclusive<T>(lockId: number, fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// PostgreSQL returns int8 as strings by default; every bigint we store (ms timestamps, log sizes)
// fits in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export function isPostgresUrl(url: string): boolean {
  return url.startsWith('postgres://') || url.startsWith('postgresql://');
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  const store = isPostgresUrl(opts.url) ? openPostgres(opts) : openSqlite(opts.url);
  await migrateToLatest(store.db as unknown as K<unknown>, store.dialect);
  return store;
}

function openSqlite(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const raw = new SQLite(path);
  // DB-1 and DB-2 live here (verifiers, wrapped keys): owner-only, and SQLite gives its -wal and
  // -shm files the database file's mode.
  if (path !== ':memory:') chmodSync(path, 0o600);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  // One connection per process, serialised by Kysely's driver. Transactions begin IMMEDIATE so a
  // second process on the same file (the CLI beside a running server) waits on busy_timeout
  // instead of failing to upgrade a read lock.
  const wal = path === ':memory:' ? undefined : walSync(path);
  const run = async <T>(fn: (tx: Tx) => Promise<T>, durable: boolean): Promise<T> => {
    const result = await db.connection().execute(async (conn) => {
      await sql`BEGIN IMMEDIATE`.execute(conn);
      try {
        const r = await fn(conn);
        await sql`COMMIT`.execute(conn);
        return r;
      } catch (e) {
        await sql`ROLLBACK`.execute(conn);
        throw e;
      }
    });
    if (durable) await wal?.sync();
    return result;
  };
  return {
    db,
    dialect: 'sqlite',
    transaction: (fn) => run(fn, false),
    durable: (fn) => run(fn, true),
    exclusive: (_lockId, fn) => run(fn, true),
    close: async () => {
      await wal?.close();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; compiling SQL is a good part of a small query's cost, and the
 * hot paths run the same few dozen statements. Statements are reused per SQL text (bounded).
 */
function withStatementCache(raw: SQLite.Database, max = 512) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => raw.close(),
    prepare(text: string): SQLite.Statement {
      let st = cache.get(text);
      if (st === undefined || st.busy) {
        st = raw.prepare(text);
        if (!cache.has(text)) cache.set(text, st);
        if (cache.size > max) cache.delete(cache.keys().next().value as string);
      }
      return st;
    },
  };
}

function openPostgres(opts: StoreOptions): Store {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
  // An idle connection the server drops (restart, failover, pg_terminate_backend) is reported on the
  // pool; without a listener Node would crash the process. The pool discards that client and the
  // next query connects afresh, so there is nothing else to do here.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    transaction: (fn) =>
      db.transaction().execute(async (tx) => {
        await sql`SET LOCAL synchronous_commit = off`.execute(tx);
        return fn(tx);
      }),
    durable: (fn) => db.transaction().execute(fn),
    exclusive: (lockId, fn) =>
      db.transaction().execute(async (tx) => {
        await sql`SELECT pg_advisory_xact_lock(${lockId})`.execute(tx);
        return fn(tx);
      }),
    close: () => db.destroy(),
  };
}
