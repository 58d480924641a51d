import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeEntry,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  storeSource,
  verifyConsistency,
  verifyInclusion,
  verifyLog,
} from '../src/audit/index.js';
import { manualClock, systemClock } from '../src/platform/index.js';
import type { Store } from '../src/store/index.js';
import { event, ORIGIN, testLog } from './audit-fixtures.js';
import { backends, postgresAvailable, postgresBackend } from './support/stores.js';

describe.each(await backends())('audit/log on $name', (backend) => {
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await drop?.();
    drop = undefined;
  });
  const fresh = async () => {
    const db = await backend.create();
    drop = db.drop;
    return db;
  };

  it('LOG-3: concurrent appends share one durable transaction per batch (group commit)', async () => {
    const { store } = await fresh();
    const log = testLog(store, { batchMaxEntries: 256 });
    const n = 2000;
    const t0 = performance.now();
    const receipts = await Promise.all(Array.from({ length: n }, (_, i) => log.append(event(i))));
    const ms = performance.now() - t0;
    const { batches, entries } = log.stats();
    console.log(
      `[${backend.name}] ${n} appends in ${ms.toFixed(0)} ms = ${((n / ms) * 1000).toFixed(0)}/s, ${batches} batches`,
    );
    expect(entries).toBe(n);
    expect(batches).toBeLessThanOrEqual(Math.ceil(n / 256) + 2);
    expect(receipts.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    const e = await log.entry(receipts[17]?.seq as number);
    expect(e?.event).toMatchObject(event(17));
    expect(e?.leafHash.toString('hex')).toBe(receipts[17]?.leafHash);
  });

  it('LOG-3: a failed commit rejects every waiter of its batch and writes none of it', async () => {
    const { store } = await fresh();
    let failNext = false;
    let committed = 0;
    const flaky: Store = {
      ...store,
      exclusive: async (id, fn) => {
        const fail = failNext;
        failNext = false;
        const out = await store.exclusive(id, async (tx) => {
          const r = await fn(tx);
          if (fail) throw new Error('disk full');
          return r;
        });
        committed += 1;
        return out;
      },
    };
    const log = testLog(flaky, { batchMaxEntries: 100 });
    const first = await Promise.all([0, 1, 2].map((i) => log.append(event(i))));
    expect(committed).toBe(1);
    failNext = true;
    const doomed = await Promise.allSettled([3, 4, 5].map((i) => log.append(event(i))));
    expect(doomed.every((r) => r.status === 'rejected')).toBe(true);
    const after = await log.append(event(6)).then((r) => ({ r, committed }));
    expect(after.committed).toBe(2); // resolved only once its own commit was done
    expect(first.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(after.r.seq).toBe(3); // the failed batch left no rows and no hole
    expect(await log.entry(4)).toBeUndefined();
  });

  it('LOG-1: refuses events carrying secrets, accepts ids', async () => {
    const { store } = await fresh();
    const log = testLog(store);
    for (const field of [
      'pin',
      'PIN',
      'password',
      'otp',
      'sad',
      'token',
      'refresh_token',
      'secret',
      'privateKey',
      'code',
    ]) {
      await expect(log.append({ type: 'auth.login', actor: 'u', outcome: 'failure', [field]: 'x' })).rejects.toThrow(
        /secret/,
      );
    }
    await expect(
      log.append({ type: 'auth.login', actor: 'u', outcome: 'success', tokenId: 't1', sadId: 's1' }),
    ).resolves.toMatchObject({ seq: 0 });
    await expect(log.append({ type: 'x', actor: 'u', outcome: 'success', seq: 9 })).rejects.toThrow(/reserved/);
  });

  it('LOG-2, LOG-4: checkpoints are signed notes; inclusion and consistency proofs verify against them', async () => {
    const { store } = await fresh();
    const clock = manualClock();
    const log = testLog(store, { clock });
    expect(await log.checkpoint()).toBeUndefined();
    for (let i = 0; i < 11; i++) await log.append(event(i));
    clock.advance(1000);
    const c1 = await log.checkpoint();
    expect(c1?.size).toBe(11);
    await Promise.all(Array.from({ length: 26 }, (_, i) => log.append(event(i + 11))));
    clock.advance(1000);
    const c2 = await log.checkpoint();
    expect(await log.checkpoint()).toEqual(c2); // nothing new: no new checkpoint
    expect(log.stats().checkpoints).toBe(2);
    if (!c1 || !c2) throw new Error('no checkpoint');
    expect(parseCheckpoint(openNote(c2.note, parseVerifierKey(log.signer.verifierKey)))).toMatchObject({
      origin: ORIGIN,
      size: 37,
    });
    expect(await log.latest()).toEqual(c2);
    for (const seq of [0, 10, 36]) {
      const e = await log.entry(seq);
      const proof = await log.inclusionProof(seq, 37);
      expect(verifyInclusion(e?.leafHash as Buffer, seq, 37, proof, c2.root)).toBe(true);
      expect(decodeEntry(e?.data as Buffer).seq).toBe(seq);
    }
    expect(verifyConsistency(11, 37, await log.consistencyProof(11, 37), c1.root, c2.root)).toBe(true);
  });

  it('LOG-4: proofs over several tiles (cached tile roots) verify against signed checkpoints', async () => {
    const { store } = await fresh();
    const log = testLog(store, { batchMaxEntries: 1000 });
    await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(event(i))));
    const small = await log.checkpoint();
    await Promise.all(Array.from({ length: 300 }, (_, i) => log.append(event(i + 300))));
    const big = await log.checkpoint();
    if (!small || !big) throw new Error('no checkpoint');
    for (const [seq, cp] of [
      [0, small],
      [255, small],
      [256, big],
      [299, small],
      [513, big],
      [599, big],
    ] as const) {
      const e = await log.entry(seq);
      const proof = await log.inclusionProof(seq, cp.size);
      expect(verifyInclusion(e?.leafHash as Buffer, seq, cp.size, proof, cp.root)).toBe(true);
    }
    expect(verifyConsistency(300, 600, await log.consistencyProof(300, 600), small.root, big.root)).toBe(true);
  });

  it('LOG-2: the timer checkpoints only when there are new leaves; stop() flushes and checkpoints', async () => {
    const { store } = await fresh();
    const log = testLog(store, { checkpointIntervalMs: 20 });
    log.start();
    await log.append(event(0));
    await new Promise((r) => setTimeout(r, 120));
    expect((await log.latest())?.size).toBe(1);
    expect(log.stats().checkpoints).toBe(1);
    const late = log.append(event(1));
    await log.stop();
    await late;
    expect((await log.latest())?.size).toBe(2);
    const report = await verifyLog(storeSource(store), log.signer.verifierKey);
    expect(report).toMatchObject({ ok: true, size: 2, pending: 0 });
  });
});

