import { describe, expect, it } from 'vitest'
import type { Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { computeEquity } from './margin.ts'
import { cloneState, type ExchangeState } from './state.ts'
import { depositNewTx, GENESIS_TIME, oracleTx, order, testContext, testKey, testState, tradeTx, withdrawTx } from './testFixtures.ts'

const alice = testKey('alice')
const bob = testKey('bob')
const T = GENESIS_TIME + 10n
const context = testContext(T)
const TO = 0xc0ffeen
const COLLATERAL = 100_000_000n

function accept(state: ExchangeState, tx: Tx, ctx = context) {
  const result = applyTx(state, tx, ctx)
  if (!result.accepted) throw result.error
  return result
}

function expectRejected(state: ExchangeState, tx: Tx, code: string, ctx = context) {
  const before = cloneState(state)
  const result = applyTx(state, tx, ctx)
  expect(result.accepted ? 'accepted' : result.error.code).toBe(code)
  expect(state).toEqual(before)
}

function withdraw(amount: bigint, storageId = 5n, validUntil = T + 60n, key = alice) {
  return withdrawTx({ accountIndex: 2n, amount, to: TO, storageId, validUntil }, key)
}

function funded(): ExchangeState {
  const state = testState()
  accept(state, depositNewTx(2n, COLLATERAL, alice, 0xa1n))
  accept(state, depositNewTx(3n, COLLATERAL, bob, 0xb0n))
  return state
}

/** Alice long 10 lots of market 0 at 6,000,000 (notional 60,000,000) against bob, with a fresh oracle. */
function withPosition(): ExchangeState {
  const state = funded()
  accept(state, oracleTx(0, 6_000_000n, T))
  const taker = order({ accountIndex: 2n, market: 0, isBuy: true, size: 10n, limitPrice: 6_000_000n, storageId: 1n }, alice)
  const maker = order({ accountIndex: 3n, market: 0, isBuy: false, size: 10n, limitPrice: 6_000_000n, storageId: 1n }, bob)
  accept(state, tradeTx(taker, maker, 10n))
  return state
}

describe('applyWithdraw', () => {
  it('default: takes the amount out of collateral, consumes the storage id and records the L1 recipient', () => {
    const state = funded()
    const result = accept(state, withdraw(40_000_000n))
    expect(state.accounts.get(2n)!.collateral).toBe(COLLATERAL - 40_000_000n)
    expect(result.pubdata).toEqual({ type: 'withdraw', accountIndex: 2n, amount: 40_000_000n, to: TO, storageId: 5n })
    // Slots are storageId mod 4^orderDepth (16 here): 21 lands in slot 5 above 5, then 5 and 21 are spent.
    accept(state, withdraw(1n, 21n))
    expectRejected(state, withdraw(1n, 5n), 'STORAGE_ID_USED')
    expectRejected(state, withdraw(1n, 21n), 'STORAGE_ID_USED')
    accept(state, withdraw(1n, 4n))
  })

  it('behavior: without positions all collateral can leave; one unit more cannot', () => {
    const state = funded()
    expectRejected(state, withdraw(COLLATERAL + 1n), 'INSUFFICIENT_MARGIN')
    accept(state, withdraw(COLLATERAL))
    expect(state.accounts.get(2n)!.collateral).toBe(0n)
  })

  it('behavior: with a position, collateral above initial margin can leave, the margin itself cannot', () => {
    const state = withPosition()
    const equity = computeEquity(state.accounts.get(2n)!, state.markets)
    const imfBps = state.markets[0]!.parameters.imfBps
    const initialMargin = (60_000_000n * imfBps) / 10_000n // exact: the notional is a multiple of 10,000
    expect(equity > initialMargin).toBe(true)
    expectRejected(state, withdraw(equity - initialMargin + 1n), 'INSUFFICIENT_MARGIN')
    accept(state, withdraw(equity - initialMargin))
  })

  it('error: a stale oracle on a market with a position refuses the withdrawal', () => {
    const state = withPosition()
    const later = testContext(T + 61n)
    expectRejected(state, withdraw(1n, 5n, T + 600n), 'ORACLE_STALE', later)
  })

  it('error: an expired message, a foreign signature, a zero amount are refused', () => {
    const state = funded()
    expectRejected(state, withdraw(1n, 5n, T - 1n), 'ORDER_EXPIRED')
    expectRejected(state, withdraw(1n, 5n, T + 60n, bob), 'BAD_SIGNATURE')
    expectRejected(state, withdraw(0n), 'WITHDRAWAL_AMOUNT_OUT_OF_RANGE')
  })
})
