/**
 * Custodian share text (src/backup/share-format.ts; BACKUP-2): a share carries its backup, its
 * threshold and its x, and a typo is caught by the checksum before any combining.
 */
import { describe, expect, it } from 'vitest';
import { split } from '../src/backup/shamir.js';
import { formatShare, parseShare, parseShareSet } from '../src/backup/share-format.js';
import { systemRandom } from '../src/platform/index.js';
import { errorCode as code } from './support/errors.js';

function shares(backupId: string, m = 3, n = 5): string[] {
  return split(systemRandom.bytes(32), m, n, systemRandom).map((share) => formatShare({ backupId, m, n, share }));
}

describe('share format (BACKUP-2)', () => {
  it('shomei-share-v1:<backup-id>:<m>-of-<n>:<x>:<base64url y>:<checksum> round-trips', () => {
    const [text] = shares('a1b2c3d4');
    expect(text).toMatch(/^shomei-share-v1:a1b2c3d4:3-of-5:1:[A-Za-z0-9_-]{43}:[0-9a-f]{8}$/);
    const s = parseShare(text!);
    expect([s.backupId, s.m, s.n, s.share.x, s.share.y.length]).toEqual(['a1b2c3d4', 3, 5, 1, 32]);
  });

  it('ignores whitespace and line breaks added when printing or reading aloud', () => {
    const [text] = shares('ab12');
    const wrapped = `  ${text!.slice(0, 30)}\n${text!.slice(30, 60)} \r\n${text!.slice(60)}\n`;
    expect(parseShare(wrapped).share.y).toEqual(parseShare(text!).share.y);
  });

  it('detects a typo in any field with a clear error before combining', () => {
    const [text] = shares('ab12');
    const fields = text!.split(':');
    for (let f = 1; f < fields.length; f++) {
      const typo = [...fields];
      const field = typo[f]!;
      const i = Math.floor(field.length / 2);
      typo[f] = field.slice(0, i) + (field[i] === '7' ? '8' : '7') + field.slice(i + 1);
      const e = code(() => parseShare(typo.join(':')));
      expect(e, `field ${f}`).toBe('backup_share_invalid');
    }
    expect(code(() => parseShare('hello'))).toBe('backup_share_invalid');
  });

  it('a share set: shares of another backup are refused, a repeated share counts once, < m is insufficient', () => {
    const a = shares('aaaa');
    const b = shares('bbbb');
    expect(parseShareSet(a.slice(0, 3), { backupId: 'aaaa', m: 3 }).map((s) => s.x)).toEqual([1, 2, 3]);
    expect(code(() => parseShareSet([a[0]!, a[1]!, b[2]!], { backupId: 'aaaa', m: 3 }))).toBe('backup_share_invalid');
    expect(code(() => parseShareSet([a[0]!, a[1]!, a[1]!], { backupId: 'aaaa', m: 3 }))).toBe(
      'backup_shares_insufficient',
    );
    expect(code(() => parseShareSet(a.slice(0, 2), { backupId: 'aaaa', m: 3 }))).toBe('backup_shares_insufficient');
  });

  it('refuses a share whose threshold differs from the backup’s', () => {
    const a = shares('cccc', 2, 5);
    expect(code(() => parseShareSet(a.slice(0, 3), { backupId: 'cccc', m: 3 }))).toBe('backup_share_invalid');
  });
});
