// The Merkle tree over a protected disk's sectors (CLOUDVISOR.md section 4): leaf i is SHA-256 of
// (sector i, its write version, its ciphertext), the root is what the monitor vouches for. The tree
// is sparse and of fixed depth (2^32 leaves), with precomputed hashes of empty subtrees, so its
// shape never depends on the disk size the VMM claims and a fresh volume costs nothing.
// Where the nodes live: in monitor memory (a Map of the non-empty ones). The paper keeps leaves in
// an untrusted metadata agent and checks each against the root; `verify` is that check, walking
// an authentication path to the root. With the leaves in monitor memory a read compares its leaf
// with the stored one (`holds`), which the root covers: the same verdicts, 1 hash instead of 33.
// Invariants: node hashes are domain-separated (0x00 leaf, 0x01 inner); a sector never written
// has the empty leaf; `root` changes only through `update`.
import { createHash } from 'node:crypto';

export const TREE_DEPTH = 32;
export const MAX_SECTORS = 2 ** TREE_DEPTH;

const EMPTY: readonly Uint8Array[] = (() => {
  const out: Uint8Array[] = [new Uint8Array(32)];
  for (let level = 1; level <= TREE_DEPTH; level++) {
    const below = out[level - 1] as Uint8Array;
    out.push(inner(below, below));
  }
  return out;
})();

/** The leaf of one sector's stored state. */
export function sectorLeaf(sector: number, version: number, ciphertext: Uint8Array): Uint8Array {
  const header = Buffer.alloc(17);
  header[0] = 0x00;
  header.writeUInt32LE(sector % 0x1_0000_0000, 1);
  header.writeUInt32LE(Math.floor(sector / 0x1_0000_0000), 5);
  header.writeUInt32LE(version % 0x1_0000_0000, 9);
  header.writeUInt32LE(Math.floor(version / 0x1_0000_0000), 13);
  return new Uint8Array(createHash('sha256').update(header).update(ciphertext).digest());
}

function inner(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(Buffer.of(0x01)).update(left).update(right).digest());
}

export class SectorTree {
  /** Non-empty nodes by level * 2^32 + index (exact in a double: level <= 32). */
  private readonly nodes = new Map<number, Uint8Array>();

  get root(): Uint8Array {
    return this.node(TREE_DEPTH, 0);
  }

  /** The stored leaf of `sector`, the empty leaf if it was never written. */
  leaf(sector: number): Uint8Array {
    return this.node(0, checkSector(sector));
  }

  written(sector: number): boolean {
    return this.nodes.has(checkSector(sector));
  }

  /** Sets a leaf and rehashes its path up to the root. */
  update(sector: number, leaf: Uint8Array): void {
    this.updateMany([[sector, leaf]]);
  }

  /** Sets several leaves, rehashing each shared ancestor once (a 4 KiB write: 44 hashes, not 256). */
  updateMany(leaves: readonly (readonly [number, Uint8Array])[]): void {
    let dirty = new Set<number>();
    for (const [sector, leaf] of leaves) {
      this.set(0, checkSector(sector), leaf);
      dirty.add(sector);
    }
    for (let level = 0; level < TREE_DEPTH; level++) {
      const parents = new Set<number>();
      for (const index of dirty) parents.add(Math.floor(index / 2));
      for (const parent of parents) this.set(level + 1, parent, inner(this.node(level, 2 * parent), this.node(level, 2 * parent + 1)));
      dirty = parents;
    }
  }

  /** True if `leaf` is the stored leaf of `sector` (the root covers it; see the header). */
  holds(sector: number, leaf: Uint8Array): boolean {
    return equalBytes(this.leaf(sector), leaf);
  }

  /** The sibling hashes from `sector`'s leaf up to (not including) the root. */
  path(sector: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    let index = checkSector(sector);
    for (let level = 0; level < TREE_DEPTH; level++) {
      out.push(this.node(level, index ^ 1));
      index = Math.floor(index / 2);
    }
    return out;
  }

  /** True if `leaf` at `sector` with these siblings hashes up to this tree's root. */
  verify(sector: number, leaf: Uint8Array, siblings: readonly Uint8Array[] = this.path(sector)): boolean {
    if (siblings.length !== TREE_DEPTH) return false;
    let index = checkSector(sector);
    let hash = leaf;
    for (const sibling of siblings) {
      hash = index % 2 === 0 ? inner(hash, sibling) : inner(sibling, hash);
      index = Math.floor(index / 2);
    }
    return equalBytes(hash, this.root);
  }

  /** Sectors with a leaf, ascending (for the lab's views). */
  writtenSectors(): number[] {
    const out: number[] = [];
    for (const key of this.nodes.keys()) if (key < MAX_SECTORS) out.push(key);
    return out.sort((a, b) => a - b);
  }

  private node(level: number, index: number): Uint8Array {
    return this.nodes.get(level * MAX_SECTORS + index) ?? (EMPTY[level] as Uint8Array);
  }

  private set(level: number, index: number, hash: Uint8Array): void {
    this.nodes.set(level * MAX_SECTORS + index, hash);
  }
}

function checkSector(sector: number): number {
  if (!Number.isInteger(sector) || sector < 0 || sector >= MAX_SECTORS) throw new RangeError(`sector ${sector} is outside the tree`);
  return sector;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
