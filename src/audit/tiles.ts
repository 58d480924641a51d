/**
 * Proofs without reading the whole tree: roots of complete, aligned tiles of `width` leaves (after
 * C2SP tlog-tiles, whose tiles are 256 wide) stand in for everything a proof does not enter, so a
 * proof needs the leaves of at most two tiles — the one holding the leaf (or the old tree's edge)
 * and the new tree's partial last tile.
 */
import { type LeafHashes, nodeHash, type SubtreeHashes, splitPoint, subtreeRoot } from './merkle.js';

export const TILE_WIDTH = 256;

/**
 * SubtreeHashes over `tileRoots` (roots of the complete tiles 0..) and the leaves of a few tiles.
 * A range of whole tiles hashes like the tree of their roots: with a power-of-two width the RFC's
 * split point of W·m leaves is W times the split point of m.
 */
export function tiledTree(
  size: number,
  tileRoots: LeafHashes,
  tileLeaves: ReadonlyMap<number, LeafHashes>,
  width = TILE_WIDTH,
): SubtreeHashes {
  const subtree = (start: number, end: number): Uint8Array => {
    if (start % width === 0 && end % width === 0 && end > start) {
      return subtreeRoot(tileRoots, start / width, end / width);
    }
    const tile = Math.floor(start / width);
    if (Math.floor((end - 1) / width) === tile) {
      const leaves = tileLeaves.get(tile);
      if (!leaves) throw new Error(`tiles: the leaves of tile ${tile} were not loaded`);
      return subtreeRoot(leaves, start - tile * width, end - tile * width);
    }
    const k = splitPoint(end - start);
    return nodeHash(subtree(start, start + k), subtree(start + k, end));
  };
  return { size, subtree };
}

/** Tiles whose leaves the audit path of leaf `index` in the tree of `size` enters. */
export function inclusionTiles(index: number, size: number, width = TILE_WIDTH): number[] {
  return withTail([Math.floor(index / width)], size, width);
}

/** Tiles whose leaves the proof that tree `from` is a prefix of tree `to` enters: the two edges. */
export function consistencyTiles(from: number, to: number, width = TILE_WIDTH): number[] {
  return withTail(from % width === 0 ? [] : [Math.floor(from / width)], to, width);
}

function withTail(tiles: number[], size: number, width: number): number[] {
  const tail = Math.floor(size / width);
  return size % width === 0 || tiles.includes(tail) ? tiles : [...tiles, tail];
}
