/**
 * Storage back-ends for tests: every storage-touching suite runs against both SQLite and
 * PostgreSQL (DEVELOPERS.md 3). PostgreSQL tests get a database with a random name, dropped after.
 * Set SHOMEI_TEST_PG_URL to point elsewhere (default postgres://postgres@127.0.0.1:5432/postgres).
 * Outside CI, a missing PostgreSQL skips those cases with a printed reason; in CI it fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.js';

export const PG_ADMIN_URL = process.env.SHOMEI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestBackend {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh, migrated, empty database; `url` opens it again (e.g. a second instance). */
  create(): Promise<{ store: Store; url: string; drop(): Promise<void> }>;
}

export const sqliteBackend: TestBackend = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'shomei-test-'));
    const url = join(dir, 'shomei.db');
    const store = await openStore({ url });
    return {
      store,
      url,
      drop: async () => {
        await store.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

function dbUrl(name: string): string {
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export const postgresBackend: TestBackend = {
  name: 'postgres',
  async create() {
    const name = `shomei_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = dbUrl(name);
    const store = await openStore({ url });
    return {
      store,
      url,
      drop: async () => {
        await store.close().catch(() => {});
        const a = new pg.Client({ connectionString: PG_ADMIN_URL });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  },
};

let pgAvailable: boolean | undefined;
export async function postgresAvailable(): Promise<boolean> {
  if (pgAvailable !== undefined) return pgAvailable;
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    pgAvailable = true;
  } catch (e) {
    if (process.env.CI) throw new Error(`PostgreSQL is required in CI and is not reachable at ${PG_ADMIN_URL}: ${e}`);
    console.warn(`SKIP PostgreSQL suites: no server at ${PG_ADMIN_URL} (${(e as Error).message})`);
    pgAvailable = false;
  }
  return pgAvailable;
}

/** The back-ends to run a suite against: `describe.each(await backends())`. */
export async function backends(): Promise<TestBackend[]> {
  return (await postgresAvailable()) ? [sqliteBackend, postgresBackend] : [sqliteBackend];
}
