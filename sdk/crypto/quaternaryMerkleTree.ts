/**
 * Sparse quaternary Poseidon Merkle tree: node = poseidon([c0, c1, c2, c3]), empty leaf 0, empty subtree
 * E0 = 0, E(k+1) = poseidon([Ek, Ek, Ek, Ek]). Leaf index digits in base 4, least significant first, pick the child
 * from the bottom level up. Only non-empty nodes are stored, one Map per level keyed by the node's index.
 *
 * Cloning is O(1): the current maps become a frozen layer shared by both trees, and each tree writes into its own
 * fresh overlay from then on. Lookups walk the (short) layer chain; long chains are compacted.
 */
import { MerkleDepthError, MerkleIndexOutOfRangeError, MerkleProofShapeError } from './errors.ts'
import { assertFieldElement } from './field.ts'
import { poseidonUnchecked } from './poseidon.ts'

/** Leaf indices are kept as JS numbers inside, so 4^depth must stay below 2^53. */
export const MAX_QUATERNARY_DEPTH = 26

export type QuaternaryMerkleProof = {
  index: bigint
  leaf: bigint
  /** depth × 3: the other three children at each level, bottom first, in child order with the path slot removed. */
  siblings: bigint[][]
  /** depth digits, bottom first: which child (0..3) the path takes at each level. */
  pathDigits: number[]
}

const emptyRootsCache: bigint[] = [0n]

/** [E0, E1, …, E_depth]: the root of an empty subtree of each height. */
export function emptySubtreeRoots(depth: number): readonly bigint[] {
  while (emptyRootsCache.length <= depth) {
    const below = emptyRootsCache[emptyRootsCache.length - 1]!
    emptyRootsCache.push(poseidonUnchecked([below, below, below, below]))
  }
  return emptyRootsCache.slice(0, depth + 1)
}

/** Recompute the root from a proof (the circuit's path check, in TS). */
export function computeQuaternaryRoot(proof: QuaternaryMerkleProof): bigint {
  if (proof.siblings.length !== proof.pathDigits.length) {
    throw new MerkleProofShapeError('siblings and pathDigits differ in length')
  }
  assertFieldElement(proof.leaf, 'leaf')
  let node = proof.leaf
  let index = proof.index
  for (let level = 0; level < proof.siblings.length; level++) {
    const siblings = proof.siblings[level]!
    const digit = proof.pathDigits[level]!
    if (siblings.length !== 3) throw new MerkleProofShapeError(`level ${level} has ${siblings.length} siblings`)
    if (!Number.isInteger(digit) || digit < 0 || digit > 3) throw new MerkleProofShapeError(`digit ${digit}`)
    if (Number(index & 3n) !== digit) throw new MerkleProofShapeError(`digit ${digit} disagrees with the index`)
    for (const sibling of siblings) assertFieldElement(sibling, 'sibling')
    const children = [...siblings]
    children.splice(digit, 0, node)
    node = poseidonUnchecked(children)
    index >>= 2n
  }
  if (index !== 0n) throw new MerkleProofShapeError('index has more digits than the proof has levels')
  return node
}

/** One layer of stored nodes: levels[h] maps a node index at height h to its value. */
class Layer {
  readonly levels: Map<number, bigint>[]
  constructor(
    depth: number,
    readonly below: Layer | undefined,
  ) {
    this.levels = Array.from({ length: depth + 1 }, () => new Map<number, bigint>())
  }
  get chainLength(): number {
    let length = 0
    for (let layer: Layer | undefined = this; layer !== undefined; layer = layer.below) length++
    return length
  }
}

/** Compact when a lookup would walk more layers than this. */
const MAX_LAYER_CHAIN = 8

export class QuaternaryMerkleTree {
  readonly depth: number
  private top: Layer
  private readonly empty: readonly bigint[]
  private readonly leafCount: number

  constructor(depth: number) {
    if (!Number.isInteger(depth) || depth < 1 || depth > MAX_QUATERNARY_DEPTH) throw new MerkleDepthError(depth)
    this.depth = depth
    this.empty = emptySubtreeRoots(depth)
    this.leafCount = 4 ** depth
    this.top = new Layer(depth, undefined)
  }

