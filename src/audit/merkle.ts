/**
 * RFC 9162 §2.1.1 Merkle Tree Hash (identical to RFC 6962 §2.1): leaves and interior nodes are
 * domain-separated by a one-byte prefix, so a leaf can never be passed off as a node (second
 * preimage). Hand-written because no maintained JS library implements the RFC's exact tree; it is
 * checked against the Certificate Transparency reference vectors in test/audit-merkle.test.ts.
 */
import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}) = SHA-256() — RFC 9162 §2.1.1. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
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
