import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/auth/opaque.js';
import { basic, dumpDatabase, enrolledUser, freshIdentities, type Identity, PASSWORD } from './support/identity.js';
import { backends } from './support/stores.js';

describe.each(await backends())('bearer tokens on $name (AUTH-2)', (backend) => {
  const fresh = freshIdentities(backend);
  const login = (id: Identity, user: string, rememberMe = true) =>
    id.login.loginBasic({ authorization: basic(user, PASSWORD), clientId: 'client-a', rememberMe });

  it('AUTH-2: tokens are opaque, 256-bit, and stored only as SHA-256', async () => {
    const id = await fresh();
    const user = await enrolledUser(id, 'alice');
    const grant = await login(id, 'alice');
    expect(grant.accessToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const dump = await dumpDatabase(id.store);
    expect(dump).not.toContain(grant.accessToken);
    expect(dump).not.toContain(grant.refreshToken);
    expect(dump).toContain(sha256Hex(grant.accessToken));
    expect(await id.tokens.authenticate(grant.accessToken)).toMatchObject({
      userId: user.id,
      clientId: 'client-a',
      scope: 'service',
    });
    expect(id.audit.ofType('auth.token.issue')).toMatchObject([{ userId: user.id, refresh: true }]);
  });

  it('AUTH-2: an access token expires; garbage and refresh tokens are not access tokens', async () => {
    const id = await fresh();
    await enrolledUser(id, 'bob');
    const grant = await login(id, 'bob');
    await expect(id.tokens.authenticate('x'.repeat(43))).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(id.tokens.authenticate('')).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(id.tokens.authenticate(grant.refreshToken!)).rejects.toMatchObject({ code: 'invalid_token' });
    id.clock.advance(600_000);
    await expect(id.tokens.authenticate(grant.accessToken)).rejects.toMatchObject({ code: 'expired_token' });
  });

  it('AUTH-2: without rememberMe there is no refresh token', async () => {
    const id = await fresh();
    await enrolledUser(id, 'cara');
    expect((await login(id, 'cara', false)).refreshToken).toBeUndefined();
  });

  it('AUTH-2 (§3.3): revoking an access token leaves the refresh token; revoking the refresh token voids the session', async () => {
    const id = await fresh();
    await enrolledUser(id, 'dan');
    const g = await login(id, 'dan');
    const p = await id.tokens.authenticate(g.accessToken);
    await id.tokens.revoke(g.accessToken, 'access_token', p);
    await expect(id.tokens.authenticate(g.accessToken)).rejects.toMatchObject({ code: 'invalid_token' });
    const g2 = await id.login.loginRefresh(g.refreshToken!, 'client-a');
    const p2 = await id.tokens.authenticate(g2.accessToken);
    expect(p2.sessionId).toBe(p.sessionId);
    await id.tokens.revoke(g2.refreshToken!, 'refresh_token', p2);
    await expect(id.tokens.authenticate(g2.accessToken)).rejects.toMatchObject({ code: 'invalid_token' });
    expect(id.audit.ofType('auth.token.revoke').map((e) => e.outcome)).toEqual(['success', 'success']);
  });

  it("AUTH-2: a user cannot revoke someone else's token (silently refused, logged)", async () => {
    const id = await fresh();
    await enrolledUser(id, 'ed');
    await enrolledUser(id, 'fay');
    const ge = await login(id, 'ed');
    const gf = await login(id, 'fay');
    const pf = await id.tokens.authenticate(gf.accessToken);
    await id.tokens.revoke(ge.accessToken, undefined, pf);
    expect((await id.tokens.authenticate(ge.accessToken)).sessionId).toBeDefined();
    expect(id.audit.ofType('auth.token.revoke')).toMatchObject([{ outcome: 'failure', actor: pf.userId }]);
  });

  it('AUTH-2: refresh rotates; reusing the old refresh token revokes the whole session', async () => {
    const id = await fresh();
    await enrolledUser(id, 'gus');
    const g1 = await login(id, 'gus');
    const g2 = await id.login.loginRefresh(g1.refreshToken!, 'client-a');
    expect(g2.refreshToken).not.toBe(g1.refreshToken);
    await expect(id.login.loginRefresh(g1.refreshToken!, 'client-a')).rejects.toMatchObject({
      code: 'invalid_refresh_token',
    });
    // The thief's replay cost the legitimate holder the session too: everything is revoked.
    await expect(id.tokens.authenticate(g2.accessToken)).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(id.login.loginRefresh(g2.refreshToken!, 'client-a')).rejects.toMatchObject({
      code: 'invalid_refresh_token',
    });
    expect(id.audit.ofType('auth.refresh').map((e) => e.reason ?? e.outcome)).toContain('reuse');
  });

  it('AUTH-2: a refresh token is bound to its client and expires', async () => {
    const id = await fresh();
    await enrolledUser(id, 'hal');
    const g = await login(id, 'hal');
    await expect(id.login.loginRefresh(g.refreshToken!, 'client-b')).rejects.toMatchObject({
      code: 'invalid_refresh_token',
    });
    id.clock.advance(3600_000);
    await expect(id.login.loginRefresh(g.refreshToken!, 'client-a')).rejects.toMatchObject({
      code: 'invalid_refresh_token',
    });
  });

  it('AUTH-2: two concurrent refreshes with one token: at most one succeeds', async () => {
    const id = await fresh();
    await enrolledUser(id, 'ida');
    const g = await login(id, 'ida');
    const r = await Promise.allSettled([
      id.login.loginRefresh(g.refreshToken!, 'client-a'),
      id.login.loginRefresh(g.refreshToken!, 'client-a'),
    ]);
    expect(r.filter((x) => x.status === 'fulfilled').length).toBeLessThanOrEqual(1);
  });
});
