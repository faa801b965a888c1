import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { ceilDiv, floorDiv, floorMod } from './rounding.ts'

const numerator = fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n })
const divisor = fc.bigInt({ min: 1n, max: 2n ** 100n })

describe('floorDiv properties', () => {
  test.prop([numerator, divisor])('behavior: a = q·d + r with 0 ≤ r < d (the circuit hint)', (a, d) => {
    const q = floorDiv(a, d)
    const r = a - q * d
    expect(r >= 0n && r < d).toBe(true)
    expect(floorMod(a, d)).toBe(r)
  })

  test.prop([numerator, divisor])('behavior: ceilDiv is the smallest q with q·d ≥ a', (a, d) => {
    const q = ceilDiv(a, d)
    expect(q * d >= a).toBe(true)
    expect((q - 1n) * d < a).toBe(true)
  })

  test.prop([numerator, divisor])('behavior: ceil and floor differ by one exactly when d does not divide a', (a, d) => {
    expect(ceilDiv(a, d) - floorDiv(a, d)).toBe(a % d === 0n ? 0n : 1n)
  })

  test.prop([fc.bigInt({ min: 0n, max: 2n ** 200n }), divisor])('behavior: agrees with bigint division on a ≥ 0', (a, d) => {
    expect(floorDiv(a, d)).toBe(a / d)
  })
})
