/**
 * v2 domain errors → v1 wording (csc-api-v2.md §2, §7). The domain and the catalogue speak v2
 * (`hashes`, `hashAlgorithmOID`, `Credential locked`); a v1 client sent `hash`, `hashAlgo` and
 * `PIN`, so the parameter an error names is renamed back, and a locked credential reads `PIN locked`.
 */
import { isShomeiError, ShomeiError } from '../../errors.js';

const V1_NAMES: Readonly<Record<string, string>> = {
  hashes: 'hash',
  hashAlgorithmOID: 'hashAlgo',
  authObjectID: 'credentialID',
};

const NAMED = new Set(['missing_string', 'missing_array', 'missing_integer', 'invalid_parameter']);

export function toV1Error(e: unknown): unknown {
  if (!isShomeiError(e)) return e;
  if (e.code === 'credential_locked') return new ShomeiError('csc_v1_pin_locked', {}, { cause: e });
  if (e.code === 'invalid_auth_object') return new ShomeiError('invalid_credential', {}, { cause: e });
  const renamed = e.params.name === undefined ? undefined : V1_NAMES[e.params.name];
  if (NAMED.has(e.code) && renamed !== undefined) {
    return new ShomeiError(e.code, { ...e.params, name: renamed }, { cause: e });
  }
  return e;
}

/** Runs a v1 handler's domain calls and answers their failures in v1 terms. */
export async function v1<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw toV1Error(e);
  }
}
