/**
 * Trade (docs/protocol.md §5.2): taker order × maker order at the maker's price. Checks, in order: shape (same
 * market, opposite sides, size and price in bounds, order fields in bounds); accounts exist, are user accounts and
 * differ; market < M; signatures; expiry; order slots; limit prices; oracle fresh; isolated mode; reduce-only;
 * open-interest cap; margin after fees. Funding of both accounts is settled before the fill.
 */
import { assertPrice, assertSize, assertStorageId, assertTimestamp } from '../protocol/bounds.ts'
import type { SignedOrder, TradeTx } from '../protocol/types.ts'
import { MarketMismatchError, SameAccountError, SameSideError } from './errors.ts'
import type { StateEvent } from './events.ts'
import { computeFee } from './fees.ts'
import {
  applyFillToAccount,
  computeOpenInterest,
  requireIsolatedMarket,
  requireMarginAfterFill,
  requireReduceOnly,
  requireWithinLimit,
} from './fill.ts'
import { fillOrderSlot } from './orderSlots.ts'
import { reject, requireInBounds } from './rejection.ts'
import { requireOrderSignature } from './signatures.ts'
import type { ExchangeState } from './state.ts'
import {
  requireFreshOracle,
  requireMarket,
  requireNotExpired,
  requireUserAccount,
  settleAccount,
} from './touch.ts'
import type { TxContext, TxEffect } from './txEffect.ts'

export function requireOrderFieldsInBounds(order: SignedOrder, what: string): void {
  requireInBounds(() => assertSize(order.size, `${what} order size`))
  requireInBounds(() => assertPrice(order.limitPrice, `${what} limit price`))
  requireInBounds(() => assertStorageId(order.storageId, `${what} storage id`))
  requireInBounds(() => assertTimestamp(order.expiry, `${what} expiry`))
}

export function prepareTrade(state: ExchangeState, tx: TradeTx, context: TxContext): TxEffect {
  const { taker, maker, size, price } = tx
  if (taker.market !== maker.market) reject(new MarketMismatchError(taker.market, maker.market))
  if (taker.isBuy === maker.isBuy) reject(new SameSideError(taker.isBuy))
  requireInBounds(() => assertSize(size, 'fill size'))
  requireInBounds(() => assertPrice(price, 'fill price'))
  requireOrderFieldsInBounds(taker, 'taker')
  requireOrderFieldsInBounds(maker, 'maker')

  const takerAccount = requireUserAccount(state, taker.accountIndex, 'trade')
  const makerAccount = requireUserAccount(state, maker.accountIndex, 'trade')
  if (taker.accountIndex === maker.accountIndex) reject(new SameAccountError(taker.accountIndex))
  const market = taker.market
  const marketState = requireMarket(state, market)

  requireOrderSignature(taker, takerAccount.publicKey, context)
  requireOrderSignature(maker, makerAccount.publicKey, context)
  requireNotExpired(taker.accountIndex, taker.expiry, context.batchTimestamp)
  requireNotExpired(maker.accountIndex, maker.expiry, context.batchTimestamp)
  const { orderDepth } = state.sizes
  const takerSlot = fillOrderSlot(taker.accountIndex, takerAccount, taker, size, orderDepth)
  const makerSlot = fillOrderSlot(maker.accountIndex, makerAccount, maker, size, orderDepth)
  requireWithinLimit(taker.accountIndex, taker, price)
  requireWithinLimit(maker.accountIndex, maker, price)
  requireFreshOracle(state, market, context.batchTimestamp)
  requireIsolatedMarket(taker.accountIndex, takerAccount, market)
  requireIsolatedMarket(maker.accountIndex, makerAccount, market)

  const events: StateEvent[] = []
  const takerSettled = settleAccount(takerAccount, taker.accountIndex, state.markets, events)
  const makerSettled = settleAccount(makerAccount, maker.accountIndex, state.markets, events)
  const takerOldSize = takerSettled.positions[market]!.size
  const makerOldSize = makerSettled.positions[market]!.size
  const takerNewSize = takerOldSize + (taker.isBuy ? size : -size)
  const makerNewSize = makerOldSize + (maker.isBuy ? size : -size)
  requireReduceOnly(taker.accountIndex, taker, takerOldSize, takerNewSize)
  requireReduceOnly(maker.accountIndex, maker, makerOldSize, makerNewSize)
  const openInterest = computeOpenInterest(marketState, market, [
    { oldSize: takerOldSize, newSize: takerNewSize },
    { oldSize: makerOldSize, newSize: makerNewSize },
  ])

  const takerFee = computeFee(size, price, marketState.parameters.takerFeeBps)
  const makerFee = computeFee(size, price, marketState.parameters.makerFeeBps)
  const takerAfter = applyFillToAccount(takerSettled, market, taker.isBuy, size, price, takerFee)
  const makerAfter = applyFillToAccount(makerSettled, market, maker.isBuy, size, price, makerFee)
  requireMarginAfterFill(taker.accountIndex, takerOldSize, takerAfter, market, state.markets)
  requireMarginAfterFill(maker.accountIndex, makerOldSize, makerAfter, market, state.markets)

  events.push({
    type: 'filled',
    market,
    takerIndex: taker.accountIndex,
    makerIndex: maker.accountIndex,
    takerIsBuy: taker.isBuy,
    size,
    price,
    takerFee,
    makerFee,
  })
  return {
    writes: [
      { kind: 'orderSlot', accountIndex: taker.accountIndex, ...takerSlot },
      { kind: 'account', accountIndex: taker.accountIndex, account: takerAfter, created: false },
      { kind: 'orderSlot', accountIndex: maker.accountIndex, ...makerSlot },
      { kind: 'account', accountIndex: maker.accountIndex, account: makerAfter, created: false },
      { kind: 'market', market, marketState: { ...marketState, openInterest } },
    ],
    fee: takerFee + makerFee,
    penalty: 0n,
    events,
    pubdata: {
      type: 'trade',
      market,
      takerIsBuy: taker.isBuy,
      takerIndex: taker.accountIndex,
      makerIndex: maker.accountIndex,
      size,
      price,
      takerStorageId: taker.storageId,
      makerStorageId: maker.storageId,
    },
  }
}
