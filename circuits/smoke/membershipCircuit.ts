/**
 * The toolchain smoke circuit: `MerkleMembership(MEMBERSHIP_DEPTH)` with public [root, leaf], and the test vector
 * every stage of the smoke path proves (TS verify, forge, anvil).
 */
import type { CircuitSpec } from '../../scripts/circuit/buildCircuit.ts'
import { poseidon } from '../../sdk/crypto/poseidon.ts'
import { QuaternaryMerkleTree, type QuaternaryMerkleProof } from '../../sdk/crypto/quaternaryMerkleTree.ts'

export const MEMBERSHIP_DEPTH = 4

export const MEMBERSHIP_CIRCUIT = {
  name: 'MerkleMembership',
  file: 'circuits/smoke/MerkleMembership.circom',
  template: 'MerkleMembership',
  params: [MEMBERSHIP_DEPTH],
  publicSignals: ['root', 'leaf'],
  optimization: 'O2',
} as const satisfies CircuitSpec

/** Pinned: per level Poseidon(4) + the child selector, plus Num2Bits(2 * DEPTH) on the index. A change is deliberate. */
export const MEMBERSHIP_CONSTRAINTS = 1224

/** The proven leaf: its base-4 digits (1, 2, 0, 3 from the leaves up) put the path in every slot once. */
export const MEMBERSHIP_LEAF_INDEX = 1n + 2n * 4n + 0n * 16n + 3n * 64n

/** The circuit's input signals, as snarkjs takes them. */
export type MembershipInput = {
  root: bigint
  leaf: bigint
  index: bigint
  siblings: (readonly [bigint, bigint, bigint])[]
}

export type MembershipVector = {
  tree: QuaternaryMerkleTree
  input: MembershipInput
  proof: QuaternaryMerkleProof
}

/**
 * A sparse tree (the sdk's, the one the sequencer and the exit tool use) with a few occupied leaves around the
 * proven one, so the siblings at every level mix empty-subtree hashes and real nodes.
 */
export function createMembershipVector(): MembershipVector {
  const occupied = [
    0n, 3n, // the first leaf-parent: far from the path (differs at the top level)
    71n, // under the path's top-level sibling 1
    200n, 203n, // the path's own parent (indices 200..203): real siblings at level 0
    MEMBERSHIP_LEAF_INDEX, // 201
    205n, // the path's grandparent (192..207), another parent: a real sibling at level 1
    255n, // the last leaf
  ]
  const tree = new QuaternaryMerkleTree(MEMBERSHIP_DEPTH)
  tree.setMany(occupied.map((index) => [index, poseidon([index, 0x7a6b70657270n])] as const))
  const proof = tree.proof(MEMBERSHIP_LEAF_INDEX)
  const siblings = proof.siblings.map(([first, second, third]) => [first ?? 0n, second ?? 0n, third ?? 0n] as const)
  return { tree, proof, input: { root: tree.root(), leaf: proof.leaf, index: proof.index, siblings } }
}

/** snarkjs input: every field element as a decimal string. */
export function toSnarkjsInput(input: MembershipInput): Record<string, unknown> {
  return {
    root: input.root.toString(),
    leaf: input.leaf.toString(),
    index: input.index.toString(),
    siblings: input.siblings.map((level) => level.map((value) => value.toString())),
  }
}
