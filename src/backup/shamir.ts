/**
 * Shamir secret sharing (Shamir 1979) over GF(2^8), byte by byte, as HashiCorp Vault's `shamir`
 * package does: each secret byte is the constant term of its own random polynomial of degree m−1,
 * share x holds the values at x, and any m shares give the constant back by Lagrange
 * interpolation at 0 (BACKUP-1, BACKUP-2).
 *
 * Hand-written (STYLE.md 16): no well-kept Shamir library is installed (the npm candidates are
 * unmaintained single-author ports), and the whole of it is the ~60 lines below. The field is the
 * AES field, FIPS-197 §4 (reduction polynomial x^8+x^4+x^3+x+1 = 0x11b), and the arithmetic is
 * bit-sliced — no log/exp tables indexed by secret bytes, so no cache-timing leak.
 */
import { ShomeiError } from '../errors.js';
import type { Random } from '../platform/index.js';

export interface Share {
  /** The evaluation point, 1..255 (0 would be the secret itself). */
  readonly x: number;
  readonly y: Uint8Array;
}

/** FIPS-197 §4.2: multiplication in GF(2^8) modulo 0x11b, by repeated xtime() (§4.2.1). */
export function gfMul(a: number, b: number): number {
  let p = 0;
  let x = a & 0xff;
  let y = b & 0xff;
  for (let i = 0; i < 8; i++) {
    p ^= -(y & 1) & x; // add x when the low bit of y is set, without a branch
    const carry = -((x >> 7) & 1);
    x = ((x << 1) ^ (carry & 0x1b)) & 0xff; // xtime: multiply by {02}, reduce by 0x11b
    y >>= 1;
  }
  return p & 0xff;
}

/** The multiplicative inverse: a^254 = a^-1 in GF(2^8) (a^255 = 1); 0 maps to 0. */
export function gfInv(a: number): number {
  let result = 1;
  let base = a & 0xff;
  for (let e = 254; e > 0; e >>= 1) {
    if (e & 1) result = gfMul(result, base);
    base = gfMul(base, base);
  }
  return result;
}

export const gfDiv = (a: number, b: number): number => {
  if ((b & 0xff) === 0) throw new RangeError('GF(2^8): division by zero');
  return gfMul(a, gfInv(b));
};

function checkSplit(secret: Uint8Array, m: number, n: number): void {
  const bad = (name: string) => new ShomeiError('invalid_parameter', { name });
  if (secret.length === 0) throw bad('secret');
  if (!Number.isInteger(m) || m < 2) throw bad('m');
  if (!Number.isInteger(n) || n < m || n > 255) throw bad('n');
}

/** Splits `secret` into n shares (x = 1..n), any m of which reconstruct it. */
export function split(secret: Uint8Array, m: number, n: number, random: Pick<Random, 'bytes'>): Share[] {
  checkSplit(secret, m, n);
  const len = secret.length;
  // coeffs[k * len + i] is the coefficient of x^(k+1) for secret byte i.
  const coeffs = random.bytes((m - 1) * len);
  const shares: Share[] = [];
  for (let x = 1; x <= n; x++) {
    const y = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      // Horner's rule from the highest coefficient down to the secret byte.
      let acc = 0;
      for (let k = m - 2; k >= 0; k--) acc = gfMul(acc, x) ^ (coeffs[k * len + i] ?? 0);
      y[i] = gfMul(acc, x) ^ (secret[i] ?? 0);
    }
    shares.push({ x, y });
  }
  coeffs.fill(0);
  return shares;
}

function checkCombine(shares: readonly Share[]): number {
  const bad = (detail: string) => new ShomeiError('backup_share_invalid', { detail });
  if (shares.length < 2)
    throw new ShomeiError('backup_shares_insufficient', { have: String(shares.length), need: '2' });
  const len = shares[0]?.y.length ?? 0;
  const seen = new Set<number>();
  for (const s of shares) {
    if (!Number.isInteger(s.x) || s.x < 1 || s.x > 255) throw bad(`x must be 1..255, got ${s.x}`);
    if (seen.has(s.x)) throw bad(`duplicate share x=${s.x}`);
    if (s.y.length !== len || len === 0) throw bad('shares have different lengths');
    seen.add(s.x);
  }
  return len;
}

/**
 * Lagrange interpolation at 0: secret = Σ y_i · Π_{j≠i} x_j / (x_j − x_i); in GF(2^8) subtraction
 * is XOR. With fewer shares than the threshold the result is a wrong secret, not an error — the
 * caller must know m (the share format carries it) and authenticate what the secret opens.
 */
export function combine(shares: readonly Share[]): Uint8Array {
  const len = checkCombine(shares);
  const basis = shares.map((si, i) => {
    let l = 1;
    shares.forEach((sj, j) => {
      if (j !== i) l = gfMul(l, gfDiv(sj.x, sj.x ^ si.x));
    });
    return l;
  });
  const out = new Uint8Array(len);
  for (let b = 0; b < len; b++) {
    let acc = 0;
    shares.forEach((s, i) => {
      acc ^= gfMul(s.y[b] ?? 0, basis[i] ?? 0);
    });
    out[b] = acc;
  }
  return out;
}
