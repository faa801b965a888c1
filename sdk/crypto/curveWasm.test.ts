import { describe, expect, it } from 'vitest'
import {
  addExtended,
  BASE8,
  extendedIdentity,
  mulExtended,
  mulPointReference,
  SUBGROUP_ORDER,
  toAffine,
  toExtended,
} from './babyJubJub.ts'
import {
  allocatePoints,
  isIdentityPoint,
  mulBaseWasm,
  mulPointWasm,
  multiScalarMultiplyWasm,
  padd,
  pdbl,
  POINT_BYTES,
  powEighthRoot,
  readPoint,
  writePoint,
} from './curveWasm.ts'
import { FIELD_MODULUS as p, powField } from './field.ts'
import { GENERATOR, LOW_ORDER_POINTS } from './testCurve.ts'
import { bytesToBigInt, randomBytes, randomFieldElements } from './testRandom.ts'

const scratch = allocatePoints(3)
const [first, second, result] = [scratch, scratch + POINT_BYTES, scratch + 2 * POINT_BYTES]
const scalar = (label: string, bits = 256) => bytesToBigInt(randomBytes(bits / 8, label))

describe('curveWasm', () => {
  it('behavior: padd and pdbl match the bigint formulas, with aliasing', () => {
    const P = mulPointReference(GENERATOR, 11n)
    const Q = mulPointReference(GENERATOR, 29n)
    writePoint(first, P)
    writePoint(second, Q)
    padd(result, first, second)
    expect(readPoint(result)).toEqual(mulPointReference(GENERATOR, 40n))
    padd(first, first, first)
    expect(readPoint(first)).toEqual(mulPointReference(GENERATOR, 22n))
    pdbl(first, first)
    expect(readPoint(first)).toEqual(mulPointReference(GENERATOR, 44n))
    for (const T of LOW_ORDER_POINTS) {
      writePoint(first, T)
      pdbl(first, first)
      pdbl(first, first)
      pdbl(first, first)
      expect(isIdentityPoint(first)).toBe(true)
    }
  })

  it('behavior: variable-base and fixed-base multiplication match the bigint reference', () => {
    for (let i = 0; i < 8; i++) {
      const k = scalar(`cw-mul-${i}`)
      writePoint(first, GENERATOR)
      mulPointWasm(result, first, k)
      expect(readPoint(result)).toEqual(mulPointReference(GENERATOR, k))
      mulBaseWasm(result, k)
      expect(readPoint(result)).toEqual(mulPointReference(BASE8, k % SUBGROUP_ORDER))
    }
    mulBaseWasm(result, 0n)
    expect(isIdentityPoint(result)).toBe(true)
  })

  it('behavior: multi-scalar multiplication equals the sum of products for every window size', () => {
    for (const count of [1, 3, 10, 40, 200]) {
      const points = allocatePoints(count)
      const offsets: number[] = []
      const scalars: bigint[] = []
      let expected = extendedIdentity()
      for (let i = 0; i < count; i++) {
        const point = mulPointReference(GENERATOR, BigInt(i * 7 + 1))
        const k = scalar(`msm-${count}-${i}`, i % 2 === 0 ? 128 : 256)
        writePoint(points + i * POINT_BYTES, point)
        offsets.push(points + i * POINT_BYTES)
        scalars.push(k)
        expected = addExtended(expected, mulExtended(toExtended(point), k))
      }
      multiScalarMultiplyWasm(result, offsets, scalars)
      expect(readPoint(result)).toEqual(toAffine(expected))
    }
  })

  it('behavior: powEighthRoot equals bigint exponentiation', () => {
    for (const value of [0n, 1n, p - 1n, ...randomFieldElements(20, 'pow')]) {
      expect(powEighthRoot(value)).toBe(powField(value, (p - 1n) / 8n))
    }
  })
})
