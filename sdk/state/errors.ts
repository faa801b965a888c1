/**
 * Typed rejections of the reference state machine (docs/protocol.md §5). A rejected tx is never included in a
 * batch; its error carries a stable `code` (the word the gateway forwards to clients) and the offending values.
 * Values outside their §1 bounds reuse the protocol layer's `*_OUT_OF_RANGE` errors and bad signatures the crypto
 * layer's; the classes below are the rules that only the state machine can judge.
 */
import { BaseError } from '../errors.ts'

export class AccountNotFoundError extends BaseError {
  static readonly code = 'ACCOUNT_NOT_FOUND' as const
  override readonly name = 'State.AccountNotFoundError'
  constructor(readonly accountIndex: bigint) {
    super(AccountNotFoundError.code, 'no account at this index', { details: { accountIndex } })
  }
}

export class AccountExistsError extends BaseError {
  static readonly code = 'ACCOUNT_EXISTS' as const
  override readonly name = 'State.AccountExistsError'
  constructor(readonly accountIndex: bigint) {
    super(AccountExistsError.code, 'an account already exists at this index', { details: { accountIndex } })
  }
}

/** A deposit creating an account names another index than the next one L1 assigns (L1 and L2 out of step). */
export class AccountIndexNotNextError extends BaseError {
  static readonly code = 'ACCOUNT_INDEX_NOT_NEXT' as const
  override readonly name = 'State.AccountIndexNotNextError'
  constructor(
    readonly accountIndex: bigint,
    readonly expected: bigint,
  ) {
    super(AccountIndexNotNextError.code, 'new account index is not the next L1 index', {
      details: { accountIndex, expected },
    })
  }
}

/** A transfer creating its target names an index outside the range reserved for L2-created accounts (§2.2). */
export class TransferTargetIndexError extends BaseError {
  static readonly code = 'TRANSFER_TARGET_INDEX_INVALID' as const
  override readonly name = 'State.TransferTargetIndexError'
  constructor(
    readonly accountIndex: bigint,
    readonly firstL2Index: bigint,
  ) {
    super(TransferTargetIndexError.code, 'a new transfer target must lie in the L2-created index range', {
      details: { accountIndex, firstL2Index },
    })
  }
}

export class SameAccountError extends BaseError {
  static readonly code = 'SAME_ACCOUNT' as const
  override readonly name = 'State.SameAccountError'
  constructor(readonly accountIndex: bigint) {
    super(SameAccountError.code, 'both sides name the same account', { details: { accountIndex } })
  }
}

/** An operation not open to the insurance fund or the fee account (they cannot sign, trade or be liquidated). */
export class SystemAccountError extends BaseError {
  static readonly code = 'SYSTEM_ACCOUNT_NOT_ALLOWED' as const
  override readonly name = 'State.SystemAccountError'
  constructor(
    readonly accountIndex: bigint,
    readonly operation: string,
  ) {
    super(SystemAccountError.code, `${operation} is not allowed on a system account`, {
      details: { accountIndex, operation },
    })
  }
}

export class MarketMismatchError extends BaseError {
  static readonly code = 'MARKET_MISMATCH' as const
  override readonly name = 'State.MarketMismatchError'
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(MarketMismatchError.code, 'the orders are for different markets', { details: { expected, actual } })
  }
}

export class SameSideError extends BaseError {
  static readonly code = 'SAME_SIDE' as const
  override readonly name = 'State.SameSideError'
  constructor(readonly isBuy: boolean) {
    super(SameSideError.code, 'the two sides of a fill must be opposite', { details: { isBuy } })
  }
}

export class OrderExpiredError extends BaseError {
  static readonly code = 'ORDER_EXPIRED' as const
  override readonly name = 'State.OrderExpiredError'
  constructor(
    readonly accountIndex: bigint,
    readonly expiry: bigint,
    readonly batchTimestamp: bigint,
  ) {
    super(OrderExpiredError.code, 'the message expired before the batch time', {
      details: { accountIndex, expiry, batchTimestamp },
    })
  }
}

