import { describe, expect, it } from 'vitest'
import { floorDiv } from '../protocol/rounding.ts'
import type { FundingUpdateTx, Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { cloneState, type ExchangeState } from './state.ts'
import { GENESIS_TIME, oracleTx, testContext, testState } from './testFixtures.ts'

const INTERVAL = 3_600n
const DUE = GENESIS_TIME + INTERVAL

function funding(ratePpm: bigint, timestamp: bigint, market = 0): FundingUpdateTx {
  return { type: 'fundingUpdate', market, ratePpm, timestamp }
}

/** Genesis with a fresh oracle at `oracleTime` on both markets. */
function freshState(oracleTime: bigint): ExchangeState {
  const state = testState()
  for (const [market, price] of [[0, 6_000_000n], [1, 3_000_000n]] as const) {
    const result = applyTx(state, oracleTx(market, price, oracleTime), testContext(oracleTime))
    if (!result.accepted) throw result.error
  }
  return state
}

function outcome(state: ExchangeState, tx: Tx, batchTimestamp: bigint) {
  const before = cloneState(state)
  const result = applyTx(state, tx, testContext(batchTimestamp))
  if (!result.accepted) expect(state).toEqual(before)
  return result.accepted ? 'accepted' : result.error.code
}

describe('applyFundingUpdate', () => {
  it('behavior: the index moves by floorDiv(rate · price · elapsed, 10^6 · interval) and the funding time advances', () => {
    const state = freshState(DUE)
    expect(outcome(state, funding(-750n, DUE), DUE)).toBe('accepted')
    // −750 ppm of 6,000,000 over one full interval: −4,500 per lot, exact.
    expect(state.markets[0]).toMatchObject({ fundingIndex: -4_500n, lastFundingTime: DUE })
    expect(state.markets[1]).toMatchObject({ fundingIndex: 0n, lastFundingTime: GENESIS_TIME })
  })

  it('behavior: a late update pays for the whole elapsed time, rounding toward −∞', () => {
    const late = DUE + 1_801n
    const state = freshState(late)
    expect(outcome(state, funding(7n, late, 1), late)).toBe('accepted')
    const expected = floorDiv(7n * 3_000_000n * (INTERVAL + 1_801n), 1_000_000n * INTERVAL)
    expect(state.markets[1]!.fundingIndex).toBe(expected)
    const negative = freshState(late)
    expect(outcome(negative, funding(-7n, late, 1), late)).toBe('accepted')
    expect(negative.markets[1]!.fundingIndex).toBe(-expected - 1n) // not exact, so floor is one below −expected
  })

  it('error: an update before a full interval has passed is refused', () => {
    expect(outcome(freshState(DUE), funding(10n, DUE - 1n), DUE)).toBe('FUNDING_TOO_EARLY')
  })

  it('error: a rate beyond the clamp is refused on either side; the clamp itself passes', () => {
    expect(outcome(freshState(DUE), funding(751n, DUE), DUE)).toBe('FUNDING_RATE_ABOVE_CLAMP')
    expect(outcome(freshState(DUE), funding(-751n, DUE), DUE)).toBe('FUNDING_RATE_ABOVE_CLAMP')
    expect(outcome(freshState(DUE), funding(750n, DUE), DUE)).toBe('accepted')
  })

  it('error: a timestamp above T is refused', () => {
    expect(outcome(freshState(DUE), funding(10n, DUE + 1n), DUE)).toBe('TIMESTAMP_IN_FUTURE')
  })

  it('error: a stale oracle refuses the update (the index would use an old price)', () => {
    const state = testState() // oracle at genesis, an interval old
    const code = outcome(state, funding(10n, DUE), DUE)
    expect(code).toBe('ORACLE_STALE')
  })
})
