/**
 * Reading and editing snarkjs `.wtns` files in memory, for forged-witness tests: a prover controls every witness
 * value, so a circuit is only as sound as the constraints that reject an edited one.
 *
 * Layout (binfile "wtns" v2): magic, u32 version, u32 section count, then sections {u32 type, u64 size, bytes}.
 * Section 1 = {u32 n8, q (n8 bytes LE), u32 witness count}; section 2 = the witness values, n8 bytes LE each.
 */
import { readFileSync } from 'node:fs'
import { BaseError } from '../../sdk/errors.ts'

export class WitnessFileError extends BaseError {
  static readonly code = 'WITNESS_FILE_INVALID' as const
  override readonly name = 'WitnessFile.WitnessFileError'
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(WitnessFileError.code, `invalid witness file: ${reason}`, { details })
  }
}

export class SignalNotFoundError extends BaseError {
  static readonly code = 'SIGNAL_NOT_FOUND' as const
  override readonly name = 'WitnessFile.SignalNotFoundError'
  constructor(pattern: string, matches: readonly string[]) {
    super(SignalNotFoundError.code, 'no single witness signal matches', { details: { pattern, matches } })
  }
}

type WitnessLayout = { n8: number; count: number; valuesOffset: number }

function readLayout(bytes: Uint8Array): WitnessLayout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'wtns') throw new WitnessFileError('bad magic')
  const sectionCount = view.getUint32(8, true)
  let offset = 12
  let n8: number | undefined
  let count: number | undefined
  let valuesOffset: number | undefined
  for (let section = 0; section < sectionCount; section++) {
    const type = view.getUint32(offset, true)
    const size = Number(view.getBigUint64(offset + 4, true))
    const start = offset + 12
    if (type === 1) {
      n8 = view.getUint32(start, true)
      count = view.getUint32(start + 4 + n8, true)
    } else if (type === 2) {
      valuesOffset = start
    }
    offset = start + size
  }
  if (n8 === undefined || count === undefined || valuesOffset === undefined) throw new WitnessFileError('missing section', { n8, count, valuesOffset })
  return { n8, count, valuesOffset }
}

export function readWitnessValues(bytes: Uint8Array): bigint[] {
  const { n8, count, valuesOffset } = readLayout(bytes)
  const values: bigint[] = []
  for (let index = 0; index < count; index++) {
    let value = 0n
    for (let byte = n8 - 1; byte >= 0; byte--) value = (value << 8n) | BigInt(bytes[valuesOffset + index * n8 + byte] as number)
    values.push(value)
  }
  return values
}

/** A copy of `bytes` with the given witness values replaced (written as is: pass field elements below p). */
export function editWitnessValues(bytes: Uint8Array, edits: Iterable<readonly [index: number, value: bigint]>): Uint8Array {
  const { n8, count, valuesOffset } = readLayout(bytes)
  const edited = Uint8Array.from(bytes)
  for (const [index, value] of edits) {
    if (index < 0 || index >= count) throw new WitnessFileError('witness index out of range', { index, count })
    let rest = value
    for (let byte = 0; byte < n8; byte++) {
      edited[valuesOffset + index * n8 + byte] = Number(rest & 0xffn)
      rest >>= 8n
    }
  }
  return edited
}

/**
 * The witness index of the one signal whose `.sym` name matches `pattern` (anonymous components get compiler
 * suffixes such as `ComputeQuaternaryMerkleRoot_20_1252`, so callers match on the stable tail of the name).
 * Signals optimised away (witness index -1) are skipped.
 */
export function findWitnessIndex(symPath: string, pattern: RegExp): number {
  const matches: { name: string; index: number }[] = []
  for (const line of readFileSync(symPath, 'utf8').split('\n')) {
    const [, witnessIndex, , name] = line.split(',')
    if (name === undefined || witnessIndex === undefined || witnessIndex === '-1') continue
    if (pattern.test(name)) matches.push({ name, index: Number(witnessIndex) })
  }
  const [match] = matches
  if (match === undefined || matches.length > 1) throw new SignalNotFoundError(pattern.source, matches.map((item) => item.name))
  return match.index
}
