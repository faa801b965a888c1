/**
 * BabyJubJub (EIP-2494): the twisted Edwards curve a·x² + y² = 1 + d·x²·y² over F_r (BN254's scalar field),
 * a = 168700, d = 168696, order 8·l with l prime; the F_r-rational 8-torsion is cyclic (in Montgomery form
 * v² = u³ + 168698·u² + u, 168698² − 4 is a non-square, so (0, 0) is the only point of order 2).
 *
 * Points are affine `{ x, y }` at the API. Inside, extended coordinates (X : Y : Z : T) with x = X/Z, y = Y/Z,
 * T = X·Y/Z and the complete Hisil–Wong–Carter–Dawson formulas (a is a square and d a non-square in F_r, so addition
 * has no exceptional cases): no field inversion per point operation, one per conversion back to affine. The
 * bigint functions here are the readable reference; `mulBase`, `mulPoint`, `isLowOrder` and the subgroup test run
 * on the WebAssembly kernel (`curveWasm.ts`), which the signature code uses throughout.
 *
 * Subgroup membership: `l·P = O` is the definition (and the test oracle); the fast path is the reduced Tate pairing
 * with an 8-torsion point (Koshelev, "Subgroup membership testing on elliptic curves via the Tate pairing", 2022):
 * since 8 | r − 1 and E(F_r)[8] is cyclic, P ∈ 8·E(F_r) = G_l iff f_{8,T8}(P)^((r−1)/8) = 1. That costs one
 * exponentiation (~380 multiplications) instead of a 251-bit scalar multiplication (~2,400).
 */
import { CURVE_A, CURVE_D, type Point, SUBGROUP_ORDER, wnaf } from './curveParameters.ts'
import {
  allocatePoints,
  isIdentityPoint,
  mulBaseWasm,
  mulPointWasm,
  pdbl,
  POINT_BYTES,
  powEighthRoot,
  readPoint,
  writePoint,
} from './curveWasm.ts'
import { PackedPointError } from './errors.ts'
import { FIELD_MODULUS as p, invertField, powField, sqrtField } from './field.ts'

export type { Point } from './curveParameters.ts'
export { BASE8, CURVE_A, CURVE_D, CURVE_ORDER, IDENTITY, SUBGROUP_ORDER, wnaf } from './curveParameters.ts'
/** Extended twisted Edwards coordinates. */
export type ExtendedPoint = { X: bigint; Y: bigint; Z: bigint; T: bigint }

// ---------------------------------------------------------------------------------------------------------------
// Affine helpers

export function isOnCurve(point: Point): boolean {
  const { x, y } = point
  if (x < 0n || x >= p || y < 0n || y >= p) return false
  const x2 = (x * x) % p
  const y2 = (y * y) % p
  return (CURVE_A * x2 + y2) % p === (1n + ((CURVE_D * x2) % p) * y2) % p
}

export function pointsEqual(a: Point, b: Point): boolean {
  return a.x === b.x && a.y === b.y
}

export function negatePoint(point: Point): Point {
  return { x: point.x === 0n ? 0n : p - point.x, y: point.y }
}

// ---------------------------------------------------------------------------------------------------------------
// Extended coordinates

export function toExtended(point: Point): ExtendedPoint {
  return { X: point.x, Y: point.y, Z: 1n, T: (point.x * point.y) % p }
}

export function toAffine(point: ExtendedPoint): Point {
  const inverse = invertField(point.Z)
  return { x: (((point.X * inverse) % p) + p) % p, y: (((point.Y * inverse) % p) + p) % p }
}

export function extendedIdentity(): ExtendedPoint {
  return { X: 0n, Y: 1n, Z: 1n, T: 0n }
}

export function isExtendedIdentity(point: ExtendedPoint): boolean {
  return point.X % p === 0n && (point.Y - point.Z) % p === 0n
}

