/**
 * EdDSA over BabyJubJub with Poseidon, byte-compatible with circomlibjs `eddsa.prv2pub` / `signPoseidon` /
 * `verifyPoseidon` and circomlib's `EdDSAPoseidonVerifier`:
 *   h = blake512(privateKey); s = prune(h[0..32]) (little-endian); A = (s >> 3)·B8
 *   r = blake512(h[32..64] ‖ message as 32 bytes LE) mod l; R8 = r·B8
 *   hm = poseidon([R8.x, R8.y, A.x, A.y, message]); S = (r + hm·s) mod l
 *   valid ⇔ S·B8 = R8 + (8·hm)·A      (circomlibjs and the circuit check exactly this)
 *
 * On top of that equation, verification rejects what a circuit or an audit must (MACI found these missing):
 * A and R8 off the curve, of small order, or outside the prime-order subgroup, S ≥ l, and a message that is not a
 * field element. R8 ∈ G_l is implied by the equation (S·B8 and 8·hm·A lie in G_l for any curve point A), so single
 * checks test it only to name the failure; batches test it up front because a random linear combination cannot see
 * torsion reliably.
 *
 * NOTE: domain separation (chain id, rollup address) is not done here: the protocol layer's message hasher must
 * bind it into `message` before signing and verifying.
 */
import { blake512 } from '@noble/hashes/blake1.js'
import { isInPrimeSubgroup, isLowOrder, isOnCurve, type Point, SUBGROUP_ORDER } from './babyJubJub.ts'
import {
  allocatePoints,
  equalsAffinePoint,
  isIdentityPoint,
  mulBaseWasm,
  mulPointWasm,
  multiScalarMultiplyWasm,
  padd,
  pneg,
  POINT_BYTES,
  readPoint,
  writePoint,
} from './curveWasm.ts'
import {
  BadSignatureError,
  FieldElementOutOfRangeError,
  LowOrderPointError,
  PointNotInSubgroupError,
  PointNotOnCurveError,
  PrivateKeyLengthError,
  type SignaturePoint,
  SignatureScalarOutOfRangeError,
} from './errors.ts'
import { isFieldElement } from './field.ts'
import { poseidonUnchecked } from './poseidon.ts'

export type PublicKey = { x: bigint; y: bigint }
export type Signature = { R8: { x: bigint; y: bigint }; S: bigint }
export type SignedMessage = { message: bigint; signature: Signature; publicKey: PublicKey }
export type VerifyPoseidonBatchOptions = {
  /** Source of the 128-bit batch coefficients; defaults to crypto.getRandomValues. Tests pass a seeded one. */
  random?: () => bigint
}
export type VerifyPoseidonBatchReturnType = { valid: boolean; invalidIndices: number[] }

// ---------------------------------------------------------------------------------------------------------------
// Keys and signing

function bytesToBigIntLE(bytes: Uint8Array): bigint {
  let value = 0n
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!)
  return value
}

function bigIntToBytesLE(value: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length)
  let rest = value
  for (let i = 0; i < length; i++, rest >>= 8n) bytes[i] = Number(rest & 0xffn)
  return bytes
}

/** Point scratch space in the WebAssembly memory. */
const workArea = allocatePoints(3)
const work = { left: workArea, key: workArea + POINT_BYTES, right: workArea + 2 * POINT_BYTES }

type ExpandedKey = { scalar: bigint; prefix: Uint8Array; publicKey: PublicKey }

function expandPrivateKey(privateKey: Uint8Array): ExpandedKey {
  if (privateKey.length !== 32) throw new PrivateKeyLengthError(privateKey.length)
  const digest = blake512(privateKey)
  const head = digest.slice(0, 32)
  head[0] = head[0]! & 0xf8
  head[31] = (head[31]! & 0x7f) | 0x40
  const scalar = bytesToBigIntLE(head)
  mulBaseWasm(work.left, scalar >> 3n)
  const publicKey = readPoint(work.left)
  return { scalar, prefix: digest.slice(32, 64), publicKey }
}

/** circomlibjs `prv2pub`: A = (prune(blake512(key)[0..32]) >> 3) · B8. */
export function derivePublicKey(privateKey: Uint8Array): PublicKey {
  return expandPrivateKey(privateKey).publicKey
}

