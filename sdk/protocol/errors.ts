/**
 * Typed errors of the protocol layer (docs/protocol.md): values outside the §1 bounds, invalid market parameters,
 * malformed pubdata. Each class has one stable `code`; `details` carries the offending value and the bound.
 */
import { BaseError } from '../errors.ts'

/** The inclusive/exclusive interval a bounded value must lie in, as carried in `details`. */
export type Bound = {
  /** Smallest allowed value (inclusive), if any. */
  readonly min?: bigint
  /** Largest allowed value (inclusive), if any. */
  readonly max?: bigint
}

function describeBound(bound: Bound): string {
  const low = bound.min === undefined ? '-∞' : bound.min.toString()
  const high = bound.max === undefined ? '+∞' : bound.max.toString()
  return `[${low}, ${high}]`
}

/** Shared shape of every "value outside its §1 range" error; subclasses only fix the code and the name. */
export abstract class ValueOutOfRangeError extends BaseError {
  constructor(
    code: string,
    readonly what: string,
    readonly value: bigint,
    readonly bound: Bound,
  ) {
    super(code, `${what} ${value} is outside ${describeBound(bound)}`, {
      details: { what, value, ...bound },
    })
  }
}

export class SizeOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'SIZE_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.SizeOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'size') {
    super(SizeOutOfRangeError.code, what, value, bound)
  }
}

export class PriceOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'PRICE_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.PriceOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'price') {
    super(PriceOutOfRangeError.code, what, value, bound)
  }
}

export class CollateralOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'COLLATERAL_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.CollateralOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'collateral') {
    super(CollateralOutOfRangeError.code, what, value, bound)
  }
}

export class FundingIndexOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'FUNDING_INDEX_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.FundingIndexOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'funding index') {
    super(FundingIndexOutOfRangeError.code, what, value, bound)
  }
}

export class FundingRateOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'FUNDING_RATE_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.FundingRateOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'funding rate') {
    super(FundingRateOutOfRangeError.code, what, value, bound)
  }
}

export class TimestampOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'TIMESTAMP_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.TimestampOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'timestamp') {
    super(TimestampOutOfRangeError.code, what, value, bound)
  }
}

export class AccountIndexOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'ACCOUNT_INDEX_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.AccountIndexOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'account index') {
    super(AccountIndexOutOfRangeError.code, what, value, bound)
  }
}

export class MarketIndexOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'MARKET_INDEX_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.MarketIndexOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'market index') {
    super(MarketIndexOutOfRangeError.code, what, value, bound)
  }
}

export class StorageIdOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'STORAGE_ID_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.StorageIdOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'storage id') {
    super(StorageIdOutOfRangeError.code, what, value, bound)
  }
}

export class BasisPointsOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'BASIS_POINTS_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.BasisPointsOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'basis points') {
    super(BasisPointsOutOfRangeError.code, what, value, bound)
  }
}

export class DepositAmountOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'DEPOSIT_AMOUNT_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.DepositAmountOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'deposit amount') {
    super(DepositAmountOutOfRangeError.code, what, value, bound)
  }
}

export class WithdrawalAmountOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'WITHDRAWAL_AMOUNT_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.WithdrawalAmountOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'withdrawal amount') {
    super(WithdrawalAmountOutOfRangeError.code, what, value, bound)
  }
}

export class AddressOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'ADDRESS_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.AddressOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'address') {
    super(AddressOutOfRangeError.code, what, value, bound)
  }
}

export class MarginModeOutOfRangeError extends ValueOutOfRangeError {
  static readonly code = 'MARGIN_MODE_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.MarginModeOutOfRangeError'
  constructor(value: bigint, bound: Bound, what = 'margin mode') {
    super(MarginModeOutOfRangeError.code, what, value, bound)
  }
}

/** A signed value whose field element does not decode to an n-bit two's-complement-range integer. */
export class SignedFieldElementOutOfRangeError extends BaseError {
  static readonly code = 'SIGNED_FIELD_ELEMENT_OUT_OF_RANGE' as const
  override readonly name = 'Protocol.SignedFieldElementOutOfRangeError'
  constructor(
    readonly value: bigint,
    readonly bits: number,
  ) {
    super(SignedFieldElementOutOfRangeError.code, `value is not a signed ${bits}-bit integer in the field`, {
      details: { value, bits },
    })
  }
}

export class ByteLengthError extends BaseError {
  static readonly code = 'BYTE_LENGTH_INVALID' as const
  override readonly name = 'Protocol.ByteLengthError'
  constructor(
    readonly what: string,
    readonly length: number,
    readonly expected: number,
  ) {
    super(ByteLengthError.code, `${what} has ${length} bytes, expected ${expected}`, {
      details: { what, length, expected },
    })
  }
}

export class DivisorNotPositiveError extends BaseError {
  static readonly code = 'DIVISOR_NOT_POSITIVE' as const
  override readonly name = 'Protocol.DivisorNotPositiveError'
  constructor(readonly divisor: bigint) {
    super(DivisorNotPositiveError.code, 'rounded division needs a positive divisor', { details: { divisor } })
  }
}

/** Which §2.4 parameter rule failed. */
export type MarketParameterRule =
  | 'mmfBelowImf'
  | 'mmfPositive'
  | 'backstopAtMostFullLiquidation'
  | 'fullLiquidationAtMostMmf'
  | 'liquidationFractionInOpenRange'
  | 'basisPointsInRange'
  | 'fundingClampAtMostMillion'
  | 'fundingIntervalPositive'
  | 'secondsFitTimestamp'
  | 'openInterestCapFitsSize'
  | 'oracleKeyFieldElements'

