/**
 * Client authentication at oauth2/token and oauth2/revoke (RFC 6749 §2.3): `client_secret_basic`
 * (the secret checked against its scrypt verifier in constant time; an unknown client costs the
 * same scrypt work) or `private_key_jwt` (RFC 7523 §3: iss = sub = client_id, aud = the token
 * endpoint, a short exp, a single-use jti). Every refusal is the same `invalid_client`; the log
 * keeps the reason.
 */
import { createLocalJWKSet, type JSONWebKeySet, errors as joseErrors, jwtVerify } from 'jose';
import { ShomeiError } from '../errors.js';
import { dummyVerify, verifySecret } from '../users/index.js';
import { toClient } from './clients.js';
import type { OAuthClient, OAuthDeps } from './model.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Longest lifetime an assertion may claim (RFC 7523 §3 item 4: "limit the time window"). */
const MAX_ASSERTION_SECONDS = 300;
const ASSERTION_ALGS = ['RS256', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'];

export interface ClientCredentials {
  /** The raw `Authorization` header, if any. */
  readonly authorization?: string;
  readonly client_id?: string;
  readonly client_secret?: string;
  readonly client_assertion?: string;
  readonly client_assertion_type?: string;
}

class Refused extends Error {
  constructor(
    readonly reason: string,
    readonly clientId: string | null,
  ) {
    super(reason);
  }
}

/** RFC 6749 §2.3.1: client_id and secret are form-urlencoded inside the Basic credentials. */
function parseBasic(header: string): { id: string; secret: string } | undefined {
  const m = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header.trim());
  if (!m?.[1]) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 1) return undefined;
  try {
    return { id: decodeURIComponent(text.slice(0, i)), secret: decodeURIComponent(text.slice(i + 1)) };
  } catch {
    return undefined;
  }
}

export async function authenticateClient(
  deps: OAuthDeps,
  c: ClientCredentials,
  endpoint: string,
): Promise<OAuthClient> {
  try {
    return await authenticate(deps, c, endpoint);
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    await deps.audit.append({
      type: 'oauth.client.auth',
      actor: e.clientId ? `client:${e.clientId}` : 'anonymous',
      outcome: 'failure',
      reason: e.reason,
      clientId: e.clientId,
      endpoint,
    });
    throw new ShomeiError('invalid_client');
  }
}

async function load(
  deps: OAuthDeps,
  id: string,
): Promise<OAuthClient & { verifier: string | null; jwks: string | null }> {
  const row = await deps.store.db.selectFrom('oauth_clients').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new Refused('unknown_client', null);
  return { ...toClient(row), verifier: row.secret_verifier, jwks: row.jwks };
}

async function authenticate(deps: OAuthDeps, c: ClientCredentials, endpoint: string): Promise<OAuthClient> {
  const basic = c.authorization ? parseBasic(c.authorization) : undefined;
  if (c.authorization && !basic) throw new Refused('malformed_basic', null);
  const methods = [basic, c.client_secret, c.client_assertion].filter((x) => x !== undefined).length;
  // RFC 6749 §2.3: a client uses one method per request.
  if (methods > 1) throw new Refused('several_methods', c.client_id ?? basic?.id ?? null);
  if (basic || c.client_secret !== undefined) {
    const id = basic?.id ?? c.client_id ?? '';
    const secret = basic?.secret ?? c.client_secret ?? '';
    if (basic && c.client_id !== undefined && c.client_id !== basic.id) throw new Refused('client_id_mismatch', id);
    const client = await load(deps, id).catch(async (e) => {
      await dummyVerify(secret, deps.scryptLogN);
      throw e;
    });
    if (client.authMethod !== 'client_secret_basic' || !client.verifier) throw new Refused('wrong_method', id);
    if (!(await verifySecret(client.verifier, secret))) throw new Refused('wrong_secret', id);
    if (client.status !== 'enabled') throw new Refused('disabled', id);
    return client;
  }
  if (c.client_assertion !== undefined) return assertion(deps, c, endpoint);
  throw new Refused('no_client_authentication', c.client_id ?? null);
}

/**
 * RFC 7523 §3: the token endpoint is the audience; at oauth2/pushed_authorize its own URL is
 * accepted too (RFC 9126 §2).
 */
function audiences(deps: OAuthDeps, endpoint: string): string[] {
  const own = deps.tokenEndpoint.replace(/\/token$/, `/${endpoint}`);
  return endpoint === 'pushed_authorize' ? [deps.tokenEndpoint, own] : [deps.tokenEndpoint];
}

async function assertion(deps: OAuthDeps, c: ClientCredentials, endpoint: string): Promise<OAuthClient> {
  if (c.client_assertion_type !== JWT_BEARER) throw new Refused('assertion_type', c.client_id ?? null);
  const assertionText = c.client_assertion ?? '';
  let claimedId: string | undefined;
  try {
    const payload = JSON.parse(Buffer.from(assertionText.split('.')[1] ?? '', 'base64url').toString('utf8'));
    claimedId = typeof payload?.sub === 'string' ? payload.sub : undefined;
  } catch {
    throw new Refused('malformed_assertion', c.client_id ?? null);
  }
  const id = c.client_id ?? claimedId;
  if (!id || (c.client_id !== undefined && claimedId !== c.client_id)) throw new Refused('sub_mismatch', id ?? null);
  const client = await load(deps, id);
  if (client.authMethod !== 'private_key_jwt' || !client.jwks) throw new Refused('wrong_method', id);
  const now = deps.clock.now();
  let payload: { jti?: unknown; exp?: unknown };
  try {
    const keys = createLocalJWKSet(JSON.parse(client.jwks) as JSONWebKeySet);
    ({ payload } = await jwtVerify(assertionText, keys, {
      issuer: id,
      subject: id,
      audience: audiences(deps, endpoint),
      algorithms: ASSERTION_ALGS,
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(now),
      clockTolerance: 5,
    }));
  } catch (e) {
    const reason = e instanceof joseErrors.JOSEError ? e.code : 'invalid_assertion';
    throw new Refused(reason, id);
  }
  const exp = Number(payload.exp) * 1000;
  if (exp - now > MAX_ASSERTION_SECONDS * 1000) throw new Refused('assertion_lifetime_too_long', id);
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 200)
    throw new Refused('invalid_jti', id);
  if (client.status !== 'enabled') throw new Refused('disabled', id);
  await spendJti(deps, id, payload.jti, exp, now);
  return client;
}

/** RFC 7523 §3 item 7: a jti is accepted once; kept until its assertion expires. */
async function spendJti(deps: OAuthDeps, clientId: string, jti: string, exp: number, now: number): Promise<void> {
  await deps.store.db.deleteFrom('oauth_jtis').where('expires_at', '<=', now).execute();
  const res = await deps.store.db
    .insertInto('oauth_jtis')
    .values({ client_id: clientId, jti, expires_at: exp })
    .onConflict((oc) => oc.columns(['client_id', 'jti']).doNothing())
    .executeTakeFirst();
  if (Number(res.numInsertedOrUpdatedRows ?? 0n) === 0) throw new Refused('jti_replay', clientId);
}
