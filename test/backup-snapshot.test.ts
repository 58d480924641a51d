/**
 * Disaster-recovery snapshot sealing (src/backup/snapshot-crypto.ts; BACKUP-1, BACKUP-2): 3-of-5
 * custodians, any 3 open it, 2 fail clearly, and chunk truncation, reordering, swapping between
 * snapshots, appended data and header edits are all detected without leaving plaintext behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSnapshot, sealSnapshot } from '../src/backup/snapshot-crypto.js';
import { ShomeiError } from '../src/errors.js';
import { systemRandom } from '../src/platform/index.js';

const dir = mkdtempSync(join(tmpdir(), 'shomei-snap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
const path = (name: string) => join(dir, `${counter++}-${name}`);
const CHUNK = 1000;

async function sealed(content: Buffer, chunkSize = CHUNK) {
  const input = path('in');
  writeFileSync(input, content);
  const file = path('snap');
  const { shares, backupId } = await sealSnapshot(input, file, { m: 3, n: 5, chunkSize }, systemRandom);
  return { file, shares, backupId };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof ShomeiError ? e.code : `not-a-ShomeiError: ${String(e)}`;
  }
  return undefined;
}

/** Splits a snapshot into its prefix (magic + header) and its records. */
function records(bytes: Buffer): { prefix: Buffer; recs: Buffer[] } {
  const magic = 'shomei-snapshot-v1\n'.length;
  let pos = magic + 4 + bytes.readUInt32BE(magic);
  const prefix = bytes.subarray(0, pos);
  const recs: Buffer[] = [];
  while (pos < bytes.length) {
    const len = 4 + bytes.readUInt32BE(pos) + 16;
    recs.push(bytes.subarray(pos, pos + len));
    pos += len;
  }
  return { prefix, recs };
}

async function opensTo(file: string, shares: readonly string[]): Promise<{ code?: string; out: string }> {
  const out = path('out');
  const code = await codeOf(openSnapshot(file, out, shares));
  return code ? { code, out } : { out };
}

describe('snapshot sealing with M-of-N custodian shares (BACKUP-2)', () => {
  const content = systemRandom.bytes(5_500); // 6 chunks of ≤ 1000 bytes

  it('3-of-5: every set of 3 shares opens it byte for byte; the file does not contain the plaintext', async () => {
    const { file, shares } = await sealed(content);
    expect(shares).toHaveLength(5);
    expect(readFileSync(file).includes(content.subarray(0, 64))).toBe(false);
    for (let i = 0; i < 5; i++)
      for (let j = i + 1; j < 5; j++)
        for (let k = j + 1; k < 5; k++) {
          const { code, out } = await opensTo(file, [shares[k]!, shares[i]!, shares[j]!]);
          expect(code).toBeUndefined();
          expect(readFileSync(out).equals(content)).toBe(true);
        }
  });

  it('2 shares fail clearly (backup_shares_insufficient), also when one is given twice', async () => {
    const { file, shares } = await sealed(content);
    const two = await opensTo(file, shares.slice(0, 2));
    expect(two.code).toBe('backup_shares_insufficient');
    expect(existsSync(two.out) || existsSync(`${two.out}.partial`)).toBe(false);
    expect((await opensTo(file, [shares[0]!, shares[1]!, shares[0]!])).code).toBe('backup_shares_insufficient');
  });

  it('shares of another snapshot are refused by backup id', async () => {
    const a = await sealed(content);
    const b = await sealed(content);
    expect((await opensTo(a.file, [a.shares[0]!, a.shares[1]!, b.shares[2]!])).code).toBe('backup_share_invalid');
  });

  it('round-trips an empty file, an exact multiple of the chunk size and a multi-MiB file at 1 MiB chunks', async () => {
    for (const [data, chunk] of [
      [Buffer.alloc(0), CHUNK],
      [systemRandom.bytes(3 * CHUNK), CHUNK],
      [systemRandom.bytes(2.5 * 1024 * 1024), undefined],
    ] as const) {
      const { file, shares } = await sealed(data, chunk);
      const { code, out } = await opensTo(file, shares.slice(2));
      expect(code).toBeUndefined();
      expect(readFileSync(out).equals(data)).toBe(true);
    }
  });

  it('truncation (at a chunk boundary or inside one), reordering, dropping, duplicating, appending → backup_invalid', async () => {
    const { file, shares } = await sealed(content);
    const { prefix, recs } = records(readFileSync(file));
    expect(recs).toHaveLength(6);
    const variants: Record<string, Buffer> = {
      'cut at a chunk boundary': Buffer.concat([prefix, ...recs.slice(0, 4)]),
      'cut inside a chunk': readFileSync(file).subarray(0, readFileSync(file).length - 7),
      'header only': prefix,
      'two chunks swapped': Buffer.concat([prefix, recs[0]!, recs[2]!, recs[1]!, ...recs.slice(3)]),
      'a chunk dropped': Buffer.concat([prefix, recs[0]!, ...recs.slice(2)]),
      'a chunk duplicated': Buffer.concat([prefix, recs[0]!, ...recs]),
      'bytes appended': Buffer.concat([readFileSync(file), Buffer.from('x')]),
      'final chunk moved up': Buffer.concat([prefix, recs[5]!]),
    };
    for (const [name, bytes] of Object.entries(variants)) {
      const f = path('bad');
      writeFileSync(f, bytes);
      const { code, out } = await opensTo(f, shares.slice(0, 3));
      expect(code, name).toBe('backup_invalid');
      expect(existsSync(out) || existsSync(`${out}.partial`), name).toBe(false);
    }
  });

  it('a chunk from another snapshot, a flipped ciphertext bit and an edited header → backup_invalid', async () => {
    const a = await sealed(content);
    const b = await sealed(content);
    const ra = records(readFileSync(a.file));
    const rb = records(readFileSync(b.file));
    const swapped = Buffer.concat([ra.prefix, ra.recs[0]!, rb.recs[1]!, ...ra.recs.slice(2)]);
    const flipped = Buffer.from(readFileSync(a.file));
    flipped[flipped.length - 100] = (flipped[flipped.length - 100] ?? 0) ^ 0x10;
    const header = ra.prefix.toString('latin1').replace('"chunkSize":1000', '"chunkSize":1001');
    const edited = Buffer.concat([Buffer.from(header, 'latin1'), ...ra.recs]);
    for (const [name, bytes] of Object.entries({ swapped, flipped, edited })) {
      const f = path('bad');
      writeFileSync(f, bytes);
      expect((await opensTo(f, a.shares.slice(1, 4))).code, name).toBe('backup_invalid');
    }
  });

  it('refuses to overwrite an existing output and bad thresholds', async () => {
    const input = path('in');
    writeFileSync(input, 'x');
    expect(await codeOf(sealSnapshot(input, input, { m: 3, n: 5 }, systemRandom))).toMatch(/EEXIST/);
    expect(await codeOf(sealSnapshot(input, path('o'), { m: 1, n: 5 }, systemRandom))).toBe('invalid_parameter');
    expect(await codeOf(sealSnapshot(input, path('o'), { m: 6, n: 5 }, systemRandom))).toBe('invalid_parameter');
  });
});
