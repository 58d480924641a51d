/**
 * Signer backup crypto (src/backup/passphrase.ts; BACKUP-1): only the signer's passphrase opens
 * the container; the KDF parameters are recorded and authenticated; any altered byte fails.
 */
import { describe, expect, it } from 'vitest';
import { openWithPassphrase, parseContainer, sealWithPassphrase } from '../src/backup/passphrase.js';
import { ShomeiError } from '../src/errors.js';
import { systemRandom } from '../src/platform/index.js';

const PASS = 'correct horse battery staple';
const FAST = { scrypt: { ln: 10, r: 8, p: 1 } };
const payload = Buffer.from(JSON.stringify({ keys: ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASC…'], user: 'alice' }));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof ShomeiError ? e.code : 'not-a-ShomeiError';
  }
  return undefined;
}

/** Flips one bit of a base64url field's decoded bytes. */
function flip(text: string, field: 'iv' | 'ct' | 'tag' | 'salt', at = 0): string {
  const c = JSON.parse(text) as Record<string, unknown> & { kdf: Record<string, unknown> };
  const holder: Record<string, unknown> = field === 'salt' ? c.kdf : c;
  const bytes = Buffer.from(holder[field] as string, 'base64url');
  bytes[at] = (bytes[at] ?? 0) ^ 1;
  holder[field] = bytes.toString('base64url');
  return JSON.stringify(c);
}

describe('signer backup under a passphrase (BACKUP-1)', () => {
  it('the right passphrase opens it; the container records scrypt N/r/p/salt and the cipher', async () => {
    const sealed = await sealWithPassphrase(payload, PASS, systemRandom, FAST);
    const c = parseContainer(sealed);
    expect(c).toMatchObject({
      format: 'shomei-passphrase-backup/v1',
      enc: 'A256GCM',
      kdf: { name: 'scrypt', ln: 10, r: 8, p: 1 },
    });
    expect(Buffer.from(c.kdf.salt, 'base64url')).toHaveLength(16);
    expect(sealed).not.toContain('alice');
    expect((await openWithPassphrase(sealed, PASS)).equals(payload)).toBe(true);
  });

  it('defaults to scrypt ln = 17, r = 8, p = 1', async () => {
    const sealed = await sealWithPassphrase(payload, PASS, systemRandom);
    expect(parseContainer(sealed).kdf).toMatchObject({ ln: 17, r: 8, p: 1 });
    expect((await openWithPassphrase(sealed, PASS)).equals(payload)).toBe(true);
  });

  it('a wrong passphrase → backup_invalid', async () => {
    const sealed = await sealWithPassphrase(payload, PASS, systemRandom, FAST);
    expect(await codeOf(openWithPassphrase(sealed, 'correct horse battery stapl'))).toBe('backup_invalid');
    expect(await codeOf(openWithPassphrase(sealed, ''))).toBe('backup_invalid');
  });

  it('a flipped byte in the ciphertext, tag, IV or salt → backup_invalid', async () => {
    const sealed = await sealWithPassphrase(payload, PASS, systemRandom, FAST);
    for (const field of ['ct', 'tag', 'iv', 'salt'] as const) {
      expect(await codeOf(openWithPassphrase(flip(sealed, field), PASS)), field).toBe('backup_invalid');
    }
    const ctLen = Buffer.from(parseContainer(sealed).ct, 'base64url').length;
    expect(await codeOf(openWithPassphrase(flip(sealed, 'ct', ctLen - 1), PASS))).toBe('backup_invalid');
  });

  it('edited header fields (KDF cost, id, format) and garbage → backup_invalid; absurd costs are not run', async () => {
    const sealed = await sealWithPassphrase(payload, PASS, systemRandom, FAST);
    const edit = (f: (c: Record<string, unknown> & { kdf: Record<string, unknown> }) => void) => {
      const c = JSON.parse(sealed);
      f(c);
      return JSON.stringify(c);
    };
    expect(
      await codeOf(
        openWithPassphrase(
          edit((c) => (c.kdf.r = 4)),
          PASS,
        ),
      ),
    ).toBe('backup_invalid');
    expect(
      await codeOf(
        openWithPassphrase(
          edit((c) => (c.id = 'x')),
          PASS,
        ),
      ),
    ).toBe('backup_invalid');
    expect(
      await codeOf(
        openWithPassphrase(
          edit((c) => (c.format = 'v0')),
          PASS,
        ),
      ),
    ).toBe('backup_invalid');
    expect(
      await codeOf(
        openWithPassphrase(
          edit((c) => (c.kdf.ln = 40)),
          PASS,
        ),
      ),
    ).toBe('backup_invalid');
    expect(await codeOf(openWithPassphrase('{not json', PASS))).toBe('backup_invalid');
    expect(await codeOf(openWithPassphrase('null', PASS))).toBe('backup_invalid');
  });

  it('refuses a passphrase under 12 characters (weak_secret)', async () => {
    expect(await codeOf(sealWithPassphrase(payload, 'short pass', systemRandom, FAST))).toBe('weak_secret');
  });
});
