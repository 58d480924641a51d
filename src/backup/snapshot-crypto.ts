/**
 * Disaster-recovery snapshot sealing (BACKUP-1, BACKUP-2): a file sealed under a fresh random
 * 256-bit data key that exists only as M-of-N Shamir shares held by custodians (shamir.ts,
 * share-format.ts). Without M of them no one — operator included — can open it.
 *
 * File layout:
 *   "shomei-snapshot-v1\n" | u32 header length | header JSON | record*
 *   record = u32 ciphertext length | ciphertext | 16-byte GCM tag
 * Each chunk (≤ 1 MiB) is AES-256-GCM (NIST SP 800-38D) with nonce = 0^32 || u64 index — unique
 * because the key is used for this one file — and AAD = SHA-256(magic || header) || u64 index ||
 * final flag, the STREAM construction (Hoang et al., "Online AE and its nonce-reuse misuse
 * resistance", 2015): a chunk moved, dropped, duplicated, taken from another snapshot, or a file
 * cut at a chunk boundary (no chunk marked final at the end) fails to open; so does an edited header.
 */
import { createHash } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { ShomeiError } from '../errors.js';
import type { Random } from '../platform/index.js';
import { gcmOpen, gcmSeal } from './aead.js';
import { combine, split } from './shamir.js';
import { formatShare, parseShareSet } from './share-format.js';

export const SNAPSHOT_FORMAT = 'shomei-snapshot/v1';
const MAGIC = Buffer.from('shomei-snapshot-v1\n', 'utf8');
export const DEFAULT_CHUNK = 1024 * 1024;
const TAG_LEN = 16;
const MAX_HEADER = 4096;

interface SnapshotHeader {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly backupId: string;
  readonly m: number;
  readonly n: number;
  readonly chunkSize: number;
}

const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};

function nonce(index: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeBigUInt64BE(BigInt(index), 4);
  return b;
}

function chunkAad(headerDigest: Buffer, index: number, final: boolean): Buffer {
  const b = Buffer.alloc(32 + 8 + 1);
  headerDigest.copy(b, 0);
  b.writeBigUInt64BE(BigInt(index), 32);
  b[40] = final ? 1 : 0;
  return b;
}

const headerDigest = (headerBytes: Buffer): Buffer => createHash('sha256').update(MAGIC).update(headerBytes).digest();

/** Reads up to `len` bytes, fewer only at the end of the file. */
async function readUpTo(fh: FileHandle, len: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

async function writeChunks(input: FileHandle, out: FileHandle, key: Buffer, digest: Buffer, size: number) {
  let pos = 0;
  let current = await readUpTo(input, size, pos);
  for (let index = 0; ; index++) {
    pos += current.length;
    // Read one chunk ahead: the current chunk is final exactly when nothing follows it.
    const next = current.length < size ? Buffer.alloc(0) : await readUpTo(input, size, pos);
    const final = next.length === 0;
    const { ct, tag } = gcmSeal(key, nonce(index), chunkAad(digest, index, final), current);
    await out.write(Buffer.concat([u32(ct.length), ct, tag]));
    if (final) return;
    current = next;
  }
}

export interface SealOptions {
  readonly m: number;
  readonly n: number;
  readonly chunkSize?: number;
}

/** Seals `inputPath` into `outputPath`; returns the n custodian shares (text, share-format.ts). */
export async function sealSnapshot(
  inputPath: string,
  outputPath: string,
  opts: SealOptions,
  random: Pick<Random, 'bytes'>,
): Promise<{ backupId: string; shares: string[] }> {
  const chunkSize = opts.chunkSize ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > 16 * DEFAULT_CHUNK) {
    throw new ShomeiError('invalid_parameter', { name: 'chunkSize' });
  }
  const key = random.bytes(32);
  const backupId = random.bytes(8).toString('hex');
  const parts = split(key, opts.m, opts.n, random); // validates m and n before any file is written
  const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, backupId, m: opts.m, n: opts.n, chunkSize };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const input = await open(inputPath, 'r');
  try {
    const out = await open(outputPath, 'wx', 0o600);
    try {
      await out.write(Buffer.concat([MAGIC, u32(headerBytes.length), headerBytes]));
      await writeChunks(input, out, key, headerDigest(headerBytes), chunkSize);
      await out.sync();
    } finally {
      await out.close();
    }
  } finally {
    await input.close();
    key.fill(0);
  }
  const shares = parts.map((share) => formatShare({ backupId, m: opts.m, n: opts.n, share }));
  return { backupId, shares };
}

