import { describe, expect, it } from 'vitest'
import { bytesToScalars, FR, hashToField, invR, powR, scalarsToBytes } from './field.ts'

describe('hashToField', () => {
  it('behavior: deterministic, label-separated, in [1, r)', () => {
    const tau = hashToField('zkperp/dev-setup/tau', 'seed')
    expect(hashToField('zkperp/dev-setup/tau', 'seed')).toBe(tau)
    expect(hashToField('zkperp/dev-setup/alpha', 'seed')).not.toBe(tau)
    expect(hashToField('zkperp/dev-setup/tau', 'seed2')).not.toBe(tau)
    expect(tau > 0n && tau < FR).toBe(true)
  })
})

describe('invR', () => {
  it('behavior: x · x⁻¹ = 1 and Fermat holds', () => {
    for (const value of [1n, 2n, 12345678901234567890n, FR - 1n]) expect((value * invR(value)) % FR).toBe(1n)
    expect(powR(7n, FR - 1n)).toBe(1n)
  })

  it('error: zero has no inverse', () => {
    expect(() => invR(0n)).toThrow(RangeError)
    expect(() => invR(FR)).toThrow(RangeError)
  })
})

describe('scalarsToBytes', () => {
  it('behavior: 32-byte little-endian words that round-trip', () => {
    const values = [0n, 1n, 256n, FR - 1n, (1n << 255n) + 3n]
    const bytes = scalarsToBytes(values)
    expect(bytes.length).toBe(32 * values.length)
    expect(bytes[32]).toBe(1) // 1n, least significant byte first
    expect(bytes[64 + 1]).toBe(1) // 256n
    expect(bytesToScalars(bytes)).toEqual(values)
  })
})
