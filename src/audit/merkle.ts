/**
 * RFC 9162 §2.1.1 Merkle Tree Hash (identical to RFC 6962 §2.1): leaves and interior nodes are
 * domain-separated by a one-byte prefix, so a leaf can never be passed off as a node (second
 * preimage). Hand-written because no maintained JS library implements the RFC's exact tree; it is
 * checked against the Certificate Transparency reference vectors in test/audit-merkle.test.ts.
 */
import * as crypto from 'node:crypto';

export const HASH_SIZE = 32;

// One-shot hashing over a reused scratch buffer: the verifier hashes twice per leaf, and a Hash
// object per call costs more than the SHA-256 itself (crypto.hash: Node >= 20.12).
const sha256: (data: Uint8Array) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();
let scratch = Buffer.alloc(1024);

/** MTH({}) = SHA-256() — RFC 9162 §2.1.1. */
export const EMPTY_ROOT: Buffer = sha256(Buffer.alloc(0));

/** MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(data: Uint8Array): Buffer {
  if (data.length >= scratch.length) scratch = Buffer.alloc(data.length * 2);
  scratch[0] = 0x00;
  scratch.set(data, 1);
  return sha256(scratch.subarray(0, data.length + 1));
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  scratch[0] = 0x01;
  scratch.set(left, 1);
  scratch.set(right, 1 + left.length);
  return sha256(scratch.subarray(0, 1 + left.length + right.length));
}

/** The RFC's split point: the largest power of two k with k < n (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Random access to leaf hashes 0..size-1, e.g. a view over one contiguous buffer. */
export interface LeafHashes {
  readonly size: number;
  at(index: number): Uint8Array;
}

/** Leaf hashes packed end to end in one buffer: one allocation for a million leaves, not a million. */
export function packedLeafHashes(packed: Buffer): LeafHashes {
  return {
    size: packed.length / HASH_SIZE,
    at: (i) => packed.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE),
  };
}

/** Hashes of the subtrees [start, end) of one tree, however obtained (all leaves, or cached tiles). */
export interface SubtreeHashes {
  readonly size: number;
  subtree(start: number, end: number): Uint8Array;
}

export function fromLeaves(leaves: LeafHashes): SubtreeHashes {
  return { size: leaves.size, subtree: (start, end) => subtreeRoot(leaves, start, end) };
}

/** MTH(D[start:end]) by the recursive definition of RFC 9162 §2.1.1. */
export function subtreeRoot(leaves: LeafHashes, start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (n === 1) return leaves.at(start);
  const k = splitPoint(n);
  return nodeHash(subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

/**
 * The compact range [0, size): one root per complete subtree, largest first — the binary digits of
 * `size`. Appending folds equal-sized neighbours (O(log n)); the root folds the list right to left,
 * which reproduces the RFC's largest-power-of-two split.
 */
export class Frontier {
  #size = 0;
  readonly #nodes: Uint8Array[] = [];

  get size(): number {
    return this.#size;
  }

  append(leaf: Uint8Array): void {
    let node = leaf;
    // Each trailing 1-bit of the old size is a complete subtree of the same height as `node`.
    for (let s = this.#size; s % 2 === 1; s = Math.floor(s / 2)) {
      node = nodeHash(this.#nodes.pop() as Uint8Array, node);
    }
    this.#nodes.push(node);
    this.#size += 1;
  }

  root(): Buffer {
    if (this.#nodes.length === 0) return EMPTY_ROOT;
    let root = this.#nodes[this.#nodes.length - 1] as Uint8Array;
    for (let i = this.#nodes.length - 2; i >= 0; i--) root = nodeHash(this.#nodes[i] as Uint8Array, root);
    return Buffer.from(root);
  }

  clone(): Frontier {
    const copy = new Frontier();
    copy.#size = this.#size;
    copy.#nodes.push(...this.#nodes);
    return copy;
  }
}
