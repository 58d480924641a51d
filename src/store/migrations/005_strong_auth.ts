import { type Kysely, sql } from 'kysely';
import type { Dialect } from '../dialect.js';

/**
 * Version 5 (AUTH-4, AUTH-5, API-2, WEB-1): strong authentication.
 * - credentials: the assurance level the policy requires (2 = PIN only, the foundation's
 *   credentials; 3 = PIN + a possession factor; 4 = WebAuthn with user verification on the RSSP's
 *   page), the CSC auth modes it may be activated through, and its cap on a SAD's life (AUTH-5).
 * - users: administrative roles (registration_officer, key_admin, auditor).
 * - access_tokens: the level the session authenticated at (admin routes check it).
 * - webauthn_credentials: registered authenticators (public key, sign counter; W3C WebAuthn L2).
 * - web_flows: one row per authorisation on the RSSP's pages (cookie and CSRF token stored hashed),
 *   and per security-key registration; rows, not memory, so any instance can continue a flow.
 */
export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable('credentials')
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(2))
    .execute();
  await db.schema
    .alterTable('credentials')
    .addColumn('auth_modes', 'text', (c) => c.notNull().defaultTo('explicit,oauth2code'))
    .execute();
  await sql`update credentials set level = 3 where factors like '%OTP%'`.execute(db);
  // AUTH-5: the credential's own cap on a SAD's lifetime (the PIN-caching window); null = the service's.
  await db.schema.alterTable('credentials').addColumn('sad_ttl_seconds', 'integer').execute();
  await db.schema
    .alterTable('users')
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema
    .alterTable('access_tokens')
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('sign_count', 'bigint', (c) => c.notNull())
    .addColumn('transports', 'text', (c) => c.notNull())
    .addColumn('aaguid', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema.createIndex('webauthn_credentials_user').on('webauthn_credentials').column('user_id').execute();

  await db.schema
    .createTable('web_flows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cookie_hash', 'text', (c) => c.notNull().unique())
    .addColumn('csrf_hash', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('challenge', 'text')
    .addColumn('level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('auth_time', 'bigint')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('done_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
