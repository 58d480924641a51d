/**
 * A custodian's share as one line of text that can be stored, printed or read out (BACKUP-2):
 *
 *   shomei-share-v1:<backup-id>:<m>-of-<n>:<x>:<base64url y>:<checksum>
 *
 * The checksum is the first 8 hex digits of SHA-256 over everything before it. It catches typos
 * before any combining (a mistyped share would otherwise just yield a wrong key and a vague
 * failure); it is not a MAC — the snapshot's AES-GCM tags authenticate the result.
 */
import { createHash } from 'node:crypto';
import { ShomeiError } from '../errors.js';
import type { Share } from './shamir.js';

export const SHARE_PREFIX = 'shomei-share-v1';
const BACKUP_ID = /^[A-Za-z0-9-]{1,64}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface SharedSecretShare {
  readonly backupId: string;
  readonly m: number;
  readonly n: number;
  readonly share: Share;
}

const checksum = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 8);

const bad = (detail: string): ShomeiError => new ShomeiError('backup_share_invalid', { detail });

export function formatShare(s: SharedSecretShare): string {
  if (!BACKUP_ID.test(s.backupId)) throw new ShomeiError('invalid_parameter', { name: 'backupId' });
  const y = Buffer.from(s.share.y).toString('base64url');
  const body = `${SHARE_PREFIX}:${s.backupId}:${s.m}-of-${s.n}:${s.share.x}:${y}`;
  return `${body}:${checksum(body)}`;
}

const int = (text: string): number => (/^[0-9]{1,3}$/.test(text) ? Number(text) : Number.NaN);

/** Parses one share; whitespace (line breaks from printing) is ignored. */
export function parseShare(text: string): SharedSecretShare {
  const compact = text.replace(/\s+/g, '');
  const parts = compact.split(':');
  if (parts.length !== 6 || parts[0] !== SHARE_PREFIX) throw bad(`not a ${SHARE_PREFIX} share`);
  const [, backupId = '', mOfN = '', xText = '', yText = '', sum = ''] = parts;
  if (checksum(parts.slice(0, 5).join(':')) !== sum.toLowerCase()) {
    throw bad('checksum mismatch (a typo in the share?)');
  }
  const [mText = '', nText = '', ...rest] = mOfN.split('-of-');
  const m = int(mText);
  const n = int(nText);
  const x = int(xText);
  if (!BACKUP_ID.test(backupId)) throw bad('malformed backup id');
  if (rest.length > 0 || !(m >= 2 && n >= m && n <= 255)) throw bad('malformed threshold');
  if (!(x >= 1 && x <= n)) throw bad('share number out of range');
  if (!B64URL.test(yText)) throw bad('malformed share value');
  return { backupId, m, n, share: { x, y: new Uint8Array(Buffer.from(yText, 'base64url')) } };
}

/**
 * Parses a custodian set for one backup: every share must belong to `backupId` with the same
 * threshold, the same share given twice counts once, and fewer than m distinct shares is refused
 * before any combining.
 */
export function parseShareSet(texts: readonly string[], expect: { backupId: string; m: number }): Share[] {
  const byX = new Map<number, Share>();
  texts.forEach((text, i) => {
    const s = parseShare(text);
    if (s.backupId !== expect.backupId) {
      throw bad(`share ${i + 1} belongs to backup ${s.backupId}, not ${expect.backupId}`);
    }
    if (s.m !== expect.m) throw bad(`share ${i + 1} claims ${s.m}-of-${s.n}; this backup needs ${expect.m}`);
    const prev = byX.get(s.share.x);
    if (prev && Buffer.compare(Buffer.from(prev.y), Buffer.from(s.share.y)) !== 0) {
      throw bad(`two different shares numbered ${s.share.x}`);
    }
    byX.set(s.share.x, s.share);
  });
  if (byX.size < expect.m) {
    throw new ShomeiError('backup_shares_insufficient', { have: String(byX.size), need: String(expect.m) });
  }
  return [...byX.values()];
}
