import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Version 7 (TSA-1): every time-stamp token the built-in TSA issued. The serial number is the
 * primary key, so two tokens can never share one (RFC 3161 §2.4.2: unique for each token of a
 * TSA) even across instances on one database; the imprint is kept so that a token's existence can
 * be proven or disproven later.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  await db.schema
    .createTable('tsa_tokens')
    .addColumn('serial', 'text', (c) => c.primaryKey())
    .addColumn('gen_time', 'bigint', (c) => c.notNull())
    .addColumn('policy', 'text', (c) => c.notNull())
    .addColumn('hash_algorithm', 'text', (c) => c.notNull())
    .addColumn('imprint', bin, (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tsa_tokens_gen_time').on('tsa_tokens').column('gen_time').execute();
}
