/**
 * Registered clients (admin CLI): the secret is generated here, shown once and stored as a scrypt
 * verifier like a password; a private_key_jwt client registers a JWK Set instead (RFC 7523).
 */
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Selectable } from 'kysely';
import { ShomeiError } from '../errors.js';
import type { OAuthClientsTable } from '../store/index.js';
import { createVerifier } from '../users/index.js';
import { type ClientAuthMethod, GRANT_TYPES, type GrantType, type OAuthClient, type OAuthDeps } from './model.js';

export interface NewClient {
  readonly name: string;
  readonly redirectUris: readonly string[];
  readonly authMethod: ClientAuthMethod;
  readonly jwks?: JSONWebKeySet;
  readonly grantTypes?: readonly string[];
  readonly serviceUserId?: string;
}

export interface RegisteredClient {
  readonly client: OAuthClient;
  /** client_secret_basic only; never stored, shown once. */
  readonly clientSecret?: string;
}

export interface Clients {
  register(input: NewClient, actor: string): Promise<RegisteredClient>;
  list(): Promise<OAuthClient[]>;
  get(id: string): Promise<OAuthClient | undefined>;
  disable(id: string, actor: string): Promise<OAuthClient>;
}

export function toClient(row: Selectable<OAuthClientsTable>): OAuthClient {
  return {
    id: row.id,
    name: row.name,
    authMethod: row.auth_method,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    grantTypes: JSON.parse(row.grant_types) as GrantType[],
    serviceUserId: row.service_user_id,
    status: row.status,
    createdAt: row.created_at,
  };
}

/** RFC 6749 §3.1.2: absolute, no fragment; https except on loopback (RFC 8252 §7.3) or a private scheme. */
export function checkRedirectUri(uri: string): void {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new ShomeiError('invalid_parameter', { name: 'redirect_uri' });
  }
  const loopback = u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost';
  const ok =
    u.protocol === 'https:' ||
    (u.protocol === 'http:' && loopback) ||
    /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/.test(u.protocol);
  if (!ok || u.hash !== '' || uri.length > 2000) throw new ShomeiError('invalid_parameter', { name: 'redirect_uri' });
}

function checkNew(input: NewClient): GrantType[] {
  if (!input.name.trim() || input.name.length > 255) throw new ShomeiError('invalid_parameter', { name: 'name' });
  const asked = [...new Set(input.grantTypes ?? ['authorization_code', 'refresh_token'])];
  const grants = GRANT_TYPES.filter((g) => asked.includes(g));
  if (grants.length !== asked.length || grants.length === 0)
    throw new ShomeiError('invalid_parameter', { name: 'grant' });
  if (grants.includes('authorization_code') && input.redirectUris.length === 0)
    throw new ShomeiError('missing_string', { name: 'redirect_uri' });
  for (const u of input.redirectUris) checkRedirectUri(u);
  if (grants.includes('client_credentials') && !input.serviceUserId)
    throw new ShomeiError('missing_string', { name: 'user' });
  if (input.authMethod === 'private_key_jwt') {
    if (!input.jwks) throw new ShomeiError('missing_string', { name: 'jwks' });
    try {
      createLocalJWKSet(input.jwks);
    } catch {
      throw new ShomeiError('invalid_parameter', { name: 'jwks' });
    }
    if (input.jwks.keys.some((k) => 'd' in k)) throw new ShomeiError('invalid_parameter', { name: 'jwks' });
  }
  return grants;
}

export function createClients(deps: OAuthDeps): Clients {
  const { store, audit, clock, random } = deps;
  const get = async (id: string) => {
    const row = await store.db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toClient(row) : undefined;
  };
  return {
    async register(input, actor) {
      const grants = checkNew(input);
      const id = random.uuid();
      const now = clock.now();
      const secret = input.authMethod === 'client_secret_basic' ? random.bytes(32).toString('base64url') : undefined;
      await store.db
        .insertInto('oauth_clients')
        .values({
          id,
          name: input.name,
          auth_method: input.authMethod,
          secret_verifier: secret ? await createVerifier(secret, deps.scryptLogN, random) : null,
          jwks: input.jwks ? JSON.stringify(input.jwks) : null,
          redirect_uris: JSON.stringify(input.redirectUris),
          grant_types: JSON.stringify(grants),
          service_user_id: input.serviceUserId ?? null,
          status: 'enabled',
          created_by: actor,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await audit.append({
        type: 'oauth.client.register',
        actor,
        outcome: 'success',
        clientId: id,
        name: input.name,
        authMethod: input.authMethod,
        grantTypes: grants,
        redirectUris: [...input.redirectUris],
      });
      const client = (await get(id)) as OAuthClient;
      return { client, ...(secret ? { clientSecret: secret } : {}) };
    },
    async list() {
      const rows = await store.db.selectFrom('oauth_clients').selectAll().orderBy('created_at').execute();
      return rows.map(toClient);
    },
    get,
    async disable(id, actor) {
      const res = await store.db
        .updateTable('oauth_clients')
        .set({ status: 'disabled', updated_at: clock.now() })
        .where('id', '=', id)
        .executeTakeFirst();
      if (res.numUpdatedRows === 0n) throw new ShomeiError('unknown_client');
      // A disabled client's tokens stop working at once, not at expiry.
      await store.db
        .updateTable('access_tokens')
        .set({ revoked_at: clock.now() })
        .where('client_id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      await audit.append({ type: 'oauth.client.disable', actor, outcome: 'success', clientId: id });
      return (await get(id)) as OAuthClient;
    },
  };
}
