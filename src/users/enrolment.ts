/**
 * Authentication data of DB-1 (USER-1, USER-4): setting the password and PIN, and the one-time
 * enrolment code through which a user sets their first ones.
 */
import { ShomeiError } from '../errors.js';
import type { Tx } from '../store/index.js';
import { generateEnrolmentCode, hashEnrolmentCode } from './enrolment-code.js';
import { type Actor, toUser, type User, type UsersDeps } from './model.js';
import { checkPassword, checkPin } from './policy.js';
import { loadUser } from './registry.js';
import { createVerifier } from './verifier.js';

export interface EnrolmentCode {
  /** Shown once to the operator, handed to the user out of band; never stored. */
  readonly code: string;
  readonly expiresAt: number;
}

export interface InitialSecrets {
  readonly pin: string;
  readonly password: string;
}

export function enrolment(deps: UsersDeps) {
  const { store, audit, clock, random, scryptLogN } = deps;

  async function setSecret(id: string, what: 'password' | 'pin', secret: string, actor: Actor): Promise<void> {
    if (what === 'password') checkPassword(secret);
    else checkPin(secret);
    const user = await loadUser(store.db, id);
    if (user.status === 'terminated') throw new ShomeiError('invalid_state', { detail: 'user terminated' });
    const verifier = await createVerifier(secret, scryptLogN, random);
    const set =
      what === 'password'
        ? { password_verifier: verifier, login_failures: 0, login_locked_until: null }
        : { pin_verifier: verifier, pin_failures: 0, pin_locked_until: null };
    await store.db
      .updateTable('users')
      .set({ ...set, updated_at: clock.now() })
      .where('id', '=', id)
      .execute();
    await audit.append({ type: `user.${what}.set`, actor, outcome: 'success', userId: id });
  }

  async function issueEnrolmentCode(userId: string, actor: Actor): Promise<EnrolmentCode> {
    const code = generateEnrolmentCode(random);
    const now = clock.now();
    const expiresAt = now + deps.enrolmentCodeTtlSeconds * 1000;
    await store.transaction(async (tx) => {
      const user = await loadUser(tx, userId);
      if (user.status !== 'pending' && user.status !== 'active') {
        throw new ShomeiError('invalid_state', { detail: `user is ${user.status}` });
      }
      // USER-4: only the newest code is valid; older unused ones expire now.
      await tx
        .updateTable('enrolment_codes')
        .set({ expires_at: now })
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .execute();
      await tx
        .insertInto('enrolment_codes')
        .values({
          id: random.uuid(),
          user_id: userId,
          code_hash: hashEnrolmentCode(code),
          expires_at: expiresAt,
          used_at: null,
          created_by: actor,
          created_at: now,
        })
        .execute();
    });
    await audit.append({ type: 'user.enrolment_code.issue', actor, outcome: 'success', userId, expiresAt });
    return { code, expiresAt };
  }

  async function redeemEnrolmentCode(code: string, secrets: InitialSecrets): Promise<User> {
    // Check the policy before touching the code, so a weak choice does not burn it.
    checkPassword(secrets.password);
    checkPin(secrets.pin);
    const [passwordVerifier, pinVerifier] = await Promise.all([
      createVerifier(secrets.password, scryptLogN, random),
      createVerifier(secrets.pin, scryptLogN, random),
    ]);
    const now = clock.now();
    try {
      const userId = await store.transaction(async (tx) => {
        const uid = await consumeCode(tx, hashEnrolmentCode(code), now);
        const res = await tx
          .updateTable('users')
          .set({
            password_verifier: passwordVerifier,
            pin_verifier: pinVerifier,
            status: 'active',
            login_failures: 0,
            login_locked_until: null,
            pin_failures: 0,
            pin_locked_until: null,
            updated_at: now,
          })
          .where('id', '=', uid)
          .where('status', 'in', ['pending', 'active'])
          .executeTakeFirst();
        if (res.numUpdatedRows === 0n) throw new ShomeiError('enrolment_code_invalid');
        // A code redeemed by an active user is a reset (renew/reissue, USER-2): old sessions end.
        await deps.revokeUserAccess?.(tx, uid, now);
        return uid;
      });
      await audit.append({ type: 'user.enrol', actor: userId, outcome: 'success', userId });
      return toUser(await store.db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirstOrThrow());
    } catch (e) {
      if (e instanceof ShomeiError)
        await audit.append({ type: 'user.enrol', actor: 'anonymous', outcome: 'failure', reason: e.code });
      throw e;
    }
  }

  /**
   * A security key registered with an enrolment code (AUTH-4, USER-4): `peek` tells whose code it
   * is without spending it (the browser ceremony may still fail); `spend` spends it inside the
   * transaction that stores the key, so a code registers one key, once.
   */
  async function peekEnrolmentCode(code: string): Promise<string> {
    const row = await store.db
      .selectFrom('enrolment_codes')
      .innerJoin('users', 'users.id', 'enrolment_codes.user_id')
      .select(['enrolment_codes.user_id', 'users.status'])
      .where('enrolment_codes.code_hash', '=', hashEnrolmentCode(code))
      .where('enrolment_codes.used_at', 'is', null)
      .where('enrolment_codes.expires_at', '>', clock.now())
      .executeTakeFirst();
    if (!row || (row.status !== 'active' && row.status !== 'pending')) throw new ShomeiError('enrolment_code_invalid');
    return row.user_id;
  }

  async function spendEnrolmentCode(tx: Tx, codeHash: string, userId: string): Promise<void> {
    const uid = await consumeCode(tx, codeHash, clock.now());
    if (uid !== userId) throw new ShomeiError('enrolment_code_invalid');
  }

  return {
    peekEnrolmentCode,
    spendEnrolmentCode,
    setPassword: (id: string, password: string, actor: Actor) => setSecret(id, 'password', password, actor),
    setPin: (id: string, pin: string, actor: Actor) => setSecret(id, 'pin', pin, actor),
    issueEnrolmentCode,
    redeemEnrolmentCode,
  };
}

/**
 * Single use, atomically (USER-4): the conditional UPDATE is the only check, so of two concurrent
 * redeems exactly one matches the row (PostgreSQL's row lock makes the second re-evaluate
 * `used_at IS NULL` after the first commits; SQLite has one writer).
 */
async function consumeCode(tx: Tx, codeHash: string, now: number): Promise<string> {
  const row = await tx
    .updateTable('enrolment_codes')
    .set({ used_at: now })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst();
  if (!row) throw new ShomeiError('enrolment_code_invalid');
  return row.user_id;
}
