/**
 * BabyJubJub point arithmetic on the WebAssembly field kernel. A point is 4 consecutive slots (X, Y, Z, T) in
 * extended coordinates; `padd`, `pdbl` and `pneg` run entirely inside WebAssembly (one JS→Wasm call each), and the
 * scalar multiplications, the multi-scalar multiplication and the subgroup exponentiation are driven from here.
 * `babyJubJub.ts` holds the bigint reference the tests compare against.
 */
import { BASE8, CURVE_A, CURVE_D, type Point, SUBGROUP_ORDER, wnaf } from './curveParameters.ts'
import { FIELD_MODULUS as p, invertField, sqrtField } from './field.ts'
import { Code, type Operand } from './wasmAssembler.ts'
import { allocateSlots, copy, instantiateKernel, isZeroSlot, KERNEL, load, SLOT_BYTES, slotsEqual, store } from './wasmField.ts'

export const POINT_BYTES = 4 * SLOT_BYTES
const [X, Y, Z, T] = [0, SLOT_BYTES, 2 * SLOT_BYTES, 3 * SLOT_BYTES]

/**
 * Inside the kernel, points live on the isomorphic curve −x'² + y² = 1 + d'·x'²·y² with x' = s·x, s² = −a and
 * d' = −d/a (−a is a square in F_r), so the faster a = −1 formulas apply (add: 9M, dbl: 4M + 4S). The map is
 * applied when points are written and undone when they are read.
 */
const SCALE = sqrtField(p - CURVE_A)!
const SCALE_INVERSE = invertField(SCALE)
const D_PRIME = (((p - CURVE_D) * invertField(CURVE_A)) % p + p) % p
const constants = allocateSlots(3)
const K_SLOT = constants // 2·d'
const ZERO_SLOT = constants + SLOT_BYTES
const ONE_SLOT = constants + 2 * SLOT_BYTES
store(K_SLOT, (2n * D_PRIME) % p)
store(ZERO_SLOT, 0n)
store(ONE_SLOT, 1n)
const temp = allocateSlots(8)
const tmp = (i: number) => temp + i * SLOT_BYTES

/** add-2008-hwcd-3 (a = −1): complete, 9M. */
function buildPadd(): Code {
  const code = new Code(3) // out, p, q
  const m = (o: Operand, a: Operand, b: Operand) => code.callOperands(KERNEL.mul, [o, a, b])
  const ad = (o: Operand, a: Operand, b: Operand) => code.callOperands(KERNEL.add, [o, a, b])
  const sb = (o: Operand, a: Operand, b: Operand) => code.callOperands(KERNEL.sub, [o, a, b])
  const [A, B, C, D, E, F, G, H] = [0, 1, 2, 3, 4, 5, 6, 7].map(tmp) as [number, number, number, number, number, number, number, number]
  sb(A, [1, Y], [1, X])
  sb(E, [2, Y], [2, X])
  m(A, A, E)
  ad(B, [1, Y], [1, X])
  ad(E, [2, Y], [2, X])
  m(B, B, E)
  m(C, [1, T], [2, T])
  m(C, C, K_SLOT)
  m(D, [1, Z], [2, Z])
  ad(D, D, D)
  sb(E, B, A)
  sb(F, D, C)
  ad(G, D, C)
  ad(H, B, A)
  m([0, X], E, F)
  m([0, Y], G, H)
  m([0, T], E, H)
  m([0, Z], F, G)
  return code
}

/** dbl-2008-hwcd with a = −1: 4M + 4S. */
function buildPdbl(): Code {
  const code = new Code(2) // out, p
  const m = (o: Operand, a: Operand, b: Operand) => code.callOperands(KERNEL.mul, [o, a, b])
  const ad = (o: Operand, a: Operand, b: Operand) => code.callOperands(KERNEL.add, [o, a, b])
  const sb = (o: Operand, a: Operand, b: Operand) => code.callOperands(KERNEL.sub, [o, a, b])
  const sq = (o: Operand, a: Operand) => code.callOperands(KERNEL.square, [o, a])
  const [A, B, C, D, E, F, G, H] = [0, 1, 2, 3, 4, 5, 6, 7].map(tmp) as [number, number, number, number, number, number, number, number]
  sq(A, [1, X])
  sq(B, [1, Y])
  sq(C, [1, Z])
  ad(C, C, C)
  sb(D, ZERO_SLOT, A)
  ad(E, [1, X], [1, Y])
  sq(E, E)
  sb(E, E, A)
  sb(E, E, B)
  ad(G, D, B)
  sb(F, G, C)
  sb(H, D, B)
  m([0, X], E, F)
  m([0, Y], G, H)
  m([0, T], E, H)
  m([0, Z], F, G)
  return code
}

