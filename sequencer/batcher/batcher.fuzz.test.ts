import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { recordChunks } from '../../sdk/protocol/pubdata.ts'
import { createGenesisState } from '../../sdk/state/state.ts'
import { StateTree } from '../../sdk/state/stateTree.ts'
import type { SequencerInput } from '../core/inputCodec.ts'
import { generateWorkload, GENESIS_TIME, testGenesis } from '../core/testWorkload.ts'
import type { BuiltBatch } from './batchBuild.ts'
import { BatchStore } from './batchStore.ts'
import { openBatcher } from './batcher.ts'
import { FedSequencer, temporaryDirectory } from './testHarness.ts'

const genesis = testGenesis()
const genesisState = createGenesisState(genesis)
const genesisRoot = StateTree.fromState(genesisState).stateRoot(genesisState)
const slots = genesis.sizes.batchSlots

/** Input times spread `stretch`× further apart (signed expiries and oracle times unchanged): more txs straddle T. */
function stretchTimes(inputs: readonly SequencerInput[], stretch: bigint): SequencerInput[] {
  return inputs.map((input) => ({ ...input, time: GENESIS_TIME + (input.time - GENESIS_TIME) * stretch }))
}

describe('Batcher (property)', () => {
  test.prop(
    [
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.integer({ min: 2, max: 6 }),
      fc.integer({ min: 10, max: 120 }),
      fc.constantFrom(1n, 4n, 8n),
      fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 8 }),
      fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
      fc.boolean(),
    ],
    { numRuns: 12 },
  )('behavior: batches carry exactly the queued txs in order, roots chain, T is valid, and the store rebuilds them', async (seed, traders, count, stretch, pollPattern, waitPolls, spends) => {
    // With spends: two-chunk withdrawals and short validUntils (signed, so not stretched) straddle T too.
    const inputs = stretchTimes(generateWorkload({ seed, traders, inputs: count, genesis, spends }), stretch)
    const path = temporaryDirectory('batcher-fuzz')
    const store = await BatchStore.open(path)
    const fed = new FedSequencer(genesis)
    // The clock moves one unit per poll; with `waitPolls` set, the open batch is cut after that many polls.
    let now = 0
    const batches: BuiltBatch[] = []
    const { batcher } = await openBatcher({
      genesis, genesisTimestamp: GENESIS_TIME, store, source: fed.source, circuit: 'batch', verifySignatures: false,
      maxWaitMs: waitPolls ?? Number.POSITIVE_INFINITY, now: () => now,
      onBatch: (batch) => { batches.push(batch) },
    })
    let sincePoll = 0
    let turn = 0
    for (const input of inputs) {
      fed.apply(input)
      if (++sincePoll >= pollPattern[turn % pollPattern.length]!) {
        now++
        await batcher.poll()
        sincePoll = 0
        turn++
      }
    }
    await batcher.flush()
    await batcher.close()

    expect(batches.flatMap((batch) => batch.txs.map(({ seq, time, tx }) => ({ seq, time, tx })))).toEqual(fed.drained)
    let previousRoot = genesisRoot
    let previousTimestamp = GENESIS_TIME
    batches.forEach((batch, index) => {
      expect(batch.batchNumber).toBe(BigInt(index + 1))
      expect(batch.oldStateRoot).toBe(previousRoot)
      expect(batch.timestamp).toBeGreaterThanOrEqual(previousTimestamp)
      for (const queued of batch.txs) expect(batch.timestamp).toBeGreaterThanOrEqual(queued.time)
      expect(batch.records).toHaveLength(batch.txs.length)
      expect(batch.records.reduce((chunks, record) => chunks + recordChunks(record), 0)).toBeLessThanOrEqual(slots)
      expect(batch.pubdata).toHaveLength(slots * 32)
      previousRoot = batch.newStateRoot
      previousTimestamp = batch.timestamp
    })

    // The store alone rebuilds every batch (roots and commitments checked on the way).
    const reopened = await openBatcher({
      genesis, genesisTimestamp: GENESIS_TIME, store, source: { drainTxs: () => [] }, circuit: 'batch', maxWaitMs: 0, rebuildFrom: 1n, verifySignatures: false,
    })
    expect(reopened.rebuilt.map((batch) => batch.commitment)).toEqual(batches.map((batch) => batch.commitment))
    expect(reopened.batcher.lastBatchInfo).toEqual(batches.at(-1)?.storedBatchInfo ?? { batchNumber: 0n, timestamp: GENESIS_TIME, stateRoot: genesisRoot, commitment: 0n })
    await store.close()
  }, 120_000)
})
