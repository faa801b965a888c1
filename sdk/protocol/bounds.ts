/**
 * The §1 bounds of docs/protocol.md, checked in TS exactly where the circuit range-checks them. Each assertion
 * throws a typed error carrying the value and the inclusive bound it broke; `what` names the field in messages.
 */
import {
  AccountIndexOutOfRangeError,
  AddressOutOfRangeError,
  BasisPointsOutOfRangeError,
  CollateralOutOfRangeError,
  DepositAmountOutOfRangeError,
  FundingIndexOutOfRangeError,
  FundingRateOutOfRangeError,
  MarginModeOutOfRangeError,
  MarketIndexOutOfRangeError,
  PriceOutOfRangeError,
  SizeOutOfRangeError,
  StorageIdOutOfRangeError,
  TimestampOutOfRangeError,
  WithdrawalAmountOutOfRangeError,
} from './errors.ts'

export const SIZE_BITS = 40n
export const PRICE_BITS = 48n
export const COLLATERAL_BITS = 63n
export const FUNDING_INDEX_BITS = 63n
export const TIMESTAMP_BITS = 32n
export const STORAGE_ID_BITS = 32n
export const DEPOSIT_AMOUNT_BITS = 56n
export const WITHDRAWAL_AMOUNT_BITS = 63n
export const ADDRESS_BITS = 160n
/** Account indices are 3 pubdata bytes: 4^ACCOUNT_DEPTH ≤ 2^24. */
export const MAX_ACCOUNT_DEPTH = 12
/** Markets are 1 pubdata byte and one Poseidon call hashes all market leaves: M ≤ 16. */
export const MAX_MARKETS = 16

/** Order, fill, liquidation and ADL sizes: 0 < s < 2^40 (lots). */
export const MAX_SIZE = (1n << SIZE_BITS) - 1n
/** 0 < price < 2^48 (quote base units per lot). */
export const MAX_PRICE = (1n << PRICE_BITS) - 1n
/** |collateral| < 2^63. */
export const MAX_COLLATERAL = (1n << COLLATERAL_BITS) - 1n
/** |fundingIndex| < 2^63. */
export const MAX_FUNDING_INDEX = (1n << FUNDING_INDEX_BITS) - 1n
/** |rate| ≤ 10^6 ppm per interval (the clamp is at most this). */
export const MAX_FUNDING_RATE_PPM = 1_000_000n
export const MAX_TIMESTAMP = (1n << TIMESTAMP_BITS) - 1n
export const MAX_STORAGE_ID = (1n << STORAGE_ID_BITS) - 1n
export const BASIS_POINTS = 10_000n
export const MAX_DEPOSIT_AMOUNT = (1n << DEPOSIT_AMOUNT_BITS) - 1n
export const MAX_WITHDRAWAL_AMOUNT = (1n << WITHDRAWAL_AMOUNT_BITS) - 1n
export const MAX_ADDRESS = (1n << ADDRESS_BITS) - 1n

function isWithin(value: bigint, min: bigint, max: bigint): boolean {
  return value >= min && value <= max
}

/** Unsigned order/fill size: 0 < size < 2^40. */
export function assertSize(size: bigint, what = 'size'): void {
  if (!isWithin(size, 1n, MAX_SIZE)) throw new SizeOutOfRangeError(size, { min: 1n, max: MAX_SIZE }, what)
}

/** Signed position size: |size| < 2^40. */
export function assertPositionSize(size: bigint, what = 'position size'): void {
  if (!isWithin(size, -MAX_SIZE, MAX_SIZE)) throw new SizeOutOfRangeError(size, { min: -MAX_SIZE, max: MAX_SIZE }, what)
}

export function assertPrice(price: bigint, what = 'price'): void {
  if (!isWithin(price, 1n, MAX_PRICE)) throw new PriceOutOfRangeError(price, { min: 1n, max: MAX_PRICE }, what)
}

export function assertCollateral(collateral: bigint, what = 'collateral'): void {
  if (!isWithin(collateral, -MAX_COLLATERAL, MAX_COLLATERAL)) {
    throw new CollateralOutOfRangeError(collateral, { min: -MAX_COLLATERAL, max: MAX_COLLATERAL }, what)
  }
}

