/**
 * The BN254 scalar field F_r: the field circom computes in, Poseidon's field and BabyJubJub's base field.
 * Plain bigint helpers; the hot loops (Poseidon, curve arithmetic) use the WebAssembly kernel in `wasmField.ts`.
 */
import { FieldElementOutOfRangeError } from './errors.ts'

/** r = 21888242871839275222246405745257275088548364400416034343698204186575808495617 */
export const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n

export function isFieldElement(value: bigint): boolean {
  return value >= 0n && value < FIELD_MODULUS
}

/** Throws FIELD_ELEMENT_OUT_OF_RANGE unless `value` ∈ [0, r). `what` names the value in the error. */
export function assertFieldElement(value: bigint, what = 'value'): void {
  if (value < 0n || value >= FIELD_MODULUS) throw new FieldElementOutOfRangeError(value, what)
}

export function modField(value: bigint): bigint {
  const reduced = value % FIELD_MODULUS
  return reduced < 0n ? reduced + FIELD_MODULUS : reduced
}

export function addField(a: bigint, b: bigint): bigint {
  const sum = a + b
  return sum >= FIELD_MODULUS ? sum - FIELD_MODULUS : sum
}

export function subField(a: bigint, b: bigint): bigint {
  const difference = a - b
  return difference < 0n ? difference + FIELD_MODULUS : difference
}

export function mulField(a: bigint, b: bigint): bigint {
  return (a * b) % FIELD_MODULUS
}

/** a^exponent mod r by square-and-multiply. */
export function powField(base: bigint, exponent: bigint): bigint {
  let result = 1n
  let square = modField(base)
  let remaining = exponent
  while (remaining > 0n) {
    if (remaining & 1n) result = (result * square) % FIELD_MODULUS
    square = (square * square) % FIELD_MODULUS
    remaining >>= 1n
  }
  return result
}

/** Multiplicative inverse via the extended Euclidean algorithm; inverse of 0 is an invariant break. */
export function invertField(value: bigint): bigint {
  let a = modField(value)
  if (a === 0n) throw new FieldElementOutOfRangeError(0n, 'inverse of zero')
  let m = FIELD_MODULUS
  let x0 = 0n
  let x1 = 1n
  while (a > 1n) {
    const quotient = a / m
    ;[a, m] = [m, a - quotient * m]
    ;[x0, x1] = [x1 - quotient * x0, x0]
  }
  return x1 < 0n ? x1 + FIELD_MODULUS : x1
}

/** Square root mod r (Tonelli–Shanks; r − 1 = 2^28 · q), or undefined for a non-residue. */
export function sqrtField(value: bigint): bigint | undefined {
  const n = modField(value)
  if (n === 0n) return 0n
  if (powField(n, (FIELD_MODULUS - 1n) >> 1n) !== 1n) return undefined
  let twoAdicity = 0n
  let q = FIELD_MODULUS - 1n
  while ((q & 1n) === 0n) {
    q >>= 1n
    twoAdicity += 1n
  }
  let nonResidue = 2n
  while (powField(nonResidue, (FIELD_MODULUS - 1n) >> 1n) !== FIELD_MODULUS - 1n) nonResidue += 1n
  let m = twoAdicity
  let c = powField(nonResidue, q)
  let t = powField(n, q)
  let root = powField(n, (q + 1n) >> 1n)
  while (t !== 1n) {
    let i = 0n
    let t2 = t
    while (t2 !== 1n) {
      t2 = (t2 * t2) % FIELD_MODULUS
      i += 1n
    }
    const b = powField(c, 1n << (m - i - 1n))
    m = i
    c = (b * b) % FIELD_MODULUS
    t = (t * c) % FIELD_MODULUS
    root = (root * b) % FIELD_MODULUS
  }
  return root
}
