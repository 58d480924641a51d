import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  checkpointText,
  exportLog,
  leafHash,
  type Problem,
  readExport,
  signNote,
  storeSource,
  verifyLog,
} from '../src/audit/index.js';
import { manualClock } from '../src/platform/index.js';
import type { Store } from '../src/store/index.js';
import { event, ORIGIN, testLog, testSigner } from './audit-fixtures.js';
import { backends } from './support/stores.js';

const dir = mkdtempSync(join(tmpdir(), 'shomei-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 20 entries with checkpoints at sizes 8 and 20, then 3 entries not yet checkpointed. */
async function populated(store: Store) {
  const clock = manualClock();
  const log = testLog(store, { clock });
  for (let i = 0; i < 23; i++) {
    clock.advance(10);
    await log.append(event(i));
    if (i === 7 || i === 19) {
      clock.advance(10);
      await log.checkpoint();
    }
  }
  return { log, clock, key: log.signer.verifierKey };
}

const codes = (problems: readonly Problem[]) => problems.map((p) => `${p.code}@${p.seq ?? `cp${p.checkpoint}`}`);
const covers = (p: Problem, seq: number) => p.range !== undefined && p.range[0] <= seq && seq < p.range[1];

describe.each(await backends())('audit/verify on $name', (backend) => {
  let store: Store;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await drop?.();
    drop = undefined;
  });
  const setup = async () => {
    const db = await backend.create();
    store = db.store;
    drop = db.drop;
    return populated(store);
  };
  const verify = (key: string) => verifyLog(storeSource(store), key);
  const row = (seq: number) =>
    store.db.selectFrom('audit_leaves').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
  const setRow = (seq: number, data: Buffer, leaf_hash?: Buffer) =>
    store.db
      .updateTable('audit_leaves')
      .set(leaf_hash ? { data, leaf_hash } : { data })
      .where('seq', '=', seq)
      .execute();
  const edited = (data: Buffer) => Buffer.from(data.toString().replace('"outcome":"success"', '"outcome":"failure"'));

  it('LOG-2: an untouched log verifies; entries after the newest checkpoint are pending', async () => {
    const { key } = await setup();
    const report = await verify(key);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, size: 23, checkpoints: 2, pending: 3, latest: { size: 20 } });
  });

  it('LOG-2: an edited entry is named by the verifier', async () => {
    const { key } = await setup();
    await setRow(5, edited((await row(5)).data));
    const report = await verify(key);
    expect(report.ok).toBe(false);
    expect(codes(report.problems)).toEqual(['edited_entry@5']);
  });

  it('LOG-2: an entry edited together with its leaf hash breaks the covering checkpoint, narrowed by the one before', async () => {
    const { key } = await setup();
    const data = edited((await row(12)).data);
    await setRow(12, data, leafHash(data));
    const report = await verify(key);
    expect(report.ok).toBe(false);
    const [first] = report.problems;
    expect(first).toMatchObject({ code: 'root_mismatch', checkpoint: 20, range: [8, 20] });
    expect(covers(first as Problem, 12)).toBe(true);
  });

  it('LOG-2: a deleted entry is named by the verifier', async () => {
    const { key } = await setup();
    await store.db.deleteFrom('audit_leaves').where('seq', '=', 9).execute();
    const report = await verify(key);
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatchObject({ code: 'missing_entry', seq: 9, range: [9, 10] });
  });

  it('LOG-2: deleting the newest checkpointed entries is named by the verifier', async () => {
    const { key } = await setup();
    await store.db.deleteFrom('audit_leaves').where('seq', '>=', 18).execute();
    const report = await verify(key);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'missing_entry', seq: 18, checkpoint: 20 })]);
  });

  it('LOG-2: two swapped entries are named by the verifier', async () => {
    const { key } = await setup();
    const [a, b] = [await row(3), await row(4)];
    await setRow(3, b.data, b.leaf_hash);
    await setRow(4, a.data, a.leaf_hash);
    const report = await verify(key);
    expect(report.ok).toBe(false);
    expect(codes(report.problems)).toEqual(expect.arrayContaining(['reordered_entry@3', 'reordered_entry@4']));
    expect(report.problems.find((p) => p.code === 'root_mismatch')).toMatchObject({ checkpoint: 8, range: [0, 8] });
  });

  it('LOG-2: an entry inserted after the last checkpoint with an old time is named by the verifier', async () => {
    const { key } = await setup();
    const old = await row(2);
    const time = JSON.parse(old.data.toString()).time as number;
    const data = Buffer.from(
      JSON.stringify({ actor: 'mallory', n: 0, outcome: 'success', seq: 23, time, type: 'signature.create' }),
    );
    await store.db
      .insertInto('audit_leaves')
      .values({ seq: 23, data, leaf_hash: leafHash(data), created_at: time })
      .execute();
    const report = await verify(key);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'backdated_entry', seq: 23, checkpoint: 20 })]);
  });

  it('LOG-2: a forged checkpoint (edited row, or signed by another key) is named by the verifier', async () => {
    const { key, clock } = await setup();
    const root = Buffer.alloc(32, 1);
    await store.db.updateTable('audit_checkpoints').set({ root_hash: root }).where('size', '=', 8).execute();
    const mallory = testSigner(ORIGIN);
    const note = await signNote(checkpointText({ origin: ORIGIN, size: 23, root, time: clock.now() }), mallory);
    await store.db.insertInto('audit_checkpoints').values({ size: 23, root_hash: root, note, created_at: 0 }).execute();
    const report = await verify(key);
    expect(report.ok).toBe(false);
    expect(codes(report.problems)).toEqual(['forged_checkpoint@cp8', 'forged_checkpoint@cp23']);
    expect(report.checkpoints).toBe(1);
  });

  it('LOG-2: a checkpoint for another origin does not count', async () => {
    const { log } = await setup();
    const report = await verifyLog(storeSource(store), log.signer.verifierKey, { origin: 'other.example/log' });
    expect(codes(report.problems)).toEqual(['forged_checkpoint@cp8', 'forged_checkpoint@cp20']);
  });

  it('LOG-4: export → readExport → verify round-trips, and tampering with the export is caught', async () => {
    const { key } = await setup();
    const file = join(dir, `${backend.name}.jsonl`);
    expect(await exportLog(store, file, { origin: ORIGIN, verifierKey: key })).toEqual({ leaves: 23 });
    const source = await readExport(file);
    expect(source.header).toEqual({ origin: ORIGIN, verifierKey: key });
    const report = await verifyLog(source, key);
    expect(report).toMatchObject({ ok: true, size: 23, checkpoints: 2, pending: 3 });

    const lines = readFileSync(file, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('"seq":6,'));
    lines.splice(i, 1);
    writeFileSync(file, lines.join('\n'));
    const tampered = await verifyLog(await readExport(file), key);
    expect(tampered.problems[0]).toMatchObject({ code: 'missing_entry', seq: 6 });
  });
});
