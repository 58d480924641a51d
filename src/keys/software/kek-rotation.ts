/**
 * KEK rotation for the software key store: every wrapped key in DB-2 is re-wrapped under a new
 * KEK while services keep signing, and the old KEK is then destroyed. The state lives on disk and
 * in the rows themselves, so a crash anywhere is finished by running the rotation again:
 *
 * 1. the next KEK is written to `<dataDir>/kek.next` (whole or not at all, 0600, fsync'd) — running
 *    services read it (keyring.ts) and wrap new keys under it from then on;
 * 2. each row under the old KEK is re-wrapped in its own transaction,
 *    `UPDATE … WHERE id = ? AND kek_id = old`, so a repeated update changes nothing;
 * 3. `kek` is atomically replaced by the new KEK (temp file, fsync, rename, fsync of the directory)
 *    and the old file's bytes are overwritten; then `kek.next` is removed.
 *
 * At every instant each row's kek_id names a KEK on disk (`kek` or `kek.next`), so every key stays
 * usable. With a KEK from configuration (SHOMEI_KEK), the new one comes from SHOMEI_KEK_NEXT and
 * nothing is written to disk; the operator swaps the variables afterwards.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditSink } from '../../audit/event.js';
import { ShomeiError } from '../../errors.js';
import type { Random } from '../../platform/index.js';
import type { Store } from '../../store/index.js';
import {
  createKekFile,
  KEK_FILE,
  KEK_NEXT_FILE,
  type Kek,
  kekFromBase64,
  readKekFile,
  replaceKekFile,
  shredFile,
  shredKekLeftovers,
} from './kek.js';
import type { KekConfig } from './keyring.js';
import { unwrapKey, wrapKey } from './wrap.js';

export interface KekRotationOptions {
  readonly store: Store;
  readonly dataDir: string;
  /** A KEK from configuration: `kek` (SHOMEI_KEK) and `kekNext` (SHOMEI_KEK_NEXT); else the files. */
  readonly config?: KekConfig;
  readonly random: Random;
  readonly audit?: AuditSink;
  /** Who rotates, for the log ('admin:<name>'). */
  readonly actor: string;
  /**
   * Pause after `kek.next` appears, so that a service that wrapped a new key under the old KEK just
   * before has inserted it before the last sweep (default 2 s).
   */
  readonly settleMs?: number;
  readonly batchSize?: number;
  /** After each re-wrapped row, with the count so far (progress). */
  readonly onRow?: (rewrapped: number) => void | Promise<void>;
}

export interface KekRotationResult {
  /** The old KEK's id; null if a crash had left only the clean-up to do. */
  readonly from: string | null;
  readonly to: string;
  /** Rows re-wrapped by this run. */
  readonly rewrapped: number;
  /** Keys wrapped under the new KEK now. */
  readonly keys: number;
  /** This run finished one a crash interrupted. */
  readonly resumed: boolean;
  /** `file`: `<dataDir>/kek` now holds the new KEK. `config`: set SHOMEI_KEK to SHOMEI_KEK_NEXT. */
  readonly source: 'file' | 'config';
}

/** The KEKs a rotation moves between; `from` is null when a crash left only the clean-up. */
interface KekRotation {
  readonly from: Kek | null;
  readonly to: Kek;
  readonly resumed: boolean;
  readonly source: 'file' | 'config';
}

export async function rotateKek(opts: KekRotationOptions): Promise<KekRotationResult> {
  const plan = opts.config?.kek ? fromConfig(opts.config) : fromFiles(opts.dataDir, opts.random);
  const ids = { fromKekId: plan.from?.id ?? null, toKekId: plan.to.id };
  const log = (type: string, outcome: 'success' | 'failure', extra: Record<string, string | number | boolean>) =>
    opts.audit?.append({ type, actor: opts.actor, outcome, ...ids, ...extra });
  try {
    let rewrapped = 0;
    if (plan.from) {
      await log('kek.rotate.start', 'success', {
        resumed: plan.resumed,
        keys: await countUnder(opts.store, plan.from),
      });
      if (plan.source === 'file') await sleep(opts.settleMs ?? 2000);
      rewrapped = await rewrapAll(opts, plan.from, plan.to);
      if (plan.source === 'file') replaceKekFile(opts.dataDir, plan.to.key);
    }
    const keys = await countUnder(opts.store, plan.to);
    await log('kek.rotate.complete', 'success', { rewrapped, keys });
    if (plan.source === 'file') {
      shredFile(join(opts.dataDir, KEK_NEXT_FILE));
      shredKekLeftovers(opts.dataDir);
    }
    return { from: plan.from?.id ?? null, to: plan.to.id, rewrapped, keys, resumed: plan.resumed, source: plan.source };
  } catch (e) {
    // The rotation can be run again; nothing is lost. The message names ids only, never key bytes.
    await log('kek.rotate.complete', 'failure', { error: e instanceof Error ? e.message : String(e) });
    throw e;
  }
}

