/**
 * Parallel PKCS#11 signing in child processes. A Cryptoki context belongs to one process (v2.40
 * §5.4; pkcs11js crashes when one is shared with worker threads), so each child (child.ts) has its
 * own C_Initialize, login and session pool, and the parent sends it sign batches over IPC, each to
 * the child with the fewest digests in flight. A child that dies fails its in-flight requests with
 * `keystore_error` and is started again; a request that outlives `timeoutMs` fails the same way
 * and its child is killed, because a PKCS#11 call in progress cannot be cancelled (a hung token
 * must not hang signHash).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ShomeiError } from '../../errors.js';
import type { KeyHandle } from '../keystore.js';
import type { ResolvedSignature } from '../signature.js';
import {
  asBuffer,
  type ChildReply,
  type ChildRequest,
  fromWireError,
  toWireHandle,
  toWireSignature,
} from './protocol.js';

export interface SigningProcessesOptions {
  readonly modulePath: string;
  readonly tokenLabel: string;
  readonly pin: string;
  /** Child processes (≥ 1). */
  readonly processes: number;
  /** Sessions in each child's pool. */
  readonly sessions: number;
  /** A request not answered by then fails and its child is restarted (default 30 s). */
  readonly timeoutMs?: number;
}

export interface SigningProcesses {
  readonly size: number;
  /** Process ids of the children that are logged in and serving (for operations and tests). */
  pids(): number[];
  sign(handle: KeyHandle, sig: ResolvedSignature, digests: readonly Uint8Array[]): Promise<Buffer[]>;
  signMessage(handle: KeyHandle, message: Uint8Array): Promise<Buffer>;
  close(): Promise<void>;
}

interface Pending {
  readonly weight: number;
  readonly timer: NodeJS.Timeout;
  resolve(signatures: Buffer[]): void;
  reject(e: Error): void;
}

interface Child {
  readonly proc: ChildProcess;
  readonly pending: Map<number, Pending>;
  /** Digests in flight: the least loaded child gets the next batch. */
  load: number;
  ready: boolean;
  readonly started: Promise<void>;
}

/** Below this many digests per child, splitting a batch costs more IPC than it gains. */
const MIN_CHUNK = 16;
const START_TIMEOUT_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;

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
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

const failure = (detail: string) => new ShomeiError('keystore_error', {}, { cause: new Error(detail) });

