/**
 * PKCS#11 return values (v2.40 §11.1, CK_RV) mapped onto the error catalogue. Which ones a session
 * pool may recover from by reopening and logging in again is decided here too.
 */
import pkcs11js from 'pkcs11js';
import { type ErrorCode, ShomeiError } from '../../errors.js';

/** The CK_RV of a pkcs11js error, or undefined for anything else. */
export function ckr(e: unknown): number | undefined {
  return e instanceof pkcs11js.Pkcs11Error ? e.code : undefined;
}

const CODES: ReadonlyMap<number, ErrorCode> = new Map([
  [pkcs11js.CKR_PIN_INCORRECT, 'pkcs11_pin_incorrect'],
  [pkcs11js.CKR_PIN_LEN_RANGE, 'pkcs11_pin_incorrect'],
  [pkcs11js.CKR_PIN_LOCKED, 'pkcs11_pin_locked'],
  [pkcs11js.CKR_TOKEN_NOT_PRESENT, 'pkcs11_token_not_present'],
  [pkcs11js.CKR_TOKEN_NOT_RECOGNIZED, 'pkcs11_token_not_present'],
  [pkcs11js.CKR_DEVICE_REMOVED, 'pkcs11_token_not_present'],
  [pkcs11js.CKR_DEVICE_MEMORY, 'pkcs11_device_memory'],
  [pkcs11js.CKR_HOST_MEMORY, 'pkcs11_device_memory'],
  [pkcs11js.CKR_DEVICE_ERROR, 'pkcs11_device_error'],
  [pkcs11js.CKR_GENERAL_ERROR, 'pkcs11_device_error'],
  [pkcs11js.CKR_OBJECT_HANDLE_INVALID, 'unknown_key'],
  [pkcs11js.CKR_KEY_HANDLE_INVALID, 'unknown_key'],
  [pkcs11js.CKR_MECHANISM_INVALID, 'unsupported_algorithm'],
]);

/**
 * v2.40 §5.6 (sessions) and §11.1: a session handle that died with the token, or a login the
 * token forgot (all sessions closed, token reset), is worth one reopen + C_Login and a retry.
 */
const RECOVERABLE: ReadonlySet<number> = new Set([
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_USER_NOT_LOGGED_IN,
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
]);

export const recoverable = (e: unknown): boolean => RECOVERABLE.has(ckr(e) ?? -1);

/** A ShomeiError for any failure; the pkcs11js error stays as the cause (for logs only). */
export function toShomeiError(e: unknown): ShomeiError {
  if (e instanceof ShomeiError) return e;
  const rv = ckr(e);
  const code = rv === undefined ? undefined : CODES.get(rv);
  if (code === 'unsupported_algorithm') return new ShomeiError(code, { detail: 'mechanism refused by the token' });
  return new ShomeiError(code ?? 'keystore_error', {}, { cause: e });
}
