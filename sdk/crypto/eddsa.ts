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
import {
  addExtended,
  doubleExtended,
  type ExtendedPoint,
  extendedIdentity,
  isExtendedIdentity,
  isInPrimeSubgroup,
  isLowOrder,
  isOnCurve,
  mulBaseExtended,
  mulExtended,
  negateExtended,
  type Point,
  SUBGROUP_ORDER,
  toAffine,
  toExtended,
} from './babyJubJub.ts'
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
import { FIELD_MODULUS as p, isFieldElement } from './field.ts'
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

type ExpandedKey = { scalar: bigint; prefix: Uint8Array; publicKey: PublicKey }

function expandPrivateKey(privateKey: Uint8Array): ExpandedKey {
  if (privateKey.length !== 32) throw new PrivateKeyLengthError(privateKey.length)
  const digest = blake512(privateKey)
  const head = digest.slice(0, 32)
  head[0] = head[0]! & 0xf8
  head[31] = (head[31]! & 0x7f) | 0x40
  const scalar = bytesToBigIntLE(head)
  const publicKey = toAffine(mulBaseExtended(scalar >> 3n))
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
  const R8 = toAffine(mulBaseExtended(r))
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

function equalsAffine(point: ExtendedPoint, affine: Point): boolean {
  return (point.X - affine.x * point.Z) % p === 0n && (point.Y - affine.y * point.Z) % p === 0n
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
  const left = mulBaseExtended(signature.S)
  const right = mulExtended(toExtended(publicKey), (8n * hm) % SUBGROUP_ORDER)
  if (equalsAffine(addExtended(left, negateExtended(right)), signature.R8)) return
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

function defaultRandom(): () => bigint {
  return () => {
    const bytes = new Uint8Array(16)
    globalThis.crypto.getRandomValues(bytes)
    return bytesToBigIntLE(bytes)
  }
}

type Prepared = { index: number; hm: bigint; R8: ExtendedPoint; A: ExtendedPoint; S: bigint; z: bigint }

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
  const invalidIndices: number[] = []
  const prepared: Prepared[] = []
  items.forEach(({ message, signature, publicKey }, index) => {
    try {
      const hm = checkStructure(message, signature, publicKey)
      if (!isInPrimeSubgroup(signature.R8)) throw new PointNotInSubgroupError('R8', signature.R8.x, signature.R8.y)
      let z = random() & COEFFICIENT_MASK
      if (z === 0n) z = 1n
      prepared.push({ index, hm, R8: toExtended(signature.R8), A: toExtended(publicKey), S: signature.S, z })
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
  const points: ExtendedPoint[] = []
  const scalars: bigint[] = []
  for (const item of group) {
    baseScalar += item.z * item.S
    points.push(item.R8, item.A)
    scalars.push(item.z, (8n * item.z * item.hm) % SUBGROUP_ORDER)
  }
  const combined = multiScalarMultiply(points, scalars)
  const base = mulBaseExtended(baseScalar % SUBGROUP_ORDER)
  return isExtendedIdentity(addExtended(base, negateExtended(combined)))
}

/** Σ scalars_i · points_i by Pippenger's bucket method (scalars ≥ 0, < 2^256). */
export function multiScalarMultiply(points: readonly ExtendedPoint[], scalars: readonly bigint[]): ExtendedPoint {
  const count = points.length
  if (count === 0) return extendedIdentity()
  let maxScalar = 0n
  for (const scalar of scalars) if (scalar > maxScalar) maxScalar = scalar
  const bits = maxScalar.toString(2).length
  const windowBits = count < 8 ? 3 : count < 32 ? 4 : count < 128 ? 5 : count < 512 ? 6 : 7
  const windows = Math.ceil(bits / windowBits)
  const bucketCount = (1 << windowBits) - 1
  const mask = BigInt(bucketCount)
  const shift = BigInt(windowBits)
  const digits: Uint8Array[] = scalars.map((scalar) => {
    const out = new Uint8Array(windows)
    let rest = scalar
    for (let w = 0; w < windows; w++, rest >>= shift) out[w] = Number(rest & mask)
    return out
  })
  let result = extendedIdentity()
  for (let w = windows - 1; w >= 0; w--) {
    for (let d = 0; d < windowBits; d++) result = doubleExtended(result)
    const buckets = new Array<ExtendedPoint | undefined>(bucketCount)
    for (let i = 0; i < count; i++) {
      const digit = digits[i]![w]!
      if (digit === 0) continue
      const current = buckets[digit - 1]
      buckets[digit - 1] = current === undefined ? points[i]! : addExtended(current, points[i]!)
    }
    // Σ j·bucket_j as a running sum from the top bucket down.
    let running: ExtendedPoint | undefined
    let windowSum: ExtendedPoint | undefined
    for (let j = bucketCount - 1; j >= 0; j--) {
      const bucket = buckets[j]
      if (bucket !== undefined) running = running === undefined ? bucket : addExtended(running, bucket)
      if (running !== undefined) windowSum = windowSum === undefined ? running : addExtended(windowSum, running)
    }
    if (windowSum !== undefined) result = addExtended(result, windowSum)
  }
  return result
}
