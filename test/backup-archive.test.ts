import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packArchive, unpackArchive } from '../src/backup/archive.js';

const dir = mkdtempSync(join(tmpdir(), 'shomei-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('snapshot archive (BACKUP-2)', () => {
  it('BACKUP-2: files round-trip byte for byte, with their digests checked', async () => {
    const a = join(dir, 'shomei.db');
    const b = join(dir, 'kek');
    const empty = join(dir, 'empty');
    writeFileSync(a, Buffer.alloc(300_000, 7));
    writeFileSync(b, 'secret-kek\n');
    writeFileSync(empty, '');
    const out = join(dir, 'archive');
    const m = await packArchive(out, [a, b, empty], { logSize: 3 }, new Date(0));
    expect(m.files.map((f) => f.name)).toEqual(['shomei.db', 'kek', 'empty']);
    const to = mkdtempSync(join(dir, 'out-'));
    await unpackArchive(out, to);
    expect(readFileSync(join(to, 'shomei.db')).equals(readFileSync(a))).toBe(true);
    expect(readFileSync(join(to, 'kek'), 'utf8')).toBe('secret-kek\n');
    expect(readFileSync(join(to, 'empty')).length).toBe(0);
  });

  it('BACKUP-2: a changed byte in a file is refused on unpack', async () => {
    const a = join(dir, 'data.bin');
    writeFileSync(a, Buffer.alloc(1000, 1));
    const out = join(dir, 'archive2');
    await packArchive(out, [a], {}, new Date(0));
    const bytes = readFileSync(out);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 10) ^ 0xff, bytes.length - 10);
    writeFileSync(out, bytes);
    await expect(unpackArchive(out, mkdtempSync(join(dir, 'bad-')))).rejects.toThrow(/does not match/);
  });
});
