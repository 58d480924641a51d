/**
 * Which signAlgo a signature application asks for, from credentials/info `key` (§4.2): the hash
 * the key type pairs with (P-256 → SHA-256, P-384 → SHA-384, RSA → SHA-256, from the one key
 * table), in a scheme that fixes the hash (ecdsa-with-SHA*, sha*WithRSAEncryption) so that no
 * parameters need agreeing on. RSASSA-PSS-only keys are not chosen here.
 */
import { type HashName, KEY_TYPES, SIGN_ALGORITHMS } from '../keys/index.js';
import { CscUsageError } from './errors.js';
import type { CredentialInfo } from './types.js';

export interface ChosenAlgorithm {
  /** CSC signAlgo OID. */
  readonly signAlgo: string;
  readonly hash: HashName;
}

function preferredHash(key: CredentialInfo['key']): HashName {
  const byCurve = Object.values(KEY_TYPES).find((k) => key.curve !== undefined && k.curveOid === key.curve);
  return byCurve?.defaultHash ?? 'SHA-256';
}

export function chooseSignAlgorithm(key: CredentialInfo['key']): ChosenAlgorithm {
  const offered = SIGN_ALGORITHMS.filter((a) => a.hash !== undefined && key.algo.includes(a.oid));
  const hash = preferredHash(key);
  const pick = offered.find((a) => a.hash === hash) ?? offered[0];
  if (!pick?.hash)
    throw new CscUsageError(`the credential offers no signature algorithm this client uses (${key.algo.join(', ')})`);
  return { signAlgo: pick.oid, hash: pick.hash };
}
