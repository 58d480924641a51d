import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, startApp, type TestApp } from './support/app.js';

const SHA256 = '2.16.840.1.101.3.4.2.1';

describe('one signer, many parallel requests (AUTH-2, AUTH-5)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => t.close());

  const authorize = (pin: string) =>
    t.post(
      'credentials/authorize',
      {
        credentialID: t.demo.credentials.p256,
        numSignatures: 1,
        hashes: [b64(randomBytes(32))],
        hashAlgorithmOID: SHA256,
        authData: [{ id: 'PIN', value: pin }],
      },
      t.token,
    );

  it('AUTH-5: 16 simultaneous authorisations with the right PIN all succeed (no self-inflicted lockout)', async () => {
    const results = await Promise.all(Array.from({ length: 16 }, () => authorize(t.demo.pin)));
    expect(results.map((r) => r.status)).toEqual(Array(16).fill(200));
    const pins = await t.app.store.db
      .selectFrom('users')
      .select('pin_failures')
      .where('username', '=', 'demo')
      .execute();
    expect(pins[0]?.pin_failures).toBe(0);
  });

  it('AUTH-2: parallel wrong PINs still count one attempt each and lock the factor', async () => {
    const wrong = t.demo.pin === '135792' ? '246813' : '135792';
    const results = await Promise.all(Array.from({ length: 8 }, () => authorize(wrong)));
    expect(results.every((r) => r.status === 400)).toBe(true);
    expect(results.some((r) => r.json.error_description === 'Credential locked')).toBe(true);
    // Locked: even the right PIN is refused now, from the cache as well as from scrypt.
    const after = await authorize(t.demo.pin);
    expect(after.json.error_description).toBe('Credential locked');
  });
});
