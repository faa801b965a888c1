/**
 * The funding rate from the book (off-chain; only the clamp is proven, docs/protocol.md §5.7). Exact integers.
 *
 * Impact size: the lots an `impactNotional` (quote base units) buys at the oracle price,
 * `impactSize = max(1, ceilDiv(impactNotional, oraclePrice))`.
 * Impact prices: the average price of selling `impactSize` lots into the bids (impact bid) and of buying them from
 * the asks (impact ask), walking levels best first: `impactBid = floorDiv(Σ price·lots, impactSize)` (rounded
 * down, toward the seller's worse price), `impactAsk = ceilDiv(Σ price·lots, impactSize)` (rounded up). A side
 * without `impactSize` lots of depth has no impact price.
 * Premium (BitMEX's premium index, in ppm of the oracle price):
 * `premiumPpm = truncate((max(0, impactBid − oracle) − max(0, oracle − impactAsk)) · 10^6 / oracle)`, where a missing
 * impact price contributes 0; truncation is toward zero (bigint division). So the premium is positive only when even
 * selling size into the bids beats the oracle (longs pay), negative only when buying size from the asks is below it
 * (shorts pay), and zero while the oracle sits inside the impact spread.
 * Rate: the arithmetic mean of the premiums sampled over the interval (truncated toward zero; the instantaneous
 * premium when there is no sample), clamped to `±fundingClampPpm`.
 */
import { ceilDiv, floorDiv } from '../../sdk/protocol/rounding.ts'
import type { DepthLevel } from '../matching/types.ts'

const PARTS_PER_MILLION = 1_000_000n

export function computeImpactSize(impactNotional: bigint, oraclePrice: bigint): bigint {
  const size = ceilDiv(impactNotional, oraclePrice)
  return size > 1n ? size : 1n
}

/** `Σ price·lots` of the first `size` lots of `levels` (best first), or undefined when the side is thinner. */
function impactCost(levels: readonly DepthLevel[], size: bigint): bigint | undefined {
  let left = size
  let cost = 0n
  for (const [price, lots] of levels) {
    const take = lots < left ? lots : left
    cost += price * take
    left -= take
    if (left === 0n) return cost
  }
  return undefined
}

export type ImpactPrices = { readonly bid: bigint | undefined; readonly ask: bigint | undefined }

export function computeImpactPrices(bids: readonly DepthLevel[], asks: readonly DepthLevel[], impactSize: bigint): ImpactPrices {
  const bidCost = impactCost(bids, impactSize)
  const askCost = impactCost(asks, impactSize)
  return {
    bid: bidCost === undefined ? undefined : floorDiv(bidCost, impactSize),
    ask: askCost === undefined ? undefined : ceilDiv(askCost, impactSize),
  }
}

export type ComputePremiumParameters = {
  readonly bids: readonly DepthLevel[]
  readonly asks: readonly DepthLevel[]
  readonly oraclePrice: bigint
  readonly impactNotional: bigint
}

export function computePremiumPpm({ bids, asks, oraclePrice, impactNotional }: ComputePremiumParameters): bigint {
  const impact = computeImpactPrices(bids, asks, computeImpactSize(impactNotional, oraclePrice))
  const above = impact.bid !== undefined && impact.bid > oraclePrice ? impact.bid - oraclePrice : 0n
  const below = impact.ask !== undefined && impact.ask < oraclePrice ? oraclePrice - impact.ask : 0n
  return ((above - below) * PARTS_PER_MILLION) / oraclePrice
}

export function clampFundingRate(ratePpm: bigint, fundingClampPpm: bigint): bigint {
  if (ratePpm > fundingClampPpm) return fundingClampPpm
  if (ratePpm < -fundingClampPpm) return -fundingClampPpm
  return ratePpm
}

/** Mean of the samples, truncated toward zero; undefined when there are none. */
export function averagePremiumPpm(samples: readonly bigint[]): bigint | undefined {
  if (samples.length === 0) return undefined
  return samples.reduce((sum, sample) => sum + sample, 0n) / BigInt(samples.length)
}
