import { describe, expect, it } from 'vitest';
import {
  type CheckpointRow,
  checkpointText,
  type LeafRow,
  type LogSource,
  leafHash,
  signNote,
  verifyLog,
} from '../src/audit/index.js';
import { Frontier } from '../src/audit/merkle.js';
import { testSigner } from './audit-fixtures.js';

// The verifier is pure over a LogSource: these cases build one in memory, including states the
// database's primary keys cannot hold but an export file can.
const T0 = 1_767_225_600_000;
const signer = testSigner();

function leaves(n: number): LeafRow[] {
  return Array.from({ length: n }, (_, seq) => {
    const data = Buffer.from(`{"actor":"a","outcome":"success","seq":${seq},"time":${T0 + seq},"type":"t"}`);
    return { seq, leafHash: leafHash(data), data };
  });
}

async function checkpoint(rows: readonly LeafRow[], size: number, time: number, root?: Buffer): Promise<CheckpointRow> {
  const f = new Frontier();
  for (const r of rows.slice(0, size)) f.append(r.leafHash);
  const rootHash = root ?? f.root();
  const note = await signNote(checkpointText({ origin: signer.name, size, root: rootHash, time }), signer);
  return { size, rootHash, note };
}

const source = (rows: LeafRow[], cps: CheckpointRow[]): LogSource => ({
  leaves: async function* () {
    yield rows;
  },
  checkpoints: async () => cps,
});

describe('audit/verify over an in-memory source', () => {
  it('LOG-2: two validly signed checkpoints of one size with different roots (a fork) are named', async () => {
    const rows = leaves(10);
    const cps = [await checkpoint(rows, 6, T0 + 6), await checkpoint(rows, 6, T0 + 6, Buffer.alloc(32, 9))];
    const report = await verifyLog(source(rows, cps), signer.verifierKey);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'inconsistent_checkpoints', checkpoint: 6 })]);
  });

  it('LOG-2: a larger checkpoint dated before a smaller one is named', async () => {
    const rows = leaves(10);
    const cps = [await checkpoint(rows, 4, T0 + 4), await checkpoint(rows, 8, T0 + 3)];
    const report = await verifyLog(source(rows, cps), signer.verifierKey);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'inconsistent_checkpoints', checkpoint: 8 })]);
  });

  it('LOG-2: a validly signed checkpoint the leaves do not hash to is named, with the narrowed range', async () => {
    const rows = leaves(10);
    const cps = [await checkpoint(rows, 4, T0 + 4), await checkpoint(rows, 8, T0 + 8, Buffer.alloc(32, 1))];
    const report = await verifyLog(source(rows, cps), signer.verifierKey);
    expect(report.problems).toEqual([expect.objectContaining({ code: 'root_mismatch', checkpoint: 8, range: [4, 8] })]);
  });

  it('LOG-2: a duplicated entry and an entry dated before its predecessor are named', async () => {
    const rows = leaves(6);
    const late = Buffer.from(`{"actor":"a","outcome":"success","seq":6,"time":${T0},"type":"t"}`);
    const tampered = [
      ...rows.slice(0, 4),
      rows[3] as LeafRow,
      ...rows.slice(4),
      { seq: 6, leafHash: leafHash(late), data: late },
    ];
    const report = await verifyLog(source(tampered, []), signer.verifierKey);
    expect(report.problems.map((p) => `${p.code}@${p.seq}`)).toEqual(['duplicate_entry@3', 'backdated_entry@6']);
  });

  it('LOG-2: an empty log with no checkpoints verifies', async () => {
    expect(await verifyLog(source([], []), signer.verifierKey)).toMatchObject({ ok: true, size: 0, pending: 0 });
  });
});
