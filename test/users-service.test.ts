import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { basic, dumpDatabase, enrolledUser, freshIdentities, PASSWORD, PIN, proofing } from './support/identity.js';
import { backends } from './support/stores.js';

describe.each(await backends())('users on $name (USER-1..5)', (backend) => {
  const fresh = freshIdentities(backend);

  it('USER-3: registration without identity proofing is refused', async () => {
    const id = await fresh();
    const noProofing = { username: 'alice', displayName: 'Alice' } as unknown as Parameters<
      typeof id.users.register
    >[0];
    await expect(id.users.register(noProofing, 'admin:root')).rejects.toMatchObject({ code: 'missing_string' });
    await expect(
      id.users.register(
        { username: 'alice', displayName: 'Alice', proofing: { ...proofing, officer: '' } },
        'admin:root',
      ),
    ).rejects.toMatchObject({ code: 'missing_string' });
    expect(await id.users.list()).toHaveLength(0);
  });

  it('USER-3: a registered user is pending, has no secrets, and the proofing is recorded; USER-2 logged with who', async () => {
    const id = await fresh();
    const user = await id.users.register({ username: 'alice', displayName: 'Alice', proofing }, 'admin:root');
    expect(user).toMatchObject({ status: 'pending', hasPassword: false, hasPin: false, createdBy: 'admin:root' });
    const rows = await id.store.db.selectFrom('identity_proofing').selectAll().where('user_id', '=', user.id).execute();
    expect(rows).toMatchObject([{ method: 'in-person', officer: 'ra-officer-7', document_ref: 'passport TR1234567' }]);
    expect(id.audit.ofType('user.register')).toMatchObject([{ actor: 'admin:root', userId: user.id }]);
    await expect(
      id.users.register({ username: 'alice', displayName: 'A2', proofing }, 'admin:root'),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('USER-4: the enrolment code is stored only as a hash, works once, and activates the user', async () => {
    const id = await fresh();
    const user = await id.users.register({ username: 'bob', displayName: 'Bob', proofing }, 'admin:root');
    const { code, expiresAt } = await id.users.issueEnrolmentCode(user.id, 'admin:root');
    expect(expiresAt).toBe(id.clock.now() + 3600_000);
    const dump = await dumpDatabase(id.store);
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(code.replace(/-/g, ''));
    const active = await id.users.redeemEnrolmentCode(code.toLowerCase(), { pin: PIN, password: PASSWORD });
    expect(active).toMatchObject({ status: 'active', hasPassword: true, hasPin: true });
    await expect(id.users.redeemEnrolmentCode(code, { pin: PIN, password: PASSWORD })).rejects.toMatchObject({
      code: 'enrolment_code_invalid',
    });
    expect(id.audit.ofType('user.enrol').map((e) => e.outcome)).toEqual(['success', 'failure']);
  });

  it('USER-4: an expired, unknown or superseded code is refused; a weak PIN does not burn the code', async () => {
    const id = await fresh();
    const user = await id.users.register({ username: 'carol', displayName: 'Carol', proofing }, 'admin:root');
    const first = await id.users.issueEnrolmentCode(user.id, 'admin:root');
    const second = await id.users.issueEnrolmentCode(user.id, 'admin:root');
    const bad = { pin: PIN, password: PASSWORD };
    await expect(id.users.redeemEnrolmentCode(first.code, bad)).rejects.toMatchObject({
      code: 'enrolment_code_invalid',
    });
    await expect(id.users.redeemEnrolmentCode('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF', bad)).rejects.toMatchObject({
      code: 'enrolment_code_invalid',
    });
    await expect(id.users.redeemEnrolmentCode(second.code, { pin: '1111', password: PASSWORD })).rejects.toMatchObject({
      code: 'weak_secret',
    });
    id.clock.advance(3600_000);
    await expect(id.users.redeemEnrolmentCode(second.code, bad)).rejects.toMatchObject({
      code: 'enrolment_code_invalid',
    });
    expect((await id.users.get(user.id)).status).toBe('pending');
  });

  it('USER-4: of two concurrent redeems of one code exactly one wins', async () => {
    const id = await fresh();
    const user = await id.users.register({ username: 'dave', displayName: 'Dave', proofing }, 'admin:root');
    const { code } = await id.users.issueEnrolmentCode(user.id, 'admin:root');
    const results = await Promise.allSettled([
      id.users.redeemEnrolmentCode(code, { pin: PIN, password: PASSWORD }),
      id.users.redeemEnrolmentCode(code, { pin: '739164', password: 'another long password' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toMatchObject({ code: 'enrolment_code_invalid' });
  });

  it('USER-1, LOG-1: no PIN, password or code appears in the database or the audit events', async () => {
    const id = await fresh();
    const user = await id.users.register({ username: 'erin', displayName: 'Erin', proofing }, 'admin:root');
    const { code } = await id.users.issueEnrolmentCode(user.id, 'admin:root');
    await id.users.redeemEnrolmentCode(code, { pin: PIN, password: PASSWORD });
    const grant = await id.login.loginBasic({
      authorization: basic('erin', PASSWORD),
      clientId: 'c',
      rememberMe: true,
    });
    await id.login.loginBasic({ authorization: basic('erin', 'wrong password!'), clientId: 'c' }).catch(() => {});
    await id.pin.verifyPin(user.id, PIN);
    let haystack = (await dumpDatabase(id.store)) + JSON.stringify(id.audit.events);
    // On SQLite, also the raw database file and its write-ahead log, free pages included.
    if (backend.name === 'sqlite') {
      for (const f of [id.url!, `${id.url}-wal`]) if (existsSync(f)) haystack += readFileSync(f).toString('latin1');
    }
    for (const secret of [PIN, PASSWORD, 'wrong password!', code, grant.accessToken, grant.refreshToken!]) {
      expect(haystack).not.toContain(secret);
    }
  });

  it('USER-2: suspend refuses login and tokens; reinstate restores them; each logged with who', async () => {
    const id = await fresh();
    const user = await enrolledUser(id, 'frank');
    const grant = await id.login.loginBasic({ authorization: basic('frank', PASSWORD), clientId: 'c' });
    await id.users.suspend(user.id, 'lost phone', 'admin:root');
    await expect(id.login.loginBasic({ authorization: basic('frank', PASSWORD), clientId: 'c' })).rejects.toMatchObject(
      { code: 'account_suspended' },
    );
    await expect(id.tokens.authenticate(grant.accessToken)).rejects.toMatchObject({ code: 'account_suspended' });
    await id.users.reinstate(user.id, 'admin:root');
    expect((await id.tokens.authenticate(grant.accessToken)).userId).toBe(user.id);
    await id.login.loginBasic({ authorization: basic('frank', PASSWORD), clientId: 'c' });
    expect(id.audit.ofType('user.suspend')).toMatchObject([
      { actor: 'admin:root', userId: user.id, reason: 'lost phone' },
    ]);
    expect(id.audit.ofType('user.reinstate')).toMatchObject([{ actor: 'admin:root', status: 'active' }]);
    await expect(id.users.reinstate(user.id, 'admin:root')).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('USER-2: terminate disables credentials and revokes tokens and SADs, for good', async () => {
    const id = await fresh();
    const user = await enrolledUser(id, 'gina');
    const { credentialFor, loggedIn } = await import('./support/identity.js');
    const cred = await credentialFor(id, user.id, '1');
    const principal = await loggedIn(id, 'gina');
    await id.sads.issueSad({ principal, credential: cred, numSignatures: 1 });
    await id.users.terminate(user.id, 'contract ended', 'admin:root');
    expect((await id.users.getCredential(cred.id)).status).toBe('disabled');
    expect(await id.store.db.selectFrom('sads').selectAll().execute()).toHaveLength(0);
    const live = await id.store.db.selectFrom('access_tokens').selectAll().where('revoked_at', 'is', null).execute();
    expect(live).toHaveLength(0);
    await expect(id.users.reinstate(user.id, 'admin:root')).rejects.toMatchObject({ code: 'invalid_state' });
    await expect(id.users.setCredentialStatus(cred.id, 'enabled', 'admin:root')).rejects.toMatchObject({
      code: 'invalid_state',
    });
  });

  it('USER-2: delete scrubs personal data but keeps the id the log refers to', async () => {
    const id = await fresh();
    const user = await enrolledUser(id, 'hana');
    await id.users.update(user.id, { email: 'hana@example.org' }, 'admin:root');
    await id.users.delete(user.id, 'admin:root');
    const after = await id.users.get(user.id);
    expect(after).toMatchObject({
      status: 'terminated',
      displayName: '',
      email: null,
      hasPassword: false,
      hasPin: false,
    });
    const dump = await dumpDatabase(id.store);
    for (const pii of ['hana@example.org', 'User hana', 'passport TR1234567', '"hana"'])
      expect(dump).not.toContain(pii);
    expect(await id.users.findByUsername('hana')).toBeUndefined();
    expect(id.audit.ofType('user.delete')).toMatchObject([{ actor: 'admin:root', userId: user.id }]);
  });

  it("USER-5: a signer sees only their own credentials; another user's looks unknown", async () => {
    const id = await fresh();
    const { credentialFor } = await import('./support/identity.js');
    const a = await enrolledUser(id, 'ivan');
    const b = await enrolledUser(id, 'jane');
    const ca = await credentialFor(id, a.id, '2', 5);
    await credentialFor(id, b.id, '1');
    expect((await id.users.listCredentials(a.id)).map((c) => c.id)).toEqual([ca.id]);
    expect(await id.users.getCredential(ca.id, a.id)).toMatchObject({
      userId: a.id,
      scal: '2',
      multisign: 5,
      status: 'enabled',
    });
    await expect(id.users.getCredential(ca.id, b.id)).rejects.toMatchObject({ code: 'invalid_credential' });
    await id.users.setCredentialStatus(ca.id, 'disabled', 'admin:root');
    expect(id.audit.ofType('credential.status')).toMatchObject([
      { actor: 'admin:root', credentialId: ca.id, status: 'disabled' },
    ]);
  });
});