/** The order's storage id is below its slot's: a higher id replaced (cancelled) it. */
export class OrderReplacedError extends BaseError {
  static readonly code = 'ORDER_REPLACED' as const
  override readonly name = 'State.OrderReplacedError'
  constructor(
    readonly accountIndex: bigint,
    readonly storageId: bigint,
    readonly slotStorageId: bigint,
  ) {
    super(OrderReplacedError.code, 'a higher storage id holds this order slot', {
      details: { accountIndex, storageId, slotStorageId },
    })
  }
}

export class OrderOverfillError extends BaseError {
  static readonly code = 'ORDER_OVERFILL' as const
  override readonly name = 'State.OrderOverfillError'
  constructor(
    readonly accountIndex: bigint,
    readonly filled: bigint,
    readonly fillSize: bigint,
    readonly orderSize: bigint,
  ) {
    super(OrderOverfillError.code, 'the fill exceeds what remains of the order', {
      details: { accountIndex, filled, fillSize, orderSize },
    })
  }
}

/** A withdrawal or transfer must use a storage id strictly above its slot's (it consumes the slot). */
export class StorageIdUsedError extends BaseError {
  static readonly code = 'STORAGE_ID_USED' as const
  override readonly name = 'State.StorageIdUsedError'
  constructor(
    readonly accountIndex: bigint,
    readonly storageId: bigint,
    readonly slotStorageId: bigint,
  ) {
    super(StorageIdUsedError.code, 'storage id not above its slot: already used or replaced', {
      details: { accountIndex, storageId, slotStorageId },
    })
  }
}

export class LimitPriceError extends BaseError {
  static readonly code = 'LIMIT_PRICE_VIOLATED' as const
  override readonly name = 'State.LimitPriceError'
  constructor(
    readonly accountIndex: bigint,
    readonly isBuy: boolean,
    readonly price: bigint,
    readonly limitPrice: bigint,
  ) {
    super(LimitPriceError.code, 'the fill price is beyond the order limit', {
      details: { accountIndex, isBuy, price, limitPrice },
    })
  }
}

/** A liquidation's price must be the maker's limit price. */
export class FillPriceError extends BaseError {
  static readonly code = 'FILL_PRICE_MISMATCH' as const
  override readonly name = 'State.FillPriceError'
  constructor(
    readonly price: bigint,
    readonly expected: bigint,
  ) {
    super(FillPriceError.code, 'fill price differs from the maker limit', { details: { price, expected } })
  }
}

export class OracleStaleError extends BaseError {
  static readonly code = 'ORACLE_STALE' as const
  override readonly name = 'State.OracleStaleError'
  constructor(
    readonly market: number,
    readonly oracleTime: bigint,
    readonly batchTimestamp: bigint,
    readonly maxOracleAgeSeconds: bigint,
  ) {
    super(OracleStaleError.code, 'the oracle price is too old (or from the future) for this batch', {
      details: { market, oracleTime, batchTimestamp, maxOracleAgeSeconds },
    })
  }
}

export class IsolatedMarketError extends BaseError {
  static readonly code = 'ISOLATED_MARKET_MISMATCH' as const
  override readonly name = 'State.IsolatedMarketError'
  constructor(
    readonly accountIndex: bigint,
    readonly mode: number,
    readonly market: number,
  ) {
    super(IsolatedMarketError.code, 'an isolated account trades only its market', {
      details: { accountIndex, mode, market },
    })
  }
}

export class ReduceOnlyError extends BaseError {
  static readonly code = 'REDUCE_ONLY_VIOLATED' as const
  override readonly name = 'State.ReduceOnlyError'
  constructor(
    readonly accountIndex: bigint,
    readonly oldSize: bigint,
    readonly newSize: bigint,
  ) {
    super(ReduceOnlyError.code, 'a reduce-only fill would grow or flip the position', {
      details: { accountIndex, oldSize, newSize },
    })
  }
}

export class OpenInterestCapError extends BaseError {
  static readonly code = 'OPEN_INTEREST_CAP_EXCEEDED' as const
  override readonly name = 'State.OpenInterestCapError'
  constructor(
    readonly market: number,
    readonly openInterest: bigint,
    readonly openInterestCap: bigint,
  ) {
    super(OpenInterestCapError.code, 'the fill would raise open interest above the cap', {
      details: { market, openInterest, openInterestCap },
    })
  }
}

