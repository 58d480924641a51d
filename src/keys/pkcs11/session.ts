/**
 * A small pool of R/W user sessions on one token (PKCS#11 v2.40 §5.6 C_OpenSession, §5.5 C_Login).
 * The login state belongs to the application, not the session (v2.40 §2.6.7): every session of
 * the process is logged in once one is, and all are logged out when the last one closes. So a
 * session that dies (token reset, C_CloseAllSessions elsewhere in the process) takes the login
 * with it; the pool then closes everything, reopens, logs in again and retries the operation once.
 */
import pkcs11js from 'pkcs11js';
import { ckr, recoverable, toShomeiError } from './ckr.js';
import type { Pkcs11Module } from './module.js';

export interface SessionPoolOptions {
  readonly module: Pkcs11Module;
  /** Looks the token's slot up again (after a reset the slot may change). */
  readonly findSlot: () => pkcs11js.Handle;
  readonly pin: string;
  /** Concurrent sessions; SoftHSM allows many, network HSMs license them. */
  readonly size?: number;
}

interface Pooled {
  readonly handle: pkcs11js.Handle;
  readonly generation: number;
}

export class SessionPool {
  readonly size: number;
  readonly #p11: pkcs11js.PKCS11;
  readonly #opts: SessionPoolOptions;
  #slot: pkcs11js.Handle;
  /** Bumped by reset(): sessions of an older generation are dead and never go back to the pool. */
  #generation = 0;
  #opened = 0;
  #idle: Pooled[] = [];
  #waiters: { resolve: (s: Pooled) => void; reject: (e: unknown) => void }[] = [];
  /** Operations running on a session, and who waits for there to be none (close). */
  #busy = 0;
  #onIdle: (() => void)[] = [];

  constructor(opts: SessionPoolOptions) {
    this.#opts = opts;
    this.#p11 = opts.module.p11;
    this.size = opts.size ?? 4;
    this.#slot = opts.findSlot();
  }

  /** Runs `fn` on a logged-in session of its own; retried once on a fresh one after a recoverable CK_RV. */
  async use<T>(fn: (session: pkcs11js.Handle) => Promise<T>): Promise<T> {
    try {
      return await this.#attempt(fn);
    } catch (e) {
      if (!recoverable(e)) throw toShomeiError(e);
    }
    try {
      return await this.#attempt(fn);
    } catch (e) {
      throw toShomeiError(e);
    }
  }

  /**
   * Resolves when no operation is running on a session. Closing sessions (§5.6) or finalising the
   * module (§5.4) under a C_Sign that is still running on the thread pool is undefined behaviour.
   */
  idle(): Promise<void> {
    return this.#busy === 0 ? Promise.resolve() : new Promise((resolve) => this.#onIdle.push(resolve));
  }

  /** §5.6 C_CloseAllSessions, which also logs the application out of the token. */
  close(): void {
    this.#generation++;
    this.#idle = [];
    try {
      this.#p11.C_CloseAllSessions(this.#slot);
    } catch {
      // Already gone with the token.
    }
  }

  async #attempt<T>(fn: (session: pkcs11js.Handle) => Promise<T>): Promise<T> {
    const s = await this.#acquire();
    this.#busy++;
    try {
      const result = await fn(s.handle);
      this.#release(s);
      return result;
    } catch (e) {
      if (recoverable(e) && s.generation === this.#generation) this.#reset();
      this.#release(s);
      throw e;
    } finally {
      if (--this.#busy === 0) for (const resolve of this.#onIdle.splice(0)) resolve();
    }
  }

  #open(): Pooled {
    const handle = this.#p11.C_OpenSession(this.#slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
    try {
      this.#p11.C_Login(handle, pkcs11js.CKU_USER, this.#opts.pin);
    } catch (e) {
      if (ckr(e) !== pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
        this.#p11.C_CloseSession(handle);
        throw e;
      }
    }
    return { handle, generation: this.#generation };
  }

  async #acquire(): Promise<Pooled> {
    const idle = this.#idle.pop();
    if (idle) return idle;
    if (this.#opened >= this.size) return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#opened++;
    try {
      return this.#open();
    } catch (e) {
      this.#opened--;
      throw e;
    }
  }

  #release(s: Pooled): void {
    if (s.generation !== this.#generation) return; // closed by #reset(), which also zeroed #opened
    const next = this.#waiters.shift();
    if (next) next.resolve(s);
    else this.#idle.push(s);
  }

  #reset(): void {
    this.close();
    this.#opened = 0;
    this.#slot = this.#opts.findSlot();
    // Waiters would otherwise wait for sessions that were just closed.
    for (const w of this.#waiters.splice(0)) this.#acquire().then(w.resolve, w.reject);
  }
}