  root(): bigint {
    return this.node(this.depth, 0)
  }

  get(index: bigint): bigint {
    return this.node(0, this.leafIndex(index))
  }

  /** Write one leaf and rehash its path: `depth` Poseidon(4) calls. */
  set(index: bigint, leaf: bigint): void {
    assertFieldElement(leaf, 'leaf')
    let position = this.leafIndex(index)
    this.top.levels[0]!.set(position, leaf)
    for (let level = 1; level <= this.depth; level++) {
      position = Math.floor(position / 4)
      this.top.levels[level]!.set(position, this.hashChildren(level, position))
    }
  }

  /** Write many leaves, then hash each touched ancestor once (common ancestors are shared). Last write wins. */
  setMany(entries: Iterable<readonly [bigint, bigint]>): void {
    let dirty = new Set<number>()
    const leaves = this.top.levels[0]!
    for (const [index, leaf] of entries) {
      assertFieldElement(leaf, 'leaf')
      const position = this.leafIndex(index)
      leaves.set(position, leaf)
      dirty.add(Math.floor(position / 4))
    }
    for (let level = 1; level <= this.depth; level++) {
      const nodes = this.top.levels[level]!
      const parents = new Set<number>()
      for (const position of dirty) {
        nodes.set(position, this.hashChildren(level, position))
        parents.add(Math.floor(position / 4))
      }
      dirty = parents
    }
  }

  proof(index: bigint): QuaternaryMerkleProof {
    let position = this.leafIndex(index)
    const siblings: bigint[][] = []
    const pathDigits: number[] = []
    for (let level = 0; level < this.depth; level++) {
      const digit = position % 4
      const first = position - digit
      const row: bigint[] = []
      for (let child = 0; child < 4; child++) if (child !== digit) row.push(this.node(level, first + child))
      siblings.push(row)
      pathDigits.push(digit)
      position = Math.floor(position / 4)
    }
    return { index, leaf: this.get(index), siblings, pathDigits }
  }

  /** O(1): both trees share the current nodes as a frozen layer and write to their own overlays afterwards. */
  clone(): QuaternaryMerkleTree {
    if (this.top.chainLength >= MAX_LAYER_CHAIN) this.top = compact(this.top, this.depth)
    const frozen = this.top
    this.top = new Layer(this.depth, frozen)
    const copy = new QuaternaryMerkleTree(this.depth)
    copy.top = new Layer(this.depth, frozen)
    return copy
  }

  private hashChildren(level: number, position: number): bigint {
    const first = position * 4
    const below = level - 1
    return poseidonUnchecked([
      this.node(below, first),
      this.node(below, first + 1),
      this.node(below, first + 2),
      this.node(below, first + 3),
    ])
  }

  private node(level: number, position: number): bigint {
    for (let layer: Layer | undefined = this.top; layer !== undefined; layer = layer.below) {
      const value = layer.levels[level]!.get(position)
      if (value !== undefined) return value
    }
    return this.empty[level]!
  }

  private leafIndex(index: bigint): number {
    if (index < 0n || index >= BigInt(this.leafCount)) throw new MerkleIndexOutOfRangeError(index, this.depth)
    return Number(index)
  }
}

/**
 * Merge every layer above the bottom one into a single layer (top wins); the bottom, usually the big shared
 * base, stays shared. The merged layer is new, so other trees sharing any of these layers are unaffected.
 */
function compact(top: Layer, depth: number): Layer {
  const chain: Layer[] = []
  for (let layer: Layer | undefined = top; layer !== undefined; layer = layer.below) chain.push(layer)
  const bottom = chain[chain.length - 1]!
  const merged = new Layer(depth, bottom)
  for (let i = chain.length - 2; i >= 0; i--) {
    const layer = chain[i]!
    for (let level = 0; level <= depth; level++) {
      const target = merged.levels[level]!
      for (const [position, value] of layer.levels[level]!) target.set(position, value)
    }
  }
  return merged
}
