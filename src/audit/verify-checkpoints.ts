/**
 * Checkpoint checks of the offline verifier: a checkpoint counts only if its note carries a valid
 * signature by the log key (C2SP signed-note), names the log's origin, and agrees with its row.
 * Trusted checkpoints must then agree with each other: one root per size, time rising with size.
 */
import { type Checkpoint, parseCheckpoint } from './checkpoint.js';
import { type NoteVerifierKey, openNote } from './note.js';
import type { CheckpointRow } from './tables.js';

export type CheckpointProblem = 'forged_checkpoint' | 'inconsistent_checkpoints';

export type TrustedCheckpoint = Checkpoint;

type Report = (p: { code: CheckpointProblem; checkpoint: number; message: string }) => void;

/** Returns the trusted checkpoints in ascending size; reports every other one. */
export function checkCheckpoints(
  rows: readonly CheckpointRow[],
  key: NoteVerifierKey,
  origin: string,
  report: Report,
): TrustedCheckpoint[] {
  const trusted: TrustedCheckpoint[] = [];
  for (const row of [...rows].sort((a, b) => a.size - b.size)) {
    const forged = (why: string) =>
      report({ code: 'forged_checkpoint', checkpoint: row.size, message: `checkpoint at size ${row.size}: ${why}` });
    let cp: Checkpoint;
    try {
      cp = parseCheckpoint(openNote(row.note, key));
    } catch (err) {
      forged((err as Error).message);
      continue;
    }
    if (cp.origin !== origin) forged(`origin is "${cp.origin}", not "${origin}"`);
    else if (cp.size !== row.size || !cp.root.equals(row.rootHash)) forged('the row does not match its signed note');
    else trusted.push(cp);
  }
  return trusted.filter((cp, i) => {
    const prev = trusted[i - 1];
    if (!prev) return true;
    const why =
      prev.size === cp.size && !prev.root.equals(cp.root)
        ? 'two different roots are signed for this size (a fork)'
        : cp.time < prev.time
          ? `it is dated before the smaller checkpoint at size ${prev.size}`
          : undefined;
    if (why)
      report({
        code: 'inconsistent_checkpoints',
        checkpoint: cp.size,
        message: `checkpoint at size ${cp.size}: ${why}`,
      });
    return why === undefined;
  });
}
