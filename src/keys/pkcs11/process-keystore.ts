/**
 * The PKCS#11 key store with signing spread over child processes (`keystore.pkcs11.processes` > 0).
 * The parent keeps one context of its own for what is rare and stateful — generate, import,
 * importWrapped (a CA's transfer), destroy, publicKey — and the children sign. Same KeyStore contract, same token, same keys: a key
 * generated through the parent is found by CKA_ID in every child's session (token objects).
 */
import type { KeyStore } from '../keystore.js';
import { createPkcs11KeyStore, type Pkcs11KeyStoreOptions } from './keystore.js';
import { startSigningProcesses } from './process-pool.js';

export interface Pkcs11ProcessKeyStoreOptions extends Pkcs11KeyStoreOptions {
  /** Signing child processes (≥ 1), each with `sessions` sessions. */
  readonly processes: number;
  /** A sign request not answered by then fails with keystore_error (default 30 s). */
  readonly timeoutMs?: number;
}

/** The parent's own pool only serves key management: two sessions are plenty. */
const PARENT_SESSIONS = 2;

export async function createPkcs11ProcessKeyStore(opts: Pkcs11ProcessKeyStoreOptions): Promise<KeyStore> {
  const sessions = opts.sessions ?? 4;
  // The parent logs in first, so a wrong module, token or PIN fails once, with its own error.
  const local = await createPkcs11KeyStore({ ...opts, sessions: Math.min(PARENT_SESSIONS, sessions) });
  try {
    const children = await startSigningProcesses({
      modulePath: opts.modulePath,
      tokenLabel: opts.tokenLabel,
      pin: opts.pin,
      processes: opts.processes,
      sessions,
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });
    return {
      ...local,
      sign: (h, sig, digests) => children.sign(h, sig, digests),
      signMessage: (h, message) => children.signMessage(h, message),
      async close() {
        await children.close();
        await local.close();
      },
    };
  } catch (e) {
    await local.close();
    throw e;
  }
}
