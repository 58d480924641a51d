/**
 * Durability for SQLite without blocking the event loop. better-sqlite3 is synchronous: with
 * `synchronous=FULL` every durable COMMIT would fsync on the main thread, and no request could make
 * progress meanwhile — so group commit would never group. Instead the database runs with
 * `synchronous=NORMAL` in WAL mode (commits are written to the WAL but not flushed) and a durable
 * transaction, after its COMMIT, flushes the WAL file with fdatasync on libuv's thread pool.
 *
 * Why this is as durable as FULL: the WAL is append-only between checkpoints, so flushing it after
 * our COMMIT makes our frames — and every frame before them — durable. A checkpoint that moves
 * frames into the database file syncs the WAL first and the database after (SQLite's own rule in
 * NORMAL mode), so frames that a WAL restart later overwrites are already durable in the database.
 * Syncs coalesce: callers that arrive while one is running share the next one, which starts after
 * their commits; one fdatasync covers every commit before it.
 */
import { type FileHandle, open } from 'node:fs/promises';

export interface WalSync {
  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export function walSync(databasePath: string): WalSync {
  let handle: Promise<FileHandle> | undefined;
  let running: Promise<void> | undefined;
  let next: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    // The -wal file exists from the first commit in WAL mode and keeps its inode while open.
    handle ??= open(`${databasePath}-wal`, 'r');
    await (await handle).datasync();
  };

  const sync = (): Promise<void> => {
    if (!running) {
      running = flush().finally(() => {
        running = undefined;
      });
      return running;
    }
    // A sync already in flight may have started before our commit: join the one after it.
    next ??= running.then(
      () => {
        next = undefined;
        return sync();
      },
      () => {
        next = undefined;
        return sync();
      },
    );
    return next;
  };

  return {
    sync,
    close: async () => {
      if (handle) await (await handle).close();
    },
  };
}
