/**
 * Tiered liquidation (docs/protocol.md §5.8). Checks, in order: size and price in bounds, maker order fields in
 * bounds; liquidated account exists and is a user account; maker account exists, is a user account and differs;
 * market < M and the maker order is for it; funding settled; the account holds a position in the market; it is
 * below maintenance; the maker takes the other side of the close; maker signature, expiry, slot; price = maker
 * limit; oracle fresh; price within the band; size and tier follow the tier rule; maker isolated mode and
 * reduce-only; open-interest cap; maker margin after its fee. The liquidated account pays the penalty (no fee).
 */
import { assertCollateral, assertPrice, assertSize } from '../protocol/bounds.ts'
import type { LiquidationTx } from '../protocol/types.ts'
import { requireOrderFieldsInBounds } from './applyTrade.ts'
import {
  FillPriceError,
  LiquidationBandError,
  LiquidationSideError,
  LiquidationSizeError,
  MarketMismatchError,
  NoPositionError,
  NotLiquidatableError,
  SameAccountError,
} from './errors.ts'
import type { StateEvent } from './events.ts'
import { computeFee } from './fees.ts'
import {
  applyFillToAccount,
  computeOpenInterest,
  requireIsolatedMarket,
  requireMarginAfterFill,
  requireReduceOnly,
} from './fill.ts'
import {
  closePosition,
  computeLiquidationPenalty,
  computeLiquidationTier,
  isWithinLiquidationBand,
} from './liquidation.ts'
import { BASIS_POINTS } from '../protocol/bounds.ts'
import { checkMargin, computeEquity } from './margin.ts'
import { fillOrderSlot } from './orderSlots.ts'
import { reject, requireInBounds } from './rejection.ts'
import { requireOrderSignature } from './signatures.ts'
import type { ExchangeState } from './state.ts'
import { requireFreshOracle, requireMarket, requireNotExpired, requireUserAccount, settleAccount } from './touch.ts'
import type { TxContext, TxEffect } from './txEffect.ts'

export function prepareLiquidation(state: ExchangeState, tx: LiquidationTx, context: TxContext): TxEffect {
  const { accountIndex, market, maker, size, price } = tx
  requireInBounds(() => assertSize(size, 'liquidation size'))
  requireInBounds(() => assertPrice(price, 'liquidation price'))
  requireOrderFieldsInBounds(maker, 'maker')
  const account = requireUserAccount(state, accountIndex, 'liquidation')
  const makerAccount = requireUserAccount(state, maker.accountIndex, 'liquidation maker')
  if (accountIndex === maker.accountIndex) reject(new SameAccountError(accountIndex))
  const marketState = requireMarket(state, market)
  if (maker.market !== market) reject(new MarketMismatchError(market, maker.market))

  const events: StateEvent[] = []
  const settled = settleAccount(account, accountIndex, state.markets, events)
  const oldSize = settled.positions[market]!.size
  if (oldSize === 0n) reject(new NoPositionError(accountIndex, market))
  const maintenance = checkMargin(settled, state.markets, 'mmfBps')
  if (maintenance.passes) {
    reject(new NotLiquidatableError(accountIndex, maintenance.equity, maintenance.scaledRequirement / BASIS_POINTS))
  }
  // Closing a long is a sale: the maker buys. Closing a short: the maker sells.
  if (maker.isBuy !== oldSize > 0n) reject(new LiquidationSideError(oldSize, maker.isBuy))

  requireOrderSignature(maker, makerAccount.publicKey, context)
  requireNotExpired(maker.accountIndex, maker.expiry, context.batchTimestamp)
  const makerSlot = fillOrderSlot(maker.accountIndex, makerAccount, maker, size, state.sizes.orderDepth)
  if (price !== maker.limitPrice) reject(new FillPriceError(price, maker.limitPrice))
  requireFreshOracle(state, market, context.batchTimestamp)
  const { parameters } = marketState
  if (!isWithinLiquidationBand(price, marketState.oraclePrice, parameters.liquidationBandBps)) {
    reject(new LiquidationBandError(price, marketState.oraclePrice, parameters.liquidationBandBps))
  }
  const tier = computeLiquidationTier(settled, state.markets, market, price)
  if (size !== tier.size || tx.full !== tier.full) reject(new LiquidationSizeError(size, tx.full, tier.size, tier.full))

  requireIsolatedMarket(maker.accountIndex, makerAccount, market)
  const makerSettled = settleAccount(makerAccount, maker.accountIndex, state.markets, events)
  const makerOldSize = makerSettled.positions[market]!.size
  const makerNewSize = makerOldSize + (maker.isBuy ? size : -size)
  requireReduceOnly(maker.accountIndex, maker, makerOldSize, makerNewSize)
  const closed = closePosition(settled, market, size, price)
  const openInterest = computeOpenInterest(marketState, market, [
    { oldSize, newSize: closed.positions[market]!.size },
    { oldSize: makerOldSize, newSize: makerNewSize },
  ])
  const makerFee = computeFee(size, price, parameters.makerFeeBps)
  const makerAfter = applyFillToAccount(makerSettled, market, maker.isBuy, size, price, makerFee)
  requireMarginAfterFill(maker.accountIndex, makerOldSize, makerAfter, market, state.markets)

  const penalty = computeLiquidationPenalty(size, price, parameters.liquidationPenaltyBps, computeEquity(closed, state.markets))
  const accountAfter = { ...settled, collateral: closed.collateral - penalty, positions: closed.positions }
  requireInBounds(() => assertCollateral(accountAfter.collateral))

  events.push({
    type: 'liquidated',
    accountIndex,
    makerIndex: maker.accountIndex,
    market,
    size,
    price,
    full: tier.full,
    penalty,
    makerFee,
  })
  return {
    writes: [
      { kind: 'account', accountIndex, account: accountAfter, created: false },
      { kind: 'orderSlot', accountIndex: maker.accountIndex, ...makerSlot },
      { kind: 'account', accountIndex: maker.accountIndex, account: makerAfter, created: false },
      { kind: 'market', market, marketState: { ...marketState, openInterest } },
    ],
    fee: makerFee,
    penalty,
    events,
    pubdata: {
      type: 'liquidation',
      market,
      full: tier.full,
      accountIndex,
      makerIndex: maker.accountIndex,
      size,
      price,
      makerStorageId: maker.storageId,
    },
  }
}
