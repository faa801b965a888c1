import { describe, expect, it } from 'vitest'
import { BaseError } from '../errors.ts'
import { encodePubdata, trimTrailingNoops } from '../protocol/pubdata.ts'
import type { Tx } from '../protocol/types.ts'
import { applyBatch } from './batch.ts'
import { replayPubdata } from './replayPubdata.ts'
import { createGenesisState } from './state.ts'
import { depositNewTx, GENESIS_TIME, testContext, testGenesis, testKey } from './testFixtures.ts'

const alice = testKey('alice')
const OWNER = 0xa11cen
const batchTimestamp = GENESIS_TIME + 10n

function thrown(run: () => unknown): BaseError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(BaseError)
    return error as BaseError
  }
  throw new Error('expected a throw')
}

/** One test-size batch (4 slots): a new account, then a forced withdrawal of `requestedAmount` by `requester`. */
function provenBatch(requester: bigint, requestedAmount: bigint) {
  const genesis = testGenesis()
  const state = createGenesisState(genesis)
  const txs: Tx[] = [depositNewTx(2n, 5_000_000n, alice, OWNER), { type: 'forcedWithdrawal', accountIndex: 2n, requester, requestedAmount }]
  const batch = applyBatch(state, txs, testContext(batchTimestamp))
  expect(batch.results.every((result) => result.accepted)).toBe(true)
  return { genesis, batch }
}

describe('replayPubdata', () => {
  it('behavior: trimmed calldata whose last record ends in an all-zero second chunk replays to the proven root', () => {
    const { genesis, batch } = provenBatch(0xbadn, 0n)
    const calldata = trimTrailingNoops(batch.pubdata)
    expect(calldata.length).toBe(3 * 32) // the forced withdrawal's second chunk (requestedAmount 0) was trimmed too
    expect(replayPubdata(genesis, [{ batchTimestamp, pubdata: calldata }]).stateRoot).toBe(batch.newStateRoot)
  })

  it('behavior: a forced withdrawal replays from its requested amount to the same withdrawn amount', () => {
    const { genesis, batch } = provenBatch(OWNER, 2_000_000n)
    expect(batch.records[1]).toMatchObject({ withdrawn: 2_000_000n, requestedAmount: 2_000_000n })
    const replayed = replayPubdata(genesis, [{ batchTimestamp, pubdata: batch.pubdata }])
    expect(replayed.stateRoot).toBe(batch.newStateRoot)
    expect(replayed.state.accounts.get(2n)!.collateral).toBe(3_000_000n)
  })

  it('error: a forced-withdrawal record whose withdrawn amount the state does not give is not a valid history', () => {
    const { genesis, batch } = provenBatch(OWNER, 2_000_000n)
    for (const withdrawn of [0n, 1_999_999n, 2_000_001n]) {
      const records = batch.records.map((record) => (record.type === 'forcedWithdrawal' ? { ...record, withdrawn } : record))
      const pubdata = encodePubdata(records, genesis.sizes.batchSlots)
      expect(thrown(() => replayPubdata(genesis, [{ batchTimestamp, pubdata }]))).toMatchObject({
        code: 'REPLAY_RECORD_MISMATCH',
        details: { recordIndex: 1, recordType: 'forcedWithdrawal' },
      })
    }
  })
})
