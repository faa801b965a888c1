/**
 * One side of a fill against a signed order (trade taker and maker, liquidation maker): the order checks of
 * docs/protocol.md §5.2 and the account arithmetic (quote-balance accounting: a buy of q at x does
 * `collateral −= q·x + fee, size += q`; a sell mirrors it).
 */
import { BASIS_POINTS, assertCollateral, assertPositionSize } from '../protocol/bounds.ts'
import type { Account, MarketState, SignedOrder } from '../protocol/types.ts'
import { InsufficientMarginError, IsolatedMarketError, LimitPriceError, OpenInterestCapError, ReduceOnlyError } from './errors.ts'
import { checkMargin, isReducingOnly, longSize } from './margin.ts'
import { requireInBounds, reject } from './rejection.ts'

/** The account after buying (`isBuy`) or selling `size` lots at `price` and paying `fee`. Funding must be settled. */
export function applyFillToAccount(
  account: Account,
  market: number,
  isBuy: boolean,
  size: bigint,
  price: bigint,
  fee: bigint,
): Account {
  const signedSize = isBuy ? size : -size
  const positions = account.positions.slice()
  const position = positions[market]!
  positions[market] = { size: position.size + signedSize, fundingIndexAtLastSettle: position.fundingIndexAtLastSettle }
  return { ...account, collateral: account.collateral - signedSize * price - fee, positions }
}

export function requireWithinLimit(accountIndex: bigint, order: SignedOrder, price: bigint): void {
  const within = order.isBuy ? price <= order.limitPrice : price >= order.limitPrice
  if (!within) reject(new LimitPriceError(accountIndex, order.isBuy, price, order.limitPrice))
}

/** An isolated account (`mode = 1 + m`) may hold a position only in market m. */
export function requireIsolatedMarket(accountIndex: bigint, account: Account, market: number): void {
  if (account.mode !== 0 && account.mode !== market + 1) reject(new IsolatedMarketError(accountIndex, account.mode, market))
}

/** A reduce-only order's fill must not grow `|size|` nor flip its sign. */
export function requireReduceOnly(accountIndex: bigint, order: SignedOrder, oldSize: bigint, newSize: bigint): void {
  if (order.reduceOnly && !isReducingOnly(oldSize, newSize)) reject(new ReduceOnlyError(accountIndex, oldSize, newSize))
}

/** Open interest (Σ long sizes) after the given size changes; over the cap only if it does not increase. */
export function computeOpenInterest(
  market: MarketState,
  marketIndex: number,
  changes: readonly { readonly oldSize: bigint; readonly newSize: bigint }[],
): bigint {
  let openInterest = market.openInterest
  for (const change of changes) openInterest += longSize(change.newSize) - longSize(change.oldSize)
  if (openInterest > market.parameters.openInterestCap && openInterest > market.openInterest) {
    reject(new OpenInterestCapError(marketIndex, openInterest, market.parameters.openInterestCap))
  }
  return openInterest
}

/**
 * After the fill (fees included) the account passes initial margin, or the fill only reduced its position in
 * this market and its equity is ≥ 0. Also keeps collateral and size within their §1 bounds.
 */
export function requireMarginAfterFill(
  accountIndex: bigint,
  oldSize: bigint,
  after: Account,
  market: number,
  markets: readonly MarketState[],
): void {
  const newSize = after.positions[market]!.size
  requireInBounds(() => assertPositionSize(newSize))
  requireInBounds(() => assertCollateral(after.collateral))
  const { equity, scaledRequirement, passes } = checkMargin(after, markets, 'imfBps')
  if (passes) return
  if (isReducingOnly(oldSize, newSize) && equity >= 0n) return
  reject(new InsufficientMarginError(accountIndex, equity, scaledRequirement / BASIS_POINTS))
}
