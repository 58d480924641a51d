/**
 * Refresh-token rotation with reuse detection (RFC 9700 §4.14.2): each refresh token works once and
 * is replaced; presenting a used (revoked) one means two parties hold it, so the whole session is
 * revoked — the thief and the user both have to log in again.
 */
import { ShomeiError } from '../errors.js';
import type { TokenGrant } from './principal.js';
import { findToken, revokeSession } from './token-rows.js';
import type { IssueRequest, TokensDeps } from './tokens.js';

interface RefreshDeps extends TokensDeps {
  issue(req: IssueRequest): Promise<TokenGrant>;
}

export async function rotateRefreshToken(deps: RefreshDeps, token: string, clientId: string): Promise<TokenGrant> {
  const { store, audit, clock } = deps;
  const now = clock.now();
  const refuse = async (reason: string, userId: string | null, sessionId: string | null): Promise<never> => {
    await audit.append({
      type: 'auth.refresh',
      actor: userId ?? 'anonymous',
      outcome: 'failure',
      reason,
      userId,
      sessionId,
      clientId,
    });
    throw new ShomeiError('invalid_refresh_token');
  };
  const row = await findToken(store, token);
  // A refresh token is bound to the client it was issued to (RFC 6749 §6).
  if (row?.kind !== 'refresh' || row.client_id !== clientId) return refuse('unknown', null, null);
  if (row.revoked_at !== null) {
    await revokeSession(store, row.session_id, now);
    return refuse('reuse', row.user_id, row.session_id);
  }
  if (row.expires_at <= now) return refuse('expired', row.user_id, row.session_id);
  // Conditional: of two concurrent refreshes with one token, only one rotates; the other is reuse.
  const res = await store.db
    .updateTable('access_tokens')
    .set({ revoked_at: now })
    .where('id', '=', row.id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (res.numUpdatedRows === 0n) {
    await revokeSession(store, row.session_id, now);
    return refuse('reuse', row.user_id, row.session_id);
  }
  const user = await store.db.selectFrom('users').select('status').where('id', '=', row.user_id).executeTakeFirst();
  if (user?.status !== 'active') return refuse('account_not_active', row.user_id, row.session_id);
  await audit.append({
    type: 'auth.refresh',
    actor: row.user_id,
    outcome: 'success',
    userId: row.user_id,
    sessionId: row.session_id,
    clientId,
  });
  return deps.issue({
    userId: row.user_id,
    clientId,
    scope: row.scope,
    rememberMe: true,
    sessionId: row.session_id,
    level: row.level,
  });
}
