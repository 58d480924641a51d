/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text
 *   <origin>\n<tree size>\n<base64 root hash>\n[extension lines]
 * We add one extension line, `time <unix ms>`, so a verifier can tell an entry appended after a
 * checkpoint from one back-dated to look older than it (LOG-2).
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
  /** Milliseconds since the Unix epoch when the checkpoint was made. */
  readonly time: number;
}

export function checkpointText(c: Checkpoint): string {
  return `${c.origin}\n${c.size}\n${c.root.toString('base64')}\ntime ${c.time}\n`;
}

/** Parses checkpoint text (the body of an opened note); throws on anything malformed. */
export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3) throw new Error('malformed checkpoint');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  // tlog-checkpoint: the size is decimal without leading zeros.
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new Error('malformed checkpoint size');
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText) throw new Error('malformed checkpoint root');
  const timeLine = extensions.find((l) => l.startsWith('time '));
  const time = timeLine ? Number(timeLine.slice(5)) : Number.NaN;
  if (!Number.isSafeInteger(time)) throw new Error('checkpoint has no time line');
  return { origin, size: Number(sizeText), root, time };
}
