/**
 * `oauth2/token` (csc-api-v2.md §3.6; RFC 6749 §4.1.3, §4.4, §6) as a pipeline: the grant type →
 * the client authenticated → the grant allowed for it → the grant checked and spent → tokens from
 * the one token service (auth/tokens.ts) → logged → returned. A scope=credential code yields a
 * short-lived access token that *is* a SAD handle bound exactly as credentials/authorize binds one.
 */
import type { TokenGrant } from '../auth/index.js';
import { isShomeiError, ShomeiError } from '../errors.js';
import { authenticateClient, type ClientCredentials } from './client-auth.js';
import { CodeRefused, redeemCode, replayedMeanwhile } from './codes.js';
import { GRANT_TYPES, type GrantType, type OAuthClient, type OAuthDeps } from './model.js';
import { verifyPkce } from './pkce.js';

export interface TokenRequest extends ClientCredentials {
  readonly grant_type?: string;
  readonly code?: string;
  readonly code_verifier?: string;
  readonly redirect_uri?: string;
  readonly refresh_token?: string;
  readonly scope?: string;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly refresh_token?: string;
  readonly scope: string;
  readonly credentialID?: string;
}

interface Granted {
  readonly grant: TokenGrant;
  readonly userId: string;
  readonly scope: string;
  readonly credentialId?: string;
}

async function activeUser(deps: OAuthDeps, userId: string): Promise<boolean> {
  const u = await deps.store.db.selectFrom('users').select('status').where('id', '=', userId).executeTakeFirst();
  return u?.status === 'active';
}

async function authorizationCode(deps: OAuthDeps, client: OAuthClient, req: TokenRequest): Promise<Granted> {
  if (!req.code) throw new ShomeiError('oauth_missing_parameter', { name: 'code' });
  const sessionId = deps.random.uuid();
  const row = await redeemCode(deps, req.code, client.id, sessionId);
  // Admin codes belong to the built-in command line (first-party.ts), never to a registered client.
  if (row.scope === 'admin') throw new CodeRefused('scope', row);
  if (req.redirect_uri !== row.redirect_uri) throw new CodeRefused('redirect_uri', row, 'redirect_uri_mismatch');
  if (!verifyPkce(row.code_challenge, req.code_verifier)) throw new CodeRefused('pkce', row, 'pkce_mismatch');
  // Suspended or terminated since the signer approved: no tokens (USER-2).
  if (!(await activeUser(deps, row.user_id))) throw new CodeRefused('account_not_active', row);
  const base = { userId: row.user_id, clientId: client.id, sessionId, level: row.level };
  let grant: TokenGrant;
  if (row.scope === 'credential') {
    const credential = row.credential_id ? await deps.credential(row.credential_id) : undefined;
    if (!credential || row.num_signatures === null) throw new CodeRefused('credential_gone', row);
    const hashes = row.hashes ? (JSON.parse(row.hashes) as string[]).map((h) => Buffer.from(h, 'base64')) : undefined;
    const sad = await deps.issueSad({
      principal: { ...base, scope: 'credential' },
      credential,
      numSignatures: row.num_signatures,
      ...(hashes ? { hashes } : {}),
      ...(row.hash_algorithm_oid ? { hashAlgorithmOID: row.hash_algorithm_oid } : {}),
    });
    grant = await deps.tokens.issue({
      ...base,
      scope: 'credential',
      rememberMe: false,
      accessToken: sad.sad,
      ttlSeconds: sad.expiresIn,
    });
  } else if (row.scope === 'credential_management') {
    // CSC 2.2 credentials/create|delete (csc-api-v2.md §4.7): its own token, good for nothing else, never refreshed.
    grant = await deps.tokens.issue({ ...base, scope: 'credential_management', rememberMe: false });
  } else {
    grant = await deps.tokens.issue({
      ...base,
      scope: 'service',
      rememberMe: client.grantTypes.includes('refresh_token'),
    });
  }
  if (await replayedMeanwhile(deps, row.id)) {
    await deps.tokens.revokeSession(sessionId);
    throw new CodeRefused('replay', row);
  }
  return {
    grant,
    userId: row.user_id,
    scope: row.scope,
    ...(row.credential_id ? { credentialId: row.credential_id } : {}),
  };
}

