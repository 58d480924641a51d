import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, Frontier, fromLeaves, leafHash, packedLeafHashes, subtreeRoot } from '../src/audit/merkle.js';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from '../src/audit/proof.js';
import { consistencyTiles, inclusionTiles, tiledTree } from '../src/audit/tiles.js';

// RFC 6962 reference tree (transparency-dev/merkle testonly, certificate-transparency-go): an
// independent oracle for the prefixes, the split rule and the proof shapes.
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');
const DATA = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  unhex,
);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CONSISTENCY = [
  {
    from: 2,
    to: 8,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    from: 6,
    to: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    from: 2,
    to: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const packed = (hashes: Uint8Array[]) => packedLeafHashes(Buffer.concat(hashes));
const REF = packed(DATA.map(leafHash));

describe('audit/merkle (RFC 9162 §2.1)', () => {
  it('LOG-2: roots of the RFC 6962 reference tree, recursively and incrementally', () => {
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0]);
    const f = new Frontier();
    expect(hex(f.root())).toBe(ROOTS[0]);
    for (let n = 1; n <= DATA.length; n++) {
      expect(hex(subtreeRoot(REF, 0, n))).toBe(ROOTS[n]);
      f.append(REF.at(n - 1));
      expect(hex(f.root())).toBe(ROOTS[n]);
    }
  });

  it('LOG-4: inclusion proofs match the reference vectors', () => {
    for (const v of INCLUSION) {
      expect(inclusionProof(fromLeaves(REF), v.index, v.size).map(hex)).toEqual(v.proof);
      expect(
        verifyInclusion(REF.at(v.index), v.index, v.size, v.proof.map(unhex), unhex(ROOTS[v.size] as string)),
      ).toBe(true);
    }
  });

  it('LOG-2: consistency proofs match the reference vectors', () => {
    for (const v of CONSISTENCY) {
      expect(consistencyProof(fromLeaves(REF), v.from, v.to).map(hex)).toEqual(v.proof);
      const [r1, r2] = [unhex(ROOTS[v.from] as string), unhex(ROOTS[v.to] as string)];
      expect(verifyConsistency(v.from, v.to, v.proof.map(unhex), r1, r2)).toBe(true);
      expect(verifyConsistency(v.from, v.to, v.proof.map(unhex), r2, r1)).toBe(false);
    }
  });

  const N = 40;
  const many = packed(Array.from({ length: N }, (_, i) => leafHash(Buffer.from([i, i * 7]))));
  const roots = Array.from({ length: N + 1 }, (_, n) => subtreeRoot(many, 0, n));
  const flip = (b: Uint8Array) => {
    const c = Buffer.from(b);
    c[0] = (c[0] as number) ^ 1;
    return c;
  };

  it('LOG-4: every inclusion proof for sizes 1..40 verifies, and a wrong one fails', () => {
    for (let n = 1; n <= N; n++) {
      const root = roots[n] as Uint8Array;
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(fromLeaves(many), i, n);
        expect(verifyInclusion(many.at(i), i, n, proof, root)).toBe(true);
        expect(verifyInclusion(flip(many.at(i)), i, n, proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(many.at(i), i ^ 1, n, proof, root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(many.at(i), i, n, [...proof.slice(1), flip(proof[0] as Uint8Array)], root)).toBe(
            false,
          );
          expect(verifyInclusion(many.at(i), i, n, proof.slice(1), root)).toBe(false);
        }
        expect(verifyInclusion(many.at(i), i, n, [...proof, root], root)).toBe(false);
      }
    }
  });

  it('LOG-2: every consistency proof for sizes up to 40 verifies, and a wrong one fails', () => {
    for (let n = 1; n <= N; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(fromLeaves(many), m, n);
        const [r1, r2] = [roots[m] as Uint8Array, roots[n] as Uint8Array];
        expect(verifyConsistency(m, n, proof, r1, r2)).toBe(true);
        expect(verifyConsistency(m, n, proof, flip(r1), r2)).toBe(false);
        expect(verifyConsistency(m, n, proof, r1, flip(r2))).toBe(false);
        if (proof.length > 0) {
          expect(verifyConsistency(m, n, [flip(proof[0] as Uint8Array), ...proof.slice(1)], r1, r2)).toBe(false);
          expect(verifyConsistency(m, n, proof.slice(0, -1), r1, r2)).toBe(false);
        }
        if (m < n) expect(verifyConsistency(m + 1, n, proof, r1, r2)).toBe(false);
      }
    }
  });

  it('LOG-4: proofs from tile roots plus at most two tiles of leaves equal proofs from all leaves', () => {
    // Width 4 over 40 leaves exercises every shape that width 256 meets over millions.
    const width = 4;
    const all = fromLeaves(many);
    const tiled = (size: number, tiles: number[]) => {
      const complete = Math.floor(size / width);
      const roots = packed(Array.from({ length: complete }, (_, t) => subtreeRoot(many, t * width, (t + 1) * width)));
      const leaves = new Map(
        tiles.map((t) => [
          t,
          packed(Array.from({ length: Math.min(size, (t + 1) * width) - t * width }, (_, j) => many.at(t * width + j))),
        ]),
      );
      return tiledTree(size, roots, leaves, width);
    };
    for (let n = 1; n <= N; n++) {
      for (let i = 0; i < n; i++) {
        const tree = tiled(n, inclusionTiles(i, n, width));
        expect(inclusionProof(tree, i, n).map(hex)).toEqual(inclusionProof(all, i, n).map(hex));
      }
      for (let m = 1; m <= n; m++) {
        const tree = tiled(n, consistencyTiles(m, n, width));
        expect(consistencyProof(tree, m, n).map(hex)).toEqual(consistencyProof(all, m, n).map(hex));
      }
    }
  });
});
