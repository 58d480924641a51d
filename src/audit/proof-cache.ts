/**
 * The roots of complete tiles, cached in memory so proofs for evidence bundles (LOG-4) read two
 * tiles of leaves rather than the whole log. Complete tiles of an append-only log never change, so
 * the cache holds nothing that can go stale; a restarted instance rebuilds it from the database
 * (DESIGN.md "Scale-out"). Proofs still verify only against signed checkpoints.
 */
import type { Db } from '../store/index.js';
import { HASH_SIZE, type LeafHashes, packedLeafHashes, type SubtreeHashes, subtreeRoot } from './merkle.js';
import { packedLeafHashRange } from './tables.js';
import { TILE_WIDTH, tiledTree } from './tiles.js';

export interface ProofCache {
  /** Subtree hashes of the tree of `size` leaves, with the leaves of `tiles` (see tiles.ts) loaded. */
  tree(size: number, tiles: readonly number[]): Promise<SubtreeHashes>;
}

export function createProofCache(db: Db, width = TILE_WIDTH): ProofCache {
  let roots = Buffer.alloc(0);
  let extending: Promise<void> = Promise.resolve();

  const extend = async (tiles: number): Promise<void> => {
    const have = roots.length / HASH_SIZE;
    if (have >= tiles) return;
    const leaves = packedLeafHashes(await packedLeafHashRange(db, have * width, tiles * width));
    const more = Buffer.alloc((tiles - have) * HASH_SIZE);
    for (let t = 0; t < tiles - have; t++) more.set(subtreeRoot(leaves, t * width, (t + 1) * width), t * HASH_SIZE);
    roots = Buffer.concat([roots, more]);
  };

  const leavesOf = async (tile: number, size: number): Promise<LeafHashes> =>
    packedLeafHashes(await packedLeafHashRange(db, tile * width, Math.min(size, (tile + 1) * width)));

  return {
    async tree(size, tiles) {
      const complete = Math.floor(size / width);
      // One extension at a time: concurrent proof requests must not append the same tiles twice.
      const run = extending.then(() => extend(complete));
      extending = run.catch(() => undefined);
      await run;
      const tileLeaves = new Map<number, LeafHashes>();
      for (const t of tiles) tileLeaves.set(t, await leavesOf(t, size));
      return tiledTree(size, packedLeafHashes(roots.subarray(0, complete * HASH_SIZE)), tileLeaves, width);
    },
  };
}