function buildPneg(): Code {
  const code = new Code(2)
  code.callOperands(KERNEL.sub, [[0, X], ZERO_SLOT, [1, X]])
  code.callOperands(KERNEL.add, [[0, Y], [1, Y], ZERO_SLOT])
  code.callOperands(KERNEL.add, [[0, Z], [1, Z], ZERO_SLOT])
  code.callOperands(KERNEL.sub, [[0, T], ZERO_SLOT, [1, T]])
  return code
}

const exports = instantiateKernel([
  { name: 'padd', code: buildPadd(), pointerParams: 3 },
  { name: 'pdbl', code: buildPdbl(), pointerParams: 2 },
  { name: 'pneg', code: buildPneg(), pointerParams: 2 },
])
/** out = p + q (out may alias either). */
export const padd = exports['padd'] as (out: number, p: number, q: number) => void
/** out = 2·p */
export const pdbl = exports['pdbl'] as (out: number, p: number) => void
/** out = −p */
export const pneg = exports['pneg'] as (out: number, p: number) => void

export function allocatePoints(count: number): number {
  return allocateSlots(4 * count)
}

export function writePoint(out: number, point: Point): void {
  const x = (point.x * SCALE) % p
  store(out + X, x)
  store(out + Y, point.y)
  copy(out + Z, ONE_SLOT)
  store(out + T, (x * point.y) % p)
}

export function writeIdentity(out: number): void {
  copy(out + X, ZERO_SLOT)
  copy(out + Y, ONE_SLOT)
  copy(out + Z, ONE_SLOT)
  copy(out + T, ZERO_SLOT)
}

export function copyPoint(out: number, from: number): void {
  for (let k = 0; k < 4; k++) copy(out + k * SLOT_BYTES, from + k * SLOT_BYTES)
}

export function readPoint(from: number): Point {
  const inverse = invertField(load(from + Z))
  return { x: (((load(from + X) * inverse) % p) * SCALE_INVERSE) % p, y: (load(from + Y) * inverse) % p }
}

export function isIdentityPoint(at: number): boolean {
  return isZeroSlot(at + X) && slotsEqual(at + Y, at + Z)
}

/** The point at `at` equals the affine `point` (Z ≠ 0 always holds for complete formulas). */
export function equalsAffinePoint(at: number, point: Point): boolean {
  const z = load(at + Z)
  const x = (point.x * SCALE) % p
  return (load(at + X) - ((x * z) % p)) % p === 0n && (load(at + Y) - ((point.y * z) % p)) % p === 0n
}

// ---------------------------------------------------------------------------------------------------------------
// Scalar multiplication

const WNAF_WIDTH = 5
const ODD_MULTIPLES = 1 << (WNAF_WIDTH - 2)
const oddTable = allocatePoints(ODD_MULTIPLES * 2) // P, 3P, …, then the negations
const twice = allocatePoints(1)

/** out = scalar·P (P at `point`; any curve point, scalar ≥ 0 not reduced). out must not alias the table. */
export function mulPointWasm(out: number, point: number, scalar: bigint): void {
  writeIdentity(out)
  if (scalar === 0n) return
  copyPoint(oddTable, point)
  pdbl(twice, point)
  for (let i = 1; i < ODD_MULTIPLES; i++) padd(oddTable + i * POINT_BYTES, oddTable + (i - 1) * POINT_BYTES, twice)
  for (let i = 0; i < ODD_MULTIPLES; i++) pneg(oddTable + (ODD_MULTIPLES + i) * POINT_BYTES, oddTable + i * POINT_BYTES)
  const digits = wnaf(scalar, WNAF_WIDTH)
  for (let i = digits.length - 1; i >= 0; i--) {
    pdbl(out, out)
    const digit = digits[i]!
    if (digit > 0) padd(out, out, oddTable + ((digit - 1) >> 1) * POINT_BYTES)
    else if (digit < 0) padd(out, out, oddTable + (ODD_MULTIPLES + ((-digit - 1) >> 1)) * POINT_BYTES)
  }
}

// Fixed base: 32 windows of 8 bits, entry [w][j − 1] = j·256^w·B8 with Z = 1.
const BASE_WINDOWS = 32
let baseTable: number | undefined

