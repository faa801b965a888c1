import { describe, expect, it } from 'vitest'
import { ceilDiv, floorDiv, floorMod, mulDivDown, mulDivUp } from './rounding.ts'

describe('floorDiv', () => {
  it('default', () => {
    expect(floorDiv(7n, 2n)).toBe(3n)
    expect(floorDiv(6n, 2n)).toBe(3n)
    expect(floorDiv(0n, 5n)).toBe(0n)
  })

  it('behavior: rounds negative numerators toward −∞, not toward 0', () => {
    expect(floorDiv(-7n, 2n)).toBe(-4n)
    expect(floorDiv(-6n, 2n)).toBe(-3n)
    expect(floorDiv(-1n, 10_000n)).toBe(-1n)
    expect(-7n / 2n).toBe(-3n)
  })

  it('error: divisor zero or negative', () => {
    expect(() => floorDiv(1n, 0n)).toThrowError(expect.objectContaining({ code: 'DIVISOR_NOT_POSITIVE' }))
    expect(() => floorDiv(1n, -3n)).toThrowError(expect.objectContaining({ code: 'DIVISOR_NOT_POSITIVE', details: { divisor: -3n } }))
  })
})

describe('ceilDiv', () => {
  it('default', () => {
    expect(ceilDiv(7n, 2n)).toBe(4n)
    expect(ceilDiv(6n, 2n)).toBe(3n)
    expect(ceilDiv(-7n, 2n)).toBe(-3n)
    expect(ceilDiv(1n, 10_000n)).toBe(1n)
    expect(ceilDiv(0n, 3n)).toBe(0n)
  })

  it('error: divisor zero', () => {
    expect(() => ceilDiv(1n, 0n)).toThrowError(expect.objectContaining({ code: 'DIVISOR_NOT_POSITIVE' }))
  })
})

describe('floorMod', () => {
  it('behavior: remainder of a negative numerator is non-negative', () => {
    expect(floorMod(-7n, 2n)).toBe(1n)
    expect(floorMod(-6n, 3n)).toBe(0n)
  })
})

describe('mulDivDown / mulDivUp', () => {
  it('behavior: fee on a notional rounds down, margin requirement rounds up', () => {
    expect(mulDivDown(12_345n, 5n, 10_000n)).toBe(6n)
    expect(mulDivUp(12_345n, 5n, 10_000n)).toBe(7n)
    expect(mulDivDown(-12_345n, 5n, 10_000n)).toBe(-7n)
    expect(mulDivUp(-12_345n, 5n, 10_000n)).toBe(-6n)
  })
})
