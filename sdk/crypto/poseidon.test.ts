import { beforeAll, describe, expect, it } from 'vitest'
import { FieldElementOutOfRangeError, PoseidonInputCountError } from './errors.ts'
import { FIELD_MODULUS } from './field.ts'
import { poseidon } from './poseidon.ts'
import { poseidonReference } from './poseidonReference.ts'
import { randomFieldElements } from './testRandom.ts'
import { type CircomlibOracle, loadCircomlibOracle } from './circomlibjsOracle.ts'

let circomlib: CircomlibOracle
const CASES_PER_WIDTH = Number(process.env['ZKPERP_DIFFERENTIAL_CASES'] ?? '128')

beforeAll(async () => {
  circomlib = await loadCircomlibOracle()
})

function circomlibHash(inputs: bigint[]): bigint {
  return circomlib.poseidon(inputs)
}

describe('poseidon', () => {
  it('default: known vectors from circomlib (poseidon([1,2]) and poseidon([1..5]))', () => {
    expect(poseidon([1n, 2n])).toBe(0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189an)
    expect(poseidon([1n, 2n, 3n, 4n, 5n])).toBe(
      6183221330272524995739186171720101788151706631170188140075976616310159254464n,
    )
  })

  it('behavior: equals circomlibjs for 1..16 inputs on random field elements', () => {
    for (let count = 1; count <= 16; count++) {
      const cases = count <= 5 ? CASES_PER_WIDTH * 4 : CASES_PER_WIDTH / 2
      for (let c = 0; c < cases; c++) {
        const inputs = randomFieldElements(count, `poseidon-${count}-${c}`)
        expect(poseidon(inputs), `count ${count} case ${c}`).toBe(circomlibHash(inputs))
      }
    }
  }, 3_600_000)

  it('behavior: equals the bigint reference at the field edges', () => {
    const edges = [0n, 1n, FIELD_MODULUS - 1n, FIELD_MODULUS - 2n, 2n ** 253n, 2n ** 128n - 1n]
    for (let count = 1; count <= 16; count++) {
      const inputs = Array.from({ length: count }, (_, i) => edges[i % edges.length]!)
      expect(poseidon(inputs)).toBe(poseidonReference(inputs))
      expect(poseidon(inputs)).toBe(circomlibHash(inputs))
    }
  })

  it('behavior: equals circomlibjs on inputs of 0 and r − 1 in every pattern tried, widths 1..16', () => {
    const top = FIELD_MODULUS - 1n
    for (let count = 1; count <= 16; count++) {
      const patterns = [
        (_: number) => 0n,
        (_: number) => top,
        (i: number) => (i % 2 === 0 ? 0n : top),
        (i: number) => (i % 2 === 0 ? top : 0n),
        (i: number) => (i === 0 ? top : 0n),
        (i: number) => (i === count - 1 ? top : 1n),
      ]
      for (const [p, pattern] of patterns.entries()) {
        const inputs = Array.from({ length: count }, (_, i) => pattern(i))
        expect(poseidon(inputs), `count ${count} pattern ${p}`).toBe(circomlibHash(inputs))
      }
    }
  })

  it('error: no inputs or more than 16', () => {
    expect(() => poseidon([])).toThrow(PoseidonInputCountError)
    expect(() => poseidon(Array.from({ length: 17 }, () => 1n))).toThrow(PoseidonInputCountError)
  })

  it('error: an input equal to r or negative is rejected, not reduced', () => {
    expect(() => poseidon([FIELD_MODULUS])).toThrow(FieldElementOutOfRangeError)
    expect(() => poseidon([1n, -1n])).toThrow(FieldElementOutOfRangeError)
    try {
      poseidon([1n, FIELD_MODULUS + 5n])
    } catch (error) {
      expect((error as FieldElementOutOfRangeError).code).toBe('FIELD_ELEMENT_OUT_OF_RANGE')
      expect((error as FieldElementOutOfRangeError).details['value']).toBe(FIELD_MODULUS + 5n)
    }
  })
})
