import { describe, expect, it } from 'vitest'
import type { Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { cloneState } from './state.ts'
import { GENESIS_TIME, oracleTx, testContext, testKey, testState } from './testFixtures.ts'

const T = GENESIS_TIME + 30n

function outcome(tx: Tx, batchTimestamp = T) {
  const state = testState()
  const before = cloneState(state)
  const result = applyTx(state, tx, testContext(batchTimestamp))
  if (!result.accepted) expect(state).toEqual(before)
  return { state, code: result.accepted ? 'accepted' : result.error.code }
}

describe('applyOracleUpdate', () => {
  it('behavior: a signed, newer price up to T replaces the price and time of that market only', () => {
    const { state, code } = outcome(oracleTx(1, 3_100_000n, T))
    expect(code).toBe('accepted')
    expect(state.markets[1]).toMatchObject({ oraclePrice: 3_100_000n, oracleTime: T })
    expect(state.markets[0]).toMatchObject({ oraclePrice: 6_000_000n, oracleTime: GENESIS_TIME })
  })

  it('error: a timestamp not above the stored one, or above T, is refused', () => {
    expect(outcome(oracleTx(0, 6_100_000n, GENESIS_TIME)).code).toBe('TIMESTAMP_NOT_INCREASING')
    expect(outcome(oracleTx(0, 6_100_000n, GENESIS_TIME - 1n)).code).toBe('TIMESTAMP_NOT_INCREASING')
    expect(outcome(oracleTx(0, 6_100_000n, T + 1n)).code).toBe('TIMESTAMP_IN_FUTURE')
  })

  it('error: a price signed by another key than the market oracle is refused', () => {
    expect(outcome(oracleTx(0, 6_100_000n, T, testKey('mallory'))).code).toBe('BAD_SIGNATURE')
  })

  it('error: a zero price, a price at 2^48 and an unknown market are refused', () => {
    expect(outcome(oracleTx(0, 0n, T)).code).toBe('PRICE_OUT_OF_RANGE')
    expect(outcome(oracleTx(0, 1n << 48n, T)).code).toBe('PRICE_OUT_OF_RANGE')
    expect(outcome(oracleTx(2, 6_100_000n, T)).code).toBe('MARKET_INDEX_OUT_OF_RANGE')
  })
})
