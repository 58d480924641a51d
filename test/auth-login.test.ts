import { describe, expect, it } from 'vitest';
import { backoffMs, parseBasicAuthorization } from '../src/auth/index.js';
import { basic, enrolledUser, freshIdentities, type Identity, PASSWORD, PIN, POLICY } from './support/identity.js';
import { backends } from './support/stores.js';

describe('HTTP Basic parsing (csc-api-v2.md §3.2)', () => {
  it('AUTH-2: parses user:password and keeps colons in the password', () => {
    expect(parseBasicAuthorization(basic('alice', 'a:b:c'))).toEqual({ username: 'alice', password: 'a:b:c' });
  });

  it('refuses malformed headers and credentials with their own codes', () => {
    for (const h of [undefined, 'Bearer x', 'Basic', 'Basic !!!', 'Basic YWJj=']) {
      expect(() => parseBasicAuthorization(h), String(h)).toThrow(
        expect.objectContaining({ code: 'malformed_auth_header' }),
      );
    }
    const noColon = `Basic ${Buffer.from('alice').toString('base64')}`;
    expect(() => parseBasicAuthorization(noColon)).toThrow(expect.objectContaining({ code: 'malformed_credentials' }));
    const badUtf8 = `Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`;
    expect(() => parseBasicAuthorization(badUtf8)).toThrow(expect.objectContaining({ code: 'malformed_credentials' }));
  });

  it('AUTH-2: back-off doubles beyond the threshold and is capped', () => {
    expect([3, 4, 5, 6, 7, 8].map((k) => backoffMs(POLICY, k) / 1000)).toEqual([30, 60, 120, 240, 300, 300]);
  });
});

describe.each(await backends())('auth/login on $name (AUTH-2)', (backend) => {
  const fresh = freshIdentities(backend);
  const attempt = (id: Identity, user: string, password: string) =>
    id.login.loginBasic({ authorization: basic(user, password), clientId: 'client-a' });

  it('AUTH-2: unknown user and wrong password give the same authentication_error, and both are logged', async () => {
    const id = await fresh();
    await enrolledUser(id, 'alice');
    const unknown = await attempt(id, 'mallory', PASSWORD).catch((e: Error) => e);
    const wrong = await attempt(id, 'alice', 'not the password').catch((e: Error) => e);
    expect(unknown).toMatchObject({ code: 'authentication_error' });
    expect(wrong).toMatchObject({ code: 'authentication_error', message: (unknown as Error).message });
    expect(id.audit.ofType('auth.login').map((e) => e.reason)).toEqual(['unknown_user', 'wrong_password']);
    expect(JSON.stringify(id.audit.events)).not.toContain('mallory');
  });

  it('AUTH-2: a pending (not yet enrolled) user cannot log in and looks unknown', async () => {
    const id = await fresh();
    await id.users.register(
      { username: 'pat', displayName: 'Pat', proofing: { method: 'm', officer: 'o', documentRef: 'd' } },
      'admin:root',
    );
    await expect(attempt(id, 'pat', PASSWORD)).rejects.toMatchObject({ code: 'authentication_error' });
  });

  it('AUTH-2: lockout after maxFailures with growing back-off; a locked account refuses even the right password', async () => {
    const id = await fresh();
    await enrolledUser(id, 'bob');
    for (let i = 0; i < POLICY.maxFailures; i++)
      await expect(attempt(id, 'bob', 'guess')).rejects.toMatchObject({ code: 'authentication_error' });
    // Locked for 30 s: the right password fails the same way, and the log says why.
    await expect(attempt(id, 'bob', PASSWORD)).rejects.toMatchObject({ code: 'authentication_error' });
    expect(id.audit.ofType('auth.login').at(-1)).toMatchObject({ reason: 'locked', retryAfter: 30 });
    id.clock.advance(30_000);
    await expect(attempt(id, 'bob', 'guess')).rejects.toMatchObject({ code: 'authentication_error' });
    // The next failure doubled the lock to 60 s.
    id.clock.advance(59_000);
    await expect(attempt(id, 'bob', PASSWORD)).rejects.toMatchObject({ code: 'authentication_error' });
    id.clock.advance(1_000);
    const grant = await attempt(id, 'bob', PASSWORD);
    expect(grant.expiresIn).toBe(600);
    // Success resets the count: two more failures do not lock.
    await attempt(id, 'bob', 'guess').catch(() => {});
    await attempt(id, 'bob', 'guess').catch(() => {});
    await expect(attempt(id, 'bob', PASSWORD)).resolves.toBeDefined();
  });

  it('AUTH-2: a burst of concurrent guesses is cut off at the threshold', async () => {
    const id = await fresh();
    await enrolledUser(id, 'carl');
    await Promise.allSettled(Array.from({ length: 10 }, () => attempt(id, 'carl', 'guess')));
    const verified = id.audit.ofType('auth.login').filter((e) => e.reason === 'wrong_password');
    expect(verified.length).toBeLessThanOrEqual(POLICY.maxFailures);
    await expect(attempt(id, 'carl', PASSWORD)).rejects.toMatchObject({ code: 'authentication_error' });
  });

  it('AUTH-2: rememberMe yields a refresh token; login via refresh_token works', async () => {
    const id = await fresh();
    await enrolledUser(id, 'dora');
    const grant = await id.login.loginBasic({
      authorization: basic('dora', PASSWORD),
      clientId: 'client-a',
      rememberMe: true,
    });
    expect(grant.refreshToken).toBeDefined();
    const again = await id.login.loginRefresh(grant.refreshToken!, 'client-a');
    expect(again.accessToken).not.toBe(grant.accessToken);
    expect(id.audit.ofType('auth.login').at(-1)).toMatchObject({ outcome: 'success', method: 'basic' });
  });

  it('AUTH-2: wrong PIN → invalid_pin with attempts left; then credential_locked until the back-off passes', async () => {
    const id = await fresh();
    const user = await enrolledUser(id, 'eve');
    await expect(id.pin.verifyPin(user.id, '000001')).rejects.toMatchObject({
      code: 'invalid_pin',
      params: { remaining: '2' },
    });
    await expect(id.pin.verifyPin(user.id, '000002')).rejects.toMatchObject({
      code: 'invalid_pin',
      params: { remaining: '1' },
    });
    await expect(id.pin.verifyPin(user.id, '000003')).rejects.toMatchObject({
      code: 'invalid_pin',
      params: { remaining: '0' },
    });
    await expect(id.pin.verifyPin(user.id, PIN)).rejects.toMatchObject({ code: 'credential_locked' });
    expect(id.audit.ofType('auth.pin').at(-1)).toMatchObject({ outcome: 'failure', reason: 'locked' });
    id.clock.advance(30_000);
    await expect(id.pin.verifyPin(user.id, PIN)).resolves.toBeUndefined();
    // The PIN lock is separate from the login lock.
    await expect(attempt(id, 'eve', PASSWORD)).resolves.toBeDefined();
  });
});