/** An expected refusal, printed by the CLI as one line. */
const refused = (detail: string, cause?: unknown) =>
  new ShomeiError('invalid_state', { detail }, cause === undefined ? undefined : { cause });

function fromConfig(config: KekConfig): KekRotation {
  if (!config.kekNext) {
    throw refused(
      'the KEK comes from configuration (SHOMEI_KEK): set SHOMEI_KEK_NEXT (keystore.kekNext) to a new one, ' +
        'e.g. `openssl rand -base64 32`, give it to every running service too, and run this again',
    );
  }
  const from = kekFromBase64(config.kek as string);
  const to = kekFromBase64(config.kekNext);
  if (from.id === to.id) throw refused('SHOMEI_KEK_NEXT is the same KEK as SHOMEI_KEK');
  return { from, to, resumed: false, source: 'config' };
}

function fromFiles(dataDir: string, random: Random): KekRotation {
  const current = readKekFile(join(dataDir, KEK_FILE));
  if (!current) throw refused(`no KEK in ${dataDir}: nothing to rotate`);
  const pending = readKekFile(join(dataDir, KEK_NEXT_FILE));
  // `kek` already replaced by `kek.next`: only the clean-up was left undone.
  if (pending?.id === current.id) return { from: null, to: current, resumed: true, source: 'file' };
  if (pending) return { from: current, to: pending, resumed: true, source: 'file' };
  const path = join(dataDir, KEK_NEXT_FILE);
  try {
    createKekFile(path, random.bytes(32));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  // Read back: if another rotation created it first, it is the one both of us continue.
  const next = readKekFile(path) as Kek;
  return { from: current, to: next, resumed: false, source: 'file' };
}

async function countUnder(store: Store, kek: Kek): Promise<number> {
  const r = await store.db
    .selectFrom('keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kek_id', '=', kek.id)
    .where('wrapped', 'is not', null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Re-wraps rows under `from` until none is left; refuses to finish if a row is under a third KEK. */
async function rewrapAll(opts: KekRotationOptions, from: Kek, to: Kek): Promise<number> {
  const db = opts.store.db;
  let rewrapped = 0;
  for (;;) {
    const batch = await db
      .selectFrom('keys')
      .select(['id', 'wrapped'])
      .where('kek_id', '=', from.id)
      .where('wrapped', 'is not', null)
      .where('status', '!=', 'destroyed')
      .orderBy('id')
      .limit(opts.batchSize ?? 100)
      .execute();
    if (batch.length === 0) break;
    for (const r of batch) {
      if (await rewrapRow(opts, from, to, r.id, r.wrapped as Buffer)) rewrapped++;
      await opts.onRow?.(rewrapped);
    }
  }
  const stray = await db
    .selectFrom('keys')
    .select(['id', 'kek_id'])
    .where('wrapped', 'is not', null)
    .where('status', '!=', 'destroyed')
    .where('kek_id', 'is not', null)
    .where('kek_id', '!=', to.id)
    .execute();
  if (stray.length > 0) {
    const list = stray.map((s) => `${s.id} (KEK ${s.kek_id})`).join(', ');
    throw refused(`keys under a KEK that is neither the current nor the next: ${list}; the current KEK is kept`);
  }
  return rewrapped;
}

async function rewrapRow(opts: KekRotationOptions, from: Kek, to: Kek, id: string, blob: Buffer): Promise<boolean> {
  let plain: Buffer;
  try {
    plain = unwrapKey(from.key, id, blob);
  } catch (e) {
    throw refused(`key ${id} does not unwrap under KEK ${from.id}: rotation stopped, nothing lost`, e);
  }
  let wrapped: Buffer;
  try {
    wrapped = wrapKey(to.key, id, plain, opts.random.bytes(12));
  } finally {
    plain.fill(0);
  }
  // Idempotent, and never resurrects a key destroyed since it was read (destroy nulls `wrapped`).
  // Durable (fsync'd) before the next row: the old KEK is shredded at the end, and a re-wrap that a
  // power cut undid afterwards would leave a key under a KEK that no longer exists.
  const res = await opts.store.durable((tx) =>
    tx
      .updateTable('keys')
      .set({ wrapped, kek_id: to.id })
      .where('id', '=', id)
      .where('kek_id', '=', from.id)
      .where('wrapped', 'is not', null)
      .where('status', '!=', 'destroyed')
      .executeTakeFirst(),
  );
  return res.numUpdatedRows > 0n;
}
