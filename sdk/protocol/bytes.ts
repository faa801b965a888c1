/** Big-endian unsigned integer ↔ byte helpers shared by the field and pubdata encodings. */
import { ByteLengthError } from './errors.ts'

/** `value` as exactly `length` big-endian bytes. The caller guarantees 0 ≤ value < 2^(8·length). */
export function writeUintBE(target: Uint8Array, offset: number, value: bigint, length: number): void {
  let remaining = value
  for (let i = offset + length - 1; i >= offset; i--) {
    target[i] = Number(remaining & 0xffn)
    remaining >>= 8n
  }
}

export function readUintBE(source: Uint8Array, offset: number, length: number): bigint {
  let value = 0n
  for (let i = offset; i < offset + length; i++) value = (value << 8n) | BigInt(source[i]!)
  return value
}

export function fitsUnsigned(value: bigint, bytes: number): boolean {
  return value >= 0n && value < 1n << BigInt(8 * bytes)
}

export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`
}

/** Strict: `0x` prefix, an even number of hex digits. */
export function hexToBytes(hex: string): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new ByteLengthError('hex string', hex.length, -1)
  return new Uint8Array(Buffer.from(hex.slice(2), 'hex'))
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0)
  const result = new Uint8Array(total)
  let offset = 0
  for (const part of parts) {
    result.set(part, offset)
    offset += part.length
  }
  return result
}