async function clientCredentials(deps: OAuthDeps, client: OAuthClient, req: TokenRequest): Promise<Granted> {
  // csc-api-v2.md §3.6: client_credentials is for scope service only (e-seal clients).
  if (req.scope !== undefined && req.scope !== 'service') throw new ShomeiError('invalid_scope');
  if (!client.serviceUserId) throw new ShomeiError('unauthorized_client');
  if (!(await activeUser(deps, client.serviceUserId))) throw new ShomeiError('invalid_grant');
  const grant = await deps.tokens.issue({
    userId: client.serviceUserId,
    clientId: client.id,
    scope: 'service',
    rememberMe: false,
  });
  return { grant, userId: client.serviceUserId, scope: 'service' };
}

async function refreshToken(deps: OAuthDeps, client: OAuthClient, req: TokenRequest): Promise<Granted> {
  if (!req.refresh_token) throw new ShomeiError('oauth_missing_parameter', { name: 'refresh_token' });
  if (req.scope !== undefined && req.scope !== 'service') throw new ShomeiError('invalid_scope');
  try {
    // Rotation and reuse detection (RFC 9700 §4.14.2) live in the token service.
    const grant = await deps.tokens.refresh(req.refresh_token, client.id);
    const principal = await deps.tokens.authenticate(grant.accessToken);
    return { grant, userId: principal.userId, scope: 'service' };
  } catch (e) {
    if (isShomeiError(e) && e.code === 'invalid_refresh_token') throw new ShomeiError('invalid_grant');
    throw e;
  }
}

const GRANTS: Record<GrantType, (deps: OAuthDeps, client: OAuthClient, req: TokenRequest) => Promise<Granted>> = {
  authorization_code: authorizationCode,
  client_credentials: clientCredentials,
  refresh_token: refreshToken,
};

export async function tokenEndpoint(deps: OAuthDeps, req: TokenRequest): Promise<TokenResponse> {
  let client: OAuthClient | undefined;
  const grantType = req.grant_type;
  try {
    if (!grantType) throw new ShomeiError('oauth_missing_parameter', { name: 'grant_type' });
    if (!GRANT_TYPES.includes(grantType as GrantType)) throw new ShomeiError('unsupported_grant_type');
    client = await authenticateClient(deps, req, 'token');
    if (!client.grantTypes.includes(grantType as GrantType)) throw new ShomeiError('unauthorized_client');
    const g = await GRANTS[grantType as GrantType](deps, client, req);
    await deps.audit.append({
      type: 'oauth.token',
      actor: `client:${client.id}`,
      outcome: 'success',
      grantType,
      clientId: client.id,
      userId: g.userId,
      scope: g.scope,
      credentialId: g.credentialId ?? null,
    });
    return {
      access_token: g.grant.accessToken,
      token_type: 'Bearer',
      expires_in: g.grant.expiresIn,
      ...(g.grant.refreshToken ? { refresh_token: g.grant.refreshToken } : {}),
      scope: g.scope,
      ...(g.credentialId ? { credentialID: g.credentialId } : {}),
    };
  } catch (e) {
    await deps.audit.append({
      type: 'oauth.token',
      actor: client ? `client:${client.id}` : 'anonymous',
      outcome: 'failure',
      grantType: grantType && grantType.length <= 64 ? grantType : null,
      clientId: client?.id ?? null,
      reason: e instanceof CodeRefused ? e.reason : isShomeiError(e) ? e.code : 'internal',
      ...(e instanceof CodeRefused && e.row ? { codeId: e.row.id, userId: e.row.user_id } : {}),
    });
    throw e;
  }
}

/** `oauth2/revoke` (RFC 7009 §2): the client's own token; unknown tokens answer 200 all the same. */
export async function revokeEndpoint(
  deps: OAuthDeps,
  req: ClientCredentials & { token?: string; token_type_hint?: string },
): Promise<void> {
  const client = await authenticateClient(deps, req, 'revoke');
  if (!req.token) {
    await deps.audit.append({
      type: 'oauth.revoke',
      actor: `client:${client.id}`,
      outcome: 'failure',
      reason: 'missing_token',
      clientId: client.id,
    });
    throw new ShomeiError('oauth_missing_parameter', { name: 'token' });
  }
  const revoked = await deps.tokens.revokeForClient(req.token, client.id);
  await deps.audit.append({
    type: 'oauth.revoke',
    actor: `client:${client.id}`,
    outcome: revoked ? 'success' : 'failure',
    clientId: client.id,
    ...(revoked ? {} : { reason: 'unknown_or_foreign_token' }),
  });
}
