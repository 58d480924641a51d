import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Version 6 (CA-1, CA-2, CA-3): the CA hierarchy and its repository.
 * - ca_authorities: the parent of each CA (null for the root), whether its key is online, and the
 *   number of its latest CRL (RFC 5280 §5.2.3, monotonic).
 * - ca_certificates: every certificate a CA of this service issued — the registry CRLs and OCSP
 *   answer from: status good / revoked / hold, reason and time (RFC 5280 §5.3.1).
 * - ca_crls: the CRLs issued, the latest one per CA served at /crl/….
 * - credentials.operators (SEAL-1): users allowed to use an organisation's e-seal credential.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  const bin = dialect === 'postgres' ? 'bytea' : 'blob';
  await db.schema.alterTable('ca_authorities').addColumn('parent_id', 'text').execute();
  await db.schema
    .alterTable('ca_authorities')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('online'))
    .execute();
  await db.schema
    .alterTable('ca_authorities')
    .addColumn('crl_number', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  // SEAL-1: the named operators who may use an organisation's e-seal credential (user ids, comma-separated).
  await db.schema
    .alterTable('credentials')
    .addColumn('operators', 'text', (c) => c.notNull().defaultTo(''))
    .execute();

  await db.schema
    .createTable('ca_certificates')
    .addColumn('issuer_id', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('subject_dn', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text')
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('not_before', 'bigint', (c) => c.notNull())
    .addColumn('not_after', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('revocation_reason', 'integer')
    .addColumn('revoked_at', 'bigint')
    .addColumn('der', bin, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('ca_certificates_pk', ['issuer_id', 'serial'])
    .execute();
  await db.schema
    .createIndex('ca_certificates_revoked')
    .on('ca_certificates')
    .columns(['issuer_id', 'status'])
    .execute();
  await db.schema.createIndex('ca_certificates_key').on('ca_certificates').column('key_id').execute();

  await db.schema
    .createTable('ca_crls')
    .addColumn('issuer_id', 'text', (c) => c.notNull())
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('this_update', 'bigint', (c) => c.notNull())
    .addColumn('next_update', 'bigint', (c) => c.notNull())
    .addColumn('der', bin, (c) => c.notNull())
    .addPrimaryKeyConstraint('ca_crls_pk', ['issuer_id', 'number'])
    .execute();
}
