/**
 * A signing worker thread. Each request brings a wrapped key and the KEK it is wrapped under (so a
 * KEK rotation needs no restart); plaintext keys exist only inside `perform` (SIGN-3), and the
 * request's copy of the KEK is wiped afterwards. Errors go back as messages without key material.
 */
import { parentPort } from 'node:worker_threads';
import { compactResult } from './compact.js';
import { perform, type WorkerRequest } from './operations.js';

interface Envelope {
  readonly id: number;
  readonly req: WorkerRequest;
}

parentPort?.on('message', ({ id, req }: Envelope) => {
  try {
    parentPort?.postMessage({ id, ok: true, result: compactResult(perform(req)) });
  } catch (e) {
    parentPort?.postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) });
  } finally {
    req.kek.fill(0);
  }
});