export function extendedEqual(a: ExtendedPoint, b: ExtendedPoint): boolean {
  return (a.X * b.Z - b.X * a.Z) % p === 0n && (a.Y * b.Z - b.Y * a.Z) % p === 0n
}

/** add-2008-hwcd: 9M + 1·d + 1·a; complete on BabyJubJub. */
export function addExtended(P: ExtendedPoint, Q: ExtendedPoint): ExtendedPoint {
  const A = (P.X * Q.X) % p
  const B = (P.Y * Q.Y) % p
  const C = (((CURVE_D * P.T) % p) * Q.T) % p
  const D = (P.Z * Q.Z) % p
  const E = ((P.X + P.Y) * (Q.X + Q.Y) - A - B) % p
  const F = D - C
  const G = D + C
  const H = B - CURVE_A * A
  return { X: (E * F) % p, Y: (G * H) % p, T: (E * H) % p, Z: (F * G) % p }
}

/** dbl-2008-hwcd: 4M + 4S + 1·a. */
export function doubleExtended(P: ExtendedPoint): ExtendedPoint {
  const A = (P.X * P.X) % p
  const B = (P.Y * P.Y) % p
  const C = (2n * P.Z * P.Z) % p
  const D = (CURVE_A * A) % p
  const s = P.X + P.Y
  const E = (s * s - A - B) % p
  const G = D + B
  const F = G - C
  const H = D - B
  return { X: (E * F) % p, Y: (G * H) % p, T: (E * H) % p, Z: (F * G) % p }
}

export function negateExtended(P: ExtendedPoint): ExtendedPoint {
  return { X: -P.X, Y: P.Y, Z: P.Z, T: -P.T }
}

const VARIABLE_WINDOW = 5

/** scalar·P for any curve point P and scalar ≥ 0 (not reduced mod l: P may carry torsion). wNAF, width 5. */
export function mulExtended(P: ExtendedPoint, scalar: bigint): ExtendedPoint {
  if (scalar === 0n) return extendedIdentity()
  const digits = wnaf(scalar, VARIABLE_WINDOW)
  const table = oddMultiples(P, 1 << (VARIABLE_WINDOW - 2))
  let accumulator = extendedIdentity()
  for (let i = digits.length - 1; i >= 0; i--) {
    accumulator = doubleExtended(accumulator)
    const digit = digits[i]!
    if (digit > 0) accumulator = addExtended(accumulator, table[(digit - 1) >> 1]!)
    else if (digit < 0) accumulator = addExtended(accumulator, negateExtended(table[(-digit - 1) >> 1]!))
  }
  return accumulator
}

/** [P, 3P, 5P, …] (count entries). */
function oddMultiples(P: ExtendedPoint, count: number): ExtendedPoint[] {
  const table = [P]
  const twice = doubleExtended(P)
  for (let i = 1; i < count; i++) table.push(addExtended(table[i - 1]!, twice))
  return table
}

export function addPoints(a: Point, b: Point): Point {
  return toAffine(addExtended(toExtended(a), toExtended(b)))
}

// ---------------------------------------------------------------------------------------------------------------
// Fast paths on the WebAssembly kernel (`curveWasm.ts`); the bigint functions above are their reference.

const work = allocatePoints(2)
const workIn = work
const workOut = work + POINT_BYTES

/** scalar·BASE8 via the fixed-base tables (32 additions). The scalar is reduced mod l (BASE8 has order l). */
export function mulBase(scalar: bigint): Point {
  mulBaseWasm(workOut, scalar)
  return readPoint(workOut)
}

/** scalar·P for any curve point P and scalar ≥ 0 (not reduced: P may carry torsion). */
export function mulPoint(point: Point, scalar: bigint): Point {
  writePoint(workIn, point)
  mulPointWasm(workOut, workIn, scalar)
  return readPoint(workOut)
}

/** mulPoint in plain bigint arithmetic: the reference for tests. */
export function mulPointReference(point: Point, scalar: bigint): Point {
  return toAffine(mulExtended(toExtended(point), scalar))
}