export class MarketParametersInvalidError extends BaseError {
  static readonly code = 'MARKET_PARAMETERS_INVALID' as const
  override readonly name = 'Protocol.MarketParametersInvalidError'
  constructor(
    readonly rule: MarketParameterRule,
    readonly values: Readonly<Record<string, bigint>>,
  ) {
    super(MarketParametersInvalidError.code, `market parameters violate ${rule}`, { details: { rule, ...values } })
  }
}

export class CircuitSizesInvalidError extends BaseError {
  static readonly code = 'CIRCUIT_SIZES_INVALID' as const
  override readonly name = 'Protocol.CircuitSizesInvalidError'
  constructor(
    readonly field: string,
    readonly value: number,
    readonly reason: string,
  ) {
    super(CircuitSizesInvalidError.code, `circuit size ${field} = ${value}: ${reason}`, {
      details: { field, value, reason },
    })
  }
}

export class GenesisInvalidError extends BaseError {
  static readonly code = 'GENESIS_INVALID' as const
  override readonly name = 'Protocol.GenesisInvalidError'
  constructor(
    readonly reason: string,
    details: Readonly<Record<string, unknown>> = {},
    cause?: unknown,
  ) {
    super(GenesisInvalidError.code, `invalid genesis: ${reason}`, { details: { reason, ...details }, cause })
  }
}

/** A record field does not fit the bytes §6 gives it. */
export class PubdataFieldOverflowError extends BaseError {
  static readonly code = 'PUBDATA_FIELD_OVERFLOW' as const
  override readonly name = 'Protocol.PubdataFieldOverflowError'
  constructor(
    readonly recordType: string,
    readonly field: string,
    readonly value: bigint,
    readonly bytes: number,
  ) {
    super(PubdataFieldOverflowError.code, `${recordType}.${field} does not fit ${bytes} bytes`, {
      details: { recordType, field, value, bytes },
    })
  }
}

export class PubdataCapacityError extends BaseError {
  static readonly code = 'PUBDATA_CAPACITY_EXCEEDED' as const
  override readonly name = 'Protocol.PubdataCapacityError'
  constructor(
    readonly chunks: number,
    readonly batchSlots: number,
  ) {
    super(PubdataCapacityError.code, `records need ${chunks} chunks, the batch has ${batchSlots}`, {
      details: { chunks, batchSlots },
    })
  }
}

export class BatchAccountCapacityError extends BaseError {
  static readonly code = 'BATCH_ACCOUNT_CAPACITY_EXCEEDED' as const
  override readonly name = 'Protocol.BatchAccountCapacityError'
  constructor(
    readonly accounts: number,
    readonly batchAccounts: number,
  ) {
    super(BatchAccountCapacityError.code, `the batch would touch ${accounts} distinct accounts, the circuit caches ${batchAccounts}`, {
      details: { accounts, batchAccounts },
    })
  }
}

export class PubdataLengthError extends BaseError {
  static readonly code = 'PUBDATA_LENGTH_INVALID' as const
  override readonly name = 'Protocol.PubdataLengthError'
  constructor(readonly length: number) {
    super(PubdataLengthError.code, `pubdata length ${length} is not a multiple of 32`, { details: { length } })
  }
}

export class PubdataUnknownTypeError extends BaseError {
  static readonly code = 'PUBDATA_UNKNOWN_TYPE' as const
  override readonly name = 'Protocol.PubdataUnknownTypeError'
  constructor(
    readonly typeByte: number,
    readonly chunkIndex: number,
  ) {
    super(PubdataUnknownTypeError.code, `unknown record type ${typeByte} at chunk ${chunkIndex}`, {
      details: { typeByte, chunkIndex },
    })
  }
}

export class PubdataNonZeroPaddingError extends BaseError {
  static readonly code = 'PUBDATA_NONZERO_PADDING' as const
  override readonly name = 'Protocol.PubdataNonZeroPaddingError'
  constructor(
    readonly chunkIndex: number,
    readonly byteOffset: number,
    readonly recordType: string,
  ) {
    super(PubdataNonZeroPaddingError.code, `non-zero unused byte ${byteOffset} in ${recordType} at chunk ${chunkIndex}`, {
      details: { chunkIndex, byteOffset, recordType },
    })
  }
}

export class PubdataTruncatedRecordError extends BaseError {
  static readonly code = 'PUBDATA_TRUNCATED_RECORD' as const
  override readonly name = 'Protocol.PubdataTruncatedRecordError'
  constructor(
    readonly chunkIndex: number,
    readonly recordType: string,
  ) {
    super(PubdataTruncatedRecordError.code, `${recordType} at chunk ${chunkIndex} is cut by the end of pubdata`, {
      details: { chunkIndex, recordType },
    })
  }
}

/** A field of a decoded record breaks its §1 bound or is not a valid encoding (e.g. the packed public key). */
export class PubdataInvalidFieldError extends BaseError {
  static readonly code = 'PUBDATA_INVALID_FIELD' as const
  override readonly name = 'Protocol.PubdataInvalidFieldError'
  constructor(
    readonly chunkIndex: number,
    readonly recordType: string,
    readonly field: string,
    cause?: unknown,
  ) {
    super(PubdataInvalidFieldError.code, `${recordType}.${field} at chunk ${chunkIndex} is invalid`, {
      details: { chunkIndex, recordType, field },
      cause,
    })
  }
}
