/**
 * The integrator (DESIGN.md "The log"): folds leaves committed since the last checkpoint into the
 * Merkle tree and signs a C2SP checkpoint over it. The compact range stays in memory; under the log
 * lock it is caught up from the database, since another instance may have appended meanwhile.
 */
import type { Clock } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { type Checkpoint, checkpointText, parseCheckpoint } from './checkpoint.js';
import { Frontier, packedLeafHashes } from './merkle.js';
import { type NoteSigner, signNote } from './note.js';
import {
  appendPosition,
  type CheckpointRow,
  LOG_LOCK_ID,
  latestCheckpointRow,
  leafCount,
  packedLeafHashRange,
} from './tables.js';

export interface SignedCheckpoint extends Checkpoint {
  /** The signed note, verbatim. */
  readonly note: string;
}

export interface IntegratorOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly signer: NoteSigner;
  readonly origin: string;
  /** Called once per checkpoint written (statistics). */
  readonly onSigned?: () => void;
}

/** Returns `checkpoint()`: signs over every committed leaf, or returns the newest checkpoint if none is new. */
export function createIntegrator(opts: IntegratorOptions): () => Promise<SignedCheckpoint | undefined> {
  let frontier = new Frontier();
  let queue: Promise<unknown> = Promise.resolve();

  const integrate = () =>
    opts.store.exclusive(LOG_LOCK_ID, async (tx) => {
      const size = await leafCount(tx);
      const last = await latestCheckpointRow(tx);
      if (!last && size === 0) return undefined;
      if (last && last.size >= size) return toSigned(last);
      const next = frontier.size <= size ? frontier.clone() : new Frontier();
      const hashes = packedLeafHashes(await packedLeafHashRange(tx, next.size, size));
      for (let i = 0; i < hashes.size; i++) {
        next.append(hashes.at(i));
        if (last && next.size === last.size) assertExtends(next, last);
      }
      // Never dated before a leaf it covers (see tables.ts appendPosition).
      const time = Math.max(opts.clock.now(), (await appendPosition(tx)).notBefore);
      const cp: Checkpoint = { origin: opts.origin, size, root: next.root(), time };
      const note = await signNote(checkpointText(cp), opts.signer);
      await tx.insertInto('audit_checkpoints').values({ size, root_hash: cp.root, note, created_at: time }).execute();
      frontier = next;
      opts.onSigned?.();
      return { ...cp, note };
    });

  // Idle logs (the periodic timer) should not take the log lock and a durable transaction for nothing.
  const integrateIfNew = async () => {
    const last = await latestCheckpointRow(opts.store.db);
    if (last && last.size >= (await leafCount(opts.store.db))) return toSigned(last);
    return integrate();
  };

  // One integration at a time in this process: each folds from where the previous one stopped.
  return () => {
    const run = queue.then(integrateIfNew, integrateIfNew);
    queue = run.catch(() => undefined);
    return run;
  };
}

export function toSigned(row: CheckpointRow): SignedCheckpoint {
  return { ...parseCheckpoint(row.note.slice(0, row.note.lastIndexOf('\n\n') + 1)), note: row.note };
}

/** Refuse to sign over leaves that no longer match the last checkpoint (LOG-2): never launder tampering. */
function assertExtends(f: Frontier, last: CheckpointRow): void {
  if (!f.root().equals(last.rootHash)) {
    throw new Error(`audit log: leaves no longer match the checkpoint at size ${last.size}; run the verifier`);
  }
}
