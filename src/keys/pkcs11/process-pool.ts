/**
 * Parallel PKCS#11 signing in child processes. A Cryptoki context belongs to one process (v2.40
 * §5.4; pkcs11js crashes when one is shared with worker threads), so each child (child.ts) has its
 * own C_Initialize, login and session pool, and the parent sends it sign batches over IPC, each to
 * the child with the fewest digests in flight. A child that dies fails its in-flight requests with
 * `keystore_error` and is started again; a request that outlives `timeoutMs` fails the same way
 * and its child is killed (signing-child.ts): a hung token must not hang signHash.
 */
import type { KeyHandle } from '../keystore.js';
import type { ResolvedSignature } from '../signature.js';
import { type ChildInit, type ChildRequest, toWireHandle, toWireSignature } from './protocol.js';
import { keystoreFailure, SigningChild } from './signing-child.js';

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

/** Below this many digests per child, splitting a batch costs more IPC than it gains. */
const MIN_CHUNK = 16;
const START_TIMEOUT_MS = 30_000;
const MAX_RESTART_DELAY_MS = 30_000;

export async function startSigningProcesses(opts: SigningProcessesOptions): Promise<SigningProcesses> {
  const size = Math.max(1, opts.processes);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const init: ChildInit = {
    type: 'init',
    modulePath: opts.modulePath,
    tokenLabel: opts.tokenLabel,
    pin: opts.pin,
    sessions: opts.sessions,
  };
  const children: SigningChild[] = [];
  let closed = false;
  let restartDelay = 0;

  const start = (): SigningChild => {
    const child = new SigningChild(init, timeoutMs, restart);
    child.started.then(
      () => {
        restartDelay = 0;
      },
      () => undefined,
    );
    return child;
  };

  // A child that dies before it is ready (token gone, PIN changed) is retried with a growing delay.
  function restart(dead: SigningChild): void {
    if (closed || !children.includes(dead)) return;
    if (!dead.ready) restartDelay = Math.min(MAX_RESTART_DELAY_MS, Math.max(500, restartDelay * 2));
    const replace = () => {
      const at = children.indexOf(dead);
      if (!closed && at >= 0) children.splice(at, 1, start());
    };
    if (dead.ready) replace();
    else setTimeout(replace, restartDelay).unref();
  }

  const pick = (): SigningChild => {
    const ready = children.filter((c) => c.ready);
    return (ready.length > 0 ? ready : children).reduce((a, b) => (b.load < a.load ? b : a));
  };

  const request = (make: (id: number) => ChildRequest, weight: number): Promise<Buffer[]> =>
    closed || children.length === 0
      ? Promise.reject(keystoreFailure('PKCS#11 signing processes are closed'))
      : pick().request(make, weight);

  async function close(): Promise<void> {
    closed = true;
    await Promise.all(children.splice(0).map((c) => c.stop()));
  }

  for (let i = 0; i < size; i++) children.push(start());
  try {
    await withTimeout(Promise.all(children.map((c) => c.started)), START_TIMEOUT_MS);
  } catch (e) {
    await close();
    throw e;
  }

  return {
    size,
    pids: () => children.filter((c) => c.ready && c.proc.pid !== undefined).map((c) => c.proc.pid as number),
    async sign(handle, sig, digests) {
      const [h, s] = [toWireHandle(handle), toWireSignature(sig)];
      const chunk = Math.max(MIN_CHUNK, Math.ceil(digests.length / size));
      const parts: Promise<Buffer[]>[] = [];
      for (let i = 0; i < digests.length; i += chunk) {
        const part = digests.slice(i, i + chunk);
        parts.push(request((id) => ({ type: 'sign', id, handle: h, sig: s, digests: part }), part.length));
      }
      return (await Promise.all(parts)).flat();
    },
    async signMessage(handle, message) {
      const [signature] = await request(
        (id) => ({ type: 'signMessage', id, handle: toWireHandle(handle), message }),
        1,
      );
      if (!signature) throw keystoreFailure('no signature from the PKCS#11 signing process');
      return signature;
    },
    close,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(keystoreFailure(`PKCS#11 signing processes did not start in ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
