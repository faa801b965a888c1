import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CIRCUIT_SIZES } from '../protocol/config.ts'
import { BatchAccountCapacityError } from '../protocol/errors.ts'
import type { Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { applyBatch } from './batch.ts'
import { depositNewTx, depositTx, GENESIS_TIME, testContext, testKey, testState } from './testFixtures.ts'

const key = testKey('batch-accounts')
const sizes = (batchAccounts: number) => ({ ...CIRCUIT_SIZES.test, batchSlots: 16, batchAccounts })

/** Genesis plus accounts 2 … 7, so top-ups of any of them are valid. */
function stateWithAccounts(batchAccounts: number) {
  const state = testState(sizes(batchAccounts))
  for (const index of [2n, 3n, 4n, 5n, 6n, 7n]) {
    const result = applyTx(state, depositNewTx(index, 1_000_000n, key), testContext(GENESIS_TIME))
    if (!result.accepted) throw result.error
  }
  return state
}

describe('batch distinct-account limit (K)', () => {
  it('error: a tx that would touch a (K+1)th account is rejected, typed and unapplied; txs on accounts already in the batch still join', () => {
    const state = stateWithAccounts(2)
    const before = state.accounts.get(4n)!.collateral
    const { results } = applyBatch(state, [depositTx(2n, 1n), depositTx(3n, 1n), depositTx(4n, 1n), depositTx(2n, 1n)], testContext(GENESIS_TIME))
    expect(results.map((result) => result.accepted)).toEqual([true, true, false, true])
    const rejected = results[2]!
    if (rejected.accepted) throw new Error('unreachable')
    expect(rejected.error).toBeInstanceOf(BatchAccountCapacityError)
    expect(rejected.error).toMatchObject({ code: 'BATCH_ACCOUNT_CAPACITY_EXCEEDED', details: { accounts: 3, batchAccounts: 2 } })
    expect(state.accounts.get(4n)!.collateral).toBe(before)
  })

  it('behavior: a forced withdrawal of an empty index counts (its slot opens the empty leaf); the credit of accounts 0 and 1 does not', () => {
    const state = stateWithAccounts(2)
    const forced: Tx = { type: 'forcedWithdrawal', accountIndex: 9n, requester: 0xabn, requestedAmount: 1n }
    const { results } = applyBatch(state, [depositTx(2n, 1n), forced, depositTx(3n, 1n)], testContext(GENESIS_TIME))
    expect(results.map((result) => result.accepted)).toEqual([true, true, false])
  })

  it('property: every batch touches at most K distinct accounts, and a tx is refused for capacity exactly when it would add the (K+1)th', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.array(fc.integer({ min: 2, max: 7 }), { minLength: 1, maxLength: 16 }), (batchAccounts, targets) => {
        const state = stateWithAccounts(batchAccounts)
        const { results } = applyBatch(state, targets.map((index) => depositTx(BigInt(index), 1n)), testContext(GENESIS_TIME))
        const inBatch = new Set<number>()
        results.forEach((result, i) => {
          const target = targets[i]!
          const wouldExceed = !inBatch.has(target) && inBatch.size === batchAccounts
          expect(result.accepted).toBe(!wouldExceed)
          if (result.accepted) inBatch.add(target)
          else expect(result.error.code).toBe('BATCH_ACCOUNT_CAPACITY_EXCEEDED')
        })
        expect(inBatch.size).toBeLessThanOrEqual(batchAccounts)
      }),
      { numRuns: 50 },
    )
  })
})
