import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Version 4 (AUTH-4, USER-1): second factors. A user's TOTP secret (sealed, see
 * auth/factors/factor-key.ts) and the last time-step accepted (replay refusal); the factors each
 * credential requires ('PIN' for every credential made before, so they keep working unchanged);
 * out-of-band OTP challenges, stored only as keyed hashes, single use, expiring.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
  await db.schema
    .alterTable('credentials')
    .addColumn('factors', 'text', (c) => c.notNull().defaultTo('PIN'))
    .execute();

  await db.schema
    .createTable('otp_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('credential_id', 'text', (c) => c.notNull().references('credentials.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('otp_challenges_user_credential')
    .on('otp_challenges')
    .columns(['user_id', 'credential_id'])
    .execute();
}
