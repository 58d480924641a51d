/**
 * The key-encryption key of the software key store: 32 random bytes, base64, from configuration
 * (environment) or from `<dataDir>/kek`, created with mode 0600 on first start. An existing file
 * readable by group or others is refused: a KEK that leaked is a key store that leaked.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Random, systemRandom } from '../../platform/index.js';

export interface Kek {
  readonly key: Buffer;
  /** Short fingerprint stored with each wrapped key (DB-2 kek_id), to tell KEKs apart on rotation. */
  readonly id: string;
}

export const KEK_FILE = 'kek';

export function kekFromBase64(b64: string): Kek {
  const key = Buffer.from(b64.trim(), 'base64');
  if (key.length !== 32) throw new Error('KEK: expected 32 bytes, base64-encoded');
  const id = createHash('sha256').update('shomei:kek-id:').update(key).digest('hex').slice(0, 16);
  return { key, id };
}

export function loadOrCreateKek(dataDir: string, fromEnv?: string, random: Random = systemRandom): Kek {
  if (fromEnv) return kekFromBase64(fromEnv);
  const path = join(dataDir, KEK_FILE);
  const existing = statOrNull(path);
  if (!existing) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // 'wx': fail rather than overwrite if another process created it in the meantime.
    writeFileSync(path, `${random.bytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } else if ((existing.mode & 0o077) !== 0) {
    const mode = (existing.mode & 0o777).toString(8);
    throw new Error(`KEK file ${path} has mode ${mode}: it must not be group/world accessible (chmod 600)`);
  }
  return kekFromBase64(readFileSync(path, 'utf8'));
}

function statOrNull(path: string): { mode: number } | null {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
