import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Dialect } from './dialect.js';
import * as m001 from './migrations/001_initial.js';
import * as m002 from './migrations/002_key_lifecycle.js';
import * as m003 from './migrations/003_oauth.js';
import * as m004 from './migrations/004_factors.js';
import * as m005 from './migrations/005_strong_auth.js';
import * as m006 from './migrations/006_ca.js';
import * as m007 from './migrations/007_tsa.js';
import * as m008 from './migrations/008_async.js';

/** Versioned migrations, in order. Never edit a released one: add the next. */
const versions: Record<string, { up(db: Kysely<unknown>, dialect: Dialect): Promise<void> }> = {
  '001_initial': m001,
  '002_key_lifecycle': m002,
  '003_oauth': m003,
  '004_factors': m004,
  '005_strong_auth': m005,
  '006_ca': m006,
  '007_tsa': m007,
  '008_async': m008,
};

export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const [name, m] of Object.entries(versions)) {
        out[name] = { up: (d) => m.up(d, dialect) };
      }
      return out;
    },
  };
  const migrator = new Migrator({ db, provider, migrationTableName: 'schema_migrations' });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
