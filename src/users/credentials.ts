/** Credentials: the user → key mapping of DB-1 (USER-1); a signer sees only their own (USER-5). */
import { sql } from 'kysely';
import { ShomeiError } from '../errors.js';
import type { CredentialStatus } from '../store/index.js';
import {
  type Actor,
  AUTH_MODES,
  type AuthMode,
  CREDENTIAL_FACTORS,
  type Credential,
  toCredential,
  type UsersDeps,
} from './model.js';
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

  /** The user's own credentials and the e-seals they are a named operator of (SEAL-1). */
  async function listCredentials(userId: string): Promise<Credential[]> {
    const rows = await store.db
      .selectFrom('credentials')
      .selectAll()
      .where((eb) =>
        eb.or([eb('user_id', '=', userId), eb(sql<string>`',' || operators || ','`, 'like', `%,${userId},%`)]),
      )
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toCredential);
  }

  async function setCredentialStatus(
    id: string,
    status: CredentialStatus,
    actor: Actor,
    reason?: string,
  ): Promise<Credential> {
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
      ...(reason === undefined ? {} : { reason }),
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
   * AUTH-4: the credential's policy, checked as a whole so that no combination is weaker than its
   * level says. Level 2: the PIN alone (the foundation's credentials). Level 3: the PIN and a
   * possession factor (TOTP or OTP). Level 4: WebAuthn with user verification on the RSSP's page,
   * so oauth2code only, and SCAL2 (the SAD is bound to the hashes the signer saw). Factors not given
   * stay; a level not given follows the factors (3 with a possession factor, else 2) unless it is 4.
   */
  async function setCredentialPolicy(id: string, change: PolicyChange, actor: Actor): Promise<Credential> {
    const cred = await getCredential(id);
    const factors = change.factors ? checkFactors(change.factors) : cred.factors;
    const level = change.level ?? (cred.level === 4 ? 4 : factors.some((f) => f !== 'PIN') ? 3 : 2);
    const ordered = checkPolicy(factors, level, change.authModes);
    const scal = level === 4 ? '2' : cred.scal;
    const sadTtl = change.sadTtlSeconds === undefined ? cred.sadTtlSeconds : change.sadTtlSeconds;
    if (sadTtl !== null && (!Number.isInteger(sadTtl) || sadTtl < 10 || sadTtl > 3600))
      throw new ShomeiError('invalid_parameter', { name: 'sadTtlSeconds (10 to 3600)' });
    await store.db
      .updateTable('credentials')
      .set({
        factors: factors.join(','),
        level,
        auth_modes: ordered.join(','),
        scal,
        sad_ttl_seconds: sadTtl,
        updated_at: clock.now(),
      })
      .where('id', '=', id)
      .execute();
    await audit.append({
      type: 'credential.policy',
      actor,
      outcome: 'success',
      userId: cred.userId,
      credentialId: id,
      factors: factors.join(','),
      level,
      authModes: ordered.join(','),
      scal,
      sadTtlSeconds: sadTtl,
    });
    return getCredential(id);
  }

  /**
   * SEAL-1: names (or removes) a user who may use this credential with their own authentication.
   * Whether the credential may have operators at all (an e-seal, not a natural person's signing
   * credential) is the caller's rule (admin/credentials.ts), which knows the certificate profile.
   */
  async function setCredentialOperator(
    id: string,
    userId: string,
    allowed: boolean,
    actor: Actor,
  ): Promise<Credential> {
    const cred = await getCredential(id);
    const operator = await loadUser(store.db, userId);
    if (operator.id === cred.userId) throw new ShomeiError('invalid_parameter', { name: 'operator (the owner)' });
    if (allowed && operator.status !== 'active')
      throw new ShomeiError('invalid_state', { detail: `user is ${operator.status}` });
    const next = allowed
      ? [...new Set([...cred.operators, operator.id])]
      : cred.operators.filter((o) => o !== operator.id);
    // Compare-and-set on the list read: two concurrent changes cannot overwrite each other.
    const res = await store.db
      .updateTable('credentials')
      .set({ operators: next.join(','), updated_at: clock.now() })
      .where('id', '=', id)
      .where('operators', '=', cred.operators.join(','))
      .executeTakeFirst();
    if (res.numUpdatedRows === 0n) throw new ShomeiError('invalid_state', { detail: 'operators changed meanwhile' });
    await audit.append({
      type: allowed ? 'credential.operator.add' : 'credential.operator.remove',
      actor,
      outcome: 'success',
      userId: cred.userId,
      credentialId: id,
      operatorId: operator.id,
    });
    return getCredential(id);
  }

  return {
    setCredentialOperator,
    addCredential,
    getCredential,
    listCredentials,
    setCredentialStatus,
    setCredentialKey,
    setCredentialPolicy,
    setCredentialFactors: (id: string, factors: readonly string[], actor: Actor) =>
      setCredentialPolicy(id, { factors }, actor),
  };
}

export interface PolicyChange {
  readonly factors?: readonly string[];
  readonly level?: number;
  readonly authModes?: readonly AuthMode[];
  /** AUTH-5: 10 s to 1 h, or null for the service's setting. */
  readonly sadTtlSeconds?: number | null;
}

/** The policy's rules (see setCredentialPolicy), pure: the CLI checks before it makes a key. Returns the auth modes. */
export function checkPolicy(factors: readonly string[], level: number, authModes?: readonly AuthMode[]): AuthMode[] {
  const possession = checkFactors(factors).some((f) => f !== 'PIN');
  if (level !== 2 && level !== 3 && level !== 4) throw new ShomeiError('invalid_parameter', { name: 'level' });
  if (level === 3 && !possession)
    throw new ShomeiError('invalid_parameter', { name: 'level (3 needs PIN plus TOTP or OTP)' });
  if (level === 2 && possession) throw new ShomeiError('invalid_parameter', { name: 'level (factors make it 3)' });
  const modes = authModes ?? (level === 4 ? ['oauth2code'] : AUTH_MODES);
  if (modes.length === 0 || new Set(modes).size !== modes.length || modes.some((m) => !AUTH_MODES.includes(m)))
    throw new ShomeiError('invalid_parameter', { name: 'authModes' });
  // Level 4 is reached only on the RSSP's page: a PIN and a TOTP typed into a client are not it.
  if (level === 4 && modes.includes('explicit'))
    throw new ShomeiError('invalid_parameter', { name: 'authModes (level 4 is oauth2code only)' });
  return AUTH_MODES.filter((m) => modes.includes(m));
}

/** The PIN (knowledge) always, plus TOTP or OTP (possession); in the table's order. */
function checkFactors(factors: readonly string[]): string[] {
  const known: readonly string[] = CREDENTIAL_FACTORS;
  const unique = new Set(factors);
  if (unique.size !== factors.length || !unique.has('PIN') || factors.some((f) => !known.includes(f))) {
    throw new ShomeiError('invalid_parameter', { name: 'factors' });
  }
  return CREDENTIAL_FACTORS.filter((f) => unique.has(f));
}
