import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Version 8 (CSC asynchronous mode, csc-api-v2.md §5.1/§5.3): results of `operationMode: "A"`
 * requests, so any instance on the database can answer `signatures/signPolling`. The row id is the
 * SHA-256 of the responseID and the body is sealed under a key derived from the responseID
 * (signing/async/seal.ts): the database alone cannot read or claim a result. Bodies are dropped
 * once fetched or expired; the row stays until its tombstone ages out so the poller hears why.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  await db.schema
    .createTable('async_results')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', bin)
    .addColumn('error_code', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('async_results_expires_at').on('async_results').column('expires_at').execute();
}
