/**
 * A signing worker thread. It receives the KEK once (workerData) and wrapped keys per request;
 * plaintext keys exist only inside `perform` (SIGN-3). Errors go back as messages without key
 * material.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compactResult } from './compact.js';
import { perform, type WorkerRequest } from './operations.js';

interface Envelope {
  readonly id: number;
  readonly req: WorkerRequest;
}

const kek = Buffer.from((workerData as { kek: Uint8Array }).kek);

parentPort?.on('message', ({ id, req }: Envelope) => {
  try {
    parentPort?.postMessage({ id, ok: true, result: compactResult(perform(kek, req)) });
  } catch (e) {
    parentPort?.postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
