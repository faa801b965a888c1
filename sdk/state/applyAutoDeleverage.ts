/**
 * Auto-deleveraging (docs/protocol.md §5.10). Checks, in order: market < M; size in bounds; the counterparty
 * exists and is a user account; funding of the insurance fund and the counterparty settled; the insurance fund's
 * equity is < 0; the insurance fund and the counterparty hold opposite positions in the market and
 * `0 < size ≤ min(|insurance.size|, |counterparty.size|)`; oracle fresh. Both close `size` at the oracle price,
 * neither flips, no fee; and the counterparty covers the fund's deficit pro rata to the closed notional:
 * `cover = min(−E, ceilDiv(−E · size · oraclePrice_m, Σ_k |insurance.size_k| · oraclePrice_k))` moves from the
 * counterparty to the fund (E = the fund's equity), and the counterparty's equity must stay ≥ 0. Closing at the
 * oracle price alone never changes the fund's equity, so without the cover ADL could not restore solvency.
 * Choosing the counterparty (ranked by profit and leverage) happens off-chain and is not proven.
 */
import { assertCollateral, assertSize } from '../protocol/bounds.ts'
import type { AutoDeleverageTx } from '../protocol/types.ts'
import { INSURANCE_FUND_INDEX } from '../protocol/types.ts'
import { absolute } from '../protocol/rounding.ts'
import { DeleverageSizeError, InsuranceFundSolventError } from './errors.ts'
import type { StateEvent } from './events.ts'
import { closePosition } from './liquidation.ts'
import { computeEquity, computeNotional } from './margin.ts'
import { ceilDiv } from '../protocol/rounding.ts'
import { InsufficientMarginError } from './errors.ts'
import { reject, requireInBounds } from './rejection.ts'
import type { ExchangeState } from './state.ts'
import { requireAccount, requireFreshOracle, requireMarket, requireUserAccount, settleAccount } from './touch.ts'
import type { TxContext, TxEffect } from './txEffect.ts'

export function prepareAutoDeleverage(state: ExchangeState, tx: AutoDeleverageTx, context: TxContext): TxEffect {
  const { market, counterpartyIndex, size } = tx
  const marketState = requireMarket(state, market)
  requireInBounds(() => assertSize(size, 'deleverage size'))
  const counterparty = requireUserAccount(state, counterpartyIndex, 'auto-deleverage')
  const insurance = requireAccount(state, INSURANCE_FUND_INDEX)
  const events: StateEvent[] = []
  const insuranceSettled = settleAccount(insurance, INSURANCE_FUND_INDEX, state.markets, events)
  const counterpartySettled = settleAccount(counterparty, counterpartyIndex, state.markets, events)
  const insuranceEquity = computeEquity(insuranceSettled, state.markets)
  if (insuranceEquity >= 0n) reject(new InsuranceFundSolventError(insuranceEquity))
  const insuranceSize = insuranceSettled.positions[market]!.size
  const counterpartySize = counterpartySettled.positions[market]!.size
  const opposite = (insuranceSize > 0n && counterpartySize < 0n) || (insuranceSize < 0n && counterpartySize > 0n)
  if (!opposite || size > absolute(insuranceSize) || size > absolute(counterpartySize)) {
    reject(new DeleverageSizeError(size, insuranceSize, counterpartySize))
  }
  requireFreshOracle(state, market, context.batchTimestamp)

  const price = marketState.oraclePrice
  const deficit = -insuranceEquity
  const coverShare = ceilDiv(deficit * size * price, computeNotional(insuranceSettled.positions, state.markets))
  const cover = coverShare < deficit ? coverShare : deficit
  const insuranceClosed = closePosition(insuranceSettled, market, size, price)
  insuranceClosed.collateral += cover
  const counterpartyClosed = closePosition(counterpartySettled, market, size, price)
  counterpartyClosed.collateral -= cover
  const counterpartyEquity = computeEquity(counterpartyClosed, state.markets)
  if (counterpartyEquity < 0n) reject(new InsufficientMarginError(counterpartyIndex, counterpartyEquity, 0n))
  requireInBounds(() => assertCollateral(insuranceClosed.collateral, 'insurance fund collateral'))
  requireInBounds(() => assertCollateral(counterpartyClosed.collateral))
  // One of the two was long: open interest falls by `size`.
  const openInterest = marketState.openInterest - size
  events.push({ type: 'deleveraged', market, counterpartyIndex, size, price, cover })
  return {
    writes: [
      { kind: 'account', accountIndex: INSURANCE_FUND_INDEX, account: { ...insuranceSettled, ...insuranceClosed }, created: false },
      { kind: 'account', accountIndex: counterpartyIndex, account: { ...counterpartySettled, ...counterpartyClosed }, created: false },
      { kind: 'market', market, marketState: { ...marketState, openInterest } },
    ],
    fee: 0n,
    penalty: 0n,
    events,
    pubdata: { type: 'autoDeleverage', market, counterpartyIndex, size },
  }
}