/** Montgomery's simultaneous inversion: n points to affine with one inversion. */
export function batchToAffine(points: readonly ExtendedPoint[]): Point[] {
  const prefix = new Array<bigint>(points.length)
  let running = 1n
  for (let i = 0; i < points.length; i++) {
    prefix[i] = running
    running = (running * points[i]!.Z) % p
  }
  let inverse = invertField(running)
  const result = new Array<Point>(points.length)
  for (let i = points.length - 1; i >= 0; i--) {
    const point = points[i]!
    const zInverse = (inverse * prefix[i]!) % p
    inverse = (inverse * point.Z) % p
    result[i] = { x: (((point.X * zInverse) % p) + p) % p, y: (((point.Y * zInverse) % p) + p) % p }
  }
  return result
}

// ---------------------------------------------------------------------------------------------------------------
// Subgroup and small-order checks

/** 8·P = O: P is one of the 8 points of order dividing 8. */
export function isLowOrder(point: Point): boolean {
  writePoint(workIn, point)
  pdbl(workOut, workIn)
  pdbl(workOut, workOut)
  pdbl(workOut, workOut)
  return isIdentityPoint(workOut)
}

/** Definition: on the curve and l·P = O. The slow oracle for `isInPrimeSubgroup`. */
export function isInPrimeSubgroupByMultiplication(point: Point): boolean {
  return isOnCurve(point) && isExtendedIdentity(mulExtended(toExtended(point), SUBGROUP_ORDER))
}

type TateConstants = { u1: bigint; v1: bigint; lambda1: bigint; u2: bigint; v2: bigint; lambda2: bigint }
let tate: TateConstants | undefined
const MONTGOMERY_A = 168698n // 2(a + d)/(a − d); B = 4/(a − d) = 1
const TATE_EXPONENT = (p - 1n) / 8n

/** A generator T8 of E(F_r)[8] in Montgomery form, 2·T8, and the tangent slopes at both. */
function tateConstants(): TateConstants {
  if (tate !== undefined) return tate
  // l · (any point of full order 8l) has order exactly 8. Search y = 2, 3, … for a point whose l-multiple does.
  for (let y = 2n; ; y++) {
    const y2 = (y * y) % p
    const x2 = ((1n - y2 + p) * invertField((CURVE_A - ((CURVE_D * y2) % p) + p) % p)) % p
    const x = sqrtField(x2)
    if (x === undefined) continue
    const torsion = mulExtended(toExtended({ x, y }), SUBGROUP_ORDER)
    if (isExtendedIdentity(doubleExtended(doubleExtended(torsion)))) continue // order divides 4: try another
    const t8 = toAffine(torsion)
    const t4 = toAffine(doubleExtended(torsion))
    const [u1, v1] = edwardsToMontgomery(t8)
    const [u2, v2] = edwardsToMontgomery(t4)
    const slope = (u: bigint, v: bigint) =>
      (((3n * u * u + 2n * MONTGOMERY_A * u + 1n) % p) * invertField((2n * v) % p)) % p
    tate = { u1, v1, lambda1: slope(u1, v1), u2, v2, lambda2: slope(u2, v2) }
    return tate
  }
}

function edwardsToMontgomery(point: Point): [bigint, bigint] {
  const u = ((1n + point.y) * invertField((1n - point.y + p) % p)) % p
  return [u, (u * invertField(point.x)) % p]
}

/**
 * P ∈ G_l (the prime-order subgroup), for P on the curve: the reduced Tate pairing t_8(T8, P) is 1.
 * With u = (1 + y)/(1 − y), v = u/x (Montgomery form, B = 1) and f_8 = ℓ₁⁴·ℓ₂² / ((u − u₂)⁴ · u), where ℓ₁, ℓ₂ are
 * the tangents at T8 and 2·T8 (all normalised at O), clearing the denominators (1 − y)·x gives
 * f_8(P) = L₁⁴·L₂² / ((1 − y) · x⁶ · V⁴ · (1 + y)), and f^((r−1)/8) = (num · den⁷)^((r−1)/8).
 * Low-order points sit on the zeros and poles of f_8, so they are decided separately (only O is in G_l).
 */
