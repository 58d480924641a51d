/**
 * Evidence export (LOG-4): a self-contained JSON-lines file — a header, the checkpoints, then every
 * leaf in seq order — written and read as streams. `storeSource` gives the verifier the same view
 * straight from the database. The header's key is informative only: a verifier must be given the
 * key it trusts from elsewhere.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Store } from '../store/index.js';
import { allCheckpointRows, type CheckpointRow, type LeafRow, leafPages, PAGE_SIZE } from './tables.js';
import type { LogSource } from './verify.js';

export const EXPORT_FORMAT = 'shomei-audit-log/v1';

export interface ExportHeader {
  readonly origin: string;
  readonly verifierKey: string;
}

type Line =
  | { type: 'header'; format: string; origin: string; verifierKey: string }
  | { type: 'checkpoint'; size: number; rootHash: string; note: string }
  | { type: 'leaf'; seq: number; leafHash: string; data: string };

/** The log as it is in the database, paged by seq. */
export function storeSource(store: Store): LogSource {
  return {
    leaves: () => leafPages(store.db),
    checkpoints: () => allCheckpointRows(store.db),
  };
}

/** Writes the export; checkpoints first, so leaves appended meanwhile show up as pending. */
export async function exportLog(store: Store, file: string, header: ExportHeader): Promise<{ leaves: number }> {
  const out = createWriteStream(file);
  const write = async (line: Line): Promise<void> => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  let leaves = 0;
  try {
    await write({ type: 'header', format: EXPORT_FORMAT, ...header });
    for (const c of await allCheckpointRows(store.db)) {
      await write({ type: 'checkpoint', size: c.size, rootHash: c.rootHash.toString('base64'), note: c.note });
    }
    for await (const page of leafPages(store.db)) {
      for (const l of page) {
        await write({
          type: 'leaf',
          seq: l.seq,
          leafHash: l.leafHash.toString('base64'),
          data: l.data.toString('base64'),
        });
      }
      leaves += page.length;
    }
  } finally {
    out.end();
    await once(out, 'finish');
  }
  return { leaves };
}

/** Reads an export back as a LogSource (the file is streamed again for each pass). */
export async function readExport(file: string): Promise<LogSource & { readonly header: ExportHeader }> {
  let header: ExportHeader | undefined;
  const checkpoints: CheckpointRow[] = [];
  for await (const line of lines(file)) {
    if (line.type === 'header') {
      if (line.format !== EXPORT_FORMAT) throw new Error(`not a ${EXPORT_FORMAT} export`);
      header = { origin: line.origin, verifierKey: line.verifierKey };
    } else if (line.type === 'checkpoint') {
      checkpoints.push({ size: line.size, rootHash: Buffer.from(line.rootHash, 'base64'), note: line.note });
    } else break; // checkpoints precede the leaves
  }
  if (!header) throw new Error('export has no header');
  return { header, checkpoints: async () => checkpoints, leaves: () => leafLines(file) };
}

async function* leafLines(file: string): AsyncGenerator<LeafRow[]> {
  let page: LeafRow[] = [];
  for await (const line of lines(file)) {
    if (line.type !== 'leaf') continue;
    page.push({
      seq: line.seq,
      leafHash: Buffer.from(line.leafHash, 'base64'),
      data: Buffer.from(line.data, 'base64'),
    });
    if (page.length === PAGE_SIZE) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

async function* lines(file: string): AsyncGenerator<Line> {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const text of rl) if (text) yield JSON.parse(text) as Line;
  } finally {
    rl.close();
  }
}
