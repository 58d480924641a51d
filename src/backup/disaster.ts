/**
 * Disaster recovery (BACKUP-1, BACKUP-2): a consistent snapshot of DB-1, DB-2 and the log together
 * with the key-encryption key, sealed under a fresh data key that is split M-of-N among custodians.
 * No single custodian — and no operator without M of them — can open it; with M shares the
 * restored service signs with the same keys and its log verifies.
 */
import {
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../app.js';
import { FACTOR_KEY_FILE } from '../auth/index.js';
import { databaseUrl } from '../config/index.js';
import { ShomeiError } from '../errors.js';
import { KEK_FILE, KEK_NEXT_FILE, type Kek, loadKeyringState } from '../keys/index.js';
import { type Manifest, packArchive, unpackArchive } from './archive.js';
import { copyDatabase, POSTGRES_DUMP, restorePostgres, SQLITE_DUMP } from './db-snapshot.js';
import { openSnapshot, sealSnapshot } from './snapshot-crypto.js';

export interface BackupResult {
  readonly file: string;
  readonly shares: readonly string[];
  readonly manifest: Manifest;
}

/** rename(2), or copy and remove where the scratch directory is on another file system. */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    copyFileSync(from, to, constants.COPYFILE_EXCL);
    chmodSync(to, 0o600);
    rmSync(from);
  }
}

function scratch<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-backup-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** The KEKs the service holds now (current, and next while a rotation runs); none with PKCS#11. */
function keksNow(app: App): Kek[] {
  if (app.config.keystore.kind !== 'software') return [];
  const k = app.config.keystore;
  const state = loadKeyringState(app.config.dataDir, { kek: k.kek, kekNext: k.kekNext }, app.platform.random);
  return state.next ? [state.current, state.next] : [state.current];
}

/**
 * The KEK files for the snapshot: `kek`, and `kek.next` if the copy caught a rotation midway (the
 * restored service then finishes it with `shomei key rotate-kek`). The KEKs are read before and
 * after the copy, so a rotation that starts or ends while the database is copied cannot leave a
 * row in the copy whose KEK the snapshot lacks.
 */
function kekFiles(dir: string, before: readonly Kek[], after: readonly Kek[], needed: readonly string[]): string[] {
  const known = new Map([...before, ...after].map((k) => [k.id, k]));
  const missing = needed.filter((id) => !known.has(id));
  if (missing.length > 0) {
    throw new ShomeiError('invalid_state', { detail: `keys are wrapped under unknown KEK ${missing.join(', ')}` });
  }
  // Oldest first: a KEK the live service no longer holds is the one the rotation moves keys from.
  const order = [...before, ...after].map((k) => k.id).filter((id, i, all) => all.indexOf(id) === i);
  const used = order.filter((id) => needed.includes(id));
  const chosen = used.length > 0 ? used : [after[0]?.id ?? ''];
  if (chosen.length > 2) throw new ShomeiError('invalid_state', { detail: 'two KEK rotations ran during the copy' });
  return chosen.map((id, i) => {
    const file = join(dir, i === 0 ? KEK_FILE : KEK_NEXT_FILE);
    writeFileSync(file, `${(known.get(id) as Kek).key.toString('base64')}\n`, { mode: 0o600 });
    return file;
  });
}

/**
 * The factor key (TOTP secrets, OTP hashes in DB-1 are sealed under it): without it a restored
 * service would ask every signer to enrol TOTP again. From configuration or its file; none yet
 * if no second factor was ever used.
 */
function factorKeyFile(app: App, dir: string): string[] {
  const configured = app.config.auth.factorKey;
  const own = join(app.config.dataDir, FACTOR_KEY_FILE);
  if (!configured && !existsSync(own)) return [];
  const file = join(dir, FACTOR_KEY_FILE);
  writeFileSync(file, configured ? `${configured.trim()}\n` : readFileSync(own), { mode: 0o600 });
  return [file];
}

export async function createBackup(app: App, out: string, m: number, n: number, actor: string): Promise<BackupResult> {
  return scratch(async (dir) => {
    const db = join(dir, app.store.dialect === 'postgres' ? POSTGRES_DUMP : SQLITE_DUMP);
    const before = keksNow(app);
    const { logSize, kekIds } = await copyDatabase(app.store, db, databaseUrl(app.config));
    const after = keksNow(app);
    const keks = after.length > 0 ? kekFiles(dir, before, after, kekIds) : [];
    const archive = join(dir, 'archive');
    const manifest = await packArchive(
      archive,
      [db, ...keks, ...factorKeyFile(app, dir)],
      { database: app.store.dialect, keystore: app.config.keystore.kind, logSize },
      new Date(app.platform.clock.now()),
    );
    const { shares } = await sealSnapshot(archive, out, { m, n }, app.platform.random);
    await app.audit.append({
      type: 'backup.create',
      actor,
      outcome: 'success',
      threshold: m,
      custodians: n,
      logSize,
      bytes: statSync(out).size,
    });
    return { file: out, shares, manifest };
  });
}

export interface RestoreOptions {
  /** Move existing files aside (`*.replaced-<time>`) instead of refusing. */
  readonly force: boolean;
  readonly now: Date;
  /** For a PostgreSQL snapshot: the empty database to load it into. */
  readonly databaseUrl?: string;
}

/**
 * Restores into `dataDir`, which must not hold a database or KEK already (unless `force`); a
 * PostgreSQL snapshot goes into `databaseUrl`, which must be an empty database.
 */
export async function restoreBackup(
  file: string,
  shares: readonly string[],
  dataDir: string,
  opts: RestoreOptions,
): Promise<Manifest> {
  return scratch(async (dir) => {
    const archive = join(dir, 'archive');
    await openSnapshot(file, archive, shares);
    const files = join(dir, 'files');
    mkdirSync(files, { mode: 0o700 });
    const manifest = await unpackArchive(archive, files);
    const restored = manifest.files.filter((e) => e.name !== POSTGRES_DUMP);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // The database's -wal and -shm belong to the database they sit beside: a stale WAL replayed
    // onto the restored file would corrupt it, so they move aside with it.
    const targets = restored.flatMap((e) =>
      e.name === SQLITE_DUMP ? [SQLITE_DUMP, `${SQLITE_DUMP}-wal`, `${SQLITE_DUMP}-shm`] : [e.name],
    );
    const present = targets.map((t) => join(dataDir, t)).filter((t) => existsSync(t));
    if (present.length > 0 && !opts.force) {
      throw new ShomeiError('invalid_state', {
        detail: `${present.join(', ')} exist; restore into an empty data directory or pass --force`,
      });
    }
    if (manifest.meta.database === 'postgres') {
      if (!opts.databaseUrl?.startsWith('postgres')) {
        throw new ShomeiError('invalid_state', {
          detail:
            'this snapshot holds a PostgreSQL database: configure databaseUrl (SHOMEI_DATABASE_URL) to restore it',
        });
      }
      await restorePostgres(join(files, POSTGRES_DUMP), opts.databaseUrl);
    }
    for (const t of present) renameSync(t, `${t}.replaced-${opts.now.getTime()}`);
    for (const e of restored) moveFile(join(files, e.name), join(dataDir, e.name));
    return manifest;
  });
}
