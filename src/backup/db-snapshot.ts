/**
 * A consistent copy of the whole database (DB-1, DB-2, the log) while the service keeps signing:
 * SQLite's `VACUUM INTO` reads inside one transaction, and WAL readers never block writers, so the
 * copy is exactly the state at one commit. PostgreSQL deployments back up with the database's own
 * tools (pg_basebackup / PITR), which is what their operators run already.
 */
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { ShomeiError } from '../errors.js';
import type { Store } from '../store/index.js';

export interface DbSnapshot {
  /** Entries in the log at the moment of the copy. */
  readonly logSize: number;
}

export async function copyDatabase(store: Store, target: string): Promise<DbSnapshot> {
  if (store.dialect !== 'sqlite') {
    throw new ShomeiError('invalid_state', {
      detail: 'built-in snapshots cover the embedded SQLite database; back up PostgreSQL with pg_basebackup',
    });
  }
  await sql`VACUUM INTO ${target}`.execute(store.db);
  // Counted in the copy itself: the live log has moved on since.
  const copy = new SQLite(target, { readonly: true });
  try {
    const row = copy.prepare('SELECT count(*) AS n FROM audit_leaves').get() as { n: number };
    return { logSize: row.n };
  } finally {
    copy.close();
  }
}
