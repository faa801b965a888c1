/**
 * Tiered liquidation rules (docs/protocol.md §5.8–5.9), pure functions of an account whose funding is settled.
 * - Tier size: the partial size `min(|size|, ceilDiv(|size| · liquidationFractionBps, 10,000))`, or the whole
 *   position when (a) `equity · 10,000 < Σ notional · fullLiquidationBps` or (b) closing the partial size at the
 *   fill price would still leave the account below maintenance (measured before the penalty).
 * - Band: `|price − oraclePrice| · 10,000 ≤ oraclePrice · liquidationBandBps`.
 * - Penalty: `min(floorDiv(q · price · liquidationPenaltyBps, 10,000), max(0, equityAfterClose))`.
 * - Backstop: allowed when `equity < 0` or `equity · 10,000 < Σ notional · backstopBps`.
 */
import { BASIS_POINTS } from '../protocol/bounds.ts'
import { absolute, ceilDiv, mulDivDown } from '../protocol/rounding.ts'
import type { Account, MarketState } from '../protocol/types.ts'
import { checkMargin } from './margin.ts'

export type LiquidationTier = {
  /** Lots to close (> 0 when the account has a position in the market). */
  size: bigint
  /** True when the rule demands closing the whole position. */
  full: boolean
}

export function computePartialLiquidationSize(absoluteSize: bigint, liquidationFractionBps: bigint): bigint {
  const partial = ceilDiv(absoluteSize * liquidationFractionBps, BASIS_POINTS)
  return partial < absoluteSize ? partial : absoluteSize
}

export function isWithinLiquidationBand(price: bigint, oraclePrice: bigint, liquidationBandBps: bigint): boolean {
  return absolute(price - oraclePrice) * BASIS_POINTS <= oraclePrice * liquidationBandBps
}

/**
 * Close `size` lots of the position in `market` at `price`, toward zero (a long sells, a short buys); returns the new
 * collateral and positions. The caller guarantees `0 < size ≤ |position|`.
 */
export function closePosition(
  account: Pick<Account, 'collateral' | 'positions'>,
  market: number,
  size: bigint,
  price: bigint,
): Pick<Account, 'collateral' | 'positions'> {
  const position = account.positions[market]!
  const signed = position.size > 0n ? size : -size
  const positions = account.positions.slice()
  positions[market] = { size: position.size - signed, fundingIndexAtLastSettle: position.fundingIndexAtLastSettle }
  return { collateral: account.collateral + signed * price, positions }
}

export function computeLiquidationTier(
  account: Pick<Account, 'collateral' | 'positions'>,
  markets: readonly MarketState[],
  market: number,
  price: bigint,
): LiquidationTier {
  const absoluteSize = absolute(account.positions[market]!.size)
  const parameters = markets[market]!.parameters
  const partial = computePartialLiquidationSize(absoluteSize, parameters.liquidationFractionBps)
  if (!checkMargin(account, markets, 'fullLiquidationBps').passes) return { size: absoluteSize, full: true }
  const afterPartial = closePosition(account, market, partial, price)
  if (!checkMargin(afterPartial, markets, 'mmfBps').passes) return { size: absoluteSize, full: true }
  return { size: partial, full: false }
}

export function computeLiquidationPenalty(
  size: bigint,
  price: bigint,
  liquidationPenaltyBps: bigint,
  equityAfterClose: bigint,
): bigint {
  const penalty = mulDivDown(size * price, liquidationPenaltyBps, BASIS_POINTS)
  const cap = equityAfterClose > 0n ? equityAfterClose : 0n
  return penalty < cap ? penalty : cap
}

export type BackstopCheck = { equity: bigint; scaledRequirement: bigint; allowed: boolean }

export function checkBackstopEligibility(
  account: Pick<Account, 'collateral' | 'positions'>,
  markets: readonly MarketState[],
): BackstopCheck {
  const { equity, scaledRequirement, passes } = checkMargin(account, markets, 'backstopBps')
  return { equity, scaledRequirement, allowed: equity < 0n || !passes }
}
