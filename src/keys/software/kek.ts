/**
 * The key-encryption key of the software key store: 32 random bytes, base64, from configuration
 * (environment) or from `<dataDir>/kek`, created with mode 0600 on first start. An existing file
 * readable by group or others is refused: a KEK that leaked is a key store that leaked.
 *
 * During a KEK rotation (kek-rotation.ts) the next KEK waits in `<dataDir>/kek.next`; the helpers
 * here write such files durably (fsync of the file and of the directory) and shred them.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { type Random, systemRandom } from '../../platform/index.js';

export interface Kek {
  readonly key: Buffer;
  /** Short fingerprint stored with each wrapped key (DB-2 kek_id), to tell KEKs apart on rotation. */
  readonly id: string;
}

export const KEK_FILE = 'kek';
/** The KEK a rotation in progress moves keys to; its presence on disk is the rotation's state. */
export const KEK_NEXT_FILE = 'kek.next';

export function kekFromBase64(b64: string): Kek {
  const key = Buffer.from(b64.trim(), 'base64');
  if (key.length !== 32) throw new Error('KEK: expected 32 bytes, base64-encoded');
  const id = createHash('sha256').update('shomei:kek-id:').update(key).digest('hex').slice(0, 16);
  return { key, id };
}

export function loadOrCreateKek(dataDir: string, fromEnv?: string, random: Random = systemRandom): Kek {
  if (fromEnv) return kekFromBase64(fromEnv);
  const path = join(dataDir, KEK_FILE);
  if (!statOrNull(path)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Exclusive: if another process created it in the meantime, theirs is the KEK.
    try {
      createKekFile(path, random.bytes(32));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return readKekFile(path) as Kek;
}

/** The KEK in `path`, or null if there is none; a group/world-accessible file is refused. */
export function readKekFile(path: string): Kek | null {
  const existing = statOrNull(path);
  if (!existing) return null;
  if ((existing.mode & 0o077) !== 0) {
    const mode = (existing.mode & 0o777).toString(8);
    throw new Error(`KEK file ${path} has mode ${mode}: it must not be group/world accessible (chmod 600)`);
  }
  return kekFromBase64(readFileSync(path, 'utf8'));
}

/** Writes a new KEK file (0600) and makes it and its directory entry durable before returning. */
function writeKekFile(path: string, key: Uint8Array): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${Buffer.from(key).toString('base64')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(dirname(path));
}

/**
 * Creates a KEK file that readers see whole or not at all (written aside, then hard-linked into
 * place); fails with EEXIST if the file exists, like open's O_EXCL.
 */
export function createKekFile(path: string, key: Uint8Array): void {
  const tmp = tmpName(path);
  writeKekFile(tmp, key);
  try {
    linkSync(tmp, path);
  } finally {
    removeFile(tmp);
  }
}

/**
 * Makes `<dataDir>/kek` hold `key`, atomically (temp file, fsync, rename, fsync of the directory):
 * after a crash it holds either the old KEK or the new one, never a torn file. The old file's bytes
 * are overwritten through a descriptor kept open across the rename (best effort: copy-on-write
 * file systems and SSD wear levelling may keep old blocks; the re-wrapped rows are the real guard).
 */
export function replaceKekFile(dataDir: string, key: Uint8Array): void {
  const path = join(dataDir, KEK_FILE);
  const tmp = tmpName(path);
  writeKekFile(tmp, key);
  let old: number | null = null;
  try {
    old = openSync(path, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  try {
    renameSync(tmp, path);
    fsyncDir(dataDir);
    if (old !== null && fstatSync(old).nlink === 0) overwrite(old);
  } finally {
    if (old !== null) closeSync(old);
  }
}

/**
 * Unlinks a file (and flushes the directory), then overwrites its bytes with zeros through a
 * descriptor kept open, so no reader ever sees a zeroed file. A file with another link (a temp file
 * already linked into place) is only unlinked.
 */
export function shredFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  try {
    removeFile(path);
    if (fstatSync(fd).nlink === 0) overwrite(fd);
  } finally {
    closeSync(fd);
  }
}

/** Temp names are unique per writer, so two processes never write (or remove) each other's file. */
let tmpSeq = 0;
const tmpName = (path: string) => `${path}.${process.pid}.${++tmpSeq}.tmp`;
const TMP = /^kek(\.next)?\.\d+\.\d+\.tmp$/;

/** Temp files left by a crash mid-write (each holds a KEK that is also in `kek` or `kek.next`). */
export function shredKekLeftovers(dataDir: string): void {
  for (const name of readdirSync(dataDir)) if (TMP.test(name)) shredFile(join(dataDir, name));
}

function overwrite(fd: number): void {
  const size = fstatSync(fd).size;
  if (size > 0) writeSync(fd, Buffer.alloc(size), 0, size, 0);
  fsyncSync(fd);
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  fsyncDir(dirname(path));
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function statOrNull(path: string): { mode: number } | null {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