export function isInPrimeSubgroup(point: Point): boolean {
  if (!isOnCurve(point)) return false
  if (point.x === 0n) return point.y === 1n // (0, 1) = O is in G_l, (0, −1) has order 2
  if (isLowOrder(point)) return false
  return powEighthRoot(tateBase(point)) === 1n
}

/** num · den⁷ for f_8(P) = num/den: its ((r − 1)/8)-th power is the reduced Tate pairing t_8(T8, P). */
function tateBase(point: Point): bigint {
  const { x, y } = point
  const { u1, v1, lambda1, u2, v2, lambda2 } = tateConstants()
  const nu = (1n + y) % p
  const du = (1n - y + p) % p
  const dux = (du * x) % p
  // L = nu − v_T·du·x − λ·x·(nu − u_T·du)
  const L1 = (nu - ((v1 * dux) % p) - ((((lambda1 * x) % p) * ((nu - ((u1 * du) % p) + p) % p)) % p) + 2n * p) % p
  const L2 = (nu - ((v2 * dux) % p) - ((((lambda2 * x) % p) * ((nu - ((u2 * du) % p) + p) % p)) % p) + 2n * p) % p
  const V = (nu - ((u2 * du) % p) + p) % p
  const L1sq = (L1 * L1) % p
  const numerator = (((L1sq * L1sq) % p) * ((L2 * L2) % p)) % p
  const x2 = (x * x) % p
  const x6 = (((x2 * x2) % p) * x2) % p
  const V2 = (V * V) % p
  const denominator = (((((du * x6) % p) * ((V2 * V2) % p)) % p) * nu) % p
  const d2 = (denominator * denominator) % p
  const d7 = (((((d2 * d2) % p) * d2) % p) * denominator) % p
  return (numerator * d7) % p
}

/** isInPrimeSubgroup with the exponentiation in bigint: the reference for the WebAssembly power. */
export function isInPrimeSubgroupReference(point: Point): boolean {
  if (!isOnCurve(point) || isLowOrder(point)) return point.x === 0n && point.y === 1n
  return powField(tateBase(point), TATE_EXPONENT) === 1n
}

// ---------------------------------------------------------------------------------------------------------------
// circomlibjs packing: y little-endian in 32 bytes, top bit of byte 31 set iff x > (r − 1)/2.

const HALF = (p - 1n) / 2n

export function packPoint(point: Point): Uint8Array {
  const bytes = new Uint8Array(32)
  let y = point.y
  for (let i = 0; i < 32; i++, y >>= 8n) bytes[i] = Number(y & 0xffn)
  if (point.x > HALF) bytes[31] = bytes[31]! | 0x80
  return bytes
}

/** Inverse of packPoint. Throws PACKED_POINT_INVALID for a wrong length, y ≥ r, or a y with no point. */
export function unpackPoint(packed: Uint8Array): Point {
  if (packed.length !== 32) throw new PackedPointError(`expected 32 bytes, got ${packed.length}`)
  const sign = (packed[31]! & 0x80) !== 0
  let y = 0n
  for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(i === 31 ? packed[i]! & 0x7f : packed[i]!)
  if (y >= p) throw new PackedPointError('y is not below the field modulus')
  const y2 = (y * y) % p
  const x2 = ((1n - y2 + p) * invertField((CURVE_A - ((CURVE_D * y2) % p) + p) % p)) % p
  const root = sqrtField(x2)
  if (root === undefined) throw new PackedPointError('no curve point has this y')
  const small = root > HALF ? p - root : root
  const x = sign ? (small === 0n ? 0n : p - small) : small
  if (sign && small === 0n) throw new PackedPointError('x = 0 has no sign bit')
  return { x, y }
}
