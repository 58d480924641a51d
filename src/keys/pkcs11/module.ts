/**
 * Loading a PKCS#11 module (v2.40 §5.4, C_Initialize / C_Finalize) and finding a token by label.
 * Cryptoki is initialised once per process (§5.4: a second C_Initialize is an error), so contexts
 * are shared per module path and reference-counted. A context must never be touched from worker
 * threads (pkcs11js crashes): parallel signing belongs in child processes, each with its own.
 */
import pkcs11js from 'pkcs11js';
import { ShomeiError } from '../../errors.js';
import { ckr, toShomeiError } from './ckr.js';

export interface Pkcs11Module {
  readonly path: string;
  readonly p11: pkcs11js.PKCS11;
}

const loaded = new Map<string, { module: Pkcs11Module; refs: number }>();

function initialise(path: string): pkcs11js.PKCS11 {
  const p11 = new pkcs11js.PKCS11();
  try {
    p11.load(path);
  } catch (e) {
    throw new ShomeiError('pkcs11_module_unavailable', { path }, { cause: e });
  }
  try {
    // CKF_OS_LOCKING_OK (§5.4 CK_C_INITIALIZE_ARGS): the *Async calls run on libuv's thread pool,
    // so the module must lock; with NULL args SoftHSM assumes a single thread.
    p11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (e) {
    if (ckr(e) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      throw new ShomeiError('pkcs11_module_unavailable', { path }, { cause: e });
    }
  }
  return p11;
}

/** The process's context for a module path, loading and initialising it on first use. */
export function acquireModule(path: string): Pkcs11Module {
  const entry = loaded.get(path);
  if (entry) {
    entry.refs++;
    return entry.module;
  }
  const module = { path, p11: initialise(path) };
  loaded.set(path, { module, refs: 1 });
  return module;
}

/** Drops one reference; the last one finalises the library (§5.4 C_Finalize). */
export function releaseModule(module: Pkcs11Module): void {
  const entry = loaded.get(module.path);
  if (!entry || entry.module !== module) return;
  if (--entry.refs > 0) return;
  loaded.delete(module.path);
  try {
    module.p11.C_Finalize();
  } finally {
    module.p11.close();
  }
}

/** The slot whose token has this label (CK_TOKEN_INFO.label is blank-padded to 32 bytes, §3.2). */
export function findSlot(module: Pkcs11Module, label: string): pkcs11js.Handle {
  try {
    for (const slot of module.p11.C_GetSlotList(true)) {
      if (module.p11.C_GetTokenInfo(slot).label.trimEnd() === label) return slot;
    }
  } catch (e) {
    throw toShomeiError(e);
  }
  throw new ShomeiError('pkcs11_token_not_present', { token: label });
}
