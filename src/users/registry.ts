/** Registration and the read/change side of DB-1 (USER-2, USER-3). */
import type { Insertable } from 'kysely';
import { ShomeiError } from '../errors.js';
import type { Db, IdentityProofingTable, UsersTable } from '../store/index.js';
import { type Actor, toUser, type User, type UsersDeps } from './model.js';

/** Identity-proofing evidence (USER-3): without it there is no registration. */
export interface IdentityProofing {
  /** e.g. 'in-person', 'remote-video', 'derived-credential'. */
  readonly method: string;
  readonly officer: string;
  readonly documentRef: string;
  /** Free-form evidence, e.g. the verified signature of a derived credential (seed 002). */
  readonly evidence?: Readonly<Record<string, unknown>>;
}

export interface Registration {
  readonly username: string;
  readonly displayName: string;
  readonly email?: string | null;
  readonly proofing: IdentityProofing;
}

export interface UserChanges {
  readonly displayName?: string;
  readonly email?: string | null;
}

const USERNAME = /^[A-Za-z0-9._@+-]{1,128}$/;

export async function loadUser(db: Db, id: string): Promise<User> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new ShomeiError('unknown_user');
  return toUser(row);
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ShomeiError('missing_string', { name });
  return value;
}

function checkRegistration(r: Registration): void {
  if (typeof r.username !== 'string' || !USERNAME.test(r.username)) {
    throw new ShomeiError('invalid_parameter', { name: 'username' });
  }
  requireText(r.displayName, 'displayName');
  // USER-3: a user exists only after identity proofing; all three facts are mandatory.
  if (!r.proofing) throw new ShomeiError('missing_string', { name: 'proofing.method' });
  requireText(r.proofing.method, 'proofing.method');
  requireText(r.proofing.officer, 'proofing.officer');
  requireText(r.proofing.documentRef, 'proofing.documentRef');
}

function newUserRow(id: string, r: Registration, actor: Actor, now: number): Insertable<UsersTable> {
  // USER-3: 'pending' and no secrets until the user redeems an enrolment code (USER-4).
  return {
    id,
    username: r.username,
    display_name: r.displayName,
    email: r.email ?? null,
    status: 'pending',
    password_verifier: null,
    pin_verifier: null,
    login_failures: 0,
    login_locked_until: null,
    pin_failures: 0,
    pin_locked_until: null,
    created_by: actor,
    created_at: now,
    updated_at: now,
  };
}

function proofingRow(id: string, userId: string, p: IdentityProofing, now: number): Insertable<IdentityProofingTable> {
  return {
    id,
    user_id: userId,
    method: p.method,
    officer: p.officer,
    document_ref: p.documentRef,
    evidence: JSON.stringify(p.evidence ?? {}),
    verified_at: now,
  };
}

export function registry(deps: UsersDeps) {
  const { store, audit, clock, random } = deps;

  async function register(r: Registration, actor: Actor): Promise<User> {
    checkRegistration(r);
    const now = clock.now();
    const id = random.uuid();
    await store.transaction(async (tx) => {
      const taken = await tx.selectFrom('users').select('id').where('username', '=', r.username).executeTakeFirst();
      if (taken) throw new ShomeiError('conflict', { what: 'username' });
      await tx
        .insertInto('users')
        .values(newUserRow(id, r, actor, now))
        .execute();
      await tx
        .insertInto('identity_proofing')
        .values(proofingRow(random.uuid(), id, r.proofing, now))
        .execute();
    });
    // The document reference is personal data: the log keeps the method and officer only.
    await audit.append({
      type: 'user.register',
      actor,
      outcome: 'success',
      userId: id,
      proofingMethod: r.proofing.method,
      proofingOfficer: r.proofing.officer,
    });
    return loadUser(store.db, id);
  }

  async function update(id: string, changes: UserChanges, actor: Actor): Promise<User> {
    const user = await loadUser(store.db, id);
    if (user.status === 'terminated') throw new ShomeiError('invalid_state', { detail: 'user terminated' });
    const set: { display_name?: string; email?: string | null; updated_at: number } = { updated_at: clock.now() };
    if (changes.displayName !== undefined) set.display_name = requireText(changes.displayName, 'displayName');
    if (changes.email !== undefined) set.email = changes.email;
    await store.db.updateTable('users').set(set).where('id', '=', id).execute();
    await audit.append({ type: 'user.update', actor, outcome: 'success', userId: id, fields: Object.keys(changes) });
    return loadUser(store.db, id);
  }

  return {
    register,
    update,
    get: (id: string): Promise<User> => loadUser(store.db, id),
    async findByUsername(username: string): Promise<User | undefined> {
      const row = await store.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row ? toUser(row) : undefined;
    },
    /** Every user: an administrator's view; the HTTP edge restricts who may call it (USER-5). */
    async list(): Promise<User[]> {
      const rows = await store.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map(toUser);
    },
  };
}
