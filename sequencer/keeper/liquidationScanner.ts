/**
 * The liquidation scanner: which accounts are below maintenance, worst first, and the one risk action the sdk state
 * machine accepts for each (docs/protocol.md §5.8–5.10). Every number comes from the sdk's own functions
 * (`settleFunding`, `checkMargin`, `computeLiquidationTier`, `checkBackstopEligibility`, `isWithinLiquidationBand`)
 * and every planned tx is confirmed with the sdk's `prepareTx` before it is returned, so the keeper never
 * re-implements a rule and never sends a tx the state machine would refuse in the state it planned against.
 *
 * Choices (off-chain, not proven):
 * - Order: by shortfall `Σ notional·mmfBps − equity·10,000` (the maintenance gap scaled by 10,000), largest first,
 *   then by account index.
 * - Tier: an account eligible for backstop (equity < 0 or below backstopBps) is backstopped, never closed in the
 *   book: closing it out below zero would leave the insurance fund a deficit with no position to deleverage (§5.10).
 * - Otherwise its largest position (by notional at the oracle price) is closed first, against the best-priced
 *   resting order of the opposite side (oldest first within a price) that lies in the band, belongs to another
 *   account and has at least the tier size left (a liquidation consumes exactly one maker order, §5.8).
 * - ADL runs only while the insurance fund's equity is negative: counterparties hold the opposite position, ranked
 *   by equity (largest first: they can cover most of the deficit), then by index; size = the smaller position.
 */
import { BASIS_POINTS } from '../../sdk/protocol/bounds.ts'
import { absolute } from '../../sdk/protocol/rounding.ts'
import type { AutoDeleverageTx, BackstopTx, Domain, LiquidationTx } from '../../sdk/protocol/types.ts'
import { FIRST_USER_ACCOUNT_INDEX, INSURANCE_FUND_INDEX } from '../../sdk/protocol/types.ts'
import { prepareTx } from '../../sdk/state/applyTx.ts'
import { settleFunding } from '../../sdk/state/funding.ts'
import { checkBackstopEligibility, computeLiquidationTier, isWithinLiquidationBand } from '../../sdk/state/liquidation.ts'
import { checkMargin, computeEquity } from '../../sdk/state/margin.ts'
import type { ExchangeState } from '../../sdk/state/state.ts'
import type { RiskTx } from '../core/inputCodec.ts'
import type { KeeperView } from './keeperView.ts'

export type UndercollateralizedAccount = {
  readonly accountIndex: bigint
  /** Equity after funding settlement. */
  readonly equity: bigint
  /** `Σ notional · mmfBps` (the maintenance requirement × 10,000). */
  readonly scaledRequirement: bigint
  /** `scaledRequirement − equity · 10,000` (> 0). */
  readonly shortfall: bigint
  /** Equity < 0 or below backstopBps: the insurance fund takes the account over. */
  readonly backstopEligible: boolean
}

/** Every user account below maintenance (funding settled as a touch would), largest shortfall first. */
export function findUndercollateralizedAccounts(state: ExchangeState): UndercollateralizedAccount[] {
  const out: UndercollateralizedAccount[] = []
  for (const [accountIndex, account] of state.accounts) {
    if (accountIndex < FIRST_USER_ACCOUNT_INDEX) continue
    const settled = settleFunding(account, state.markets).account
    const maintenance = checkMargin(settled, state.markets, 'mmfBps')
    if (maintenance.passes) continue
    out.push({
      accountIndex,
      equity: maintenance.equity,
      scaledRequirement: maintenance.scaledRequirement,
      shortfall: maintenance.scaledRequirement - maintenance.equity * BASIS_POINTS,
      backstopEligible: checkBackstopEligibility(settled, state.markets).allowed,
    })
  }
  return out.sort((a, b) =>
    a.shortfall !== b.shortfall ? (a.shortfall > b.shortfall ? -1 : 1) : a.accountIndex < b.accountIndex ? -1 : 1,
  )
}

export type PlanContext = { readonly view: KeeperView; readonly domain: Domain; readonly time: bigint }

export type PlanReturnType =
  | { readonly tx: RiskTx }
  /** Nothing the state machine accepts now: the last refusal's code (e.g. ORACLE_STALE), or NO_LIQUIDITY. */
  | { readonly tx: undefined; readonly reason: string }

