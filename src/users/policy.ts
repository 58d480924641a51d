/**
 * Secret policy (NIST SP 800-63B §5.1.1: length over composition rules). The PIN is the signing
 * activation factor, guarded by its own lockout (auth/factors/pin.ts), so a short PIN is acceptable;
 * a password guards the whole account and must be longer.
 */
import { ShomeiError } from '../errors.js';

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;
export const PIN_MIN = 4;
export const PIN_MAX = 16;

export function checkPassword(password: string): void {
  const n = [...password].length;
  if (n < PASSWORD_MIN)
    throw new ShomeiError('weak_secret', { what: 'password', detail: `at least ${PASSWORD_MIN} characters` });
  if (n > PASSWORD_MAX)
    throw new ShomeiError('weak_secret', { what: 'password', detail: `at most ${PASSWORD_MAX} characters` });
  if (new Set(password).size === 1)
    throw new ShomeiError('weak_secret', { what: 'password', detail: 'one repeated character' });
}

export function checkPin(pin: string): void {
  const n = [...pin].length;
  if (n < PIN_MIN || n > PIN_MAX) {
    throw new ShomeiError('weak_secret', { what: 'PIN', detail: `${PIN_MIN} to ${PIN_MAX} characters` });
  }
  if (new Set(pin).size === 1) throw new ShomeiError('weak_secret', { what: 'PIN', detail: 'one repeated character' });
  if (/^\d+$/.test(pin) && isSequence(pin)) {
    throw new ShomeiError('weak_secret', { what: 'PIN', detail: 'an ascending or descending sequence' });
  }
}

/** 1234…, 9876… — the first guesses of any attacker. */
function isSequence(digits: string): boolean {
  const d = [...digits].map(Number);
  const step = d[1]! - d[0]!;
  if (Math.abs(step) !== 1) return false;
  return d.every((x, i) => i === 0 || x - d[i - 1]! === step);
}
