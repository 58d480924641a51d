/**
 * Pushed authorisation requests (RFC 9126; csc-api-v2.md §3.5): the client posts the authorize
 * parameters over an authenticated back channel — needed for many hashes, which overflow a URL —
 * and gets a one-time `request_uri` that the browser carries to oauth2/authorize with only
 * `client_id`. The parameters are validated when pushed and again when used.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../errors.js';
import { type AuthorizeQuery, validateAuthorizeRequest } from './authorize-request.js';
import { authenticateClient, type ClientCredentials } from './client-auth.js';
import type { OAuthDeps } from './model.js';

export const PAR_TTL_SECONDS = 60;
const PREFIX = 'urn:ietf:params:oauth:request_uri:';
const SECRET = /^[A-Za-z0-9_-]{43}$/;
// Client credentials and clientData (may hold personal data, csc-api-v2.md §1) are not stored.
const NOT_STORED = new Set([
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'authorization',
  'clientData',
]);

export interface PushedRequest {
  readonly request_uri: string;
  readonly expires_in: number;
}

const hashOf = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

export async function pushAuthorizationRequest(
  deps: OAuthDeps,
  body: ClientCredentials & Record<string, string | undefined>,
): Promise<PushedRequest> {
  const client = await authenticateClient(deps, body, 'pushed_authorize');
  const refuse = async (code: ShomeiError): Promise<never> => {
    await deps.audit.append({
      type: 'oauth.par',
      actor: `client:${client.id}`,
      outcome: 'failure',
      clientId: client.id,
      reason: code.code,
    });
    throw code;
  };
  // RFC 9126 §2.1: client_id, if sent, names the authenticated client; request_uri is not allowed.
  if (body.client_id !== undefined && body.client_id !== client.id)
    return refuse(new ShomeiError('oauth_invalid_request', { name: 'client_id' }));
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (v !== undefined && !NOT_STORED.has(k)) params[k] = v;
  params.client_id = client.id;
  if (params.request_uri !== undefined)
    return refuse(new ShomeiError('oauth_invalid_request', { name: 'request_uri' }));
  const v = validateAuthorizeRequest(params, client, {
    hashLength: deps.hashLength,
    credentialManagement: deps.credentialManagement === true,
  });
  // §2.3: errors as at the token endpoint, never a redirect.
  if (v.kind !== 'valid') return refuse(new ShomeiError(v.code, v.params));
  const secret = deps.random.bytes(32).toString('base64url');
  const now = deps.clock.now();
  await deps.store.db.deleteFrom('oauth_par').where('expires_at', '<', now).execute();
  await deps.store.db
    .insertInto('oauth_par')
    .values({
      id: deps.random.uuid(),
      request_hash: hashOf(secret),
      client_id: client.id,
      params: JSON.stringify(params),
      expires_at: now + PAR_TTL_SECONDS * 1000,
      used_at: null,
      created_at: now,
    })
    .execute();
  await deps.audit.append({
    type: 'oauth.par',
    actor: `client:${client.id}`,
    outcome: 'success',
    clientId: client.id,
    scope: v.request.scope,
  });
  return { request_uri: `${PREFIX}${secret}`, expires_in: PAR_TTL_SECONDS };
}

/**
 * The parameters an authorize request stands for: its own, or — with `request_uri` — those pushed
 * by the same client, once (RFC 9126 §4). Undefined when the request_uri is unknown, another
 * client's, used or expired: nothing then may be redirected.
 */
export async function resolveAuthorizeQuery(deps: OAuthDeps, q: AuthorizeQuery): Promise<AuthorizeQuery | undefined> {
  const uri = q.request_uri;
  if (uri === undefined) return q;
  const clientId = q.client_id;
  if (typeof uri !== 'string' || typeof clientId !== 'string' || !uri.startsWith(PREFIX)) return undefined;
  const secret = uri.slice(PREFIX.length);
  if (!SECRET.test(secret)) return undefined;
  const now = deps.clock.now();
  const row = await deps.store.db
    .updateTable('oauth_par')
    .set({ used_at: now })
    .where('request_hash', '=', hashOf(secret))
    .where('client_id', '=', clientId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('params')
    .executeTakeFirst();
  return row ? (JSON.parse(row.params) as Record<string, string>) : undefined;
}
