import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Version 2 (KEY-2): certificate revocation (RFC 5280 §5.3.1 reason) on `key_certificates`, and
 * the certificates a renewal replaced, kept for the record.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('key_certificates').addColumn('revoked_at', 'bigint').execute();
  await db.schema.alterTable('key_certificates').addColumn('revocation_reason', 'text').execute();

  await db.schema
    .createTable('key_certificates_previous')
    .addColumn('key_id', 'text', (c) => c.notNull().references('keys.id'))
    .addColumn('serial_number', 'text', (c) => c.notNull())
    .addColumn('chain', 'text', (c) => c.notNull())
    .addColumn('not_before', 'bigint', (c) => c.notNull())
    .addColumn('not_after', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('replaced_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('key_certificates_previous_pk', ['key_id', 'serial_number'])
    .execute();
}