function buildBaseTable(): number {
  const table = allocatePoints(BASE_WINDOWS * 255)
  const windowBase = allocatePoints(1)
  writePoint(windowBase, BASE8)
  for (let w = 0; w < BASE_WINDOWS; w++) {
    const row = table + w * 255 * POINT_BYTES
    copyPoint(row, windowBase)
    for (let j = 1; j < 255; j++) padd(row + j * POINT_BYTES, row + (j - 1) * POINT_BYTES, windowBase)
    padd(windowBase, row + 254 * POINT_BYTES, windowBase) // 256 · previous window base
  }
  return table
}

/** out = scalar·B8, scalar reduced mod l: at most 32 additions, no doublings. */
export function mulBaseWasm(out: number, scalar: bigint): void {
  baseTable ??= buildBaseTable()
  let k = scalar % SUBGROUP_ORDER
  if (k < 0n) k += SUBGROUP_ORDER
  writeIdentity(out)
  for (let w = 0; k > 0n; w++, k >>= 8n) {
    const digit = Number(k & 0xffn)
    if (digit !== 0) padd(out, out, baseTable + (w * 255 + digit - 1) * POINT_BYTES)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Multi-scalar multiplication (Pippenger), points given as offsets.

let bucketArea = 0
let bucketCapacity = 0
const windowSum = allocatePoints(1)
const running = allocatePoints(1)

function buckets(count: number): number {
  if (count > bucketCapacity) {
    bucketArea = allocatePoints(count)
    bucketCapacity = count
  }
  return bucketArea
}

/** out = Σ scalars[i]·points[i] (scalars ≥ 0). */
export function multiScalarMultiplyWasm(out: number, points: readonly number[], scalars: readonly bigint[]): void {
  writeIdentity(out)
  const count = points.length
  if (count === 0) return
  let maxScalar = 0n
  for (const scalar of scalars) if (scalar > maxScalar) maxScalar = scalar
  const bits = maxScalar.toString(2).length
  const windowBits = count < 4 ? 2 : count < 16 ? 3 : count < 48 ? 4 : count < 160 ? 5 : count < 600 ? 6 : 7
  const windows = Math.ceil(bits / windowBits)
  const bucketCount = (1 << windowBits) - 1
  const bucketBase = buckets(bucketCount)
  const used = new Uint8Array(bucketCount)
  const mask = BigInt(bucketCount)
  const shift = BigInt(windowBits)
  const digits = new Uint16Array(count * windows)
  scalars.forEach((scalar, i) => {
    let rest = scalar
    for (let w = 0; w < windows; w++, rest >>= shift) digits[i * windows + w] = Number(rest & mask)
  })
  for (let w = windows - 1; w >= 0; w--) {
    for (let d = 0; d < windowBits; d++) pdbl(out, out)
    used.fill(0)
    for (let i = 0; i < count; i++) {
      const digit = digits[i * windows + w]!
      if (digit === 0) continue
      const bucket = bucketBase + (digit - 1) * POINT_BYTES
      if (used[digit - 1] === 0) {
        copyPoint(bucket, points[i]!)
        used[digit - 1] = 1
      } else padd(bucket, bucket, points[i]!)
    }
    let haveRunning = false
    let haveSum = false
    for (let j = bucketCount - 1; j >= 0; j--) {
      if (used[j] === 1) {
        if (haveRunning) padd(running, running, bucketBase + j * POINT_BYTES)
        else copyPoint(running, bucketBase + j * POINT_BYTES)
        haveRunning = true
      }
      if (haveRunning) {
        if (haveSum) padd(windowSum, windowSum, running)
        else copyPoint(windowSum, running)
        haveSum = true
      }
    }
    if (haveSum) padd(out, out, windowSum)
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Fixed-exponent power for the Tate subgroup test: base^((r − 1)/8), straight-line in WebAssembly.

const powIn = allocateSlots(1)
const powOut = allocateSlots(1)
const POW_EXPONENT = (p - 1n) / 8n

function buildPow(): Code {
  const code = new Code(0)
  const bits = POW_EXPONENT.toString(2)
  code.callOperands(KERNEL.add, [powOut, powIn, ZERO_SLOT])
  for (let i = 1; i < bits.length; i++) {
    code.callOperands(KERNEL.square, [powOut, powOut])
    if (bits[i] === '1') code.callOperands(KERNEL.mul, [powOut, powOut, powIn])
  }
  return code
}

const powExport = instantiateKernel([{ name: 'pow', code: buildPow() }])['pow'] as () => void

/** value^((r − 1)/8) mod r. */
export function powEighthRoot(value: bigint): bigint {
  store(powIn, value)
  powExport()
  return load(powOut)
}
