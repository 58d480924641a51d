/**
 * Revocation and deletion (USER-2). Terminate is final: every credential is disabled and every
 * token and SAD revoked in the same transaction. Delete is "terminate, then forget": the row and
 * its id stay (the signing log refers to it, and the log is append-only), but every piece of
 * personal data is scrubbed — name, e-mail, verifiers, enrolment codes, the identity document
 * reference and evidence. What remains is the id, the status, the proofing method/officer and
 * the timestamps: enough to make the log's entries meaningful, not enough to identify a person.
 * A deployment with a retention duty for registration evidence exports it before deleting.
 */
import { ShomeiError } from '../errors.js';
import type { Tx, UserStatus } from '../store/index.js';
import type { Actor, UsersDeps } from './model.js';
import { loadUser } from './registry.js';

export function lifecycle(deps: UsersDeps) {
  const { store, audit, clock } = deps;

  /** Moves the user from one of `from` to `to`; a conditional UPDATE, so racing changes cannot both win. */
  async function transition(tx: Tx, id: string, from: UserStatus[], to: UserStatus, now: number): Promise<void> {
    const res = await tx
      .updateTable('users')
      .set({ status: to, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) {
      const user = await loadUser(tx, id); // unknown_user when absent
      throw new ShomeiError('invalid_state', { detail: `user is ${user.status}` });
    }
  }

  async function revokeAll(tx: Tx, id: string, now: number): Promise<void> {
    await tx
      .updateTable('credentials')
      .set({ status: 'disabled', updated_at: now })
      .where('user_id', '=', id)
      .execute();
    await tx.deleteFrom('enrolment_codes').where('user_id', '=', id).execute();
    await deps.revokeUserAccess?.(tx, id, now);
  }

  async function suspend(id: string, reason: string, actor: Actor): Promise<void> {
    await store.transaction((tx) => transition(tx, id, ['pending', 'active'], 'suspended', clock.now()));
    await audit.append({ type: 'user.suspend', actor, outcome: 'success', userId: id, reason });
  }

  async function reinstate(id: string, actor: Actor): Promise<void> {
    const user = await loadUser(store.db, id);
    // A user who never enrolled goes back to waiting for enrolment, not straight to active.
    const to: UserStatus = user.hasPassword ? 'active' : 'pending';
    await store.transaction((tx) => transition(tx, id, ['suspended'], to, clock.now()));
    await audit.append({ type: 'user.reinstate', actor, outcome: 'success', userId: id, status: to });
  }

  async function terminate(id: string, reason: string, actor: Actor): Promise<void> {
    const now = clock.now();
    await store.transaction(async (tx) => {
      await transition(tx, id, ['pending', 'active', 'suspended'], 'terminated', now);
      await revokeAll(tx, id, now);
    });
    await audit.append({ type: 'user.terminate', actor, outcome: 'success', userId: id, reason });
  }

  async function remove(id: string, actor: Actor): Promise<void> {
    const now = clock.now();
    await store.transaction(async (tx) => {
      const user = await loadUser(tx, id);
      if (user.status !== 'terminated') await transition(tx, id, [user.status], 'terminated', now);
      await revokeAll(tx, id, now);
      await scrub(tx, id, now);
    });
    await audit.append({ type: 'user.delete', actor, outcome: 'success', userId: id });
  }

  return { suspend, reinstate, terminate, delete: remove };
}

async function scrub(tx: Tx, id: string, now: number): Promise<void> {
  await tx
    .updateTable('users')
    .set({
      // The username is unique and personal; the id keeps it unique and frees the name.
      username: `deleted:${id}`,
      display_name: '',
      email: null,
      password_verifier: null,
      pin_verifier: null,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
  await tx
    .updateTable('identity_proofing')
    .set({ document_ref: '', evidence: '{}' })
    .where('user_id', '=', id)
    .execute();
}
