import { BaseError } from '../../sdk/errors.ts'

/**
 * Why the matching engine refused an order, cancel or amend. A refusal is delivered as a `rejected` event carrying
 * one of these errors (the engine throws only for programming errors such as a bad engine configuration or a time
 * outside the integer range); `code` is the stable word that reaches API clients.
 */
export class MatchingError extends BaseError {
  override readonly name: string = 'Matching.MatchingError'
}

/** The request is structurally wrong: unknown side, type, time in force or self-trade mode, or a field of the wrong type. */
export class InvalidOrderError extends MatchingError {
  static readonly code = 'INVALID_ORDER' as const
  override readonly name = 'Matching.InvalidOrderError'
  constructor(readonly field: string, readonly value: unknown) {
    super(InvalidOrderError.code, `invalid order field ${field}`, { details: { field, value } })
  }
}

/** The account index is not an integer in [0, 2^32). */
export class AccountOutOfRangeError extends MatchingError {
  static readonly code = 'ACCOUNT_OUT_OF_RANGE' as const
  override readonly name = 'Matching.AccountOutOfRangeError'
  constructor(readonly account: unknown) {
    super(AccountOutOfRangeError.code, 'account index out of range', { details: { account } })
  }
}

/** The client order id is not a bigint in [0, 2^53). */
export class OrderIdOutOfRangeError extends MatchingError {
  static readonly code = 'ORDER_ID_OUT_OF_RANGE' as const
  override readonly name = 'Matching.OrderIdOutOfRangeError'
  constructor(readonly orderId: unknown) {
    super(OrderIdOutOfRangeError.code, 'order id out of range', { details: { orderId } })
  }
}

/** The size is not a bigint number of lots in (0, 2^40). */
export class SizeOutOfRangeError extends MatchingError {
  static readonly code = 'SIZE_OUT_OF_RANGE' as const
  override readonly name = 'Matching.SizeOutOfRangeError'
  constructor(readonly size: unknown) {
    super(SizeOutOfRangeError.code, 'size out of range', { details: { size, min: 1n, maxExclusive: 2n ** 40n } })
  }
}

/** The size is below the market's minimum order size. */
export class SizeBelowMinimumError extends MatchingError {
  static readonly code = 'SIZE_BELOW_MINIMUM' as const
  override readonly name = 'Matching.SizeBelowMinimumError'
  constructor(readonly size: bigint, readonly minSize: bigint) {
    super(SizeBelowMinimumError.code, 'size below the market minimum', { details: { size, minSize } })
  }
}

/** The price (or protection price) is not a bigint in (0, 2^48). */
export class PriceOutOfRangeError extends MatchingError {
  static readonly code = 'PRICE_OUT_OF_RANGE' as const
  override readonly name = 'Matching.PriceOutOfRangeError'
  constructor(readonly price: unknown) {
    super(PriceOutOfRangeError.code, 'price out of range', { details: { price, min: 1n, maxExclusive: 2n ** 48n } })
  }
}

/** The limit price is not a multiple of the market's tick size. */
export class PriceOffTickError extends MatchingError {
  static readonly code = 'PRICE_OFF_TICK' as const
  override readonly name = 'Matching.PriceOffTickError'
  constructor(readonly price: bigint, readonly tickSize: bigint) {
    super(PriceOffTickError.code, 'price not on tick', { details: { price, tickSize } })
  }
}

/** The expiry time is not a bigint in [0, 2^53). */
export class ExpiryOutOfRangeError extends MatchingError {
  static readonly code = 'EXPIRY_OUT_OF_RANGE' as const
  override readonly name = 'Matching.ExpiryOutOfRangeError'
  constructor(readonly expiresAt: unknown) {
    super(ExpiryOutOfRangeError.code, 'expiry out of range', { details: { expiresAt } })
  }
}

/** The order's expiry is already in the past (an order is live while `now <= expiresAt`). */
export class OrderExpiredError extends MatchingError {
  static readonly code = 'ORDER_EXPIRED' as const
  override readonly name = 'Matching.OrderExpiredError'
  constructor(readonly expiresAt: bigint, readonly now: bigint) {
    super(OrderExpiredError.code, 'order already expired', { details: { expiresAt, now } })
  }
}

/** The flags contradict each other (post-only with IOC). */
export class IncompatibleFlagsError extends MatchingError {
  static readonly code = 'INCOMPATIBLE_FLAGS' as const
  override readonly name = 'Matching.IncompatibleFlagsError'
  constructor(readonly flags: string) {
    super(IncompatibleFlagsError.code, 'incompatible order flags', { details: { flags } })
  }
}

