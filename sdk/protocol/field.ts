/**
 * Signed integers in the BN254 scalar field (docs/protocol.md §1): x lives as `x mod p` (negative = p − |x|), and
 * the circuit range-checks a signed n-bit value as `x + 2^(n−1) ∈ [0, 2^n)`. Field elements travel as 32-byte
 * big-endian words (state roots in the batch commitment, Solidity `bytes32`).
 */
import { FieldElementOutOfRangeError } from '../crypto/errors.ts'
import { FIELD_MODULUS } from '../crypto/field.ts'
import { readUintBE, writeUintBE } from './bytes.ts'
import { ByteLengthError, SignedFieldElementOutOfRangeError } from './errors.ts'

export { FIELD_MODULUS }

/** (p − 1) / 2: the largest magnitude a signed value may have to round-trip through the field. */
export const MAX_SIGNED_FIELD_MAGNITUDE = (FIELD_MODULUS - 1n) / 2n

/** A signed integer as its field element. Throws FIELD_ELEMENT_OUT_OF_RANGE if |value| > (p − 1)/2. */
export function toFieldElement(value: bigint): bigint {
  if (value > MAX_SIGNED_FIELD_MAGNITUDE || value < -MAX_SIGNED_FIELD_MAGNITUDE) {
    throw new FieldElementOutOfRangeError(value, 'signed value')
  }
  return value < 0n ? value + FIELD_MODULUS : value
}

/**
 * The signed integer a field element stands for, accepted only in the circuit's signed `bits`-bit range
 * [−2^(bits−1), 2^(bits−1)). Throws FIELD_ELEMENT_OUT_OF_RANGE outside [0, p) and
 * SIGNED_FIELD_ELEMENT_OUT_OF_RANGE outside the signed range.
 */
export function fromFieldElement(element: bigint, bits: number): bigint {
  if (element < 0n || element >= FIELD_MODULUS) throw new FieldElementOutOfRangeError(element, 'field element')
  if (!Number.isInteger(bits) || bits < 1 || bits > 253) throw new SignedFieldElementOutOfRangeError(element, bits)
  const half = 1n << BigInt(bits - 1)
  if (element < half) return element
  const negative = element - FIELD_MODULUS
  if (negative >= -half) return negative
  throw new SignedFieldElementOutOfRangeError(element, bits)
}

/** A field element as 32 big-endian bytes. */
export function fieldElementToBytes(element: bigint): Uint8Array {
  if (element < 0n || element >= FIELD_MODULUS) throw new FieldElementOutOfRangeError(element, 'field element')
  const bytes = new Uint8Array(32)
  writeUintBE(bytes, 0, element, 32)
  return bytes
}

/** 32 big-endian bytes as a field element; rejects other lengths and values ≥ p. */
export function bytesToFieldElement(bytes: Uint8Array): bigint {
  if (bytes.length !== 32) throw new ByteLengthError('field element', bytes.length, 32)
  const element = readUintBE(bytes, 0, 32)
  if (element >= FIELD_MODULUS) throw new FieldElementOutOfRangeError(element, 'field element')
  return element
}
