import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createSadService, type Principal } from '../src/auth/index.js';
import { systemRandom } from '../src/platform/index.js';
import { openStore } from '../src/store/index.js';
import type { Credential } from '../src/users/index.js';
import { credentialFor, dumpDatabase, enrolledUser, type Identity, identity, loggedIn } from './support/identity.js';
import { backends } from './support/stores.js';

const SHA256 = '2.16.840.1.101.3.4.2.1';
const digest = (s: string) => createHash('sha256').update(s).digest();
const [A, B, C] = [digest('a'), digest('b'), digest('c')];

describe.each(await backends())('Signature Activation Data on $name (AUTH-3, AUTH-5)', (backend) => {
  const opened: Identity[] = [];
  afterAll(async () => {
    for (const id of opened) await id.handle?.drop();
  });

  /** alice (two sessions on client-a, one on client-b), bob, and a SCAL2 and a SCAL1 credential of alice's. */
  async function world() {
    const id = await identity(backend);
    opened.push(id);
    const alice = await enrolledUser(id, 'alice');
    const bob = await enrolledUser(id, 'bob');
    const scal2 = await credentialFor(id, alice.id, '2', 5);
    const scal1 = await credentialFor(id, alice.id, '1', 5);
    const other = await credentialFor(id, alice.id, '1', 5);
    const p = await loggedIn(id, 'alice');
    return { id, alice, bob, scal2, scal1, other, p };
  }
  const bound = (id: Identity, p: Principal, credential: Credential, hashes: Buffer[]) =>
    id.sads.issueSad({ principal: p, credential, numSignatures: hashes.length, hashes, hashAlgorithmOID: SHA256 });
  const spend = (id: Identity, p: Principal, sad: string, credentialId: string, hashes: Buffer[]) =>
    id.sads.spendSad({ sad, principal: p, credentialId, hashes, hashAlgorithmOID: SHA256 });

  it('AUTH-3: the SAD is opaque and stored only as a hash, with one row per authorised hash', async () => {
    const { id, scal2, p } = await world();
    const { sad, expiresIn } = await bound(id, p, scal2, [A, B, A]);
    expect(sad).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresIn).toBe(300);
    expect(await dumpDatabase(id.store)).not.toContain(sad);
    expect(await id.store.db.selectFrom('sad_hashes').selectAll().execute()).toHaveLength(3);
    expect(JSON.stringify(id.audit.events)).not.toContain(sad);
    expect(id.audit.ofType('sad.issue')).toMatchObject([
      { credentialId: scal2.id, userId: p.userId, numSignatures: 3, bound: true },
    ]);
  });

  it('AUTH-3, AUTH-5: authorisation is refused outside the credential policy', async () => {
    const { id, bob, scal2, scal1, p } = await world();
    const pb = await loggedIn(id, 'bob');
    await expect(bound(id, pb, scal2, [A])).rejects.toMatchObject({ code: 'invalid_credential' });
    await expect(id.sads.issueSad({ principal: p, credential: scal2, numSignatures: 1 })).rejects.toMatchObject({
      code: 'missing_array',
    });
    await expect(
      id.sads.issueSad({ principal: p, credential: scal2, numSignatures: 2, hashes: [A], hashAlgorithmOID: SHA256 }),
    ).rejects.toMatchObject({ code: 'invalid_num_signatures' });
    await expect(id.sads.issueSad({ principal: p, credential: scal1, numSignatures: 0 })).rejects.toMatchObject({
      code: 'invalid_num_signatures',
    });
    await expect(id.sads.issueSad({ principal: p, credential: scal1, numSignatures: 6 })).rejects.toMatchObject({
      code: 'too_many_signatures',
    });
    const disabled = await id.users.setCredentialStatus(scal1.id, 'disabled', 'admin:root');
    await expect(id.sads.issueSad({ principal: p, credential: disabled, numSignatures: 1 })).rejects.toMatchObject({
      code: 'credential_disabled',
    });
    expect(bob.id).not.toBe(p.userId);
  });

  it('AUTH-3: a SAD bound to hash A refuses hash B, and the refusal is logged without the SAD', async () => {
    const { id, scal2, p } = await world();
    const { sad } = await bound(id, p, scal2, [A]);
    await expect(spend(id, p, sad, scal2.id, [B])).rejects.toMatchObject({ code: 'hash_not_authorized' });
    const refused = id.audit.ofType('sad.refused');
    expect(refused).toMatchObject([
      { reason: 'hash_not_authorized', credentialId: scal2.id, userId: p.userId, outcome: 'failure' },
    ]);
    expect(JSON.stringify(refused)).not.toContain(sad);
    // The refused spend rolled back: A can still be signed.
    await expect(spend(id, p, sad, scal2.id, [A])).resolves.toMatchObject({ hashAlgorithmOID: SHA256 });
  });

  it('AUTH-3 (pitfall 2): [A, B] authorised, [A, A] refused — a hash authorised once is signed once', async () => {
    const { id, scal2, p } = await world();
    const { sad } = await bound(id, p, scal2, [A, B]);
    await expect(spend(id, p, sad, scal2.id, [A, A])).rejects.toMatchObject({ code: 'hash_not_authorized' });
    await expect(spend(id, p, sad, scal2.id, [A])).resolves.toBeDefined();
    await expect(spend(id, p, sad, scal2.id, [A])).rejects.toMatchObject({ code: 'hash_not_authorized' });
    await expect(spend(id, p, sad, scal2.id, [B])).resolves.toBeDefined();
    await expect(spend(id, p, sad, scal2.id, [C])).rejects.toMatchObject({ code: 'sad_spent' });
  });

  it('AUTH-3 (pitfall 1): another user, client, session or credential gets invalid_sad, each logged', async () => {
    const { id, scal2, other, p } = await world();
    const { sad } = await bound(id, p, scal2, [A]);
    const bobP = await loggedIn(id, 'bob');
    const otherClient = await loggedIn(id, 'alice', 'client-b');
    const otherSession = await loggedIn(id, 'alice');
    await expect(spend(id, bobP, sad, scal2.id, [A])).rejects.toMatchObject({ code: 'invalid_sad' });
    await expect(spend(id, otherClient, sad, scal2.id, [A])).rejects.toMatchObject({ code: 'invalid_sad' });
    await expect(spend(id, otherSession, sad, scal2.id, [A])).rejects.toMatchObject({ code: 'invalid_sad' });
    await expect(spend(id, p, sad, other.id, [A])).rejects.toMatchObject({ code: 'invalid_sad' });
    await expect(spend(id, p, 'not-a-sad', scal2.id, [A])).rejects.toMatchObject({ code: 'invalid_sad' });
    expect(id.audit.ofType('sad.refused').map((e) => e.reason)).toEqual(Array(5).fill('invalid_sad'));
    // None of them consumed anything.
    await expect(spend(id, p, sad, scal2.id, [A])).resolves.toBeDefined();
  });

  it('AUTH-3: an expired SAD → sad_expired; a spent one → sad_spent; over the count → too_many_signatures', async () => {
    const { id, scal1, p } = await world();
    const s1 = await id.sads.issueSad({ principal: p, credential: scal1, numSignatures: 2 });
    await expect(spend(id, p, s1.sad, scal1.id, [A, B, C])).rejects.toMatchObject({ code: 'too_many_signatures' });
    await spend(id, p, s1.sad, scal1.id, [A, B]);
    await expect(spend(id, p, s1.sad, scal1.id, [C])).rejects.toMatchObject({ code: 'sad_spent' });
    const s2 = await id.sads.issueSad({ principal: p, credential: scal1, numSignatures: 1 });
    id.clock.advance(300_000);
    await expect(spend(id, p, s2.sad, scal1.id, [A])).rejects.toMatchObject({ code: 'sad_expired' });
    expect(id.audit.ofType('sad.refused').map((e) => e.reason)).toEqual([
      'too_many_signatures',
      'sad_spent',
      'sad_expired',
    ]);
  });

  it('AUTH-3: a credential disabled after authorisation signs nothing more', async () => {
    const { id, scal1, p } = await world();
    const { sad } = await id.sads.issueSad({ principal: p, credential: scal1, numSignatures: 2 });
    await id.users.setCredentialStatus(scal1.id, 'disabled', 'admin:root');
    await expect(spend(id, p, sad, scal1.id, [A])).rejects.toMatchObject({ code: 'credential_disabled' });
  });

  it('AUTH-5: 20 concurrent spends of one hash each on a SAD for 5 → exactly 5 succeed', async () => {
    const { id, scal1, p } = await world();
    const { sad } = await id.sads.issueSad({ principal: p, credential: scal1, numSignatures: 5 });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => spend(id, p, sad, scal1.id, [digest(`h${i}`)])),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const row = await id.store.db.selectFrom('sads').select('remaining').executeTakeFirstOrThrow();
    expect(row.remaining).toBe(0);
    expect(id.audit.ofType('sad.refused')).toHaveLength(15);
  });

  it('AUTH-3: 20 concurrent spends on a hash-bound SAD for [A×5] → exactly 5 succeed', async () => {
    const { id, scal2, p } = await world();
    const { sad } = await bound(id, p, scal2, [A, A, A, A, A]);
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => spend(id, p, sad, scal2.id, [A])));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const unspent = await id.store.db.selectFrom('sad_hashes').selectAll().where('spent_at', 'is', null).execute();
    expect(unspent).toHaveLength(0);
  });

  // Several instances share a database only on PostgreSQL (DEP-2); SQLite is one process's file.
  const onPostgres = backend.name === 'postgres' ? it : () => undefined;
  onPostgres('AUTH-5: two Store instances on one database split 20 spends; exactly 5 succeed', async () => {
    const { id, scal1, p } = await world();
    const second = await openStore({ url: id.url! });
    try {
      const sads2 = createSadService({
        store: second,
        audit: id.audit,
        clock: id.clock,
        random: systemRandom,
        sadTtlSeconds: 300,
      });
      const { sad } = await id.sads.issueSad({ principal: p, credential: scal1, numSignatures: 5 });
      const calls = Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? id.sads : sads2).spendSad({
          sad,
          principal: p,
          credentialId: scal1.id,
          hashes: [digest(`h${i}`)],
          hashAlgorithmOID: SHA256,
        }),
      );
      const results = await Promise.allSettled(calls);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(new Set(refused.map((r) => (r.reason as { code: string }).code))).toEqual(new Set(['sad_spent']));
    } finally {
      await second.close();
    }
  });
});