describe.skipIf(!(await postgresAvailable()))('audit/log, two instances on one PostgreSQL', () => {
  it('LOG-2: concurrent appends from two skewed instances get contiguous seqs and the log verifies', async () => {
    const { store: a, url, drop } = await postgresBackend.create();
    const { openStore } = await import('../src/store/index.js');
    const b = await openStore({ url });
    try {
      const signer = testLog(a).signer;
      // B's clock runs an hour behind A's: log time must still never run backwards.
      const logA = testLog(a, { signer, batchMaxEntries: 50, clock: systemClock });
      const logB = testLog(b, { signer, batchMaxEntries: 50, clock: manualClock(Date.now() - 3_600_000) });
      const work = (log: typeof logA, tag: string) =>
        Promise.all(
          Array.from({ length: 300 }, async (_, i) => {
            const r = await log.append({ ...event(i), instance: tag });
            if (i % 100 === 99) await log.checkpoint();
            return r.seq;
          }),
        );
      const [sa, sb] = await Promise.all([work(logA, 'a'), work(logB, 'b')]);
      const seqs = [...sa, ...sb].sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => i));
      // Each instance must fold what the other appended and checkpointed since it last looked.
      expect((await logB.checkpoint())?.size).toBe(600);
      await Promise.all([logA.append(event(600)), logB.append(event(601))]);
      expect((await logA.checkpoint())?.size).toBe(602);
      await logB.append(event(602));
      expect((await logB.checkpoint())?.size).toBe(603);
      const report = await verifyLog(storeSource(a), signer.verifierKey);
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ ok: true, size: 603, pending: 0 });
      expect(report.checkpoints).toBeGreaterThanOrEqual(3);
    } finally {
      await b.close();
      await drop();
    }
  });
});
