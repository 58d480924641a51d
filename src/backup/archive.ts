/**
 * A minimal archive of named files for a disaster-recovery snapshot: one JSON manifest (names,
 * sizes, SHA-256) followed by the files' bytes. Hand-written because it is twenty lines and the
 * snapshot is sealed (snapshot-crypto.ts) anyway; a tar library would add parsing of hostile
 * headers for nothing. Names are plain file names: no paths, so restore cannot write elsewhere.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export const ARCHIVE_FORMAT = 'shomei-snapshot/v1';

export interface ArchiveEntry {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly createdAt: string;
  /** What the snapshot holds, e.g. { database: 'sqlite', logSize: 1234 }. */
  readonly meta: Readonly<Record<string, string | number>>;
  readonly files: readonly ArchiveEntry[];
}

const SAFE_NAME = /^[A-Za-z0-9._-]{1,100}$/;

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Writes `files` (absolute paths) into one archive at `out`. */
export async function packArchive(
  out: string,
  files: readonly string[],
  meta: Manifest['meta'],
  now: Date,
): Promise<Manifest> {
  const entries: ArchiveEntry[] = [];
  for (const f of files) entries.push({ name: basename(f), size: statSync(f).size, sha256: await sha256File(f) });
  for (const e of entries) if (!SAFE_NAME.test(e.name)) throw new Error(`archive: unsafe file name ${e.name}`);
  const manifest: Manifest = { format: ARCHIVE_FORMAT, createdAt: now.toISOString(), meta, files: entries };
  const head = Buffer.from(JSON.stringify(manifest), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(head.length);
  const ws = createWriteStream(out, { mode: 0o600 });
  ws.write(len);
  ws.write(head);
  for (const f of files) await pipeline(createReadStream(f), ws, { end: false });
  await new Promise<void>((resolve, reject) => ws.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return manifest;
}

/** Reads the manifest and extracts every file into `dir`, checking sizes and digests. */
export async function unpackArchive(path: string, dir: string): Promise<Manifest> {
  const fh = await open(path, 'r');
  try {
    const lenBuf = Buffer.alloc(4);
    await fh.read(lenBuf, 0, 4, 0);
    const headLen = lenBuf.readUInt32BE(0);
    if (headLen > 1 << 20) throw new Error('archive: manifest too large');
    const head = Buffer.alloc(headLen);
    await fh.read(head, 0, headLen, 4);
    const manifest = JSON.parse(head.toString('utf8')) as Manifest;
    if (manifest.format !== ARCHIVE_FORMAT) throw new Error(`archive: unknown format ${manifest.format}`);
    let offset = 4 + headLen;
    for (const e of manifest.files) {
      if (!SAFE_NAME.test(e.name)) throw new Error(`archive: unsafe file name ${e.name}`);
      const target = join(dir, e.name);
      if (e.size === 0) writeFileSync(target, '', { mode: 0o600 });
      else
        await pipeline(
          createReadStream('', { fd: fh.fd, start: offset, end: offset + e.size - 1, autoClose: false }),
          createWriteStream(target, { mode: 0o600 }),
        );
      if (statSync(target).size !== e.size || (await sha256File(target)) !== e.sha256) {
        throw new Error(`archive: ${e.name} does not match its manifest entry`);
      }
      offset += e.size;
    }
    return manifest;
  } finally {
    await fh.close();
  }
}