function accepts(state: ExchangeState, tx: RiskTx, context: PlanContext): { ok: true } | { ok: false; code: string } {
  // The gateway verified every resting order's signature when it accepted it; the sequencer re-checks the maker is
  // that exact live order before applying.
  const prepared = prepareTx(state, tx, { batchTimestamp: context.time, domain: context.domain, signaturesVerified: true })
  return prepared.accepted ? { ok: true } : { ok: false, code: prepared.error.code }
}

/** The risk action for one account below maintenance: backstop, or a tiered liquidation against a resting order. */
export function planLiquidation(candidate: UndercollateralizedAccount, context: PlanContext): PlanReturnType {
  const { state } = context.view
  const account = state.accounts.get(candidate.accountIndex)
  if (account === undefined) return { tx: undefined, reason: 'ACCOUNT_NOT_FOUND' }
  if (candidate.backstopEligible) {
    const tx: BackstopTx = { type: 'backstop', accountIndex: candidate.accountIndex }
    const verdict = accepts(state, tx, context)
    return verdict.ok ? { tx } : { tx: undefined, reason: verdict.code }
  }
  const settled = settleFunding(account, state.markets).account
  const markets = state.markets
    .map((market, index) => ({ index, notional: absolute(settled.positions[index]!.size) * market.oraclePrice }))
    .filter(({ notional }) => notional > 0n)
    .sort((a, b) => (a.notional !== b.notional ? (a.notional > b.notional ? -1 : 1) : a.index - b.index))
  let reason = 'NO_LIQUIDITY'
  for (const { index: market } of markets) {
    const size = settled.positions[market]!.size
    const marketState = state.markets[market]!
    // Closing a long sells into the bids; closing a short buys from the asks.
    for (const resting of context.view.restingOrders(market, size > 0n ? 'buy' : 'sell')) {
      const { order } = resting
      if (!isWithinLiquidationBand(order.limitPrice, marketState.oraclePrice, marketState.parameters.liquidationBandBps)) {
        // Orders come best first: past the band's far edge none can follow; before its near edge, keep walking.
        const beyondFarEdge = size > 0n ? order.limitPrice < marketState.oraclePrice : order.limitPrice > marketState.oraclePrice
        if (beyondFarEdge) break
        continue
      }
      if (order.accountIndex === candidate.accountIndex) continue
      const tier = computeLiquidationTier(settled, state.markets, market, order.limitPrice)
      if (resting.remaining < tier.size) continue
      const tx: LiquidationTx = {
        type: 'liquidation',
        accountIndex: candidate.accountIndex,
        market,
        maker: order,
        size: tier.size,
        price: order.limitPrice,
        full: tier.full,
      }
      const verdict = accepts(state, tx, context)
      if (verdict.ok) return { tx }
      reason = verdict.code
    }
  }
  return { tx: undefined, reason }
}

/** One ADL step while the insurance fund's equity is negative, or undefined when none is needed or possible. */
export function planDeleverage(context: PlanContext): AutoDeleverageTx | undefined {
  const { state } = context.view
  const insurance = state.accounts.get(INSURANCE_FUND_INDEX)
  if (insurance === undefined) return undefined
  const fund = settleFunding(insurance, state.markets).account
  if (computeEquity(fund, state.markets) >= 0n) return undefined
  const counterparties = [...state.accounts.entries()]
    .filter(([index]) => index >= FIRST_USER_ACCOUNT_INDEX)
    .map(([index, account]) => {
      const settled = settleFunding(account, state.markets).account
      return { index, settled, equity: computeEquity(settled, state.markets) }
    })
    .sort((a, b) => (a.equity !== b.equity ? (a.equity > b.equity ? -1 : 1) : a.index < b.index ? -1 : 1))
  for (let market = 0; market < state.markets.length; market++) {
    const fundSize = fund.positions[market]!.size
    if (fundSize === 0n) continue
    for (const { index, settled } of counterparties) {
      const size = settled.positions[market]!.size
      if (size === 0n || size > 0n === fundSize > 0n) continue
      const absoluteFund = absolute(fundSize)
      const absoluteSize = absolute(size)
      const tx: AutoDeleverageTx = {
        type: 'autoDeleverage',
        market,
        counterpartyIndex: index,
        size: absoluteFund < absoluteSize ? absoluteFund : absoluteSize,
      }
      if (accepts(state, tx, context).ok) return tx
    }
  }
  return undefined
}
