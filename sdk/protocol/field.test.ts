import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import {
  bytesToFieldElement,
  FIELD_MODULUS,
  fieldElementToBytes,
  fromFieldElement,
  MAX_SIGNED_FIELD_MAGNITUDE,
  toFieldElement,
} from './field.ts'

describe('toFieldElement', () => {
  it('default', () => {
    expect(toFieldElement(0n)).toBe(0n)
    expect(toFieldElement(5n)).toBe(5n)
    expect(toFieldElement(-1n)).toBe(FIELD_MODULUS - 1n)
    expect(toFieldElement(-(2n ** 63n) + 1n)).toBe(FIELD_MODULUS - 2n ** 63n + 1n)
  })

  it('error: magnitude above (p − 1)/2', () => {
    expect(toFieldElement(MAX_SIGNED_FIELD_MAGNITUDE)).toBe(MAX_SIGNED_FIELD_MAGNITUDE)
    expect(() => toFieldElement(MAX_SIGNED_FIELD_MAGNITUDE + 1n)).toThrowError(
      expect.objectContaining({ code: 'FIELD_ELEMENT_OUT_OF_RANGE' }),
    )
    expect(() => toFieldElement(-MAX_SIGNED_FIELD_MAGNITUDE - 1n)).toThrowError(
      expect.objectContaining({ code: 'FIELD_ELEMENT_OUT_OF_RANGE' }),
    )
  })
})

describe('fromFieldElement', () => {
  it('behavior: accepts exactly the circuit range x + 2^(n−1) ∈ [0, 2^n)', () => {
    expect(fromFieldElement(2n ** 63n - 1n, 64)).toBe(2n ** 63n - 1n)
    expect(fromFieldElement(FIELD_MODULUS - 2n ** 63n, 64)).toBe(-(2n ** 63n))
    expect(() => fromFieldElement(2n ** 63n, 64)).toThrowError(
      expect.objectContaining({ code: 'SIGNED_FIELD_ELEMENT_OUT_OF_RANGE', details: { value: 2n ** 63n, bits: 64 } }),
    )
    expect(() => fromFieldElement(FIELD_MODULUS - 2n ** 63n - 1n, 64)).toThrowError(
      expect.objectContaining({ code: 'SIGNED_FIELD_ELEMENT_OUT_OF_RANGE' }),
    )
  })

  it('error: not a field element', () => {
    expect(() => fromFieldElement(FIELD_MODULUS, 64)).toThrowError(
      expect.objectContaining({ code: 'FIELD_ELEMENT_OUT_OF_RANGE' }),
    )
    expect(() => fromFieldElement(-1n, 64)).toThrowError(expect.objectContaining({ code: 'FIELD_ELEMENT_OUT_OF_RANGE' }))
  })

  test.prop([fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })])('behavior: round-trips signed 64-bit values', (value) => {
    expect(fromFieldElement(toFieldElement(value), 64)).toBe(value)
  })
})

describe('fieldElementToBytes', () => {
  it('behavior: 32 bytes big-endian', () => {
    const bytes = fieldElementToBytes(0x0102n)
    expect(bytes.length).toBe(32)
    expect(bytes[30]).toBe(1)
    expect(bytes[31]).toBe(2)
    expect(bytesToFieldElement(fieldElementToBytes(FIELD_MODULUS - 1n))).toBe(FIELD_MODULUS - 1n)
  })

  it('error: value ≥ p or wrong length', () => {
    expect(() => fieldElementToBytes(FIELD_MODULUS)).toThrowError(expect.objectContaining({ code: 'FIELD_ELEMENT_OUT_OF_RANGE' }))
    const tooBig = new Uint8Array(32).fill(0xff)
    expect(() => bytesToFieldElement(tooBig)).toThrowError(expect.objectContaining({ code: 'FIELD_ELEMENT_OUT_OF_RANGE' }))
    expect(() => bytesToFieldElement(new Uint8Array(31))).toThrowError(
      expect.objectContaining({ code: 'BYTE_LENGTH_INVALID', details: { what: 'field element', length: 31, expected: 32 } }),
    )
  })

  test.prop([fc.bigInt({ min: 0n, max: FIELD_MODULUS - 1n })])('behavior: round-trips every field element', (element) => {
    expect(bytesToFieldElement(fieldElementToBytes(element))).toBe(element)
  })
})
