/**
 * Bearer tokens (AUTH-2): opaque, stored hashed, short-lived, bound to one user, client and session.
 * The service does not know how the user authenticated; login.ts (password) and, later, OAuth2
 * call `issue` once they are satisfied.
 */
import type { AuditSink } from '../audit/event.js';
import { ShomeiError } from '../errors.js';
import type { Clock, Random } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { isOpaque, newOpaque, sha256Hex } from './opaque.js';
import type { Principal, TokenGrant } from './principal.js';
import { rotateRefreshToken } from './refresh.js';
import { findToken, revokeSession } from './token-rows.js';

export interface TokensDeps {
  readonly store: Store;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly random: Random;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
}

export interface IssueRequest {
  readonly userId: string;
  readonly clientId: string;
  readonly scope: string;
  readonly rememberMe: boolean;
  /** Continue an existing session (refresh); a new one otherwise. */
  readonly sessionId?: string;
  /**
   * OAuth2 credential-scoped tokens: the access token is the SAD handle issued for this grant, so
   * the token and its SAD are one value (csc-api-v2.md §1), with the SAD's lifetime.
   */
  readonly accessToken?: string;
  readonly ttlSeconds?: number;
  /** AUTH-4: the level the signer authenticated at (1 = password only, the default). */
  readonly level?: number;
}

export type TokenTypeHint = 'access_token' | 'refresh_token';

export interface TokenService {
  issue(req: IssueRequest): Promise<TokenGrant>;
  /** The refresh_token grant: rotation, with reuse detection (RFC 9700 §4.14.2). */
  refresh(refreshToken: string, clientId: string): Promise<TokenGrant>;
  authenticate(bearer: string): Promise<Principal>;
  revoke(token: string, hint: TokenTypeHint | undefined, principal: Principal): Promise<void>;
  /** oauth2/revoke (RFC 7009): the client's own token; false when unknown or another client's. */
  revokeForClient(token: string, clientId: string): Promise<boolean>;
  /** Every token of a session (a replayed authorisation code, RFC 6749 §4.1.2). */
  revokeSession(sessionId: string): Promise<void>;
}

export function createTokens(deps: TokensDeps): TokenService {
  const { store, audit, clock, random } = deps;

  async function issue(req: IssueRequest): Promise<TokenGrant> {
    const now = clock.now();
    const sessionId = req.sessionId ?? random.uuid();
    const row = (kind: 'access' | 'refresh', token: string, ttl: number) => ({
      id: random.uuid(),
      token_hash: sha256Hex(token),
      session_id: sessionId,
      user_id: req.userId,
      client_id: req.clientId,
      scope: req.scope,
      kind,
      level: req.level ?? 1,
      expires_at: now + ttl * 1000,
      revoked_at: null,
      created_at: now,
    });
    const accessToken = req.accessToken ?? newOpaque(random);
    const accessTtl = req.ttlSeconds ?? deps.accessTokenTtlSeconds;
    const refreshToken = req.rememberMe ? newOpaque(random) : undefined;
    const rows = [row('access', accessToken, accessTtl)];
    if (refreshToken) rows.push(row('refresh', refreshToken, deps.refreshTokenTtlSeconds));
    await store.db.insertInto('access_tokens').values(rows).execute();
    await audit.append({
      type: 'auth.token.issue',
      actor: req.userId,
      outcome: 'success',
      userId: req.userId,
      clientId: req.clientId,
      sessionId,
      scope: req.scope,
      level: req.level ?? 1,
      refresh: refreshToken !== undefined,
    });
    return { accessToken, ...(refreshToken ? { refreshToken } : {}), expiresIn: accessTtl };
  }

  /**
   * Not logged per request: a bearer check is not a user authentication, and the action it
   * authorises is logged with the session id. A suspended or terminated user's tokens stop working
   * at once, without waiting for expiry.
   */
  async function authenticate(bearer: string): Promise<Principal> {
    if (!isOpaque(bearer)) throw new ShomeiError('invalid_token');
    // One indexed lookup per request: the token with its user's status (this runs on every call).
    const row = await store.db
      .selectFrom('access_tokens')
      .innerJoin('users', 'users.id', 'access_tokens.user_id')
      .select([
        'access_tokens.kind',
        'access_tokens.revoked_at',
        'access_tokens.expires_at',
        'access_tokens.user_id',
        'access_tokens.client_id',
        'access_tokens.session_id',
        'access_tokens.scope',
        'access_tokens.level',
        'users.status',
      ])
      .where('access_tokens.token_hash', '=', sha256Hex(bearer))
      .executeTakeFirst();
    if (row?.kind !== 'access' || row.revoked_at !== null) throw new ShomeiError('invalid_token');
    if (row.expires_at <= clock.now()) throw new ShomeiError('expired_token');
    if (row.status !== 'active') throw new ShomeiError('account_suspended');
    return {
      userId: row.user_id,
      clientId: row.client_id,
      sessionId: row.session_id,
      scope: row.scope,
      level: row.level,
    };
  }

  /**
   * CSC auth/revoke (§3.3): revoking a refresh token voids its session's access tokens, not vice
   * versa. As RFC 7009 §2.2 asks, an unknown token — or someone else's, which must look the same —
   * is not an error to the caller; the audit log records the refusal.
   */
  async function revoke(token: string, hint: TokenTypeHint | undefined, principal: Principal): Promise<void> {
    const row = await findToken(store, token);
    const base = { type: 'auth.token.revoke', actor: principal.userId, userId: principal.userId, hint: hint ?? null };
    if (!row || row.user_id !== principal.userId) {
      await audit.append({ ...base, outcome: 'failure', reason: 'unknown_or_foreign_token' });
      return;
    }
    const now = clock.now();
    if (row.kind === 'refresh') await revokeSession(store, row.session_id, now);
    else
      await store.db
        .updateTable('access_tokens')
        .set({ revoked_at: now })
        .where('id', '=', row.id)
        .where('revoked_at', 'is', null)
        .execute();
    await audit.append({ ...base, outcome: 'success', sessionId: row.session_id, kind: row.kind });
  }

  async function revokeForClient(token: string, clientId: string): Promise<boolean> {
    const row = await findToken(store, token);
    if (!row || row.client_id !== clientId) return false;
    const now = clock.now();
    if (row.kind === 'refresh') await revokeSession(store, row.session_id, now);
    else await store.db.updateTable('access_tokens').set({ revoked_at: now }).where('id', '=', row.id).execute();
    return true;
  }

  const service: TokenService = {
    issue,
    authenticate,
    revoke,
    revokeForClient,
    revokeSession: (sessionId) => revokeSession(store, sessionId, clock.now()),
    refresh: (refreshToken, clientId) => rotateRefreshToken({ ...deps, issue }, refreshToken, clientId),
  };
  return service;
}
