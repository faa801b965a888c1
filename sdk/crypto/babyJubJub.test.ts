import { beforeAll, describe, expect, it } from 'vitest'
import {
  addPoints,
  BASE8,
  CURVE_ORDER,
  IDENTITY,
  isInPrimeSubgroup,
  isInPrimeSubgroupByMultiplication,
  isLowOrder,
  isOnCurve,
  mulBase,
  mulPoint,
  negatePoint,
  packPoint,
  SUBGROUP_ORDER,
  unpackPoint,
} from './babyJubJub.ts'
import { type CircomlibOracle, loadCircomlibOracle } from './circomlibjsOracle.ts'
import { PackedPointError } from './errors.ts'
import { FIELD_MODULUS } from './field.ts'
import { GENERATOR, LOW_ORDER_POINTS, TORSION8, withTorsion } from './testCurve.ts'
import { bytesToBigInt, randomBytes } from './testRandom.ts'

let circomlib: CircomlibOracle
const CASES = Number(process.env['ZKPERP_DIFFERENTIAL_CASES'] ?? '64')
const randomScalar = (label: string) => bytesToBigInt(randomBytes(40, label)) % CURVE_ORDER

beforeAll(async () => {
  circomlib = await loadCircomlibOracle()
})

describe('BabyJubJub', () => {
  it('default: BASE8 = 8·Generator, on the curve, in G_l; Generator has order 8l', () => {
    expect(isOnCurve(BASE8)).toBe(true)
    expect(mulPoint(GENERATOR, 8n)).toEqual(BASE8)
    expect(mulPoint(BASE8, SUBGROUP_ORDER)).toEqual(IDENTITY)
    expect(mulPoint(GENERATOR, CURVE_ORDER)).toEqual(IDENTITY)
    expect(mulPoint(GENERATOR, SUBGROUP_ORDER * 4n)).not.toEqual(IDENTITY)
  })

  it('behavior: fixed-base and variable-base multiplication equal circomlibjs', () => {
    for (let i = 0; i < CASES / 4; i++) {
      const scalar = randomScalar(`mul-${i}`)
      const expected = circomlib.mulPoint(BASE8, scalar)
      expect(mulBase(scalar)).toEqual(expected)
      expect(mulPoint(BASE8, scalar)).toEqual(expected)
      expect(mulPoint(GENERATOR, scalar)).toEqual(circomlib.mulPoint(GENERATOR, scalar))
    }
    expect(mulBase(0n)).toEqual(IDENTITY)
    expect(mulBase(SUBGROUP_ORDER)).toEqual(IDENTITY)
    expect(mulBase(SUBGROUP_ORDER + 5n)).toEqual(mulBase(5n))
  }, 3_600_000)

  it('behavior: addition is complete (doubling, inverse, identity, torsion points)', () => {
    const P = mulBase(12345n)
    expect(addPoints(P, P)).toEqual(mulBase(24690n))
    expect(addPoints(P, negatePoint(P))).toEqual(IDENTITY)
    expect(addPoints(P, IDENTITY)).toEqual(P)
    for (const T of LOW_ORDER_POINTS) {
      expect(addPoints(T, T)).toEqual(circomlib.addPoint(T, T))
      expect(addPoints(P, T)).toEqual(circomlib.addPoint(P, T))
    }
  })

  it('behavior: low-order points are exactly the eight multiples of T8', () => {
    expect(new Set(LOW_ORDER_POINTS.map((point) => `${point.x},${point.y}`)).size).toBe(8)
    for (const point of LOW_ORDER_POINTS) {
      expect(isOnCurve(point)).toBe(true)
      expect(isLowOrder(point)).toBe(true)
    }
    expect(isLowOrder(BASE8)).toBe(false)
    expect(isLowOrder(withTorsion(BASE8, 3))).toBe(false)
  })

  it('behavior: the Tate-pairing subgroup test agrees with l·P = O on every torsion class', () => {
    for (let i = 0; i < CASES / 4; i++) {
      const inside = mulBase(randomScalar(`sub-${i}`))
      for (let k = 0; k < 8; k++) {
        const point = withTorsion(inside, k)
        const expected = k === 0
        expect(isInPrimeSubgroupByMultiplication(point), `k=${k}`).toBe(expected)
        expect(isInPrimeSubgroup(point), `k=${k}`).toBe(expected)
      }
    }
    for (const [k, point] of LOW_ORDER_POINTS.entries()) expect(isInPrimeSubgroup(point)).toBe(k === 0)
    expect(isInPrimeSubgroup(GENERATOR)).toBe(false)
    expect(isInPrimeSubgroup(TORSION8)).toBe(false)
    expect(isInPrimeSubgroup({ x: 1n, y: 2n })).toBe(false)
  }, 3_600_000)

  it('behavior: packPoint equals circomlibjs and unpackPoint inverts it', () => {
    for (let i = 0; i < CASES / 2; i++) {
      const point = mulBase(randomScalar(`pack-${i}`))
      const packed = packPoint(point)
      expect(Buffer.from(packed).toString('hex')).toBe(Buffer.from(circomlib.packPoint(point)).toString('hex'))
      expect(unpackPoint(packed)).toEqual(point)
      expect(circomlib.unpackPoint(packed.slice())).toEqual(point)
      const negated = negatePoint(point)
      expect(unpackPoint(packPoint(negated))).toEqual(negated)
    }
    expect(unpackPoint(packPoint(IDENTITY))).toEqual(IDENTITY)
  }, 3_600_000)

  it('error: unpackPoint rejects bad lengths, y ≥ r and y with no point', () => {
    expect(() => unpackPoint(new Uint8Array(31))).toThrow(PackedPointError)
    const tooBig = new Uint8Array(32)
    let y = FIELD_MODULUS
    for (let i = 0; i < 32; i++, y >>= 8n) tooBig[i] = Number(y & 0xffn)
    expect(() => unpackPoint(tooBig)).toThrow(PackedPointError)
    let rejected = 0
    for (let value = 2; value < 40; value++) {
      const bytes = new Uint8Array(32)
      bytes[0] = value
      try {
        const point = unpackPoint(bytes)
        expect(isOnCurve(point)).toBe(true)
      } catch (error) {
        expect(error).toBeInstanceOf(PackedPointError)
        expect(circomlib.unpackPoint(bytes.slice())).toBeNull()
        rejected++
      }
    }
    expect(rejected).toBeGreaterThan(0)
  })
})
