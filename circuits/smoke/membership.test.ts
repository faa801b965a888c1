/**
 * The toolchain smoke path, kept as a canary: MerkleMembership(4) compiles, gets a deterministic dev setup, proves
 * and verifies in TS, rejects tampered proofs, inputs and witnesses, and the committed Solidity verifier and
 * fixture are exactly what the current circuit produces.
 */
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { poseidon } from '../../sdk/crypto/poseidon.ts'
import { computeQuaternaryRoot } from '../../sdk/crypto/quaternaryMerkleTree.ts'
import {
  BN254_SCALAR_MODULUS,
  MEMBERSHIP_VERIFIER_PATH,
  createMembershipFixture,
  decodeSolidityProof,
  encodeSolidityProof,
  parseMembershipFixture,
  prepareMembershipArtifacts,
  proveMembership,
  readCommittedMembershipFixture,
  serializeMembershipFixture,
  type MembershipArtifacts,
} from '../../scripts/smoke/membershipPipeline.ts'
import { loadSnarkjs, type Groth16Proof, type MemoryFile, type Snarkjs } from '../../scripts/smoke/snarkjs.ts'
import { editWitnessValues, findWitnessIndex, readWitnessValues } from '../../scripts/smoke/witnessFile.ts'
import { MEMBERSHIP_CONSTRAINTS, MEMBERSHIP_DEPTH, createMembershipVector, toSnarkjsInput, type MembershipInput } from './membershipCircuit.ts'

type CircomlibPoseidon = ((inputs: readonly bigint[]) => Uint8Array) & { F: { toObject(element: Uint8Array): bigint } }
// circomlibjs ships no declarations: a non-literal specifier loads it untyped, typed here.
const CIRCOMLIBJS: string = 'circomlibjs'

let snarkjs: Snarkjs
let artifacts: MembershipArtifacts
let input: MembershipInput
let proof: Groth16Proof
let publicSignals: string[]

async function computeWitness(signals: MembershipInput): Promise<Uint8Array> {
  const witness: MemoryFile = { type: 'mem' }
  await snarkjs.wtns.calculate(toSnarkjsInput(signals), artifacts.circuit.wasmPath, witness)
  if (witness.data === undefined) throw new Error('snarkjs wrote no witness')
  return witness.data
}

/** snarkjs `wtns check` (every r1cs constraint A·B = C); it needs a logger to report the first failing one. */
async function satisfiesConstraints(witness: Uint8Array): Promise<boolean> {
  const ignore = (): void => {}
  const logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }
  return snarkjs.wtns.check(artifacts.circuit.r1csPath, { type: 'mem', data: witness }, logger)
}

/**
 * Witness index -> the path level whose step computes it (selector, Poseidon, children at level l; nodes[l + 1]),
 * read from the .sym labels. Inputs, index bits and the public root belong to no level.
 */
function readWireLevels(symPath: string): Map<number, number> {
  const levels = new Map<number, number>()
  for (const line of readFileSync(symPath, 'utf8').split('\n')) {
    const [, wire, , name] = line.split(',')
    if (name === undefined || wire === undefined || wire === '-1') continue
    const step = /\.(?:ComputeQuaternaryChildren|Poseidon)_\d+_\d+\[(\d+)\]/.exec(name) ?? /\.children\[(\d+)\]\[\d\]$/.exec(name)
    const node = /\.nodes\[(\d+)\]$/.exec(name)
    if (step?.[1] !== undefined) levels.set(Number(wire), Number(step[1]))
    else if (node?.[1] !== undefined) levels.set(Number(wire), Number(node[1]) - 1)
  }
  return levels
}

beforeAll(async () => {
  snarkjs = await loadSnarkjs()
  artifacts = await prepareMembershipArtifacts()
  input = createMembershipVector().input
  const started = performance.now()
  ;({ proof, publicSignals } = await proveMembership(artifacts, input))
  console.info(`MerkleMembership(${MEMBERSHIP_DEPTH}): fullProve ${(performance.now() - started).toFixed(0)} ms`)
})

