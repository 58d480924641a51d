/**
 * The factor key: seals TOTP secrets (AES-256-GCM) and keys the hashes of out-of-band OTP codes.
 *
 * Why not a verifier: a TOTP secret must be usable by the server to compute codes, so it cannot be
 * stored one-way like a PIN; it is encrypted instead (USER-1, AUTH-2 "no secret in logs").
 * Why not the KEK: the KEK wraps signing keys in DB-2 only (KEY-1), rotates on its own schedule
 * (`shomei key rotate-kek` would have to learn about DB-1 columns) and does not exist at all with a
 * PKCS#11 key store. So factor secrets get their own 256-bit key, held like the KEK: from
 * configuration (`auth.factorKey`, base64) or a 0600 file in the data directory, made on first use.
 * Each sealed value is bound to its user id (AAD): a secret copied to another row does not open.
 * OTP codes have 6–8 digits, so a plain SHA-256 in the database would fall to 10^8 guesses
 * offline; HMAC under this key leaves nothing to guess without the key.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../config/index.js';
import { type Random, systemRandom } from '../../platform/index.js';

const VERSION = 'v1';
/** The factor key's file in the data directory when it does not come from configuration. */
export const FACTOR_KEY_FILE = 'factor-key';

export interface FactorKey {
  seal(plaintext: string, aad: string): string;
  /** Throws on a damaged value or the wrong key/AAD. */
  open(sealed: string, aad: string): string;
  /** HMAC-SHA-256 (hex) of `value` under the factor key. */
  mac(value: string): string;
}

export function factorKeyFrom(key: Buffer, random: Random = systemRandom): FactorKey {
  if (key.length !== 32) throw new Error('the factor key must be 32 bytes');
  const sealKey = createHmac('sha256', key).update('shomei factor seal v1').digest();
  const macKey = createHmac('sha256', key).update('shomei factor mac v1').digest();
  return {
    seal(plaintext, aad) {
      const iv = random.bytes(12);
      const c = createCipheriv('aes-256-gcm', sealKey, iv);
      c.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
      return [VERSION, iv.toString('base64'), body.toString('base64'), c.getAuthTag().toString('base64')].join('.');
    },
    open(sealed, aad) {
      const [v, iv, body, tag] = sealed.split('.');
      if (v !== VERSION || !iv || !body || !tag) throw new Error('unknown sealed factor format');
      const d = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv, 'base64'));
      d.setAAD(Buffer.from(aad, 'utf8'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
    },
    mac: (value) => createHmac('sha256', macKey).update(value, 'utf8').digest('hex'),
  };
}

/** From configuration (base64) or `<dataDir>/factor-key`, made 0600 on first use. */
export function loadFactorKey(configured: string, dataDir: string, random: Random = systemRandom): FactorKey {
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new ConfigError('auth.factorKey must be the base64 of 32 bytes');
    return factorKeyFrom(key, random);
  }
  const file = join(dataDir, FACTOR_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // 'wx': two processes starting at once cannot both write one.
    try {
      writeFileSync(file, random.bytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  // As for the KEK: a factor key readable by group or others has leaked.
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError(`factor key file ${file} has mode ${mode.toString(8)}: chmod 600 it`);
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(`factor key file ${file} does not hold the base64 of 32 bytes`);
  return factorKeyFrom(key, random);
}
