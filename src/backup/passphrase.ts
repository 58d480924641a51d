/**
 * Signer backup crypto (BACKUP-1): a payload sealed under a key only the signer's passphrase
 * yields, so neither the service nor its operators can open it.
 *
 * KDF: scrypt (RFC 7914) from node:crypto — the well-kept implementation at hand (STYLE.md 16);
 * N = 2^17, r = 8, p = 1 by default (128 MiB, OWASP's scrypt baseline is 2^17/8/1). Cipher:
 * AES-256-GCM (NIST SP 800-38D) with a fresh 96-bit IV (§8.2.2, random construction) under a key
 * that is itself fresh per backup (fresh salt), so IV reuse cannot occur. The AAD is the header —
 * format, backup id and every KDF parameter — so a container whose parameters were edited (say,
 * lowered) does not open.
 *
 * Container: JSON with base64url fields, self-describing and versioned:
 *   { format, id, kdf: { name: "scrypt", ln, r, p, salt }, enc: "A256GCM", iv, ct, tag }
 */
import { scrypt } from 'node:crypto';
import { ShomeiError } from '../errors.js';
import type { Random } from '../platform/index.js';
import { gcmOpen, gcmSeal } from './aead.js';

export const PASSPHRASE_FORMAT = 'shomei-passphrase-backup/v1';
export const MIN_PASSPHRASE_LENGTH = 12;

export interface ScryptParams {
  /** log2 of the CPU/memory cost N. */
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { ln: 17, r: 8, p: 1 };
/** Bounds accepted when opening, so a crafted container cannot ask for gigabytes. */
const LIMITS = { ln: [10, 20], r: [1, 32], p: [1, 16] } as const;

interface Header {
  readonly format: typeof PASSPHRASE_FORMAT;
  readonly id: string;
  readonly kdf: ScryptParams & { readonly name: 'scrypt'; readonly salt: string };
  readonly enc: 'A256GCM';
}

interface Container extends Header {
  readonly iv: string;
  readonly ct: string;
  readonly tag: string;
}

/** The AAD: the header fields in a fixed order, independent of how the JSON was laid out. */
const headerAad = (h: Header): Buffer =>
  Buffer.from([h.format, h.id, h.kdf.name, h.kdf.ln, h.kdf.r, h.kdf.p, h.kdf.salt, h.enc].join('|'), 'utf8');

/** Passphrases are NFKC-normalised (as RFC 8265 OpaqueString) so the same text typed elsewhere matches. */
const normalise = (passphrase: string): string => passphrase.normalize('NFKC');

function deriveKey(passphrase: string, salt: Buffer, k: ScryptParams): Promise<Buffer> {
  const N = 2 ** k.ln;
  const maxmem = 256 * N * k.r + 1024 * 1024; // scrypt needs 128·N·r bytes (RFC 7914 §5)
  return new Promise((resolve, reject) => {
    scrypt(normalise(passphrase), salt, 32, { N, r: k.r, p: k.p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

function withinLimits(k: ScryptParams): boolean {
  const ok = (v: number, [lo, hi]: readonly [number, number]) => Number.isInteger(v) && v >= lo && v <= hi;
  return ok(k.ln, LIMITS.ln) && ok(k.r, LIMITS.r) && ok(k.p, LIMITS.p);
}

export function checkPassphrase(passphrase: string): void {
  if ([...normalise(passphrase)].length < MIN_PASSPHRASE_LENGTH) {
    throw new ShomeiError('weak_secret', {
      what: 'passphrase',
      detail: `at least ${MIN_PASSPHRASE_LENGTH} characters`,
    });
  }
}

/** Seals `plain` (the caller wipes it) under the passphrase; returns the container as JSON text. */
export async function sealWithPassphrase(
  plain: Uint8Array,
  passphrase: string,
  random: Pick<Random, 'bytes'>,
  opts: { scrypt?: ScryptParams } = {},
): Promise<string> {
  checkPassphrase(passphrase);
  const k = opts.scrypt ?? DEFAULT_SCRYPT;
  if (!withinLimits(k)) throw new ShomeiError('invalid_parameter', { name: 'scrypt' });
  const salt = random.bytes(16);
  const header: Header = {
    format: PASSPHRASE_FORMAT,
    id: random.bytes(16).toString('hex'),
    kdf: { name: 'scrypt', ln: k.ln, r: k.r, p: k.p, salt: salt.toString('base64url') },
    enc: 'A256GCM',
  };
  const key = await deriveKey(passphrase, salt, k);
  try {
    const iv = random.bytes(12);
    const { ct, tag } = gcmSeal(key, iv, headerAad(header), plain);
    const container: Container = { ...header, iv: b64(iv), ct: b64(ct), tag: b64(tag) };
    return JSON.stringify(container, null, 2);
  } finally {
    key.fill(0);
  }
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const B64 = /^[A-Za-z0-9_-]*$/;
const str = (v: unknown): v is string => typeof v === 'string' && B64.test(v);

/** Parses the container at the edge (STYLE.md 7); anything unexpected is `backup_invalid`. */
export function parseContainer(text: string): Container {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ShomeiError('backup_invalid');
  }
  const c = raw as Partial<Container> | null;
  const kdf = c?.kdf;
  const shapeOk =
    c?.format === PASSPHRASE_FORMAT &&
    c.enc === 'A256GCM' &&
    typeof c.id === 'string' &&
    kdf?.name === 'scrypt' &&
    withinLimits(kdf) &&
    str(kdf.salt) &&
    str(c.iv) &&
    str(c.ct) &&
    str(c.tag);
  if (!shapeOk) throw new ShomeiError('backup_invalid');
  return c as Container;
}

/** Opens a container; a wrong passphrase and any altered byte give the same `backup_invalid`. */
export async function openWithPassphrase(text: string, passphrase: string): Promise<Buffer> {
  const c = parseContainer(text);
  const iv = Buffer.from(c.iv, 'base64url');
  const tag = Buffer.from(c.tag, 'base64url');
  if (iv.length !== 12 || tag.length !== 16) throw new ShomeiError('backup_invalid');
  const key = await deriveKey(passphrase, Buffer.from(c.kdf.salt, 'base64url'), c.kdf);
  try {
    return gcmOpen(key, iv, headerAad(c), Buffer.from(c.ct, 'base64url'), tag);
  } catch (cause) {
    throw new ShomeiError('backup_invalid', {}, { cause });
  } finally {
    key.fill(0);
  }
}
