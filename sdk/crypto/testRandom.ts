/**
 * Deterministic randomness for the differential tests: each case is reproducible from its label, so a failing
 * case can be rerun alone. SHA-256 in counter mode; not for keys outside tests.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { FIELD_MODULUS } from './field.ts'

export function randomBytes(length: number, label: string): Uint8Array {
  const out = new Uint8Array(length)
  const encoder = new TextEncoder()
  for (let offset = 0, counter = 0; offset < length; counter++) {
    const block = sha256(encoder.encode(`${label}/${counter}`))
    out.set(block.subarray(0, Math.min(32, length - offset)), offset)
    offset += 32
  }
  return out
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value
}

/** `count` field elements, uniform up to negligible bias (64 extra bits before reduction). */
export function randomFieldElements(count: number, label: string): bigint[] {
  return Array.from({ length: count }, (_, i) => bytesToBigInt(randomBytes(40, `${label}/${i}`)) % FIELD_MODULUS)
}
