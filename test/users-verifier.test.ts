import { describe, expect, it } from 'vitest';
import { systemRandom } from '../src/platform/index.js';
import { generateEnrolmentCode } from '../src/users/enrolment-code.js';
import {
  checkPassword,
  checkPin,
  createVerifier,
  dummyVerify,
  hashEnrolmentCode,
  needsRehash,
  normaliseEnrolmentCode,
  verifySecret,
} from '../src/users/index.js';

describe('secret verifiers (USER-1)', () => {
  it('USER-1: a verifier is a self-describing scrypt string that does not contain the secret', async () => {
    const v = await createVerifier('correct horse battery', 10, systemRandom);
    expect(v).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(v).not.toContain('correct horse');
    expect(await verifySecret(v, 'correct horse battery')).toBe(true);
  });

  it('USER-1: a wrong secret, a salted twin and a malformed verifier do not verify', async () => {
    const v = await createVerifier('correct horse battery', 10, systemRandom);
    expect(await verifySecret(v, 'correct horse batterz')).toBe(false);
    expect(await createVerifier('correct horse battery', 10, systemRandom)).not.toBe(v);
    expect(await verifySecret('$scrypt$ln=99,r=8,p=1$AAAA$AAAA', 'x')).toBe(false);
    expect(await verifySecret('plaintext', 'plaintext')).toBe(false);
  });

  it('USER-1: needsRehash flags verifiers weaker than the current cost', async () => {
    const v = await createVerifier('correct horse battery', 10, systemRandom);
    expect(needsRehash(v, 10)).toBe(false);
    expect(needsRehash(v, 12)).toBe(true);
  });

  it('AUTH-2: the dummy verification never succeeds', async () => {
    expect(await dummyVerify('anything', 10)).toBe(false);
  });
});

describe('secret policy (USER-1)', () => {
  it('refuses short, repeated and sequential PINs and short passwords with weak_secret', () => {
    for (const pin of ['123', '0000', '111111', '123456', '98765', 'x'.repeat(17)]) {
      expect(() => checkPin(pin), pin).toThrow(expect.objectContaining({ code: 'weak_secret' }));
    }
    expect(() => checkPin('482915')).not.toThrow();
    expect(() => checkPassword('short')).toThrow(expect.objectContaining({ code: 'weak_secret' }));
    expect(() => checkPassword('aaaaaaaaaaaa')).toThrow(expect.objectContaining({ code: 'weak_secret' }));
    expect(() => checkPassword('correct horse battery')).not.toThrow();
  });
});

describe('enrolment codes (USER-4)', () => {
  it('USER-4: 120 random bits as six groups of four typable characters', () => {
    const code = generateEnrolmentCode(systemRandom);
    expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(generateEnrolmentCode(systemRandom)).not.toBe(code);
  });

  it('USER-4: typing variations (case, O for 0, spaces) hash to the same value', () => {
    expect(normaliseEnrolmentCode('ab0c-1def')).toBe('AB0C1DEF');
    expect(hashEnrolmentCode('abOc 1def')).toBe(hashEnrolmentCode('AB0C-1DEF'));
    expect(hashEnrolmentCode('AB0C-1DEF')).toMatch(/^[0-9a-f]{64}$/);
  });
});
