/**
 * The library gadgets, each compiled on its own: honest inputs satisfy, boundary values behave as the range says
 * (0, 2^n − 1, 2^n, p − 1), and forged witnesses (hints edited after calculation) fail the r1cs.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { poseidon } from '../../sdk/crypto/poseidon.ts'
import { QuaternaryMerkleTree } from '../../sdk/crypto/quaternaryMerkleTree.ts'
import { BN254_R, gadgetSpec, loadTestCircuit } from '../test/circuitHarness.ts'
import { buildSignatureInput, DISABLED_SIGNATURE } from '../witness/signatureWitness.ts'

const P_MINUS_ONE = BN254_R - 1n

describe('RequireSignedRange', () => {
  it('behavior: accepts exactly [-2^(n-1), 2^(n-1)) and reports the sign', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('RequireSignedRange', [64]))
    for (const value of [0n, 1n, -1n, (1n << 63n) - 1n, -(1n << 63n)]) {
      const witness = await circuit.calculateWitness({ in: value })
      expect(await circuit.satisfies(witness)).toBe(true)
      expect(circuit.read(witness, /^main\.isNonNegative$/)).toBe(value >= 0n ? 1n : 0n)
    }
    for (const value of [1n << 63n, -(1n << 63n) - 1n, P_MINUS_ONE - (1n << 63n), 1n << 64n]) {
      expect(await circuit.accepts({ in: value })).toBe(false)
    }
  })
})

describe('RequireNonNegativeIfEnabled', () => {
  it('behavior: enforces [0, 2^n) only when enabled', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('RequireNonNegativeIfEnabled', [32]))
    for (const value of [0n, (1n << 32n) - 1n]) expect(await circuit.accepts({ enabled: 1n, in: value })).toBe(true)
    for (const value of [1n << 32n, P_MINUS_ONE, -5n]) expect(await circuit.accepts({ enabled: 1n, in: value })).toBe(false)
    for (const value of [1n << 32n, P_MINUS_ONE]) expect(await circuit.accepts({ enabled: 0n, in: value })).toBe(true)
  })
})

describe('SafeLessThan', () => {
  it('behavior: compares range-checked operands and refuses operands at 2^n and p − 1', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('SafeLessThan', [16]))
    const max = (1n << 16n) - 1n
    for (const [a, b] of [[0n, 0n], [0n, 1n], [max, max], [max - 1n, max], [max, 0n]] as const) {
      const witness = await circuit.calculateWitness({ in: [a, b] })
      expect(await circuit.satisfies(witness)).toBe(true)
      expect(circuit.read(witness, /^main\.out$/)).toBe(a < b ? 1n : 0n)
    }
    expect(await circuit.accepts({ in: [1n << 16n, 0n] })).toBe(false)
    expect(await circuit.accepts({ in: [P_MINUS_ONE, 0n] })).toBe(false)
  })
})

describe('ComputeFloorDivision', () => {
  it('behavior: floor division by a constant with the remainder pinned', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('ComputeFloorDivision', [102, 10000]))
    for (const dividend of [0n, 9999n, 10000n, 123456789n, (1n << 102n) - 1n]) {
      const witness = await circuit.calculateWitness({ dividend })
      expect(await circuit.satisfies(witness)).toBe(true)
      expect(circuit.read(witness, /^main\.quotient$/)).toBe(dividend / 10000n)
    }
  })

  it('error: a forged quotient fails (the remainder it implies, r + d or r − d, is out of range)', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('ComputeFloorDivision', [102, 10000]))
    const witness = await circuit.calculateWitness({ dividend: 123456789n })
    expect(circuit.read(witness, /^main\.quotient$/)).toBe(12345n)
    // O2 substitutes the remainder (a linear function of dividend and quotient): editing the quotient moves it.
    expect(await circuit.satisfies(circuit.edit(witness, [[/^main\.quotient$/, 12344n]]))).toBe(false)
    expect(await circuit.satisfies(circuit.edit(witness, [[/^main\.quotient$/, 12346n]]))).toBe(false)
  })
})

describe('ComputeSignedFloorDivision', () => {
  const floorDiv = (a: bigint, d: bigint) => (a % d < 0n ? a / d - 1n : a / d)

  it('behavior: floor division toward −∞ of a signed dividend by a variable divisor, as the state machine', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('ComputeSignedFloorDivision', [101, 52]))
    const divisors = [1n, 7n, 3_600_000_000n, (1n << 52n) - 1n]
    const dividends = [0n, 1n, -1n, 6n, -6n, 7n, -7n, 123_456_789_012n, -123_456_789_012n, (1n << 100n) - 1n, -((1n << 100n) - 1n)]
    for (const divisor of divisors) {
      for (const dividend of dividends) {
        const witness = await circuit.calculateWitness({ dividend, divisor })
        expect(await circuit.satisfies(witness)).toBe(true)
        const quotient = circuit.read(witness, /^main\.quotient$/)
        const expected = floorDiv(dividend, divisor)
        expect(quotient).toBe(((expected % BN254_R) + BN254_R) % BN254_R)
      }
    }
  })

  it('error: a quotient one off either way fails (its remainder leaves [0, divisor))', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('ComputeSignedFloorDivision', [101, 52]))
    const witness = await circuit.calculateWitness({ dividend: -123_456_789_012n, divisor: 3_600_000_000n })
    const quotient = circuit.read(witness, /^main\.quotient$/)
    expect(quotient).toBe(BN254_R - 35n)
    expect(await circuit.satisfies(circuit.edit(witness, [[/^main\.quotient$/, -34n]]))).toBe(false)
    expect(await circuit.satisfies(circuit.edit(witness, [[/^main\.quotient$/, -36n]]))).toBe(false)
  })
})

describe('ComputeCeilDivision', () => {
  const ceilDiv = (a: bigint, d: bigint) => (a + d - 1n) / d

  it('behavior: ceiling division of a non-negative dividend by a variable divisor, as the state machine', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('ComputeCeilDivision', [96, 92]))
    const divisors = [1n, 7n, 530_000_000n, (1n << 92n) - 1n]
    const dividends = [0n, 1n, 6n, 7n, 8n, 9_716_200n * 50n * 5_300_000n, (1n << 180n) + 12_345n]
    for (const divisor of divisors) {
      for (const dividend of dividends) {
        if (ceilDiv(dividend, divisor) >= 1n << 96n) continue
        const witness = await circuit.calculateWitness({ dividend, divisor })
        expect(await circuit.satisfies(witness)).toBe(true)
        expect(circuit.read(witness, /^main\.quotient$/)).toBe(ceilDiv(dividend, divisor))
      }
    }
  })

  it('error: a quotient one off either way, a zero divisor or a quotient at 2^n fails', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('ComputeCeilDivision', [96, 92]))
    const witness = await circuit.calculateWitness({ dividend: 100n, divisor: 7n })
    expect(circuit.read(witness, /^main\.quotient$/)).toBe(15n)
    expect(await circuit.satisfies(circuit.edit(witness, [[/^main\.quotient$/, 14n]]))).toBe(false)
    expect(await circuit.satisfies(circuit.edit(witness, [[/^main\.quotient$/, 16n]]))).toBe(false)
    expect(await circuit.accepts({ dividend: 0n, divisor: 0n })).toBe(false)
    // 2^96 · 1 needs a 97-bit quotient.
    expect(await circuit.accepts({ dividend: 1n << 96n, divisor: 1n })).toBe(false)
    expect(await circuit.accepts({ dividend: (1n << 96n) - 1n, divisor: 1n })).toBe(true)
  })
})

describe('ComputeQuaternaryMerkleUpdate', () => {
  const DEPTH = 3
  function vector() {
    const tree = new QuaternaryMerkleTree(DEPTH)
    tree.setMany([[5n, 11n], [6n, 12n], [37n, 13n], [63n, 14n]].map(([i, v]) => [i!, poseidon([v!])] as const))
    const index = 37n
    const proof = tree.proof(index)
    const oldRoot = tree.root()
    const newLeaf = poseidon([99n])
    tree.setMany([[index, newLeaf]])
    return { oldRoot, newRoot: tree.root(), oldLeaf: proof.leaf, newLeaf, index, siblings: proof.siblings.map((level) => level.map((s) => s ?? 0n)) }
  }

  it('behavior: verifies the old root and computes the sdk tree\'s new root on the same path', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('ComputeQuaternaryMerkleUpdate', [DEPTH]))
    const v = vector()
    const witness = await circuit.calculateWitness({ enabled: 1n, oldRoot: v.oldRoot, oldLeaf: v.oldLeaf, newLeaf: v.newLeaf, index: v.index, siblings: v.siblings })
    expect(await circuit.satisfies(witness)).toBe(true)
    expect(circuit.read(witness, /^main\.newRoot$/)).toBe(v.newRoot)
  })

  it('error: a wrong old leaf, a wrong index or an index ≥ 4^depth is refused; disabled passes the root through', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('ComputeQuaternaryMerkleUpdate', [DEPTH]))
    const v = vector()
    const base = { enabled: 1n, oldRoot: v.oldRoot, oldLeaf: v.oldLeaf, newLeaf: v.newLeaf, index: v.index, siblings: v.siblings }
    expect(await circuit.accepts({ ...base, oldLeaf: v.oldLeaf + 1n })).toBe(false)
    expect(await circuit.accepts({ ...base, index: v.index + 1n })).toBe(false)
    expect(await circuit.accepts({ ...base, index: v.index + 64n })).toBe(false)
    const disabled = await circuit.calculateWitness({ ...base, enabled: 0n, oldLeaf: 0n })
    expect(await circuit.satisfies(disabled)).toBe(true)
    expect(circuit.read(disabled, /^main\.newRoot$/)).toBe(v.oldRoot)
  })
})

type VectorJson = { name: string; expectedCode: string | null; message: string; publicKey: { x: string; y: string }; R8: { x: string; y: string }; S: string }

describe('RequireStrictEdDSAPoseidon', () => {
  const vectors = JSON.parse(readFileSync('sdk/crypto/vectors/badSignatures.json', 'utf8')) as VectorJson[]

  it('behavior: accepts the valid vector and rejects every bad class (including those circomlib alone accepts)', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('RequireStrictEdDSAPoseidon', []))
    const outcomes: Record<string, boolean> = {}
    for (const vector of vectors) {
      if (vector.expectedCode === 'FIELD_ELEMENT_OUT_OF_RANGE') continue // not representable as a circuit input
      const input = buildSignatureInput(
        BigInt(vector.message),
        { R8: { x: BigInt(vector.R8.x), y: BigInt(vector.R8.y) }, S: BigInt(vector.S) },
        { x: BigInt(vector.publicKey.x), y: BigInt(vector.publicKey.y) },
      )
      outcomes[vector.name] = await circuit.accepts(input)
      expect(outcomes[vector.name], vector.name).toBe(vector.expectedCode === null)
    }
    expect(Object.keys(outcomes).length).toBe(vectors.length - 1)
  })

  it('error: a forged subgroup hint for a torsioned key fails; a disabled gadget accepts dummies', async () => {
    const circuit = await loadTestCircuit(gadgetSpec('RequireStrictEdDSAPoseidon', []))
    expect(await circuit.accepts(DISABLED_SIGNATURE)).toBe(true)
    expect(await circuit.accepts({ ...DISABLED_SIGNATURE, S: P_MINUS_ONE, publicKey: [5n, 7n] })).toBe(true)
    const torsion = vectors.find((vector) => vector.name.startsWith('A plus order-2'))!
    const input = buildSignatureInput(BigInt(torsion.message), { R8: { x: BigInt(torsion.R8.x), y: BigInt(torsion.R8.y) }, S: BigInt(torsion.S) }, { x: BigInt(torsion.publicKey.x), y: BigInt(torsion.publicKey.y) })
    // The prover's best hint: a root of A minus the torsion (8·root = 8·A ≠ A) — still refused.
    expect(await circuit.accepts(input)).toBe(false)
  })
})

describe('ReadAccountCache / WriteAccountCache', () => {
  const K = 3
  const F = 4
  const entries = [
    [5n, 0n, 11n, 12n],
    [7n, 1n, 21n, 22n],
    [9n, 0n, 31n, 32n],
  ]
  const spec = (template: string) => ({ ...gadgetSpec(template, [K, F]), file: 'circuits/lib/AccountCache.circom' })

  it('behavior: a read returns the one selected entry when enabled, and zeros with nothing selected when not', async () => {
    const circuit = await loadTestCircuit(spec('ReadAccountCache'))
    const witness = await circuit.calculateWitness({ enabled: 1n, select: [0n, 1n, 0n], entries })
    expect(await circuit.satisfies(witness)).toBe(true)
    expect([0, 1, 2, 3].map((f) => circuit.read(witness, new RegExp(`^main\\.value\\[${f}\\]$`)))).toEqual(entries[1])
    const disabled = await circuit.calculateWitness({ enabled: 0n, select: [0n, 0n, 0n], entries })
    expect([0, 1, 2, 3].map((f) => circuit.read(disabled, new RegExp(`^main\\.value\\[${f}\\]$`)))).toEqual([0n, 0n, 0n, 0n])
  })

  it('error (forged): no entry or two entries when enabled, an entry when disabled, or a non-boolean selection fail', async () => {
    const circuit = await loadTestCircuit(spec('ReadAccountCache'))
    expect(await circuit.accepts({ enabled: 1n, select: [0n, 0n, 0n], entries })).toBe(false)
    expect(await circuit.accepts({ enabled: 1n, select: [1n, 1n, 0n], entries })).toBe(false)
    expect(await circuit.accepts({ enabled: 0n, select: [0n, 0n, 1n], entries })).toBe(false)
    // Sums to 1, but blends two entries.
    expect(await circuit.accepts({ enabled: 1n, select: [2n, P_MINUS_ONE, 0n], entries })).toBe(false)
  })

  it('behavior: a write replaces fields 1 … F−1 of the selected entry only, never its index; no selection writes nothing', async () => {
    const circuit = await loadTestCircuit(spec('WriteAccountCache'))
    const written = [99n, 1n, 41n, 42n]
    const out = async (select: bigint[]) => {
      const witness = await circuit.calculateWitness({ select, entries, read: select[2] === 1n ? entries[2] : [0n, 0n, 0n, 0n], written })
      expect(await circuit.satisfies(witness)).toBe(true)
      return entries.map((_, k) => [0, 1, 2, 3].map((f) => circuit.read(witness, new RegExp(`^main\\.entriesOut\\[${k}\\]\\[${f}\\]$`))))
    }
    expect(await out([0n, 0n, 1n])).toEqual([entries[0], entries[1], [9n, 1n, 41n, 42n]])
    expect(await out([0n, 0n, 0n])).toEqual(entries)
  })
})
