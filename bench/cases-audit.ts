/**
 * B3: durable log appends per second under concurrent writers (group commit) against plain
 * inserts with the same durability, one transaction each; then offline verification time.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog, ed25519NoteSigner, storeSource, verifyLog } from '../src/audit/index.js';
import { systemClock } from '../src/platform/index.js';
import { openStore } from '../src/store/index.js';
import type { Row, RunOptions } from './report.js';

const event = (i: number) => ({
  type: 'signature.create',
  actor: 'bench-user',
  outcome: 'success' as const,
  credentialID: 'bench-credential',
  hash: `${i}`.padStart(44, 'A'),
});

async function appendsPerSecond(seconds: number, writers: number) {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-b3-'));
  const store = await openStore({ url: join(dir, 'log.db') });
  const signer = ed25519NoteSigner('bench/log', generateKeyPairSync('ed25519').privateKey);
  const log = createAuditLog({ store, clock: systemClock, signer, origin: 'bench/log' });
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (performance.now() < until) await log.append(event(n++));
    }),
  );
  const rate = n / ((performance.now() - t0) / 1000);
  const batches = log.stats().batches;
  await log.stop();
  // Reference: the same number of plain inserts, one durable transaction (one fsync) each.
  const refCount = Math.min(n, 2000);
  const r0 = performance.now();
  for (let i = 0; i < refCount; i++) {
    await store.durable((tx) =>
      tx
        .insertInto('meta')
        .values({ key: `k${i}`, value: 'v' })
        .execute(),
    );
  }
  const refRate = refCount / ((performance.now() - r0) / 1000);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return { rate, refRate, batches, n };
}

async function verifySeconds(entries: number) {
  const dir = mkdtempSync(join(tmpdir(), 'shomei-b3v-'));
  const store = await openStore({ url: join(dir, 'log.db') });
  const signer = ed25519NoteSigner('bench/log', generateKeyPairSync('ed25519').privateKey);
  const log = createAuditLog({ store, clock: systemClock, signer, origin: 'bench/log', batchMaxEntries: 5000 });
  const chunk = 20_000;
  for (let done = 0; done < entries; done += chunk) {
    const k = Math.min(chunk, entries - done);
    await Promise.all(Array.from({ length: k }, (_, i) => log.append(event(done + i))));
    if ((done / chunk) % 10 === 0) await log.checkpoint();
  }
  await log.stop();
  const t0 = performance.now();
  const report = await verifyLog(storeSource(store), signer.verifierKey);
  const secs = (performance.now() - t0) / 1000;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  if (!report.ok) throw new Error(`B3: the benchmark log did not verify: ${JSON.stringify(report.problems[0])}`);
  return secs;
}

export async function benchAudit(opts: RunOptions): Promise<Row[]> {
  const a = await appendsPerSecond(opts.quick ? 2 : 10, 256);
  const entries = opts.quick ? 50_000 : 1_000_000;
  const v = await verifySeconds(entries);
  return [
    {
      case: 'B3 audit append',
      figure: a.rate,
      unit: 'durable appends/s',
      reference: a.refRate,
      referenceLabel: 'durable single-row inserts/s',
      ratio: a.rate / a.refRate,
      goal: '>= 10x',
      notes: `${a.n} entries in ${a.batches} group commits`,
    },
    {
      case: 'B3 audit verify',
      figure: v,
      unit: `s for ${entries.toLocaleString('en')} entries`,
      reference: Number.NaN,
      referenceLabel: '-',
      ratio: Number.NaN,
      goal: '<= 10 s per 1,000,000',
      notes: opts.quick ? `≈ ${((v * 1_000_000) / entries).toFixed(1)} s per 1,000,000 (extrapolated)` : '',
    },
  ];
}