/** circomlibjs `signPoseidon`, deterministic. `message` must be a field element. */
export function signPoseidon(privateKey: Uint8Array, message: bigint): Signature {
  if (!isFieldElement(message)) throw new FieldElementOutOfRangeError(message, 'message')
  const { scalar, prefix, publicKey } = expandPrivateKey(privateKey)
  const nonceInput = new Uint8Array(64)
  nonceInput.set(prefix, 0)
  nonceInput.set(bigIntToBytesLE(message, 32), 32)
  const r = bytesToBigIntLE(blake512(nonceInput)) % SUBGROUP_ORDER
  mulBaseWasm(work.left, r)
  const R8 = readPoint(work.left)
  const hm = poseidonUnchecked([R8.x, R8.y, publicKey.x, publicKey.y, message])
  const S = (r + hm * scalar) % SUBGROUP_ORDER
  return { R8, S }
}

// ---------------------------------------------------------------------------------------------------------------
// Structural checks shared by single and batch verification

/** Public keys already proven to lie in G_l (x → y). Bounded; a trader's key is checked once, not per order. */
const subgroupKeyCache = new Map<bigint, bigint>()
const SUBGROUP_KEY_CACHE_LIMIT = 1 << 16

function checkPoint(point: Point, which: SignaturePoint): void {
  if (!isOnCurve(point)) throw new PointNotOnCurveError(which, point.x, point.y)
  if (isLowOrder(point)) throw new LowOrderPointError(which, point.x, point.y)
}

function checkPublicKeySubgroup(publicKey: PublicKey): void {
  if (subgroupKeyCache.get(publicKey.x) === publicKey.y) return
  if (!isInPrimeSubgroup(publicKey)) throw new PointNotInSubgroupError('A', publicKey.x, publicKey.y)
  if (subgroupKeyCache.size >= SUBGROUP_KEY_CACHE_LIMIT) subgroupKeyCache.clear()
  subgroupKeyCache.set(publicKey.x, publicKey.y)
}

/** Everything but the equation and R8 ∈ G_l; returns hm. Throws the typed error of the first failure. */
function checkStructure(message: bigint, signature: Signature, publicKey: PublicKey): bigint {
  if (!isFieldElement(message)) throw new FieldElementOutOfRangeError(message, 'message')
  checkPoint(publicKey, 'A')
  checkPoint(signature.R8, 'R8')
  if (signature.S < 0n || signature.S >= SUBGROUP_ORDER) throw new SignatureScalarOutOfRangeError(signature.S)
  checkPublicKeySubgroup(publicKey)
  return poseidonUnchecked([signature.R8.x, signature.R8.y, publicKey.x, publicKey.y, message])
}

// ---------------------------------------------------------------------------------------------------------------
// Single verification

/**
 * Throws the typed error of the first failed check: FIELD_ELEMENT_OUT_OF_RANGE (message), POINT_NOT_ON_CURVE,
 * LOW_ORDER_POINT, SIGNATURE_S_OUT_OF_RANGE, POINT_NOT_IN_SUBGROUP (A, or R8), BAD_SIGNATURE. Returns if valid.
 */
export function verifyPoseidon(message: bigint, signature: Signature, publicKey: PublicKey): void {
  const hm = checkStructure(message, signature, publicKey)
  // S·B8 − (8·hm)·A must equal R8. A ∈ G_l here, so the scalar may be reduced mod l.
  mulBaseWasm(work.left, signature.S)
  writePoint(work.key, publicKey)
  mulPointWasm(work.right, work.key, (8n * hm) % SUBGROUP_ORDER)
  pneg(work.right, work.right)
  padd(work.left, work.left, work.right)
  if (equalsAffinePoint(work.left, signature.R8)) return
  if (!isInPrimeSubgroup(signature.R8)) {
    throw new PointNotInSubgroupError('R8', signature.R8.x, signature.R8.y)
  }
  throw new BadSignatureError(message, publicKey)
}

