/**
 * Poseidon hash with circomlib's parameters, 1..16 inputs, synchronous: byte-for-byte the value of circomlib's
 * `Poseidon(n)` template and circomlibjs `buildPoseidon()`.
 */
import { PoseidonInputCountError } from './errors.ts'
import { assertFieldElement } from './field.ts'
import { MAX_INPUTS } from './poseidonConstants.ts'
import { poseidonWasm } from './poseidonWasm.ts'

/**
 * Hash 1..16 field elements. Throws POSEIDON_INPUT_COUNT for another count and FIELD_ELEMENT_OUT_OF_RANGE for an
 * input outside [0, r) (circomlibjs would silently reduce it; a value that is not what the circuit sees is a bug).
 */
export function poseidon(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1 || inputs.length > MAX_INPUTS) throw new PoseidonInputCountError(inputs.length)
  for (let i = 0; i < inputs.length; i++) assertFieldElement(inputs[i]!, `poseidon input ${i}`)
  return poseidonWasm(inputs)
}

/** Poseidon without the input checks, for callers whose inputs are field elements by construction. */
export function poseidonUnchecked(inputs: readonly bigint[]): bigint {
  return poseidonWasm(inputs)
}