export function assertFundingIndex(fundingIndex: bigint, what = 'funding index'): void {
  if (!isWithin(fundingIndex, -MAX_FUNDING_INDEX, MAX_FUNDING_INDEX)) {
    throw new FundingIndexOutOfRangeError(fundingIndex, { min: -MAX_FUNDING_INDEX, max: MAX_FUNDING_INDEX }, what)
  }
}

/** |rate| ≤ 10^6 ppm: the absolute bound; the per-market clamp is a transaction rule. */
export function assertFundingRate(ratePpm: bigint, what = 'funding rate'): void {
  if (!isWithin(ratePpm, -MAX_FUNDING_RATE_PPM, MAX_FUNDING_RATE_PPM)) {
    throw new FundingRateOutOfRangeError(ratePpm, { min: -MAX_FUNDING_RATE_PPM, max: MAX_FUNDING_RATE_PPM }, what)
  }
}

export function assertTimestamp(timestamp: bigint, what = 'timestamp'): void {
  if (!isWithin(timestamp, 0n, MAX_TIMESTAMP)) {
    throw new TimestampOutOfRangeError(timestamp, { min: 0n, max: MAX_TIMESTAMP }, what)
  }
}

/** 0 ≤ index < 4^accountDepth. */
export function assertAccountIndex(index: bigint, accountDepth: number, what = 'account index'): void {
  const max = (1n << BigInt(2 * accountDepth)) - 1n
  if (!isWithin(index, 0n, max)) throw new AccountIndexOutOfRangeError(index, { min: 0n, max }, what)
}

/** An integer market index 0 ≤ market < markets. */
export function assertMarketIndex(market: number | bigint, markets: number, what = 'market index'): void {
  const max = BigInt(markets) - 1n
  if (typeof market === 'number' && !Number.isSafeInteger(market)) {
    throw new MarketIndexOutOfRangeError(BigInt(Math.trunc(market)), { min: 0n, max }, what)
  }
  const value = BigInt(market)
  if (!isWithin(value, 0n, max)) throw new MarketIndexOutOfRangeError(value, { min: 0n, max }, what)
}

export function assertStorageId(storageId: bigint, what = 'storage id'): void {
  if (!isWithin(storageId, 0n, MAX_STORAGE_ID)) {
    throw new StorageIdOutOfRangeError(storageId, { min: 0n, max: MAX_STORAGE_ID }, what)
  }
}

export function assertBasisPoints(basisPoints: bigint, what = 'basis points'): void {
  if (!isWithin(basisPoints, 0n, BASIS_POINTS)) {
    throw new BasisPointsOutOfRangeError(basisPoints, { min: 0n, max: BASIS_POINTS }, what)
  }
}

/** 0 < amount < 2^56. */
export function assertDepositAmount(amount: bigint, what = 'deposit amount'): void {
  if (!isWithin(amount, 1n, MAX_DEPOSIT_AMOUNT)) {
    throw new DepositAmountOutOfRangeError(amount, { min: 1n, max: MAX_DEPOSIT_AMOUNT }, what)
  }
}

/** 0 ≤ amount < 2^63 (a withdraw tx additionally needs amount > 0, a tx rule). */
export function assertWithdrawalAmount(amount: bigint, what = 'withdrawal amount'): void {
  if (!isWithin(amount, 0n, MAX_WITHDRAWAL_AMOUNT)) {
    throw new WithdrawalAmountOutOfRangeError(amount, { min: 0n, max: MAX_WITHDRAWAL_AMOUNT }, what)
  }
}

/** An L1 address as a 160-bit integer. */
export function assertAddress(address: bigint, what = 'address'): void {
  if (!isWithin(address, 0n, MAX_ADDRESS)) throw new AddressOutOfRangeError(address, { min: 0n, max: MAX_ADDRESS }, what)
}

/** `0` (cross) or `1 + m` with m < markets (isolated). */
export function assertMarginMode(mode: number, markets: number, what = 'margin mode'): void {
  const max = BigInt(markets)
  const value = Number.isSafeInteger(mode) ? BigInt(mode) : -1n
  if (!isWithin(value, 0n, max)) throw new MarginModeOutOfRangeError(value, { min: 0n, max }, what)
}
