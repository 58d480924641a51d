/**
 * A consistent copy of the whole database (DB-1, DB-2, the log) while the service keeps signing.
 * SQLite: `VACUUM INTO` reads inside one transaction, and WAL readers never block writers, so the
 * copy is exactly the state at one commit. PostgreSQL: a REPEATABLE READ transaction exports its
 * snapshot (`pg_export_snapshot()`), counts the log in it, and `pg_dump --snapshot` dumps exactly
 * that state — so the manifest's log size and the dump agree even while other instances append.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { ShomeiError } from '../errors.js';
import type { Store } from '../store/index.js';

const exec = promisify(execFile);

export interface DbSnapshot {
  /** Entries in the log at the moment of the copy. */
  readonly logSize: number;
  /** The KEKs (kek_id) the copied keys are wrapped under. */
  readonly kekIds: readonly string[];
}

const KEK_IDS = 'SELECT DISTINCT kek_id FROM keys WHERE kek_id IS NOT NULL';

export const SQLITE_DUMP = 'shomei.db';
export const POSTGRES_DUMP = 'shomei.pgdump';

/**
 * libpq's environment for a `postgres://` URL: the password must not appear in a command line
 * (`ps` shows it to every local user), so the connection goes through PG* variables instead.
 */
function libpqEnv(databaseUrl: string): NodeJS.ProcessEnv {
  const u = new URL(databaseUrl);
  const env: NodeJS.ProcessEnv = { ...process.env, PGDATABASE: decodeURIComponent(u.pathname.slice(1)) };
  if (u.hostname) env.PGHOST = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode) env.PGSSLMODE = sslmode;
  return env;
}

/** Runs a PostgreSQL client tool; a missing tool or a failure is a clear error, not a stack. */
async function pgTool(
  tool: 'pg_dump' | 'pg_restore' | 'psql',
  databaseUrl: string,
  args: readonly string[],
): Promise<string> {
  try {
    const r = await exec(tool, args, { env: libpqEnv(databaseUrl), maxBuffer: 16 * 1024 * 1024 });
    return r.stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    const why = err.code === 'ENOENT' ? `${tool} is not installed (Debian: postgresql-client)` : err.stderr?.trim();
    throw new ShomeiError('invalid_state', { detail: `${tool} failed: ${why || err.message}` }, { cause: e });
  }
}

/** Writes the snapshot file (`SQLITE_DUMP` or `POSTGRES_DUMP` per dialect) to `target`. */
export async function copyDatabase(store: Store, target: string, databaseUrl: string): Promise<DbSnapshot> {
  if (store.dialect === 'postgres') return dumpPostgres(store, target, databaseUrl);
  await sql`VACUUM INTO ${target}`.execute(store.db);
  // Counted in the copy itself: the live log has moved on since.
  const copy = new SQLite(target, { readonly: true });
  try {
    const row = copy.prepare('SELECT count(*) AS n FROM audit_leaves').get() as { n: number };
    const keks = copy.prepare(KEK_IDS).all() as { kek_id: string }[];
    return { logSize: row.n, kekIds: keks.map((k) => k.kek_id) };
  } finally {
    copy.close();
  }
}

async function dumpPostgres(store: Store, target: string, databaseUrl: string): Promise<DbSnapshot> {
  return store.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const snap = await sql<{ id: string }>`SELECT pg_export_snapshot() AS id`.execute(tx);
      const count = await sql<{ n: string }>`SELECT count(*) AS n FROM audit_leaves`.execute(tx);
      const keks = await sql<{ kek_id: string }>`${sql.raw(KEK_IDS)}`.execute(tx);
      const id = snap.rows[0]?.id as string;
      // The exported snapshot lives as long as this transaction: pg_dump runs inside it.
      await pgTool('pg_dump', databaseUrl, [
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        `--snapshot=${id}`,
        `--file=${target}`,
      ]);
      return { logSize: Number(count.rows[0]?.n ?? 0), kekIds: keks.rows.map((k) => k.kek_id) };
    });
}

/**
 * Loads a dump into the configured PostgreSQL database, which must hold no shomei tables (a restore
 * never merges into live data). One transaction: a failed restore leaves the database as it was.
 */
export async function restorePostgres(dump: string, databaseUrl: string): Promise<void> {
  const existing = await pgTool('psql', databaseUrl, [
    '--no-psqlrc',
    '--tuples-only',
    '--no-align',
    '--command=SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()',
  ]);
  if (Number(existing.trim()) > 0) {
    throw new ShomeiError('invalid_state', {
      detail: 'the target PostgreSQL database is not empty; restore into a freshly created database',
    });
  }
  await pgTool('pg_restore', databaseUrl, [
    '--no-owner',
    '--no-privileges',
    '--single-transaction',
    '--exit-on-error',
    `--dbname=${libpqEnv(databaseUrl).PGDATABASE}`,
    dump,
  ]);
}
