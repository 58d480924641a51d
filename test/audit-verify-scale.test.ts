import { describe, expect, it } from 'vitest';
import { checkpointText, type LeafRow, type LogSource, leafHash, signNote, verifyLog } from '../src/audit/index.js';
import { Frontier } from '../src/audit/merkle.js';
import { testSigner } from './audit-fixtures.js';

/** A synthetic in-memory log, so the measurement is of the verifier and not of a database. */
async function syntheticLog(n: number): Promise<{ source: LogSource; key: string }> {
  const signer = testSigner();
  const pages: LeafRow[][] = [];
  const frontier = new Frontier();
  for (let start = 0; start < n; start += 10_000) {
    const page: LeafRow[] = [];
    for (let seq = start; seq < Math.min(n, start + 10_000); seq++) {
      const data = Buffer.from(
        `{"actor":"user-${seq % 97}","credentialId":"c-${seq % 13}","outcome":"success","seq":${seq},"time":${1_767_225_600_000 + seq},"type":"signature.create"}`,
      );
      const h = leafHash(data);
      frontier.append(h);
      page.push({ seq, leafHash: h, data });
    }
    pages.push(page);
  }
  const text = checkpointText({ origin: signer.name, size: n, root: frontier.root(), time: 1_767_225_600_000 + n });
  const note = await signNote(text, signer);
  const checkpoints = [{ size: n, rootHash: frontier.root(), note }];
  return {
    key: signer.verifierKey,
    source: {
      leaves: async function* () {
        yield* pages;
      },
      checkpoints: async () => checkpoints,
    },
  };
}

describe('audit/verify at scale', () => {
  it('LOG-2: verifies 100,000 entries (time printed, not asserted)', async () => {
    const n = 100_000;
    const { source, key } = await syntheticLog(n);
    const t0 = performance.now();
    const report = await verifyLog(source, key);
    const ms = performance.now() - t0;
    console.log(`verify: ${n} entries in ${ms.toFixed(0)} ms (${((ms / n) * 1e6).toFixed(0)} ms per million)`);
    expect(report).toMatchObject({ ok: true, size: n, checkpoints: 1, pending: 0 });
  });
});
