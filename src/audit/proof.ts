/**
 * Inclusion and consistency proofs: generation by the RFC 6962 §2.1.1/§2.1.2 recursions (PATH and
 * SUBPROOF) and verification by the iterative algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2, which
 * need only the proof, the sizes and the roots.
 */
import { nodeHash, type SubtreeHashes, splitPoint } from './merkle.js';

/** PATH(m, D[n]) — RFC 6962 §2.1.1, audit path of leaf `index` in the tree of `size` leaves. */
export function inclusionProof(tree: SubtreeHashes, index: number, size: number): Uint8Array[] {
  if (!(index >= 0 && index < size && size <= tree.size)) throw new RangeError('leaf index out of range');
  const path: Uint8Array[] = [];
  const walk = (m: number, start: number, end: number): void => {
    const n = end - start;
    if (n === 1) return;
    const k = splitPoint(n);
    if (m < k) {
      walk(m, start, start + k);
      path.push(tree.subtree(start + k, end));
    } else {
      walk(m - k, start + k, end);
      path.push(tree.subtree(start, start + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) — RFC 6962 §2.1.2. Empty when m = n or m = 0. */
export function consistencyProof(tree: SubtreeHashes, from: number, to: number): Uint8Array[] {
  if (!(from >= 0 && from <= to && to <= tree.size)) throw new RangeError('tree sizes out of range');
  const proof: Uint8Array[] = [];
  const sub = (m: number, start: number, end: number, complete: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!complete) proof.push(tree.subtree(start, end));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, start, start + k, complete);
      proof.push(tree.subtree(start + k, end));
    } else {
      sub(m - k, start + k, end, false);
      proof.push(tree.subtree(start, start + k));
    }
  };
  if (from > 0 && from < to) sub(from, 0, to, true);
  return proof;
}

// Arithmetic rather than `>>`/`&`: tree sizes may exceed 2^31.
const lsb = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/** RFC 9162 §2.1.3.2: does `proof` show `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!lsb(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree of `from` leaves is a prefix of the one of `to`? */
export function verifyConsistency(
  from: number,
  to: number,
  proof: readonly Uint8Array[],
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
): boolean {
  if (from < 0 || from > to) return false;
  if (from === to) return proof.length === 0 && Buffer.from(fromRoot).equals(toRoot);
  if (from === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  // Step 1: when `from` is a power of two its root is itself a node of the bigger tree.
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = from - 1;
  let sn = to - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!lsb(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(fr).equals(fromRoot) && Buffer.from(sr).equals(toRoot);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && splitPoint(n * 2) === n;
}