export class InsufficientMarginError extends BaseError {
  static readonly code = 'INSUFFICIENT_MARGIN' as const
  override readonly name = 'State.InsufficientMarginError'
  constructor(
    readonly accountIndex: bigint,
    readonly equity: bigint,
    readonly requiredMargin: bigint,
  ) {
    super(InsufficientMarginError.code, 'the account would fall below initial margin', {
      details: { accountIndex, equity, requiredMargin },
    })
  }
}

export class TransferOwnerError extends BaseError {
  static readonly code = 'TRANSFER_OWNER_MISMATCH' as const
  override readonly name = 'State.TransferOwnerError'
  constructor(
    readonly fromOwner: bigint,
    readonly toOwner: bigint,
  ) {
    super(TransferOwnerError.code, 'transfers move collateral between accounts of one owner only', {
      details: { fromOwner, toOwner },
    })
  }
}

export class TransferTargetModeError extends BaseError {
  static readonly code = 'TRANSFER_TARGET_MODE_MISMATCH' as const
  override readonly name = 'State.TransferTargetModeError'
  constructor(
    readonly targetMode: number,
    readonly actualMode: number,
  ) {
    super(TransferTargetModeError.code, 'the signed target mode differs from the target account', {
      details: { targetMode, actualMode },
    })
  }
}

export class TimestampNotIncreasingError extends BaseError {
  static readonly code = 'TIMESTAMP_NOT_INCREASING' as const
  override readonly name = 'State.TimestampNotIncreasingError'
  constructor(
    readonly market: number,
    readonly previous: bigint,
    readonly timestamp: bigint,
  ) {
    super(TimestampNotIncreasingError.code, 'the oracle timestamp must strictly increase', {
      details: { market, previous, timestamp },
    })
  }
}

export class TimestampInFutureError extends BaseError {
  static readonly code = 'TIMESTAMP_IN_FUTURE' as const
  override readonly name = 'State.TimestampInFutureError'
  constructor(
    readonly timestamp: bigint,
    readonly batchTimestamp: bigint,
  ) {
    super(TimestampInFutureError.code, 'timestamp is later than the batch time', {
      details: { timestamp, batchTimestamp },
    })
  }
}

export class FundingTooEarlyError extends BaseError {
  static readonly code = 'FUNDING_TOO_EARLY' as const
  override readonly name = 'State.FundingTooEarlyError'
  constructor(
    readonly market: number,
    readonly lastFundingTime: bigint,
    readonly fundingIntervalSeconds: bigint,
    readonly timestamp: bigint,
  ) {
    super(FundingTooEarlyError.code, 'funding updates at most once per interval', {
      details: { market, lastFundingTime, fundingIntervalSeconds, timestamp },
    })
  }
}

export class FundingRateClampError extends BaseError {
  static readonly code = 'FUNDING_RATE_ABOVE_CLAMP' as const
  override readonly name = 'State.FundingRateClampError'
  constructor(
    readonly market: number,
    readonly ratePpm: bigint,
    readonly fundingClampPpm: bigint,
  ) {
    super(FundingRateClampError.code, 'the funding rate exceeds the market clamp', {
      details: { market, ratePpm, fundingClampPpm },
    })
  }
}

export class NoPositionError extends BaseError {
  static readonly code = 'NO_POSITION' as const
  override readonly name = 'State.NoPositionError'
  constructor(
    readonly accountIndex: bigint,
    readonly market: number,
  ) {
    super(NoPositionError.code, 'the account has no position in this market', { details: { accountIndex, market } })
  }
}

export class NotLiquidatableError extends BaseError {
  static readonly code = 'NOT_LIQUIDATABLE' as const
  override readonly name = 'State.NotLiquidatableError'
  constructor(
    readonly accountIndex: bigint,
    readonly equity: bigint,
    readonly maintenanceMargin: bigint,
  ) {
    super(NotLiquidatableError.code, 'the account is at or above maintenance margin', {
      details: { accountIndex, equity, maintenanceMargin },
    })
  }
}

