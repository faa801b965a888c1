import { describe, expect, it } from 'vitest'
import { MerkleDepthError, MerkleIndexOutOfRangeError, MerkleProofShapeError } from './errors.ts'
import { poseidon } from './poseidon.ts'
import { computeQuaternaryRoot, emptySubtreeRoots, QuaternaryMerkleTree } from './quaternaryMerkleTree.ts'
import { randomFieldElements } from './testRandom.ts'

/** Dense recomputation from scratch: the definition the sparse tree must match. */
function denseRoot(depth: number, leaves: ReadonlyMap<number, bigint>): bigint {
  let level = Array.from({ length: 4 ** depth }, (_, i) => leaves.get(i) ?? 0n)
  for (let height = 0; height < depth; height++) {
    const next: bigint[] = []
    for (let i = 0; i < level.length; i += 4) next.push(poseidon(level.slice(i, i + 4)))
    level = next
  }
  return level[0]!
}

describe('emptySubtreeRoots', () => {
  it('default: E0 = 0 and E(k+1) = poseidon([Ek x4])', () => {
    const roots = emptySubtreeRoots(3)
    expect(roots).toHaveLength(4)
    expect(roots[0]).toBe(0n)
    expect(roots[1]).toBe(poseidon([0n, 0n, 0n, 0n]))
    expect(roots[3]).toBe(poseidon([roots[2]!, roots[2]!, roots[2]!, roots[2]!]))
  })
})

describe('QuaternaryMerkleTree', () => {
  it('default: an empty tree has the empty root and zero leaves', () => {
    const tree = new QuaternaryMerkleTree(24)
    expect(tree.root()).toBe(emptySubtreeRoots(24)[24])
    expect(tree.get(4n ** 24n - 1n)).toBe(0n)
  })

  it('behavior: set matches a dense recomputation, least significant digit at the bottom', () => {
    const depth = 3
    const tree = new QuaternaryMerkleTree(depth)
    const leaves = new Map<number, bigint>()
    const values = randomFieldElements(20, 'tree-set')
    values.forEach((value, i) => {
      const index = (i * 37) % 64
      tree.set(BigInt(index), value)
      leaves.set(index, value)
      expect(tree.root()).toBe(denseRoot(depth, leaves))
    })
    // index 1 is the second child of the first bottom node
    const single = new QuaternaryMerkleTree(1)
    single.set(1n, 7n)
    expect(single.root()).toBe(poseidon([0n, 7n, 0n, 0n]))
  })

  it('behavior: setMany equals the same sets one by one, last write wins', () => {
    const values = randomFieldElements(50, 'tree-many')
    const entries = values.map((value, i) => [BigInt((i * 7919) % 4096), value] as const)
    const one = new QuaternaryMerkleTree(6)
    for (const [index, value] of entries) one.set(index, value)
    const many = new QuaternaryMerkleTree(6)
    many.setMany(entries)
    expect(many.root()).toBe(one.root())
  })

  it('behavior: proofs recompute the root for set and empty leaves', () => {
    const tree = new QuaternaryMerkleTree(5)
    const values = randomFieldElements(10, 'tree-proof')
    values.forEach((value, i) => tree.set(BigInt(i * 101), value))
    for (const index of [0n, 101n, 505n, 3n, 1023n]) {
      const proof = tree.proof(index)
      expect(proof.siblings).toHaveLength(5)
      expect(proof.siblings.every((row) => row.length === 3)).toBe(true)
      expect(proof.leaf).toBe(tree.get(index))
      expect(computeQuaternaryRoot(proof)).toBe(tree.root())
    }
    expect(tree.proof(101n).pathDigits).toEqual([1, 1, 2, 1, 0]) // 101 = 1·64 + 2·16 + 1·4 + 1
  })

  it('behavior: a proof with a changed leaf gives a different root', () => {
    const tree = new QuaternaryMerkleTree(4)
    tree.set(9n, 5n)
    const proof = tree.proof(9n)
    expect(computeQuaternaryRoot({ ...proof, leaf: 6n })).not.toBe(tree.root())
  })

  it('behavior: a clone and its origin diverge independently and share history', () => {
    const origin = new QuaternaryMerkleTree(8)
    origin.set(1n, 11n)
    const rootBefore = origin.root()
    const copy = origin.clone()
    copy.set(2n, 22n)
    expect(origin.root()).toBe(rootBefore)
    expect(origin.get(2n)).toBe(0n)
    origin.set(3n, 33n)
    expect(copy.get(3n)).toBe(0n)
    expect(copy.get(1n)).toBe(11n)
    const expected = new QuaternaryMerkleTree(8)
    expected.setMany([
      [1n, 11n],
      [2n, 22n],
    ])
    expect(copy.root()).toBe(expected.root())
  })

  it('behavior: many nested clones compact without changing any tree', () => {
    const tree = new QuaternaryMerkleTree(4)
    const reference = new QuaternaryMerkleTree(4)
    const snapshots: [QuaternaryMerkleTree, bigint][] = []
    for (let i = 0; i < 30; i++) {
      tree.set(BigInt(i), BigInt(i + 1))
      reference.set(BigInt(i), BigInt(i + 1))
      snapshots.push([tree.clone(), tree.root()])
      if (i % 3 === 0) tree.clone().set(0n, 999n) // a discarded what-if must not leak
    }
    expect(tree.root()).toBe(reference.root())
    for (const [snapshot, root] of snapshots) expect(snapshot.root()).toBe(root)
    // a clone of a clone, several levels deep, still writes only to itself
    let nested = snapshots[5]![0]
    for (let i = 0; i < 12; i++) nested = nested.clone()
    nested.set(63n, 5n)
    expect(snapshots[5]![0].root()).toBe(snapshots[5]![1])
    expect(nested.get(63n)).toBe(5n)
    expect(nested.get(5n)).toBe(6n)
  })

  it('error: index outside the tree, bad depth, bad leaf, malformed proof', () => {
    const tree = new QuaternaryMerkleTree(2)
    expect(() => tree.set(16n, 1n)).toThrow(MerkleIndexOutOfRangeError)
    expect(() => tree.get(-1n)).toThrow(MerkleIndexOutOfRangeError)
    expect(() => new QuaternaryMerkleTree(0)).toThrow(MerkleDepthError)
    expect(() => new QuaternaryMerkleTree(27)).toThrow(MerkleDepthError)
    expect(() => tree.set(1n, -1n)).toThrow('not a field element')
    const proof = tree.proof(5n)
    expect(() => computeQuaternaryRoot({ ...proof, pathDigits: [0, 0] })).toThrow(MerkleProofShapeError)
    expect(() => computeQuaternaryRoot({ ...proof, siblings: [[0n, 0n], [0n, 0n, 0n]] })).toThrow(
      MerkleProofShapeError,
    )
  })
})
