/**
 * Funding update (docs/protocol.md §5.7). Checks, in order: market < M; rate and timestamp in bounds;
 * `timestamp ≥ lastFundingTime + fundingInterval`; `timestamp ≤ T`; oracle fresh; `|rate| ≤ fundingClampPpm`.
 * `fundingIndex += floorDiv(rate · oraclePrice · (timestamp − lastFundingTime), 10^6 · fundingInterval)`.
 * Accounts pay lazily, when a tx next touches them (`funding.ts`).
 */
import { assertFundingIndex, assertFundingRate, assertTimestamp } from '../protocol/bounds.ts'
import { floorDiv } from '../protocol/rounding.ts'
import { absolute } from '../protocol/rounding.ts'
import type { FundingUpdateTx, MarketState } from '../protocol/types.ts'
import { FundingRateClampError, FundingTooEarlyError, TimestampInFutureError } from './errors.ts'
import { reject, requireInBounds } from './rejection.ts'
import type { ExchangeState } from './state.ts'
import { requireFreshOracle, requireMarket } from './touch.ts'
import type { TxContext, TxEffect } from './txEffect.ts'

const PARTS_PER_MILLION = 1_000_000n

export function computeFundingIndexDelta(market: MarketState, ratePpm: bigint, timestamp: bigint): bigint {
  const elapsed = timestamp - market.lastFundingTime
  return floorDiv(
    ratePpm * market.oraclePrice * elapsed,
    PARTS_PER_MILLION * market.parameters.fundingIntervalSeconds,
  )
}

export function prepareFundingUpdate(state: ExchangeState, tx: FundingUpdateTx, context: TxContext): TxEffect {
  const { market, ratePpm, timestamp } = tx
  const marketState = requireMarket(state, market)
  requireInBounds(() => assertFundingRate(ratePpm))
  requireInBounds(() => assertTimestamp(timestamp, 'funding timestamp'))
  const { fundingIntervalSeconds, fundingClampPpm } = marketState.parameters
  if (timestamp < marketState.lastFundingTime + fundingIntervalSeconds) {
    reject(new FundingTooEarlyError(market, marketState.lastFundingTime, fundingIntervalSeconds, timestamp))
  }
  if (timestamp > context.batchTimestamp) reject(new TimestampInFutureError(timestamp, context.batchTimestamp))
  requireFreshOracle(state, market, context.batchTimestamp)
  if (absolute(ratePpm) > fundingClampPpm) reject(new FundingRateClampError(market, ratePpm, fundingClampPpm))
  const fundingIndex = marketState.fundingIndex + computeFundingIndexDelta(marketState, ratePpm, timestamp)
  requireInBounds(() => assertFundingIndex(fundingIndex))
  return {
    writes: [{ kind: 'market', market, marketState: { ...marketState, fundingIndex, lastFundingTime: timestamp } }],
    fee: 0n,
    penalty: 0n,
    events: [{ type: 'fundingUpdated', market, ratePpm, timestamp, fundingIndex }],
    pubdata: { type: 'fundingUpdate', market, ratePpm, timestamp },
  }
}