function parseHeader(bytes: Buffer): SnapshotHeader {
  let h: Partial<SnapshotHeader> | null = null;
  try {
    h = JSON.parse(bytes.toString('utf8')) as Partial<SnapshotHeader> | null;
  } catch {
    // falls through to the shape check
  }
  const int = (v: unknown, lo: number, hi: number) => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
  const ok =
    h?.format === SNAPSHOT_FORMAT &&
    typeof h.backupId === 'string' &&
    int(h.m, 2, 255) &&
    int(h.n, h.m ?? 2, 255) &&
    int(h.chunkSize, 1, 16 * DEFAULT_CHUNK);
  if (!ok) throw new ShomeiError('backup_invalid');
  return h as SnapshotHeader;
}

/** Reads the magic and header of a snapshot file; exported for tooling (`backup inspect`). */
export async function readSnapshotHeader(
  fh: FileHandle,
): Promise<{ header: SnapshotHeader; bytes: Buffer; end: number }> {
  const lead = await readUpTo(fh, MAGIC.length + 4, 0);
  if (lead.length !== MAGIC.length + 4 || !lead.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new ShomeiError('backup_invalid');
  }
  const len = lead.readUInt32BE(MAGIC.length);
  if (len > MAX_HEADER) throw new ShomeiError('backup_invalid');
  const bytes = await readUpTo(fh, len, lead.length);
  if (bytes.length !== len) throw new ShomeiError('backup_invalid');
  return { header: parseHeader(bytes), bytes, end: lead.length + len };
}

/** A failed tag is `backup_invalid`; I/O errors (disk full…) stay what they are. */
function openChunk(key: Uint8Array, index: number, aad: Buffer, record: Buffer, len: number): Buffer {
  try {
    return gcmOpen(key, nonce(index), aad, record.subarray(0, len), record.subarray(len));
  } catch (cause) {
    throw new ShomeiError('backup_invalid', {}, { cause });
  }
}

async function readChunks(
  fh: FileHandle,
  out: FileHandle,
  key: Uint8Array,
  start: number,
  h: SnapshotHeader,
  digest: Buffer,
) {
  const { size } = await fh.stat();
  let pos = start;
  for (let index = 0; ; index++) {
    const lenBytes = await readUpTo(fh, 4, pos);
    if (lenBytes.length !== 4) throw new ShomeiError('backup_invalid'); // cut before a final chunk
    const len = lenBytes.readUInt32BE(0);
    if (len > h.chunkSize) throw new ShomeiError('backup_invalid');
    const record = await readUpTo(fh, len + TAG_LEN, pos + 4);
    if (record.length !== len + TAG_LEN) throw new ShomeiError('backup_invalid');
    pos += 4 + record.length;
    const final = pos === size;
    await out.write(openChunk(key, index, chunkAad(digest, index, final), record, len));
    if (final) return;
  }
}

/**
 * Opens a snapshot with custodian shares into `outputPath`. Plaintext goes to a `.partial` file that
 * is renamed only once every chunk has verified, and removed otherwise — a damaged snapshot never
 * leaves half-restored data that looks whole.
 */
export async function openSnapshot(
  inputPath: string,
  outputPath: string,
  shareTexts: readonly string[],
): Promise<void> {
  const fh = await open(inputPath, 'r');
  const partial = `${outputPath}.partial`;
  try {
    const { header, bytes, end } = await readSnapshotHeader(fh);
    const key = combine(parseShareSet(shareTexts, header));
    const out = await open(partial, 'wx', 0o600);
    try {
      await readChunks(fh, out, key, end, header, headerDigest(bytes));
      await out.sync();
    } finally {
      key.fill(0);
      await out.close();
    }
    await rename(partial, outputPath);
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  } finally {
    await fh.close();
  }
}