export async function startSigningProcesses(opts: SigningProcessesOptions): Promise<SigningProcesses> {
  const size = Math.max(1, opts.processes);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const children: Child[] = [];
  let nextId = 1;
  let closed = false;
  let restartDelay = 0;

  const setRef = (c: Child, on: boolean) => {
    // Idle children never keep the service alive on their own (they exit when the IPC channel closes).
    if (on) c.proc.ref();
    else c.proc.unref();
    const channel = c.proc.channel as { ref?: () => void; unref?: () => void } | null | undefined;
    if (on) channel?.ref?.();
    else channel?.unref?.();
  };

  const settle = (c: Child, id: number, outcome: { signatures: Buffer[] } | { error: Error }) => {
    const p = c.pending.get(id);
    if (!p) return;
    c.pending.delete(id);
    c.load -= p.weight;
    clearTimeout(p.timer);
    if (c.pending.size === 0) setRef(c, false);
    if ('error' in outcome) p.reject(outcome.error);
    else p.resolve(outcome.signatures);
  };

  const start = (): Child => {
    const proc = forkChild();
    let markReady: () => void = () => undefined;
    let markFailed: (e: Error) => void = () => undefined;
    const started = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    started.catch(() => undefined); // also reported through exit
    const c: Child = { proc, pending: new Map(), load: 0, ready: false, started };
    proc.on('message', (m: ChildReply) => {
      if (m.type === 'ready') {
        c.ready = true;
        restartDelay = 0;
        markReady();
      } else if (m.type === 'init-failed') markFailed(fromWireError(m.error));
      else if (m.type === 'result') settle(c, m.id, { signatures: m.signatures.map(asBuffer) });
      else settle(c, m.id, { error: fromWireError(m.error) });
    });
    proc.on('error', () => proc.kill('SIGKILL'));
    proc.once('exit', (code, signal) => {
      const why = `PKCS#11 signing process ${proc.pid} exited (${signal ?? code})`;
      markFailed(failure(why));
      for (const id of [...c.pending.keys()]) settle(c, id, { error: failure(why) });
      const i = children.indexOf(c);
      if (i < 0 || closed) return;
      // A child that dies before it is ready (token gone, PIN changed) is retried with a growing delay.
      if (!c.ready) restartDelay = Math.min(MAX_RESTART_DELAY_MS, Math.max(500, restartDelay * 2));
      const replace = () => {
        const at = children.indexOf(c);
        if (!closed && at >= 0) children.splice(at, 1, start());
      };
      if (c.ready || restartDelay === 0) replace();
      else setTimeout(replace, restartDelay).unref();
    });
    const init: ChildRequest = {
      type: 'init',
      modulePath: opts.modulePath,
      tokenLabel: opts.tokenLabel,
      pin: opts.pin,
      sessions: opts.sessions,
    };
    proc.send(init);
    setRef(c, false);
    return c;
  };

  const pick = (): Child => {
    const ready = children.filter((c) => c.ready);
    const from = ready.length > 0 ? ready : children;
    return from.reduce((a, b) => (b.load < a.load ? b : a));
  };

  const request = (make: (id: number) => ChildRequest, weight: number): Promise<Buffer[]> => {
    if (closed || children.length === 0) return Promise.reject(failure('PKCS#11 signing processes are closed'));
    const c = pick();
    const id = nextId++;
    return new Promise<Buffer[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        settle(c, id, { error: failure(`PKCS#11 signing process ${c.proc.pid} did not answer in ${timeoutMs} ms`) });
        c.proc.kill('SIGKILL');
      }, timeoutMs);
      c.pending.set(id, { weight, timer, resolve, reject });
      c.load += weight;
      setRef(c, true);
      c.proc.send(make(id), (e) => {
        if (e) settle(c, id, { error: failure(`PKCS#11 signing process ${c.proc.pid}: ${e.message}`) });
      });
    });
  };

  async function close(): Promise<void> {
    closed = true;
    await Promise.all(
      children.splice(0).map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
            c.proc.once('exit', () => resolve());
            c.proc.ref(); // wait for it even when nothing else keeps this process alive
            // The child logs out and finalises on disconnect; a stuck one is killed.
            if (c.proc.connected) c.proc.disconnect();
            else c.proc.kill('SIGTERM');
            setTimeout(() => c.proc.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  }

  for (let i = 0; i < size; i++) children.push(start());
  try {
    await withTimeout(
      Promise.all(children.map((c) => c.started)),
      START_TIMEOUT_MS,
      'PKCS#11 signing processes did not start',
    );
  } catch (e) {
    await close();
    throw e;
  }

  return {
    size,
    pids: () => children.filter((c) => c.ready && c.proc.pid !== undefined).map((c) => c.proc.pid as number),
    async sign(handle, sig, digests) {
      const wireHandle = toWireHandle(handle);
      const wireSig = toWireSignature(sig);
      const chunk = Math.max(MIN_CHUNK, Math.ceil(digests.length / size));
      const parts: Promise<Buffer[]>[] = [];
      for (let i = 0; i < digests.length; i += chunk) {
        const part = digests.slice(i, i + chunk);
        parts.push(
          request((id) => ({ type: 'sign', id, handle: wireHandle, sig: wireSig, digests: [...part] }), part.length),
        );
      }
      return (await Promise.all(parts)).flat();
    },
    async signMessage(handle, message) {
      const [signature] = await request(
        (id) => ({ type: 'signMessage', id, handle: toWireHandle(handle), message }),
        1,
      );
      if (!signature) throw failure('no signature from the PKCS#11 signing process');
      return signature;
    },
    close,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failure(`${what} in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
