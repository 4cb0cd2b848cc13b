// The sparse Merkle tree over sectors: updates change the root, each leaf verifies against it by
// its authentication path, and a swapped, rolled-back or altered leaf does not.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_SECTORS, SectorTree, TREE_DEPTH, sectorLeaf } from '../../core/cloudvisor/sector-tree';

const ct = (label: string): Uint8Array => new Uint8Array(createHash('sha256').update(label).digest());

describe('the sector Merkle tree', () => {
  it('has the same empty root whatever the disk size, and changes with every update', () => {
    const a = new SectorTree();
    const b = new SectorTree();
    expect(a.root).toEqual(b.root);
    a.update(3, sectorLeaf(3, 1, ct('x')));
    expect(a.root).not.toEqual(b.root);
    const before = a.root;
    a.update(3, sectorLeaf(3, 2, ct('y')));
    expect(a.root).not.toEqual(before);
    expect(a.writtenSectors()).toEqual([3]);
    expect(a.path(3)).toHaveLength(TREE_DEPTH);
  });

  it('verifies each written leaf, and the empty leaf where nothing was written', () => {
    const t = new SectorTree();
    const sectors = [0, 1, 2, 511, 4096, MAX_SECTORS - 1];
    for (const s of sectors) t.update(s, sectorLeaf(s, 1, ct(`s${s}`)));
    for (const s of sectors) expect(t.verify(s, sectorLeaf(s, 1, ct(`s${s}`)))).toBe(true);
    expect(t.verify(7, new Uint8Array(32))).toBe(true);
    expect(t.written(7)).toBe(false);
  });

  it('detects rollback: the previous version of a sector no longer verifies', () => {
    const t = new SectorTree();
    t.update(9, sectorLeaf(9, 1, ct('old')));
    t.update(9, sectorLeaf(9, 2, ct('new')));
    expect(t.verify(9, sectorLeaf(9, 1, ct('old')))).toBe(false);
    // Even replayed with the current version number, the old ciphertext does not hash to the leaf.
    expect(t.verify(9, sectorLeaf(9, 2, ct('old')))).toBe(false);
    expect(t.verify(9, sectorLeaf(9, 2, ct('new')))).toBe(true);
  });

  it('detects swaps: one sector served in place of another does not verify', () => {
    const t = new SectorTree();
    t.update(10, sectorLeaf(10, 1, ct('ten')));
    t.update(11, sectorLeaf(11, 1, ct('eleven')));
    expect(t.verify(10, sectorLeaf(10, 1, ct('eleven')))).toBe(false);
    expect(t.verify(11, sectorLeaf(11, 1, ct('ten')))).toBe(false);
  });

  it('refuses a forged authentication path and sectors outside the tree', () => {
    const t = new SectorTree();
    t.update(1, sectorLeaf(1, 1, ct('one')));
    const path = t.path(1);
    path[5] = ct('forged');
    expect(t.verify(1, sectorLeaf(1, 1, ct('one')), path)).toBe(false);
    expect(t.verify(1, sectorLeaf(1, 1, ct('one')), path.slice(1))).toBe(false);
    expect(() => t.update(MAX_SECTORS, new Uint8Array(32))).toThrow(RangeError);
  });

  it('updates several leaves at once to the same root as one by one, and holds exactly the stored leaves', () => {
    const one = new SectorTree();
    const many = new SectorTree();
    const leaves = [8, 9, 10, 11, 12, 13, 14, 15, 1000].map((s) => [s, sectorLeaf(s, 1, ct(`m${s}`))] as const);
    for (const [s, leaf] of leaves) one.update(s, leaf);
    many.updateMany(leaves);
    expect(many.root).toEqual(one.root);
    expect(many.holds(9, sectorLeaf(9, 1, ct('m9')))).toBe(true);
    expect(many.holds(9, sectorLeaf(9, 2, ct('m9')))).toBe(false);
    expect(many.holds(10, sectorLeaf(10, 1, ct('m9')))).toBe(false);
  });
});
