/**
 * One PKCS#11 signing child process as the parent sees it (process-pool.ts): forked with its own
 * Cryptoki context (child.ts), its requests in flight with their deadlines, and how it ends. Every
 * request is answered: with signatures, with the child's catalogue error, or with `keystore_error`
 * when the child dies or misses the deadline — a PKCS#11 call in progress cannot be cancelled, so a
 * late child is killed and its requests fail rather than hang.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ShomeiError } from '../../errors.js';
import { asBuffer, type ChildInit, type ChildReply, type ChildRequest, fromWireError } from './protocol.js';

interface Pending {
  readonly weight: number;
  readonly timer: NodeJS.Timeout;
  resolve(signatures: Buffer[]): void;
  reject(e: Error): void;
}

type Outcome = { readonly signatures: Buffer[] } | { readonly error: Error };

export const keystoreFailure = (detail: string) => new ShomeiError('keystore_error', {}, { cause: new Error(detail) });

/**
 * Under tsx or vitest this module is TypeScript and the child needs tsx's loader; compiled
 * (dist/), the child is plain JavaScript. The same choice as the software key store's workers.
 */
function forkChild(): ChildProcess {
  const ts = import.meta.url.endsWith('.ts');
  const entry = fileURLToPath(new URL(ts ? './child.ts' : './child.js', import.meta.url));
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx') : 'tsx';
  return fork(entry, [], {
    execArgv: ts ? ['--import', tsx] : [],
    env: childEnv(),
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * The child gets the module's environment (SOFTHSM2_CONF and the like) but none of shomei's own
 * settings: SHOMEI_PKCS11_PIN and SHOMEI_KEK stay out of its /proc/<pid>/environ. The PIN comes in
 * the `init` message.
 */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SHOMEI_')));
}

export class SigningChild {
  readonly proc: ChildProcess = forkChild();
  /** Resolves once the child has logged in; rejects with its error if it could not. */
  readonly started: Promise<void>;
  /** Digests in flight: the pool gives the next batch to the least loaded child. */
  load = 0;
  ready = false;
  readonly #pending = new Map<number, Pending>();
  readonly #timeoutMs: number;
  #nextId = 1;
  #onDrained: (() => void)[] = [];
  #markReady: () => void = () => undefined;
  #markFailed: (e: Error) => void = () => undefined;

  /** `onExit` is told once the child is gone and every request it held has failed. */
  constructor(init: ChildInit, timeoutMs: number, onExit: (child: SigningChild) => void) {
    this.#timeoutMs = timeoutMs;
    this.started = new Promise<void>((resolve, reject) => {
      this.#markReady = resolve;
      this.#markFailed = reject;
    });
    this.started.catch(() => undefined); // the pool awaits it at start; later failures go through onExit
    this.proc.on('message', (m: ChildReply) => this.#onMessage(m));
    this.proc.on('error', () => this.proc.kill('SIGKILL'));
    this.proc.once('exit', (code, signal) => {
      const why = `PKCS#11 signing process ${this.proc.pid} exited (${signal ?? code})`;
      this.#markFailed(keystoreFailure(why));
      for (const id of [...this.#pending.keys()]) this.#settle(id, { error: keystoreFailure(why) });
      onExit(this);
    });
    this.proc.send(init);
    this.#setRef(false);
  }

  request(make: (id: number) => ChildRequest, weight: number): Promise<Buffer[]> {
    const id = this.#nextId++;
    return new Promise<Buffer[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#settle(id, { error: keystoreFailure(`${this.#name} did not answer in ${this.#timeoutMs} ms`) });
        this.proc.kill('SIGKILL');
      }, this.#timeoutMs);
      this.#pending.set(id, { weight, timer, resolve, reject });
      this.load += weight;
      this.#setRef(true);
      this.proc.send(make(id), (e) => {
        if (e) this.#settle(id, { error: keystoreFailure(`${this.#name}: ${e.message}`) });
      });
    });
  }

  /**
   * Requests in flight are answered first (10 s at most); then the child logs out and finalises the
   * module when its IPC channel closes; a stuck one is killed.
   */
  async stop(): Promise<void> {
    if (this.#pending.size > 0) {
      const drained = new Promise<void>((resolve) => this.#onDrained.push(resolve));
      await Promise.race([drained, sleep(10_000, undefined, { ref: false })]);
    }
    return new Promise<void>((resolve) => {
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) return resolve();
      this.proc.once('exit', () => resolve());
      this.proc.ref(); // wait for it even when nothing else keeps this process alive
      if (this.proc.connected) this.proc.disconnect();
      else this.proc.kill('SIGTERM');
      setTimeout(() => this.proc.kill('SIGKILL'), 5_000).unref();
    });
  }

  get #name(): string {
    return `PKCS#11 signing process ${this.proc.pid}`;
  }

  #onMessage(m: ChildReply): void {
    if (m.type === 'ready') {
      this.ready = true;
      this.#markReady();
    } else if (m.type === 'init-failed') this.#markFailed(fromWireError(m.error));
    else if (m.type === 'result') this.#settle(m.id, { signatures: m.signatures.map(asBuffer) });
    else this.#settle(m.id, { error: fromWireError(m.error) });
  }

  #settle(id: number, outcome: Outcome): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    this.load -= p.weight;
    clearTimeout(p.timer);
    if (this.#pending.size === 0) {
      this.#setRef(false);
      for (const resolve of this.#onDrained.splice(0)) resolve();
    }
    if ('error' in outcome) p.reject(outcome.error);
    else p.resolve(outcome.signatures);
  }

  /** An idle child never keeps the service alive on its own (it exits when the channel closes). */
  #setRef(on: boolean): void {
    const channel = this.proc.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (on) {
      this.proc.ref();
      channel?.ref?.();
    } else {
      this.proc.unref();
      channel?.unref?.();
    }
  }
}
