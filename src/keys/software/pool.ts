/**
 * A small worker_threads pool for signing, so RSA/ECDSA work runs off the event loop on every core
 * (DESIGN.md "A signHash request" step 4). Requests go to the least busy worker; an idle worker is
 * unref'd so the pool never keeps the process alive on its own.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { compact } from './compact.js';
import type { WorkerRequest, WorkerResult } from './operations.js';

export interface SigningPool {
  readonly size: number;
  run(req: WorkerRequest): Promise<WorkerResult>;
  close(): Promise<void>;
}

type Reply = { id: number; ok: true; result: WorkerResult } | { id: number; ok: false; error: string };
type Pending = { resolve(r: WorkerResult): void; reject(e: Error): void };

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
}

/**
 * Under tsx or vitest this module is TypeScript, and a worker inherits no TS loader (Node 20 does
 * not apply `--import tsx` hooks in worker threads), so a TS worker first registers tsx's ESM hooks
 * itself. Compiled (dist/), the worker is plain JavaScript.
 */
function spawn(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  // import.meta.resolve picks tsx's ESM entry (the `import` condition); some runners lack it.
  const tsx = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

export function createSigningPool(opts: { size?: number } = {}): SigningPool {
  const size = Math.max(1, opts.size ?? availableParallelism());
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const start = (): Slot => {
    const slot: Slot = { worker: spawn(), pending: new Map() };
    slot.worker.on('message', (m: Reply) => settle(slot, m));
    slot.worker.on('error', (e) => fail(slot, e));
    slot.worker.on('exit', (code) => fail(slot, new Error(`signing worker exited (${code})`)));
    slot.worker.unref();
    return slot;
  };

  const settle = (slot: Slot, m: Reply): void => {
    const p = slot.pending.get(m.id);
    slot.pending.delete(m.id);
    if (slot.pending.size === 0) slot.worker.unref();
    if (m.ok) p?.resolve(m.result);
    else p?.reject(new Error(m.error));
  };

  // A crashed worker fails its own requests and is replaced; the others carry on.
  const fail = (slot: Slot, e: Error): void => {
    for (const p of slot.pending.values()) p.reject(e);
    slot.pending.clear();
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1, ...(closed ? [] : [start()]));
  };

  for (let i = 0; i < size; i++) slots.push(start());

  return {
    size,
    run(req) {
      if (closed) return Promise.reject(new Error('signing pool is closed'));
      const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      return new Promise<WorkerResult>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.ref();
        // The KEK goes in a copy of its own that is moved (transferred), not cloned: no second copy
        // stays behind in this thread, and the worker wipes its one after use.
        const kek = new Uint8Array(req.kek);
        slot.worker.postMessage({ id, req: compact({ ...req, kek }) }, [kek.buffer]);
      });
    },
    async close() {
      closed = true;
      const all = slots.splice(0);
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
