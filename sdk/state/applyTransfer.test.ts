import { describe, expect, it } from 'vitest'
import type { Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { cloneState, firstL2AccountIndex, type ExchangeState } from './state.ts'
import { depositNewTx, GENESIS_TIME, testContext, testKey, testState, transferTx } from './testFixtures.ts'

const alice = testKey('alice')
const OWNER = 0xa11cen
const context = testContext(GENESIS_TIME + 10n)

function accept(state: ExchangeState, tx: Tx) {
  const result = applyTx(state, tx, context)
  if (!result.accepted) throw result.error
  return result
}

function transfer(toIndex: bigint, storageId = 1n, targetMode = 0) {
  return transferTx({ fromIndex: 2n, toIndex, amount: 1_000_000n, targetMode, storageId, validUntil: GENESIS_TIME + 600n }, alice)
}

function funded(): ExchangeState {
  const state = testState()
  accept(state, depositNewTx(2n, 5_000_000n, alice, OWNER))
  return state
}

describe('applyTransfer', () => {
  it('behavior: creates an empty target anywhere in the upper half, with the source owner and key', () => {
    const state = funded()
    const first = firstL2AccountIndex(state.sizes)
    accept(state, transfer(first, 1n, 2))
    accept(state, transfer(15n, 2n))
    expect(state.accounts.get(first)).toMatchObject({ owner: OWNER, publicKey: alice.publicKey, collateral: 1_000_000n, mode: 2 })
    expect(state.accounts.get(15n)).toMatchObject({ owner: OWNER, collateral: 1_000_000n, mode: 0 })
    expect(state.accounts.get(2n)!.collateral).toBe(3_000_000n)
    expect(state.nextAccountIndex).toBe(3n) // L2 creation never moves the L1 counter
  })

  it('error: an empty target below the upper half is refused (the contract could assign it), beyond the tree too', () => {
    const state = funded()
    const before = cloneState(state)
    const codes = [transfer(3n), transfer(firstL2AccountIndex(state.sizes) - 1n), transfer(16n)].map((tx) => {
      const result = applyTx(state, tx, context)
      return result.accepted ? 'accepted' : result.error.code
    })
    expect(codes).toEqual(['TRANSFER_TARGET_INDEX_INVALID', 'TRANSFER_TARGET_INDEX_INVALID', 'ACCOUNT_INDEX_OUT_OF_RANGE'])
    expect(state).toEqual(before)
  })

  it('error: an existing target of another owner, or in another margin mode than signed, is refused', () => {
    const state = funded()
    accept(state, depositNewTx(3n, 1_000_000n, testKey('bob'), 0xb0bn))
    accept(state, transfer(15n, 1n, 2)) // creates 15 in isolated mode 2 for the same owner
    const before = cloneState(state)
    const codes = [transfer(3n, 2n), transfer(15n, 3n, 0)].map((tx) => {
      const result = applyTx(state, tx, context)
      return result.accepted ? 'accepted' : result.error.code
    })
    expect(codes).toEqual(['TRANSFER_OWNER_MISMATCH', 'TRANSFER_TARGET_MODE_MISMATCH'])
    expect(state).toEqual(before)
    accept(state, transfer(15n, 4n, 2))
  })

  it('error: a storage id at or below its slot is refused (a signed transfer executes once)', () => {
    const state = funded()
    accept(state, transfer(15n, 7n))
    const result = applyTx(state, transfer(15n, 7n), context)
    expect(result.accepted ? 'accepted' : result.error.code).toBe('STORAGE_ID_USED')
  })
})
