import { describe, expect, it } from 'vitest'
import type { Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { cloneState, computeTotalCollateral, type ExchangeState } from './state.ts'
import {
  GENESIS_TIME,
  depositNewTx,
  order,
  testContext,
  testKey,
  testState,
  tradeTx,
  type OrderParameters,
} from './testFixtures.ts'

const alice = testKey('alice')
const bob = testKey('bob')
const carol = testKey('carol')
const PRICE = 6_000_000n // BTC-PERP genesis price per lot
const context = testContext(GENESIS_TIME + 10n)

function funded(amounts: bigint[] = [10n ** 12n, 10n ** 12n], modes: number[] = [0, 0]): ExchangeState {
  const state = testState()
  const keys = [alice, bob, carol]
  amounts.forEach((amount, i) => {
    const result = applyTx(state, depositNewTx(2n + BigInt(i), amount, keys[i]!, 0xa0n + BigInt(i), modes[i] ?? 0), context)
    expect(result.accepted).toBe(true)
  })
  return state
}

function buy(parameters: Partial<OrderParameters> = {}) {
  return order({ accountIndex: 2n, isBuy: true, size: 10n, limitPrice: PRICE, storageId: 1n, ...parameters }, alice)
}
function sell(parameters: Partial<OrderParameters> = {}) {
  return order({ accountIndex: 3n, isBuy: false, size: 10n, limitPrice: PRICE, storageId: 1n, ...parameters }, bob)
}

/** Apply and expect a rejection with `code`, and the state left exactly as it was. */
function expectRejected(state: ExchangeState, tx: Tx, code: string, ctx = context) {
  const before = cloneState(state)
  const result = applyTx(state, tx, ctx)
  expect(result.accepted ? 'accepted' : result.error.code).toBe(code)
  expect(state).toEqual(before)
}

describe('applyTrade', () => {
  it('default: moves size and quote balance, takes both fees into the batch accumulator', () => {
    const state = funded()
    const total = computeTotalCollateral(state)
    const result = applyTx(state, tradeTx(buy(), sell(), 4n), context)
    expect(result.accepted).toBe(true)
    const taker = state.accounts.get(2n)!
    const maker = state.accounts.get(3n)!
    const notional = 4n * PRICE
    const takerFee = (notional * 5n) / 10_000n
    const makerFee = (notional * 2n) / 10_000n
    expect(taker.positions[0]!.size).toBe(4n)
    expect(maker.positions[0]!.size).toBe(-4n)
    expect(taker.collateral).toBe(10n ** 12n - notional - takerFee)
    expect(maker.collateral).toBe(10n ** 12n + notional - makerFee)
    expect(state.batchFees).toBe(takerFee + makerFee)
    expect(state.markets[0]!.openInterest).toBe(4n)
    expect(taker.orderSlots.get(1n)).toEqual({ storageId: 1n, filled: 4n })
    expect(computeTotalCollateral(state)).toBe(total)
    if (result.accepted) {
      expect(result.pubdata).toMatchObject({ type: 'trade', takerIndex: 2n, makerIndex: 3n, size: 4n, price: PRICE })
      expect(result.events.find((event) => event.type === 'filled')).toMatchObject({ takerFee, makerFee })
    }
  })

  it('behavior: the same order continues in its slot until filled, and a higher storage id replaces it', () => {
    const state = funded()
    expect(applyTx(state, tradeTx(buy(), sell({ storageId: 1n }), 6n), context).accepted).toBe(true)
    expect(applyTx(state, tradeTx(buy(), sell({ storageId: 2n }), 4n), context).accepted).toBe(true)
    expectRejected(state, tradeTx(buy(), sell({ storageId: 3n }), 1n), 'ORDER_OVERFILL')
    // Storage id 17 maps to the same slot (17 mod 16 = 1) and starts a fresh order there.
    expect(applyTx(state, tradeTx(buy({ storageId: 17n }), sell({ storageId: 4n }), 1n), context).accepted).toBe(true)
    expectRejected(state, tradeTx(buy({ storageId: 1n }), sell({ storageId: 5n }), 1n), 'ORDER_REPLACED')
  })

  it('behavior: a maker price better than the taker limit fills at the maker price', () => {
    const state = funded()
    const result = applyTx(state, tradeTx(buy({ limitPrice: PRICE + 100n }), sell({ limitPrice: PRICE - 100n }), 1n), context)
    expect(result.accepted).toBe(true)
    expect(state.accounts.get(2n)!.collateral).toBe(10n ** 12n - (PRICE - 100n) - ((PRICE - 100n) * 5n) / 10_000n)
  })

  it('behavior: a reducing fill that leaves the account below initial margin is accepted while equity stays ≥ 0', () => {
    // Alice: ~8.6x levered long; then the oracle drops to 5,880,000 so she is below initial margin.
    const state = funded([7_000_000n, 10n ** 12n])
    expect(applyTx(state, tradeTx(buy({ size: 10n }), sell({ size: 10n }), 10n), context).accepted).toBe(true)
    const oracle = 5_880_000n
    state.markets[0] = { ...state.markets[0]!, oraclePrice: oracle }
    // She sells 1 lot far below the oracle: still below initial margin afterwards, but it only reduced.
    const reduce = order({ accountIndex: 2n, isBuy: false, size: 1n, limitPrice: 5_000_000n, storageId: 2n }, alice)
    const counter = order({ accountIndex: 3n, isBuy: true, size: 1n, limitPrice: 5_000_000n, storageId: 2n }, bob)
    expect(applyTx(state, tradeTx(reduce, counter, 1n), context).accepted).toBe(true)
    const after = state.accounts.get(2n)!
    expect(after.positions[0]!.size).toBe(9n)
    const equity = after.collateral + 9n * oracle
    expect(equity >= 0n && equity * 10_000n < 9n * oracle * 1_000n).toBe(true)
    // Growing the position again from below initial margin is not accepted.
    const grow = order({ accountIndex: 2n, isBuy: true, size: 1n, limitPrice: oracle, storageId: 3n }, alice)
    const grower = order({ accountIndex: 3n, isBuy: false, size: 1n, limitPrice: oracle, storageId: 3n }, bob)
    expectRejected(state, tradeTx(grow, grower, 1n), 'INSUFFICIENT_MARGIN')
  })

  it('behavior: settles funding of both accounts before the fill', () => {
    const state = funded()
    expect(applyTx(state, tradeTx(buy(), sell(), 5n), context).accepted).toBe(true)
    state.markets[0] = { ...state.markets[0]!, fundingIndex: 100n }
    const result = applyTx(state, tradeTx(buy({ storageId: 2n }), sell({ storageId: 2n }), 1n), context)
    expect(result.accepted).toBe(true)
    if (!result.accepted) return
    expect(result.events.filter((event) => event.type === 'fundingSettled')).toEqual([
      { type: 'fundingSettled', accountIndex: 2n, payment: 500n },
      { type: 'fundingSettled', accountIndex: 3n, payment: -500n },
    ])
    expect(state.accounts.get(2n)!.positions[0]!.fundingIndexAtLastSettle).toBe(100n)
  })

  it('error: accounts must exist, differ and be user accounts', () => {
    const state = funded()
    expectRejected(state, tradeTx(buy({ accountIndex: 9n }), sell(), 1n), 'ACCOUNT_NOT_FOUND')
    expectRejected(state, tradeTx(buy({ accountIndex: 3n }), sell(), 1n), 'SAME_ACCOUNT')
    expectRejected(state, tradeTx(buy({ accountIndex: 0n }), sell(), 1n), 'SYSTEM_ACCOUNT_NOT_ALLOWED')
    expectRejected(state, tradeTx(buy({ accountIndex: 99n }), sell(), 1n), 'ACCOUNT_INDEX_OUT_OF_RANGE')
  })

  it('error: shape — market, sides, size and price bounds', () => {
    const state = funded()
    expectRejected(state, tradeTx(buy({ market: 1 }), sell(), 1n), 'MARKET_MISMATCH')
    expectRejected(state, tradeTx(buy({ market: 2 }), sell({ market: 2 }), 1n), 'MARKET_INDEX_OUT_OF_RANGE')
    expectRejected(state, tradeTx(buy(), buy({ accountIndex: 3n }), 1n), 'SAME_SIDE')
    expectRejected(state, tradeTx(buy(), sell(), 0n), 'SIZE_OUT_OF_RANGE')
    expectRejected(state, { ...tradeTx(buy(), sell(), 1n), price: 0n }, 'PRICE_OUT_OF_RANGE')
    // An id past 32 bits cannot be signed (the order word would alias): the bound is checked before the signature.
    expectRejected(state, tradeTx({ ...buy(), storageId: 1n << 32n }, sell(), 1n), 'STORAGE_ID_OUT_OF_RANGE')
  })

  it('error: a signature by another key, or over other fields, is rejected', () => {
    const state = funded()
    const forged = order({ accountIndex: 2n, isBuy: true, size: 10n, limitPrice: PRICE, storageId: 1n }, carol)
    expectRejected(state, tradeTx(forged, sell(), 1n), 'BAD_SIGNATURE')
    expectRejected(state, tradeTx({ ...buy(), size: 11n }, sell(), 1n), 'BAD_SIGNATURE')
    // The sequencer's hot path skips re-verification only when told so explicitly.
    expect(applyTx(state, tradeTx(forged, sell(), 1n), testContext(GENESIS_TIME + 10n, true)).accepted).toBe(true)
  })

  it('error: expired orders, limits, stale oracle, isolated market, reduce-only, open-interest cap', () => {
    const state = funded()
    expectRejected(state, tradeTx(buy({ expiry: GENESIS_TIME }), sell(), 1n), 'ORDER_EXPIRED')
    expectRejected(state, tradeTx(buy({ limitPrice: PRICE - 1n }), sell(), 1n), 'LIMIT_PRICE_VIOLATED')
    expectRejected(state, tradeTx(buy(), sell(), 1n), 'ORACLE_STALE', testContext(GENESIS_TIME + 61n))
    expectRejected(state, tradeTx(buy(), sell(), 1n), 'ORACLE_STALE', testContext(GENESIS_TIME - 1n))
    expectRejected(state, tradeTx(buy({ reduceOnly: true }), sell(), 1n), 'REDUCE_ONLY_VIOLATED')
    const isolated = funded([10n ** 12n, 10n ** 12n], [2, 0]) // alice isolated to market 1
    expectRejected(isolated, tradeTx(buy(), sell(), 1n), 'ISOLATED_MARKET_MISMATCH')
    const capped = funded([10n ** 15n, 10n ** 15n])
    const cap = capped.markets[0]!.parameters.openInterestCap
    capped.markets[0] = { ...capped.markets[0]!, openInterest: cap }
    expectRejected(capped, tradeTx(buy(), sell(), 1n), 'OPEN_INTEREST_CAP_EXCEEDED')
  })

  it('error: a fill that leaves an account below initial margin', () => {
    const state = funded([5_000_000n, 10n ** 12n])
    // 10 lots = 60,000,000 notional; initial margin 6,000,000 > 5,000,000 collateral.
    expectRejected(state, tradeTx(buy(), sell(), 10n), 'INSUFFICIENT_MARGIN')
  })
})