describe('MerkleMembership', () => {
  it('default: constraint count is pinned', () => {
    expect(artifacts.circuit.constraints).toBe(MEMBERSHIP_CONSTRAINTS)
    expect(artifacts.circuit.publicInputs).toBe(2)
  })

  it('behavior: the sdk tree path agrees with an independent circomlibjs recomputation', async () => {
    const circomlibjs = (await import(CIRCOMLIBJS)) as { buildPoseidon(): Promise<CircomlibPoseidon> }
    const reference = await circomlibjs.buildPoseidon()
    const { proof: path } = createMembershipVector()
    let node = input.leaf
    path.siblings.forEach((siblings, level) => {
      const children = [...siblings]
      children.splice(path.pathDigits[level] as number, 0, node)
      node = reference.F.toObject(reference(children))
    })
    expect(path.pathDigits).toEqual([1, 2, 0, 3])
    expect(node).toBe(input.root)
  })

  it('behavior: a proof of membership verifies with public signals [root, leaf]', async () => {
    expect(publicSignals).toEqual([input.root.toString(), input.leaf.toString()])
    const started = performance.now()
    expect(await snarkjs.groth16.verify(artifacts.vkey, publicSignals, proof)).toBe(true)
    console.info(`MerkleMembership(${MEMBERSHIP_DEPTH}): verify ${(performance.now() - started).toFixed(0)} ms`)
  })

  it('error: a tampered proof is rejected', async () => {
    const tampered = { ...proof, pi_c: [proof.pi_a[0], proof.pi_a[1], '1'] as Groth16Proof['pi_c'] }
    expect(await snarkjs.groth16.verify(artifacts.vkey, publicSignals, tampered)).toBe(false)
    const fixture = createMembershipFixture(proof, publicSignals)
    expect(await snarkjs.groth16.verify(artifacts.vkey, publicSignals, decodeSolidityProof(fixture.tampered.proof))).toBe(false)
  })

  it('error: a tampered public input is rejected', async () => {
    const [root, leaf] = [input.root, input.leaf]
    for (const signals of [
      [root, leaf + 1n],
      [root + 1n, leaf],
      [leaf, root],
      [root, leaf + BN254_SCALAR_MODULUS], // the same value mod r: must not alias
    ]) {
      expect(await snarkjs.groth16.verify(artifacts.vkey, signals.map(String), proof)).toBe(false)
    }
  })

  it('behavior: the circuit reaches the sdk tree root with every digit at every level', async () => {
    // Base-4 digits from the leaves up: 0000, 1111, 2222, 3333, 3210, 0123, and occupied neighbours of the leaf.
    const { tree } = createMembershipVector()
    const root = tree.root()
    for (const index of [0n, 85n, 170n, 255n, 27n, 228n, 200n, 203n, 205n]) {
      const path = tree.proof(index)
      const siblings = path.siblings.map(([first, second, third]) => [first ?? 0n, second ?? 0n, third ?? 0n] as const)
      const witness = await computeWitness({ root, leaf: path.leaf, index, siblings })
      expect(readWitnessValues(witness)[1]).toBe(root)
    }
  })

  it('error: a wrong sibling cannot produce a witness', async () => {
    const siblings = input.siblings.map((level) => [...level] as const)
    const [first, second, third] = siblings[2] ?? [0n, 0n, 0n]
    siblings[2] = [first, second + 1n, third]
    await expect(computeWitness({ ...input, siblings })).rejects.toThrow(/Assert Failed/)
  })

  it('error: a leaf absent from the tree cannot produce a witness', async () => {
    await expect(computeWitness({ ...input, leaf: poseidon([input.index, 1n]) })).rejects.toThrow(/Assert Failed/)
  })

  it('error: an index at or beyond 4^DEPTH cannot produce a witness', async () => {
    const leaves = 4n ** BigInt(MEMBERSHIP_DEPTH)
    for (const index of [input.index + leaves, leaves, BN254_SCALAR_MODULUS - 1n]) {
      await expect(computeWitness({ ...input, index })).rejects.toThrow(/Assert Failed/)
    }
  })

  describe('forged witness', () => {
    let honest: Uint8Array
    const indexOf = (pattern: RegExp): number => findWitnessIndex(artifacts.circuit.symPath, pattern)

    beforeAll(async () => {
      honest = await computeWitness(input)
    })

    it('default: the honest witness satisfies the constraints', async () => {
      expect(await satisfiesConstraints(honest)).toBe(true)
    })

    it('error: an edited intermediate node fails the constraints and cannot be proven', async () => {
      const node = indexOf(/\.nodes\[2\]$/)
      const value = readWitnessValues(honest)[node] as bigint
      const forged = editWitnessValues(honest, [[node, (value + 1n) % BN254_SCALAR_MODULUS]])
      expect(await satisfiesConstraints(forged)).toBe(false)
      const forgedProof = await snarkjs.groth16.prove(artifacts.setup.zkeyPath, { type: 'mem', data: forged })
      expect(await snarkjs.groth16.verify(artifacts.vkey, forgedProof.publicSignals, forgedProof.proof)).toBe(false)
    })

    it('error: a child slot moved by the selector fails the constraints', async () => {
      // Level 1 digit is 2: swap the path node (slot 2) with sibling slot 1, as a prover hiding the index would.
      const slot1 = indexOf(/\.children\[1\]\[1\]$/)
      const slot2 = indexOf(/\.children\[1\]\[2\]$/)
      const values = readWitnessValues(honest)
      const forged = editWitnessValues(honest, [
        [slot1, values[slot2] as bigint],
        [slot2, values[slot1] as bigint],
      ])
      expect(await satisfiesConstraints(forged)).toBe(false)
    })

    it('error: a non-boolean digit split that keeps the index sum fails the constraints', async () => {
      // Level 0 digit 1 = bits (1, 0); (3, -1) has the same weighted sum 3 + 2*(-1) but is not two bits.
      const low = indexOf(/\.indexBits\[0\]$/)
      const high = indexOf(/\.indexBits\[1\]$/)
      expect([readWitnessValues(honest)[low], readWitnessValues(honest)[high]]).toEqual([1n, 0n])
      const forged = editWitnessValues(honest, [
        [low, 3n],
        [high, BN254_SCALAR_MODULUS - 1n],
      ])
      expect(await satisfiesConstraints(forged)).toBe(false)
    })

    /**
     * The attack an under-constrained selector or a dropped root check allows: a fake leaf's path, computed
     * honestly below `joinLevel` (same index and siblings), spliced onto the honest witness from there up.
     */
    async function spliceFakePath(joinLevel: number): Promise<{ edits: (readonly [number, bigint])[]; fakeNode: () => bigint }> {
      const fakeLeaf = poseidon([input.index, 2n])
      const fakeRoot = computeQuaternaryRoot({ ...createMembershipVector().proof, leaf: fakeLeaf })
      const fake = readWitnessValues(await computeWitness({ ...input, leaf: fakeLeaf, root: fakeRoot }))
      const spliced = [...readWireLevels(artifacts.circuit.symPath)].filter(([, level]) => level < joinLevel)
      const edits = [[indexOf(/^main\.leaf$/), fakeLeaf] as const, ...spliced.map(([wire]) => [wire, fake[wire] as bigint] as const)]
      // nodes[DEPTH] is the public root's wire: only levels below it have a node of their own.
      const fakeNode = (): bigint => (joinLevel === 0 ? fakeLeaf : (fake[indexOf(new RegExp(`\\.nodes\\[${joinLevel}\\]$`))] as bigint))
      return { edits, fakeNode }
    }

    it.each([0, 1, 2, 3, 4])('error: a fake leaf hashed honestly through level %i cannot join the real path', async (joinLevel) => {
      const { edits } = await spliceFakePath(joinLevel)
      expect(await satisfiesConstraints(editWitnessValues(honest, edits))).toBe(false)
    })

    it.each([
      { level: 0, slot: 1, signal: 'slot1Low' }, // level 0 digit is 1
      { level: 1, slot: 2, signal: 'slot2Low' }, // level 1 digit is 2
    ])('error: a fake node cannot fit slot $slot at level $level by bending $signal', async ({ level, slot, signal }) => {
      // children[slot] = sibling + signal + (node - sibling) here: choose the signal that absorbs the fake node.
      const { edits, fakeNode } = await spliceFakePath(level)
      const honestChild = readWitnessValues(honest)[indexOf(new RegExp(`\\.children\\[${level}\\]\\[${slot}\\]$`))] as bigint
      const bent = (honestChild - fakeNode() + BN254_SCALAR_MODULUS) % BN254_SCALAR_MODULUS
      const selectorSignal = indexOf(new RegExp(`ComputeQuaternaryChildren_\\d+_\\d+\\[${level}\\]\\.${signal}$`))
      expect(await satisfiesConstraints(editWitnessValues(honest, [...edits, [selectorSignal, bent]]))).toBe(false)
    })

    it('error: a selector indicator is pinned even where the children do not depend on it', async () => {
      // Index 130 lies in an empty subtree: at level 0 the node and its siblings are all 0, so no child would move.
      const { tree } = createMembershipVector()
      const path = tree.proof(130n)
      const siblings = path.siblings.map(([first, second, third]) => [first ?? 0n, second ?? 0n, third ?? 0n] as const)
      expect([path.leaf, ...(siblings[0] ?? [])]).toEqual([0n, 0n, 0n, 0n])
      const witness = await computeWitness({ root: tree.root(), leaf: path.leaf, index: 130n, siblings })
      expect(await satisfiesConstraints(witness)).toBe(true)
      const isDigit3 = indexOf(/ComputeQuaternaryChildren_\d+_\d+\[0\]\.isDigit3$/)
      expect(await satisfiesConstraints(editWitnessValues(witness, [[isDigit3, 1n]]))).toBe(false)
    })
  })

  describe('committed artifacts', () => {
    it('behavior: the committed Solidity verifier equals a freshly generated one', () => {
      const fresh = readFileSync(artifacts.setup.verifierPath, 'utf8')
      expect(readFileSync(MEMBERSHIP_VERIFIER_PATH, 'utf8')).toBe(fresh)
    })

    it('behavior: the committed fixture proof verifies against the fresh verification key', async () => {
      const fixture = readCommittedMembershipFixture()
      const signals = fixture.publicInputs.map(String)
      expect(signals).toEqual(publicSignals)
      expect(await snarkjs.groth16.verify(artifacts.vkey, signals, decodeSolidityProof(fixture.proof))).toBe(true)
      expect(await snarkjs.groth16.verify(artifacts.vkey, signals, decodeSolidityProof(fixture.tampered.proof))).toBe(false)
      expect(await snarkjs.groth16.verify(artifacts.vkey, fixture.tampered.publicInputs.map(String), decodeSolidityProof(fixture.proof))).toBe(false)
    })

    it('behavior: the Solidity encoding matches snarkjs calldata and round-trips through JSON', async () => {
      const calldata = JSON.parse(`[${await snarkjs.groth16.exportSolidityCallData(proof, publicSignals)}]`) as unknown[]
      const toBigInts = (value: unknown): unknown => (Array.isArray(value) ? value.map(toBigInts) : BigInt(value as string))
      const encoded = encodeSolidityProof(proof)
      expect(toBigInts(calldata)).toEqual([encoded.a, encoded.b, encoded.c, publicSignals.map(BigInt)])
      const fixture = createMembershipFixture(proof, publicSignals)
      expect(parseMembershipFixture(serializeMembershipFixture(fixture))).toEqual(fixture)
    })
  })
})
