/**
 * AUTH-2: online guessing from one address. Failed logins from one client address lock that
 * address out (429 + Retry-After) after auth.ipMaxFailures, with exponential back-off; another
 * address is unaffected, and the lock ends when its time is up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock, systemRandom } from '../src/platform/index.js';
import { basicAuth, CSC, startApp, type TestApp } from './support/app.js';

describe('AUTH-2: per-address attempt limit', () => {
  const clock = manualClock(Date.now());
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({
      platform: { clock, random: systemRandom },
      // High per-user limits: this test is about the address, not the account.
      config: { auth: { ipMaxFailures: 5, ipWindowSeconds: 60, lockoutBaseSeconds: 30, maxFailures: 100 } },
    });
  });
  afterAll(() => t?.close());

  const login = (ip: string, user: string, password: string) =>
    t.app.http.inject({
      method: 'POST',
      url: `${CSC}/auth/login`,
      remoteAddress: ip,
      headers: { authorization: basicAuth(user, password), 'content-type': 'application/json' },
      payload: '{}',
    });

  it('AUTH-2: five failures from one address lock it out with 429 and Retry-After; back-off doubles; other addresses and the real user are unaffected', async () => {
    // A spray: a different user name each time, so no per-user lockout is involved.
    for (let i = 0; i < 5; i++) expect((await login('198.51.100.7', `nobody${i}`, 'wrong')).statusCode).toBe(401);
    const locked = await login('198.51.100.7', t.demo.username, t.demo.password);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('30');
    expect(JSON.parse(locked.body).error).toBe('temporarily_unavailable');

    // Another address, and the real signer from it, are not affected.
    expect((await login('203.0.113.9', t.demo.username, t.demo.password)).statusCode).toBe(200);

    // After the lock, attempts are allowed again; five more failures lock it for twice as long.
    clock.advance(31_000);
    expect((await login('198.51.100.7', t.demo.username, t.demo.password)).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login('198.51.100.7', `again${i}`, 'wrong')).statusCode).toBe(401);
    const again = await login('198.51.100.7', t.demo.username, t.demo.password);
    expect(again.statusCode).toBe(429);
    expect(again.headers['retry-after']).toBe('60');
  });

  it('AUTH-2: failures spread beyond the window do not add up', async () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await login('192.0.2.44', `w${round}${i}`, 'wrong')).statusCode).toBe(401);
      clock.advance(61_000);
    }
    expect((await login('192.0.2.44', t.demo.username, t.demo.password)).statusCode).toBe(200);
  });
});