/** The liquidation names another size or tier than the rule of §5.8 gives. */
export class LiquidationSizeError extends BaseError {
  static readonly code = 'LIQUIDATION_SIZE_MISMATCH' as const
  override readonly name = 'State.LiquidationSizeError'
  constructor(
    readonly size: bigint,
    readonly full: boolean,
    readonly expectedSize: bigint,
    readonly expectedFull: boolean,
  ) {
    super(LiquidationSizeError.code, 'liquidation size or tier differs from the tier rule', {
      details: { size, full, expectedSize, expectedFull },
    })
  }
}

export class LiquidationBandError extends BaseError {
  static readonly code = 'LIQUIDATION_OUTSIDE_BAND' as const
  override readonly name = 'State.LiquidationBandError'
  constructor(
    readonly price: bigint,
    readonly oraclePrice: bigint,
    readonly liquidationBandBps: bigint,
  ) {
    super(LiquidationBandError.code, 'the liquidation price is outside the band around the oracle', {
      details: { price, oraclePrice, liquidationBandBps },
    })
  }
}

/** The maker's side does not close the liquidated position (a long is closed by a buyer, a short by a seller). */
export class LiquidationSideError extends BaseError {
  static readonly code = 'LIQUIDATION_SIDE_MISMATCH' as const
  override readonly name = 'State.LiquidationSideError'
  constructor(
    readonly positionSize: bigint,
    readonly makerIsBuy: boolean,
  ) {
    super(LiquidationSideError.code, 'the maker order does not take the other side of the close', {
      details: { positionSize, makerIsBuy },
    })
  }
}

export class BackstopNotAllowedError extends BaseError {
  static readonly code = 'BACKSTOP_NOT_ALLOWED' as const
  override readonly name = 'State.BackstopNotAllowedError'
  constructor(
    readonly accountIndex: bigint,
    readonly equity: bigint,
    readonly backstopMargin: bigint,
  ) {
    super(BackstopNotAllowedError.code, 'equity is not below zero or the backstop threshold', {
      details: { accountIndex, equity, backstopMargin },
    })
  }
}

export class InsuranceFundSolventError extends BaseError {
  static readonly code = 'INSURANCE_FUND_SOLVENT' as const
  override readonly name = 'State.InsuranceFundSolventError'
  constructor(readonly equity: bigint) {
    super(InsuranceFundSolventError.code, 'auto-deleveraging runs only while the insurance fund is negative', {
      details: { equity },
    })
  }
}

export class DeleverageSizeError extends BaseError {
  static readonly code = 'DELEVERAGE_SIZE_INVALID' as const
  override readonly name = 'State.DeleverageSizeError'
  constructor(
    readonly size: bigint,
    readonly insuranceSize: bigint,
    readonly counterpartySize: bigint,
  ) {
    super(DeleverageSizeError.code, 'deleverage size must be positive, opposite and within both positions', {
      details: { size, insuranceSize, counterpartySize },
    })
  }
}

/** Every state error class, for the uniqueness test and for callers that map codes. */
export const STATE_ERRORS = [
  AccountNotFoundError,
  AccountExistsError,
  AccountIndexNotNextError,
  TransferTargetIndexError,
  SameAccountError,
  SystemAccountError,
  MarketMismatchError,
  SameSideError,
  OrderExpiredError,
  OrderReplacedError,
  OrderOverfillError,
  StorageIdUsedError,
  LimitPriceError,
  FillPriceError,
  OracleStaleError,
  IsolatedMarketError,
  ReduceOnlyError,
  OpenInterestCapError,
  InsufficientMarginError,
  TransferOwnerError,
  TransferTargetModeError,
  TimestampNotIncreasingError,
  TimestampInFutureError,
  FundingTooEarlyError,
  FundingRateClampError,
  NoPositionError,
  NotLiquidatableError,
  LiquidationSizeError,
  LiquidationBandError,
  LiquidationSideError,
  BackstopNotAllowedError,
  InsuranceFundSolventError,
  DeleverageSizeError,
] as const
