/** Row-level helpers shared by tokens.ts and refresh.ts. */
import type { Selectable } from 'kysely';
import type { AccessTokensTable, Store } from '../store/index.js';
import { isOpaque, sha256Hex } from './opaque.js';

export type TokenRow = Selectable<AccessTokensTable>;

export async function findToken(store: Store, token: string): Promise<TokenRow | undefined> {
  if (!isOpaque(token)) return undefined;
  return store.db.selectFrom('access_tokens').selectAll().where('token_hash', '=', sha256Hex(token)).executeTakeFirst();
}

/** Revokes every token of a session: a revoked refresh token, or a stolen one replayed. */
export async function revokeSession(store: Store, sessionId: string, now: number): Promise<void> {
  await store.db
    .updateTable('access_tokens')
    .set({ revoked_at: now })
    .where('session_id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}
