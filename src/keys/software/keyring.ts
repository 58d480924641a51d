/**
 * The software key store's KEKs: the current one and, while a rotation runs (kek-rotation.ts), the
 * next one. Every unwrap picks the KEK by the row's `kek_id`; new keys are wrapped under the next
 * KEK as soon as one exists, so a rotation never chases keys made while it runs.
 *
 * A keyring that follows a data directory notices another process's rotation without a restart:
 * - a `kek_id` it does not hold makes it re-read `kek` and `kek.next` once, then retry;
 * - before wrapping a new key it checks (two stat calls) whether those files changed;
 * - while it holds a next KEK it checks at most once a second, to see the rotation finish.
 * A KEK that is no longer on disk is forgotten (and its bytes wiped) `retireAfterMs` later: long
 * enough for holders of an already-read handle (the log's checkpoint signer) to read the row again.
 * A keyring built from configuration (SHOMEI_KEK, SHOMEI_KEK_NEXT) never reads the disk.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ShomeiError } from '../../errors.js';
import { type Clock, type Random, systemClock, systemRandom } from '../../platform/index.js';
import { KEK_FILE, KEK_NEXT_FILE, type Kek, kekFromBase64, loadOrCreateKek, readKekFile } from './kek.js';

export interface KeyringState {
  /** The KEK in `<dataDir>/kek` (or SHOMEI_KEK). */
  readonly current: Kek;
  /** The KEK a rotation moves keys to (`kek.next`, SHOMEI_KEK_NEXT); null when none runs. */
  readonly next: Kek | null;
}

export interface KekConfig {
  /** Base64 KEK from configuration; empty or absent: `<dataDir>/kek`. */
  readonly kek?: string;
  /** Base64 next KEK from configuration, for rotating an environment-supplied KEK. */
  readonly kekNext?: string;
}

/** Reads (or, on first start, creates) the KEKs: from configuration if given, else the data dir. */
export function loadKeyringState(dataDir: string, config: KekConfig = {}, random: Random = systemRandom): KeyringState {
  if (config.kekNext && !config.kek) {
    throw new Error('keystore.kekNext (SHOMEI_KEK_NEXT) is for a KEK from configuration: set keystore.kek too');
  }
  if (config.kek) return distinct(kekFromBase64(config.kek), config.kekNext ? kekFromBase64(config.kekNext) : null);
  const current = loadOrCreateKek(dataDir, undefined, random);
  return distinct(current, readKekFile(join(dataDir, KEK_NEXT_FILE)));
}

/** After a crash between replacing `kek` and removing `kek.next`, both hold the same KEK. */
const distinct = (current: Kek, next: Kek | null): KeyringState => ({
  current,
  next: next && next.id !== current.id ? next : null,
});

export interface KeyringOptions {
  readonly state: KeyringState;
  /** Follow `<dataDir>/kek` and `kek.next` (a KEK from a file); absent for a KEK from configuration. */
  readonly dataDir?: string;
  /** How long a KEK gone from disk stays usable here (default 10 s). */
  readonly retireAfterMs?: number;
  /** While a next KEK is held, how often unwrapping looks at the files (default 1 s). */
  readonly pollMs?: number;
  readonly clock?: Clock;
}

export interface Keyring {
  /** The KEK new keys are wrapped under: the next one during a rotation, else the current one. */
  forWrap(): Kek;
  /** The KEK a blob was wrapped under; refuses an id it does not hold (even after re-reading). */
  forUnwrap(kekId: string | null | undefined): Kek;
  /** Ids held now (tests, diagnostics). */
  ids(): string[];
  close(): void;
}

export function createKeyring(opts: KeyringOptions): Keyring {
  let state = opts.state;
  const held = new Map<string, Kek>();
  const retiring = new Map<string, NodeJS.Timeout>();
  const hold = (k: Kek | null) => {
    if (k && !held.has(k.id)) held.set(k.id, k);
    if (k) cancelRetire(k.id);
  };
  hold(state.current);
  hold(state.next);

  const dir = opts.dataDir;
  const files = dir ? [join(dir, KEK_FILE), join(dir, KEK_NEXT_FILE)] : [];
  let seen = fingerprint(files);
  const clock = opts.clock ?? systemClock;
  let lastPoll = clock.now();

  function cancelRetire(id: string): void {
    const t = retiring.get(id);
    if (t) clearTimeout(t);
    retiring.delete(id);
  }

  const retire = (k: Kek): void => {
    if (retiring.has(k.id)) return;
    const t = setTimeout(() => {
      retiring.delete(k.id);
      held.delete(k.id);
      k.key.fill(0);
    }, opts.retireAfterMs ?? 10_000);
    t.unref();
    retiring.set(k.id, t);
  };

  /** Re-reads the KEK files if they changed (or if forced); KEKs gone from disk start retiring. */
  const sync = (force: boolean): void => {
    if (!dir) return;
    lastPoll = clock.now();
    const now = fingerprint(files);
    if (!force && now === seen) return;
    let read: KeyringState | null;
    try {
      const current = readKekFile(files[0] as string);
      read = current && distinct(current, readKekFile(files[1] as string));
    } catch {
      return; // e.g. a file with a bad mode: keep what we hold, read again next time
    }
    seen = now;
    if (!read) return; // `kek` is replaced by rename, never removed: keep what we hold
    state = read;
    hold(state.current);
    hold(state.next);
    for (const k of held.values()) if (k.id !== state.current.id && k.id !== state.next?.id) retire(k);
  };

  return {
    forWrap() {
      sync(false);
      return state.next ?? state.current;
    },
    forUnwrap(kekId) {
      if (state.next && clock.now() - lastPoll >= (opts.pollMs ?? 1000)) sync(false);
      if (!kekId) return state.current;
      let k = held.get(kekId);
      if (!k) {
        sync(true);
        k = held.get(kekId);
      }
      if (!k) {
        const detail = `key wrapped under KEK ${kekId}, which this key store does not hold (retired by a rotation?)`;
        throw new ShomeiError('keystore_error', {}, { cause: new Error(detail) });
      }
      return k;
    },
    ids: () => [...held.keys()],
    close() {
      for (const t of retiring.values()) clearTimeout(t);
      retiring.clear();
    },
  };
}

/** A cheap change detector for the KEK files: inode, size and mtime of each (or '-' if absent). */
function fingerprint(paths: readonly string[]): string {
  return paths
    .map((p) => {
      const s = statSync(p, { throwIfNoEntry: false });
      return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : '-';
    })
    .join('|');
}
