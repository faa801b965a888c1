import { describe, expect, it } from 'vitest'
import { MAX_WITHDRAWAL_AMOUNT } from '../protocol/bounds.ts'
import { decodePubdata, encodeRecord } from '../protocol/pubdata.ts'
import type { ForcedWithdrawalTx, Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { cloneState, firstL2AccountIndex, type ExchangeState } from './state.ts'
import { depositNewTx, GENESIS_TIME, testContext, testKey, testState } from './testFixtures.ts'

const alice = testKey('alice')
const OWNER = 0xa11cen
const context = testContext(GENESIS_TIME + 10n)

function forced(accountIndex: bigint, requester: bigint, requestedAmount: bigint): ForcedWithdrawalTx {
  return { type: 'forcedWithdrawal', accountIndex, requester, requestedAmount }
}

function accept(state: ExchangeState, tx: Tx) {
  const result = applyTx(state, tx, context)
  if (!result.accepted) throw result.error
  return result
}

function funded(): ExchangeState {
  const state = testState()
  accept(state, depositNewTx(2n, 5_000_000n, alice, OWNER))
  return state
}

describe('applyForcedWithdrawal', () => {
  it('default: the owner gets min(requested, free collateral); the record carries both amounts', () => {
    const state = funded()
    const result = accept(state, forced(2n, OWNER, 3_000_000n))
    expect(state.accounts.get(2n)!.collateral).toBe(2_000_000n)
    expect(result.pubdata).toEqual({ type: 'forcedWithdrawal', accountIndex: 2n, withdrawn: 3_000_000n, requester: OWNER, requestedAmount: 3_000_000n })
    const capped = accept(state, forced(2n, OWNER, MAX_WITHDRAWAL_AMOUNT))
    expect(capped.pubdata).toMatchObject({ withdrawn: 2_000_000n, requestedAmount: MAX_WITHDRAWAL_AMOUNT })
    expect(state.accounts.get(2n)!.collateral).toBe(0n)
    expect(decodePubdata(encodeRecord(capped.pubdata))).toEqual([capped.pubdata])
  })

  it('behavior: another requester, or a request of 0, withdraws 0 and the record keeps the requested amount', () => {
    const state = funded()
    const stranger = accept(state, forced(2n, 0xbadn, 1_000_000n))
    expect(stranger.pubdata).toEqual({ type: 'forcedWithdrawal', accountIndex: 2n, withdrawn: 0n, requester: 0xbadn, requestedAmount: 1_000_000n })
    expect(stranger.effect.writes).toHaveLength(1) // the leaf is touched whoever asked
    const zero = accept(state, forced(2n, OWNER, 0n))
    expect(zero.pubdata).toMatchObject({ withdrawn: 0n, requestedAmount: 0n })
    expect(state.accounts.get(2n)!.collateral).toBe(5_000_000n)
  })

  it('behavior: an empty index of the L2-created range is a valid request that withdraws 0 and writes nothing', () => {
    const state = funded()
    const index = firstL2AccountIndex(state.sizes)
    const before = cloneState(state)
    const result = accept(state, forced(index, OWNER, 1_000_000n))
    expect(result.pubdata).toMatchObject({ accountIndex: index, withdrawn: 0n, requestedAmount: 1_000_000n })
    expect(result.effect.writes).toEqual([])
    expect(state).toEqual(before)
  })

  it('error: values the contract never queues (request ≥ 2^63, index beyond the tree, requester over 160 bits)', () => {
    const state = funded()
    const before = cloneState(state)
    const codes = [forced(2n, OWNER, MAX_WITHDRAWAL_AMOUNT + 1n), forced(16n, OWNER, 1n), forced(2n, 1n << 160n, 1n)].map((tx) => {
      const result = applyTx(state, tx, context)
      return result.accepted ? 'accepted' : result.error.code
    })
    expect(codes).toEqual(['WITHDRAWAL_AMOUNT_OUT_OF_RANGE', 'ACCOUNT_INDEX_OUT_OF_RANGE', 'ADDRESS_OUT_OF_RANGE'])
    expect(state).toEqual(before)
  })
})
