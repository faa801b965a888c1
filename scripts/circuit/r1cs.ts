import { readFile } from 'node:fs/promises'
import { BaseError } from '../../sdk/errors.ts'

/** The BN254 scalar field order r: circom's default prime and Groth16's Fr. */
export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

export class R1csFormatError extends BaseError {
  static readonly code = 'R1CS_FORMAT' as const
  override readonly name = 'Circuit.R1csFormatError'
  constructor(path: string, reason: string) {
    super(R1csFormatError.code, `not a readable bn128 r1cs file: ${reason}`, { details: { path, reason } })
  }
}

/** The r1cs header (section 1), as circom writes it. */
export type R1csHeader = {
  fieldBytes: number
  prime: bigint
  wires: number
  publicOutputs: number
  publicInputs: number
  privateInputs: number
  labels: number
  constraints: number
}

/** One linear combination: parallel arrays of wire ids and coefficients (normal form, < r). */
export type LinearCombination = { wires: Uint32Array; coefficients: bigint[] }

export type R1csConstraint = { a: LinearCombination; b: LinearCombination; c: LinearCombination }

export type R1cs = R1csHeader & { constraintList: R1csConstraint[] }

type SectionTable = Map<number, { offset: number; size: number }>

function readSectionTable(bytes: Uint8Array, path: string): SectionTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const magic = String.fromCharCode(...bytes.subarray(0, 4))
  if (magic !== 'r1cs') throw new R1csFormatError(path, `magic is ${JSON.stringify(magic)}`)
  const sectionCount = view.getUint32(8, true)
  const table: SectionTable = new Map()
  let position = 12
  for (let index = 0; index < sectionCount; index++) {
    const type = view.getUint32(position, true)
    const size = Number(view.getBigUint64(position + 4, true))
    table.set(type, { offset: position + 12, size })
    position += 12 + size
  }
  return table
}

function parseHeader(bytes: Uint8Array, offset: number, path: string): R1csHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const fieldBytes = view.getUint32(offset, true)
  const prime = readLittleEndian(bytes, offset + 4, fieldBytes)
  if (prime !== BN254_R) throw new R1csFormatError(path, 'prime is not the bn128 scalar field')
  let position = offset + 4 + fieldBytes
  const wires = view.getUint32(position, true)
  const publicOutputs = view.getUint32(position + 4, true)
  const publicInputs = view.getUint32(position + 8, true)
  const privateInputs = view.getUint32(position + 12, true)
  const labels = Number(view.getBigUint64(position + 16, true))
  position += 24
  const constraints = view.getUint32(position, true)
  return { fieldBytes, prime, wires, publicOutputs, publicInputs, privateInputs, labels, constraints }
}

/** log2 of the Groth16 domain: the smallest power of two strictly above constraints + public signals (as snarkjs). */
export function domainPower(constraints: number, publicSignals: number): number {
  return Math.floor(Math.log2(constraints + publicSignals)) + 1
}

/** Little-endian bytes to bigint (32-byte words, the bn128 case, read as four 64-bit limbs). */
export function readLittleEndian(bytes: Uint8Array, offset: number, length: number): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (length === 32) {
    return (
      view.getBigUint64(offset, true) |
      (view.getBigUint64(offset + 8, true) << 64n) |
      (view.getBigUint64(offset + 16, true) << 128n) |
      (view.getBigUint64(offset + 24, true) << 192n)
    )
  }
  let value = 0n
  for (let index = offset + length - 1; index >= offset; index--) value = (value << 8n) | BigInt(view.getUint8(index))
  return value
}

/** Reads only the header: constraint, wire and public counts, for `info.json` and logs. */
export async function readR1csHeader(path: string): Promise<R1csHeader> {
  const bytes = new Uint8Array(await readFile(path))
  const header = readSectionTable(bytes, path).get(1)
  if (header === undefined) throw new R1csFormatError(path, 'no header section')
  return parseHeader(bytes, header.offset, path)
}

/** Reads the header and every constraint. Coefficients stay in normal form (circom writes them so). */
export async function readR1cs(path: string): Promise<R1cs> {
  const bytes = new Uint8Array(await readFile(path))
  const table = readSectionTable(bytes, path)
  const headerSection = table.get(1)
  const constraintSection = table.get(2)
  if (headerSection === undefined || constraintSection === undefined) {
    throw new R1csFormatError(path, 'missing header or constraint section')
  }
  const header = parseHeader(bytes, headerSection.offset, path)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const n8 = header.fieldBytes
  let position = constraintSection.offset
  const readCombination = (): LinearCombination => {
    const count = view.getUint32(position, true)
    position += 4
    const wires = new Uint32Array(count)
    const coefficients = new Array<bigint>(count)
    for (let index = 0; index < count; index++) {
      wires[index] = view.getUint32(position, true)
      coefficients[index] = readLittleEndian(bytes, position + 4, n8)
      position += 4 + n8
    }
    return { wires, coefficients }
  }
  const constraintList = new Array<R1csConstraint>(header.constraints)
  for (let index = 0; index < header.constraints; index++) {
    const a = readCombination()
    const b = readCombination()
    const c = readCombination()
    constraintList[index] = { a, b, c }
  }
  if (position !== constraintSection.offset + constraintSection.size) {
    throw new R1csFormatError(path, 'constraint section length does not match its contents')
  }
  return { ...header, constraintList }
}
