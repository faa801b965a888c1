/**
 * Typed rejections of the crypto layer. Each class has one stable `code`; the gateway forwards it to clients
 * unchanged. Point errors name which point failed (`point: 'A' | 'R8'`) in `details`.
 */
import { BaseError } from '../errors.ts'

/** Which point of a signature check a point error is about: the public key A or the nonce commitment R8. */
export type SignaturePoint = 'A' | 'R8'

export class FieldElementOutOfRangeError extends BaseError {
  static readonly code = 'FIELD_ELEMENT_OUT_OF_RANGE' as const
  override readonly name = 'Crypto.FieldElementOutOfRangeError'
  constructor(readonly value: bigint, readonly what: string) {
    super(FieldElementOutOfRangeError.code, `${what} is not a field element in [0, r)`, { details: { value, what } })
  }
}

export class PoseidonInputCountError extends BaseError {
  static readonly code = 'POSEIDON_INPUT_COUNT' as const
  override readonly name = 'Crypto.PoseidonInputCountError'
  constructor(readonly count: number) {
    super(PoseidonInputCountError.code, 'poseidon takes 1 to 16 inputs', { details: { count } })
  }
}

export class MerkleIndexOutOfRangeError extends BaseError {
  static readonly code = 'MERKLE_INDEX_OUT_OF_RANGE' as const
  override readonly name = 'Crypto.MerkleIndexOutOfRangeError'
  constructor(readonly index: bigint, readonly depth: number) {
    super(MerkleIndexOutOfRangeError.code, 'leaf index outside the tree', { details: { index, depth } })
  }
}

export class MerkleDepthError extends BaseError {
  static readonly code = 'MERKLE_DEPTH_INVALID' as const
  override readonly name = 'Crypto.MerkleDepthError'
  constructor(readonly depth: number) {
    super(MerkleDepthError.code, 'tree depth must be an integer in [1, 64]', { details: { depth } })
  }
}

export class MerkleProofShapeError extends BaseError {
  static readonly code = 'MERKLE_PROOF_SHAPE' as const
  override readonly name = 'Crypto.MerkleProofShapeError'
  constructor(readonly reason: string) {
    super(MerkleProofShapeError.code, `malformed quaternary proof: ${reason}`, { details: { reason } })
  }
}

export class PointNotOnCurveError extends BaseError {
  static readonly code = 'POINT_NOT_ON_CURVE' as const
  override readonly name = 'Crypto.PointNotOnCurveError'
  constructor(readonly point: SignaturePoint | 'point', readonly x: bigint, readonly y: bigint) {
    super(PointNotOnCurveError.code, `${point} is not on BabyJubJub`, { details: { point, x, y } })
  }
}

export class LowOrderPointError extends BaseError {
  static readonly code = 'LOW_ORDER_POINT' as const
  override readonly name = 'Crypto.LowOrderPointError'
  constructor(readonly point: SignaturePoint | 'point', readonly x: bigint, readonly y: bigint) {
    super(LowOrderPointError.code, `${point} has small order (divides 8)`, { details: { point, x, y } })
  }
}

export class PointNotInSubgroupError extends BaseError {
  static readonly code = 'POINT_NOT_IN_SUBGROUP' as const
  override readonly name = 'Crypto.PointNotInSubgroupError'
  constructor(readonly point: SignaturePoint | 'point', readonly x: bigint, readonly y: bigint) {
    super(PointNotInSubgroupError.code, `${point} is not in the prime-order subgroup`, { details: { point, x, y } })
  }
}

export class SignatureScalarOutOfRangeError extends BaseError {
  static readonly code = 'SIGNATURE_S_OUT_OF_RANGE' as const
  override readonly name = 'Crypto.SignatureScalarOutOfRangeError'
  constructor(readonly S: bigint) {
    super(SignatureScalarOutOfRangeError.code, 'signature S is not below the subgroup order', { details: { S } })
  }
}

export class BadSignatureError extends BaseError {
  static readonly code = 'BAD_SIGNATURE' as const
  override readonly name = 'Crypto.BadSignatureError'
  constructor(readonly message_: bigint, readonly publicKey: { x: bigint; y: bigint }) {
    super(BadSignatureError.code, 'signature does not verify for this message and key', {
      details: { message: message_, publicKeyX: publicKey.x, publicKeyY: publicKey.y },
    })
  }
}

export class PrivateKeyLengthError extends BaseError {
  static readonly code = 'PRIVATE_KEY_LENGTH' as const
  override readonly name = 'Crypto.PrivateKeyLengthError'
  constructor(readonly length: number) {
    super(PrivateKeyLengthError.code, 'private key must be 32 bytes', { details: { length } })
  }
}

export class PackedPointError extends BaseError {
  static readonly code = 'PACKED_POINT_INVALID' as const
  override readonly name = 'Crypto.PackedPointError'
  constructor(readonly reason: string) {
    super(PackedPointError.code, `cannot unpack point: ${reason}`, { details: { reason } })
  }
}

/** Every crypto error class, for the uniqueness test and for callers that map codes. */
export const CRYPTO_ERRORS = [
  FieldElementOutOfRangeError,
  PoseidonInputCountError,
  MerkleIndexOutOfRangeError,
  MerkleDepthError,
  MerkleProofShapeError,
  PointNotOnCurveError,
  LowOrderPointError,
  PointNotInSubgroupError,
  SignatureScalarOutOfRangeError,
  BadSignatureError,
  PrivateKeyLengthError,
  PackedPointError,
] as const
