import { sha512 } from '@noble/hashes/sha2.js'
import { BN254_R } from './r1cs.ts'
import type { Bn128Curve } from './vendor.ts'

/** Fr arithmetic on bigint (scalars of the setup are few enough that clarity beats speed, except the FFTs). */
export const FR = BN254_R
/** Bytes of one Fr element or Fq coordinate. */
export const FIELD_BYTES = 32
/** R = 2^256 mod r: the Montgomery radix ffjavascript uses for Fr. */
export const MONTGOMERY_R = (1n << 256n) % FR

export function modR(value: bigint): bigint {
  const reduced = value % FR
  return reduced < 0n ? reduced + FR : reduced
}

export function powR(base: bigint, exponent: bigint): bigint {
  let result = 1n
  let square = modR(base)
  let remaining = exponent
  while (remaining > 0n) {
    if ((remaining & 1n) === 1n) result = (result * square) % FR
    square = (square * square) % FR
    remaining >>= 1n
  }
  return result
}

export function invR(value: bigint): bigint {
  if (modR(value) === 0n) throw new RangeError('zero has no inverse in Fr')
  return powR(value, FR - 2n)
}

/** [1, x, x^2, …, x^(count-1)] mod r. */
export function powersOf(x: bigint, count: number): bigint[] {
  const powers = new Array<bigint>(count)
  let current = 1n
  for (let index = 0; index < count; index++) {
    powers[index] = current
    current = (current * x) % FR
  }
  return powers
}

/**
 * A non-zero Fr element from a label and a seed: sha512(label ‖ 0 ‖ seed ‖ 0 ‖ counter) mod r. 512 bits reduced
 * mod a 254-bit prime leaves no usable bias; the counter only moves on the (2^-254) zero case.
 */
export function hashToField(label: string, seed: string): bigint {
  for (let counter = 0; ; counter++) {
    const digest = sha512(new TextEncoder().encode(`${label}\0${seed}\0${counter}`))
    const value = modR(BigInt(`0x${Buffer.from(digest).toString('hex')}`))
    if (value !== 0n) return value
  }
}

const MASK_64 = (1n << 64n) - 1n

/** Writes values (each < 2^256) as consecutive 32-byte little-endian words. */
export function scalarsToBytes(values: readonly bigint[]): Uint8Array {
  const bytes = new Uint8Array(values.length * FIELD_BYTES)
  const view = new DataView(bytes.buffer)
  for (let index = 0; index < values.length; index++) {
    const value = values[index] ?? 0n
    const offset = index * FIELD_BYTES
    view.setBigUint64(offset, value & MASK_64, true)
    view.setBigUint64(offset + 8, (value >> 64n) & MASK_64, true)
    view.setBigUint64(offset + 16, (value >> 128n) & MASK_64, true)
    view.setBigUint64(offset + 24, value >> 192n, true)
  }
  return bytes
}

export function bytesToScalars(bytes: Uint8Array): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const count = bytes.byteLength / FIELD_BYTES
  const values = new Array<bigint>(count)
  for (let index = 0; index < count; index++) {
    const offset = index * FIELD_BYTES
    values[index] =
      view.getBigUint64(offset, true) |
      (view.getBigUint64(offset + 8, true) << 64n) |
      (view.getBigUint64(offset + 16, true) << 128n) |
      (view.getBigUint64(offset + 24, true) << 192n)
  }
  return values
}

/**
 * The Lagrange basis of the size-n domain evaluated at tau, from the monomials [tau^0 … tau^(n-1)]: their inverse
 * FFT (ffjavascript's Fr FFT, the one snarkjs uses to prepare phase 2, so the ordering matches).
 */
export async function inverseFft(curve: Bn128Curve, values: readonly bigint[]): Promise<bigint[]> {
  const montgomery = await curve.Fr.batchToMontgomery(scalarsToBytes(values))
  const transformed = await curve.Fr.ifft(montgomery)
  return bytesToScalars(await curve.Fr.batchFromMontgomery(transformed))
}