/** A reduce-only order reached an engine built without a `positionOf` lookup. */
export class ReduceOnlyUnavailableError extends MatchingError {
  static readonly code = 'REDUCE_ONLY_UNAVAILABLE' as const
  override readonly name = 'Matching.ReduceOnlyUnavailableError'
  constructor() {
    super(ReduceOnlyUnavailableError.code, 'reduce-only needs a position lookup', { details: {} })
  }
}

/**
 * A reduce-only order has nothing left to reduce: the account's position on the opposite side, less its other
 * resting reduce-only orders on this side, is zero.
 */
export class ReduceOnlyWouldIncreaseError extends MatchingError {
  static readonly code = 'REDUCE_ONLY_WOULD_INCREASE' as const
  override readonly name = 'Matching.ReduceOnlyWouldIncreaseError'
  constructor(readonly position: bigint, readonly restingReduceOnly: bigint) {
    super(ReduceOnlyWouldIncreaseError.code, 'reduce-only order would increase the position', {
      details: { position, restingReduceOnly },
    })
  }
}

/** No live order has this (account, orderId). */
export class UnknownOrderError extends MatchingError {
  static readonly code = 'UNKNOWN_ORDER' as const
  override readonly name = 'Matching.UnknownOrderError'
  constructor(readonly account: number, readonly orderId: bigint) {
    super(UnknownOrderError.code, 'unknown order', { details: { account, orderId } })
  }
}

/** A live order already has this (account, orderId). */
export class DuplicateOrderIdError extends MatchingError {
  static readonly code = 'DUPLICATE_ORDER_ID' as const
  override readonly name = 'Matching.DuplicateOrderIdError'
  constructor(readonly account: number, readonly orderId: bigint) {
    super(DuplicateOrderIdError.code, 'duplicate order id', { details: { account, orderId } })
  }
}

/** An amend's replacement names a different account from the order it replaces. */
export class AmendAccountMismatchError extends MatchingError {
  static readonly code = 'AMEND_ACCOUNT_MISMATCH' as const
  override readonly name = 'Matching.AmendAccountMismatchError'
  constructor(readonly account: number, readonly replacementAccount: unknown) {
    super(AmendAccountMismatchError.code, 'replacement order belongs to another account', {
      details: { account, replacementAccount },
    })
  }
}

/** Thrown (never an event): the engine was built with a bad market configuration. */
export class InvalidMarketConfigError extends MatchingError {
  static readonly code = 'INVALID_MARKET_CONFIG' as const
  override readonly name = 'Matching.InvalidMarketConfigError'
  constructor(readonly field: string, readonly value: unknown) {
    super(InvalidMarketConfigError.code, `invalid market configuration: ${field}`, { details: { field, value } })
  }
}

/** Thrown (never an event): the caller passed a time that is not a bigint in [0, 2^53). */
export class InvalidTimeError extends MatchingError {
  static readonly code = 'INVALID_TIME' as const
  override readonly name = 'Matching.InvalidTimeError'
  constructor(readonly now: unknown) {
    super(InvalidTimeError.code, 'time must be a bigint in [0, 2^53)', { details: { now } })
  }
}

/** Thrown (never an event): a snapshot handed to `restore` is malformed or does not fit this market. */
export class InvalidSnapshotError extends MatchingError {
  static readonly code = 'INVALID_SNAPSHOT' as const
  override readonly name = 'Matching.InvalidSnapshotError'
  constructor(readonly reason: string, readonly value: unknown) {
    super(InvalidSnapshotError.code, `invalid book snapshot: ${reason}`, { details: { reason, value } })
  }
}

/** Every error class of the module, for the uniqueness test and for clients that map codes back to classes. */
export const matchingErrorClasses = [
  InvalidOrderError,
  AccountOutOfRangeError,
  OrderIdOutOfRangeError,
  SizeOutOfRangeError,
  SizeBelowMinimumError,
  PriceOutOfRangeError,
  PriceOffTickError,
  ExpiryOutOfRangeError,
  OrderExpiredError,
  IncompatibleFlagsError,
  ReduceOnlyUnavailableError,
  ReduceOnlyWouldIncreaseError,
  UnknownOrderError,
  DuplicateOrderIdError,
  AmendAccountMismatchError,
  InvalidMarketConfigError,
  InvalidTimeError,
  InvalidSnapshotError,
] as const
