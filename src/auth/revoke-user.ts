/**
 * Everything auth/ holds for a user, revoked inside the caller's transaction: users/ calls this
 * (through the composition root) when a user is terminated or deleted (USER-2).
 */
import type { Tx } from '../store/index.js';

export async function revokeUserAccess(tx: Tx, userId: string, now: number): Promise<void> {
  await tx
    .updateTable('access_tokens')
    .set({ revoked_at: now })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  // sad_hashes rows go with their SAD (ON DELETE CASCADE); delete them explicitly anyway, in case
  // a SQLite connection was opened without foreign_keys.
  const sads = tx.selectFrom('sads').select('id').where('user_id', '=', userId);
  await tx.deleteFrom('sad_hashes').where('sad_id', 'in', sads).execute();
  await tx.deleteFrom('sads').where('user_id', '=', userId).execute();
}
