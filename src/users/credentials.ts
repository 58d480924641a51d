/** Credentials: the user → key mapping of DB-1 (USER-1); a signer sees only their own (USER-5). */
import { ShomeiError } from '../errors.js';
import type { CredentialStatus } from '../store/index.js';
import { type Actor, CREDENTIAL_FACTORS, type Credential, toCredential, type UsersDeps } from './model.js';
import { loadUser } from './registry.js';

export interface NewCredential {
  readonly userId: string;
  readonly keyId: string;
  readonly description: string;
  readonly scal: '1' | '2';
  readonly multisign: number;
}

export function credentials(deps: UsersDeps) {
  const { store, audit, clock, random } = deps;

  /**
   * `ownerId`, when given, is the signer asking: another user's credential then looks exactly like
   * an unknown one (csc-api-v2.md §9 pitfall 3).
   */
  async function getCredential(id: string, ownerId?: string): Promise<Credential> {
    const row = await store.db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || (ownerId !== undefined && row.user_id !== ownerId)) throw new ShomeiError('invalid_credential');
    return toCredential(row);
  }

  async function addCredential(c: NewCredential, actor: Actor): Promise<Credential> {
    if (c.scal !== '1' && c.scal !== '2') throw new ShomeiError('invalid_parameter', { name: 'scal' });
    if (!Number.isInteger(c.multisign) || c.multisign < 1)
      throw new ShomeiError('invalid_parameter', { name: 'multisign' });
    const user = await loadUser(store.db, c.userId);
    if (user.status === 'terminated') throw new ShomeiError('invalid_state', { detail: 'user terminated' });
    const now = clock.now();
    const id = random.uuid();
    await store.db
      .insertInto('credentials')
      .values({
        id,
        user_id: c.userId,
        key_id: c.keyId,
        description: c.description,
        status: 'enabled',
        scal: c.scal,
        multisign: c.multisign,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await audit.append({
      type: 'credential.add',
      actor,
      outcome: 'success',
      userId: c.userId,
      credentialId: id,
      keyId: c.keyId,
      scal: c.scal,
    });
    return getCredential(id);
  }

  async function listCredentials(userId: string): Promise<Credential[]> {
    const rows = await store.db
      .selectFrom('credentials')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toCredential);
  }

  async function setCredentialStatus(id: string, status: CredentialStatus, actor: Actor): Promise<Credential> {
    const cred = await getCredential(id);
    if (status === 'enabled') {
      const user = await loadUser(store.db, cred.userId);
      if (user.status === 'terminated') throw new ShomeiError('invalid_state', { detail: 'user terminated' });
    }
    await store.db.updateTable('credentials').set({ status, updated_at: clock.now() }).where('id', '=', id).execute();
    await audit.append({
      type: 'credential.status',
      actor,
      outcome: 'success',
      userId: cred.userId,
      credentialId: id,
      status,
    });
    return getCredential(id);
  }

  /** KEY-2 re-key: the credential now uses another key (the old one is retired by keys/). */
  async function setCredentialKey(id: string, keyId: string, actor: Actor): Promise<Credential> {
    const cred = await getCredential(id);
    await store.db
      .updateTable('credentials')
      .set({ key_id: keyId, updated_at: clock.now() })
      .where('id', '=', id)
      .execute();
    await audit.append({
      type: 'credential.key',
      actor,
      outcome: 'success',
      userId: cred.userId,
      credentialId: id,
      keyId,
      previousKeyId: cred.keyId,
    });
    return getCredential(id);
  }

  /**
   * AUTH-4: the factors credentials/authorize requires for this credential. The PIN (knowledge) is
   * always one; 'TOTP' or 'OTP' (possession) make it level 3.
   */
  async function setCredentialFactors(id: string, factors: readonly string[], actor: Actor): Promise<Credential> {
    const known: readonly string[] = CREDENTIAL_FACTORS;
    const unique = new Set(factors);
    if (unique.size !== factors.length || !unique.has('PIN') || factors.some((f) => !known.includes(f))) {
      throw new ShomeiError('invalid_parameter', { name: 'factors' });
    }
    const cred = await getCredential(id);
    const ordered = CREDENTIAL_FACTORS.filter((f) => unique.has(f));
    await store.db
      .updateTable('credentials')
      .set({ factors: ordered.join(','), updated_at: clock.now() })
      .where('id', '=', id)
      .execute();
    await audit.append({
      type: 'credential.factors',
      actor,
      outcome: 'success',
      userId: cred.userId,
      credentialId: id,
      factors: ordered.join(','),
    });
    return getCredential(id);
  }

  return { addCredential, getCredential, listCredentials, setCredentialStatus, setCredentialKey, setCredentialFactors };
}
