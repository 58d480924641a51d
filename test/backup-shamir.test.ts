/**
 * Shamir secret sharing over GF(2^8) (src/backup/shamir.ts; BACKUP-1, BACKUP-2). The field is
 * checked against published values — FIPS-197 §4.2 / §4.2.1 and HashiCorp Vault's shamir_test.go
 * (TestField_Mult, TestField_Divide) — and against an independent log/exp-table implementation over
 * all 65,536 products; sharing is checked with a hand-derived known answer and by properties.
 */
import { describe, expect, it } from 'vitest';
import { combine, gfDiv, gfInv, gfMul, type Share, split } from '../src/backup/shamir.js';
import { systemRandom } from '../src/platform/index.js';
import { errorCode as code } from './support/errors.js';

/** Independent oracle: multiplication via log/exp tables of the generator {03} (FIPS-197 field). */
function tableMul(): (a: number, b: number) => number {
  const exp = new Array<number>(510);
  const log = new Array<number>(256).fill(0);
  let v = 1;
  for (let i = 0; i < 255; i++) {
    exp[i] = v;
    exp[i + 255] = v;
    log[v] = i;
    v ^= (v << 1) ^ (v & 0x80 ? 0x11b : 0); // v · {03} = v · {02} ⊕ v
  }
  return (a, b) => (a === 0 || b === 0 ? 0 : (exp[(log[a] ?? 0) + (log[b] ?? 0)] ?? -1));
}

const fixedRandom = (bytes: number[]) => ({ bytes: (n: number) => Buffer.from(bytes.slice(0, n)) });

describe('GF(2^8) arithmetic (FIPS-197 §4)', () => {
  it('FIPS-197 §4.2: {57}·{83} = {c1}; §4.2.1: {57}·{13} = {fe} and the xtime chain', () => {
    expect(gfMul(0x57, 0x83)).toBe(0xc1);
    expect(gfMul(0x57, 0x13)).toBe(0xfe);
    expect([0x02, 0x04, 0x08, 0x10].map((b) => gfMul(0x57, b))).toEqual([0xae, 0x47, 0x8e, 0x07]);
  });

  it('HashiCorp Vault shamir_test.go: mult(3,7)=9, mult(3,0)=0, div(0,7)=0, div(3,3)=1, div(6,3)=2', () => {
    expect([gfMul(3, 7), gfMul(3, 0), gfMul(0, 3)]).toEqual([9, 0, 0]);
    expect([gfDiv(0, 7), gfDiv(3, 3), gfDiv(6, 3)]).toEqual([0, 1, 2]);
    expect(() => gfDiv(1, 0)).toThrow(RangeError);
  });

  it('agrees with a log/exp-table implementation on all 65,536 products; a·a⁻¹ = 1; {53}⁻¹ = {ca}', () => {
    const mul = tableMul();
    for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) if (gfMul(a, b) !== mul(a, b)) expect([a, b]).toBe('');
    for (let a = 1; a < 256; a++) expect(gfMul(a, gfInv(a))).toBe(1);
    expect(gfInv(0x53)).toBe(0xca);
  });
});

describe('split / combine (BACKUP-2)', () => {
  it('known answer: secret {2a}, m = 2, coefficient {07} → shares (1,{2d}) (2,{24}) (3,{23})', () => {
    const shares = split(Uint8Array.of(0x2a), 2, 3, fixedRandom([0x07]));
    expect(shares.map((s) => [s.x, s.y[0]])).toEqual([
      [1, 0x2d],
      [2, 0x24],
      [3, 0x23],
    ]);
    expect(combine([shares[2]!, shares[0]!])).toEqual(Uint8Array.of(0x2a));
  });

  it('any 3 of 5 shares reconstruct a 32-byte secret; 2 of them give a different value', () => {
    const secret = systemRandom.bytes(32);
    const shares = split(secret, 3, 5, systemRandom);
    expect(shares.map((s) => s.x)).toEqual([1, 2, 3, 4, 5]);
    for (let i = 0; i < 5; i++)
      for (let j = i + 1; j < 5; j++) {
        expect(Buffer.from(combine([shares[i]!, shares[j]!])).equals(secret)).toBe(false);
        for (let k = j + 1; k < 5; k++) {
          expect(Buffer.from(combine([shares[k]!, shares[i]!, shares[j]!])).equals(secret)).toBe(true);
        }
      }
  });

  it('properties over random thresholds: m shares suffice, m − 1 do not, extra shares do no harm', () => {
    for (const [m, n] of [
      [2, 2],
      [2, 3],
      [4, 7],
      [5, 5],
      [10, 255],
    ] as const) {
      const secret = systemRandom.bytes(16);
      const shares = split(secret, m, n, systemRandom);
      const shuffled = [...shares].sort(() => Math.random() - 0.5);
      expect(Buffer.from(combine(shuffled.slice(0, m))).equals(secret)).toBe(true);
      expect(Buffer.from(combine(shuffled)).equals(secret)).toBe(true);
      if (m > 2) expect(Buffer.from(combine(shuffled.slice(0, m - 1))).equals(secret)).toBe(false);
    }
  });

  it('refuses m < 2, n < m, n > 255, an empty secret, duplicate x, x out of range and mixed lengths', () => {
    const s = Uint8Array.of(1, 2, 3);
    expect(code(() => split(s, 1, 3, systemRandom))).toBe('invalid_parameter');
    expect(code(() => split(s, 3, 2, systemRandom))).toBe('invalid_parameter');
    expect(code(() => split(s, 2, 256, systemRandom))).toBe('invalid_parameter');
    expect(code(() => split(new Uint8Array(), 2, 3, systemRandom))).toBe('invalid_parameter');
    const [a, b] = split(s, 2, 3, systemRandom) as [Share, Share];
    expect(code(() => combine([a]))).toBe('backup_shares_insufficient');
    expect(code(() => combine([a, { x: a.x, y: b.y }]))).toBe('backup_share_invalid');
    expect(code(() => combine([a, { x: 0, y: b.y }]))).toBe('backup_share_invalid');
    expect(code(() => combine([a, { x: 256, y: b.y }]))).toBe('backup_share_invalid');
    expect(code(() => combine([a, { x: b.x, y: b.y.subarray(1) }]))).toBe('backup_share_invalid');
  });
});