export function isValidSignature(message: bigint, signature: Signature, publicKey: PublicKey): boolean {
  try {
    verifyPoseidon(message, signature, publicKey)
    return true
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Batch verification

const COEFFICIENT_MASK = (1n << 128n) - 1n

/** 128-bit coefficients from crypto.getRandomValues, drawn 64 at a time (one call per 1 KiB). */
function defaultRandom(): () => bigint {
  const words = new BigUint64Array(128)
  let next = words.length
  return () => {
    if (next === words.length) {
      globalThis.crypto.getRandomValues(words)
      next = 0
    }
    const high = words[next++]!
    const low = words[next++]!
    return (high << 64n) | low
  }
}

/** A structurally valid item: its R8 and A written at `points` (R8) and `points + POINT_BYTES` (A). */
type Prepared = { index: number; hm: bigint; S: bigint; z: bigint; points: number; keyX: bigint; keyY: bigint }

/** Largest batch combined into one equation; longer inputs are split (each chunk costs 2 × 288 B × size). */
const MAX_BATCH_CHUNK = 1024
let batchPool = 0
let batchPoolCapacity = 0

/** Two point slots per item, reused across calls; grown (never shrunk) to the largest batch seen. */
function batchPoints(count: number): number {
  if (count > batchPoolCapacity) {
    batchPoolCapacity = Math.max(count, 64)
    batchPool = allocatePoints(2 * batchPoolCapacity)
  }
  return batchPool
}

/**
 * Verify many signatures with one multi-scalar multiplication: with random 128-bit z_i,
 *   (Σ z_i·S_i)·B8 − Σ z_i·R8_i − Σ (8·z_i·hm_i)·A_i = O.
 * Every A_i and R8_i is first checked on the curve, not of small order and in G_l (so no torsion can cancel
 * between items); a forged item then passes with probability ≤ 2^-128. A failing batch is bisected to name every
 * invalid index. The result equals running `isValidSignature` on each item.
 */
export function verifyPoseidonBatch(
  items: readonly SignedMessage[],
  options: VerifyPoseidonBatchOptions = {},
): VerifyPoseidonBatchReturnType {
  const random = options.random ?? defaultRandom()
  if (items.length > MAX_BATCH_CHUNK) {
    // Bounded kernel memory: verify in chunks; the combined result is the same.
    const invalidIndices: number[] = []
    for (let start = 0; start < items.length; start += MAX_BATCH_CHUNK) {
      const chunk = verifyPoseidonBatch(items.slice(start, start + MAX_BATCH_CHUNK), { random })
      invalidIndices.push(...chunk.invalidIndices.map((index) => index + start))
    }
    return { valid: invalidIndices.length === 0, invalidIndices }
  }
  const invalidIndices: number[] = []
  const prepared: Prepared[] = []
  const pool = batchPoints(items.length)
  items.forEach(({ message, signature, publicKey }, index) => {
    try {
      const hm = checkStructure(message, signature, publicKey)
      if (!isInPrimeSubgroup(signature.R8)) throw new PointNotInSubgroupError('R8', signature.R8.x, signature.R8.y)
      let z = random() & COEFFICIENT_MASK
      if (z === 0n) z = 1n
      const points = pool + 2 * prepared.length * POINT_BYTES
      writePoint(points, signature.R8)
      writePoint(points + POINT_BYTES, publicKey)
      prepared.push({ index, hm, S: signature.S, z, points, keyX: publicKey.x, keyY: publicKey.y })
    } catch {
      invalidIndices.push(index)
    }
  })
  const bad = findInvalid(prepared)
  invalidIndices.push(...bad)
  invalidIndices.sort((a, b) => a - b)
  return { valid: invalidIndices.length === 0, invalidIndices }
}

function findInvalid(group: readonly Prepared[]): number[] {
  if (group.length === 0) return []
  if (batchEquationHolds(group)) return []
  if (group.length === 1) return [group[0]!.index]
  const middle = group.length >> 1
  return [...findInvalid(group.slice(0, middle)), ...findInvalid(group.slice(middle))]
}

function batchEquationHolds(group: readonly Prepared[]): boolean {
  let baseScalar = 0n
  const points: number[] = []
  const scalars: bigint[] = []
  // Orders from one trader share A: their A-terms merge into one point with the summed scalar.
  const keyTerm = new Map<bigint, { y: bigint; term: number }>()
  for (const item of group) {
    baseScalar += item.z * item.S
    points.push(item.points)
    scalars.push(item.z)
    const keyScalar = 8n * item.z * item.hm
    const existing = keyTerm.get(item.keyX)
    if (existing !== undefined && existing.y === item.keyY) {
      scalars[existing.term] = (scalars[existing.term]! + keyScalar) % SUBGROUP_ORDER
    } else {
      if (existing === undefined) keyTerm.set(item.keyX, { y: item.keyY, term: points.length })
      points.push(item.points + POINT_BYTES)
      scalars.push(keyScalar % SUBGROUP_ORDER)
    }
  }
  multiScalarMultiplyWasm(work.right, points, scalars)
  mulBaseWasm(work.left, baseScalar % SUBGROUP_ORDER)
  pneg(work.right, work.right)
  padd(work.left, work.left, work.right)
  return isIdentityPoint(work.left)
}
