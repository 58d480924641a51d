import { afterAll } from 'vitest';
/**
 * Fixtures for the users/ and auth/ suites: the two services wired as the composition root would
 * wire them, on a manual clock, with an audit sink that records events in memory.
 */
import type { AuditEvent, AuditReceipt, AuditSink } from '../../src/audit/event.js';
import {
  createLogin,
  createPinFactor,
  createSadService,
  createTokens,
  type Principal,
  revokeUserAccess,
} from '../../src/auth/index.js';
import { manualClock, systemRandom } from '../../src/platform/index.js';
import type { Store } from '../../src/store/index.js';
import { type Credential, createUsers, type User } from '../../src/users/index.js';
import type { TestBackend } from './stores.js';

export const PASSWORD = 'correct horse battery';
export const PIN = '482915';
export const POLICY = { maxFailures: 3, lockoutBaseSeconds: 30, lockoutMaxSeconds: 300 } as const;

export interface RecordingAudit extends AuditSink {
  readonly events: AuditEvent[];
  ofType(type: string): AuditEvent[];
}

export function recordingAudit(): RecordingAudit {
  const events: AuditEvent[] = [];
  return {
    events,
    ofType: (type) => events.filter((e) => e.type === type),
    async append(event): Promise<AuditReceipt> {
      events.push(event);
      return { seq: events.length - 1, leafHash: '00' };
    },
  };
}

export async function identity(backend: TestBackend, opts: { store?: Store } = {}) {
  const handle = opts.store ? undefined : await backend.create();
  const store = opts.store ?? handle!.store;
  const clock = manualClock();
  const audit = recordingAudit();
  const common = { store, audit, clock, random: systemRandom, scryptLogN: 10 };
  const users = createUsers({ ...common, enrolmentCodeTtlSeconds: 3600, revokeUserAccess });
  const tokens = createTokens({ ...common, accessTokenTtlSeconds: 600, refreshTokenTtlSeconds: 3600 });
  const login = createLogin({ ...common, ...POLICY, tokens });
  const pin = createPinFactor({ ...common, ...POLICY });
  const sads = createSadService({ ...common, sadTtlSeconds: 300 });
  return { handle, url: handle?.url, store, clock, audit, users, tokens, login, pin, sads };
}

export type Identity = Awaited<ReturnType<typeof identity>>;

/** `fresh()` gives a new identity on its own database; every one is dropped after the suite. */
export function freshIdentities(backend: TestBackend): () => Promise<Identity> {
  const opened: Identity[] = [];
  afterAll(async () => {
    for (const id of opened) await id.handle?.drop();
  });
  return async () => {
    const id = await identity(backend);
    opened.push(id);
    return id;
  };
}

export const proofing = { method: 'in-person', officer: 'ra-officer-7', documentRef: 'passport TR1234567' };

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** A registered, enrolled, active user. */
export async function enrolledUser(id: Identity, username: string): Promise<User> {
  const user = await id.users.register({ username, displayName: `User ${username}`, proofing }, 'admin:root');
  const { code } = await id.users.issueEnrolmentCode(user.id, 'admin:root');
  return id.users.redeemEnrolmentCode(code, { pin: PIN, password: PASSWORD });
}

export async function loggedIn(id: Identity, username: string, clientId = 'client-a'): Promise<Principal> {
  const grant = await id.login.loginBasic({ authorization: basic(username, PASSWORD), clientId });
  return id.tokens.authenticate(grant.accessToken);
}

/** A key row (DB-2 belongs to keys/; credentials reference it) and a credential on it. */
export async function credentialFor(
  id: Identity,
  userId: string,
  scal: '1' | '2',
  multisign = 10,
): Promise<Credential> {
  const keyId = `key-${systemRandom.uuid()}`;
  await id.store.db
    .insertInto('keys')
    .values({
      id: keyId,
      ref: `soft:${keyId}`,
      key_type: 'EC-P256',
      purpose: 'signing',
      wrapped: null,
      kek_id: null,
      public_key: Buffer.from([1]),
      status: 'active',
      created_at: 0,
      destroyed_at: null,
    })
    .execute();
  return id.users.addCredential({ userId, keyId, description: 'test', scal, multisign }, 'admin:root');
}

/** Every text value in every row of DB-1 and auth/ tables: what a database thief would read. */
export async function dumpDatabase(store: Store): Promise<string> {
  const tables = [
    'users',
    'identity_proofing',
    'enrolment_codes',
    'credentials',
    'access_tokens',
    'sads',
    'sad_hashes',
  ] as const;
  const parts: string[] = [];
  for (const t of tables) parts.push(JSON.stringify(await store.db.selectFrom(t).selectAll().execute()));
  return parts.join('\n');
}
