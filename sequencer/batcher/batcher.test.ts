import { afterEach, describe, expect, it } from 'vitest'
import { signOrder } from '../../sdk/protocol/signing.ts'
import type { OrderInput, SequencerInput } from '../core/inputCodec.ts'
import { fundingInputs, generateWorkload, GENESIS_TIME, oracleInput, testGenesis, traderKey } from '../core/testWorkload.ts'
import type { BuiltBatch } from './batchBuild.ts'
import { BatchStore } from './batchStore.ts'
import { openBatcher, type BatcherFaultPoint } from './batcher.ts'
import { BatchHandOffFailedError, BatcherPausedError, BatchQueueMismatchError } from './errors.ts'
import { FedSequencer, storedBytes, temporaryDirectory, temporaryStore } from './testHarness.ts'

const genesis = testGenesis()
const workload = generateWorkload({ seed: 11, traders: 5, inputs: 240, genesis })
const stores: BatchStore[] = []

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close()
})

async function open(path: string): Promise<BatchStore> {
  const store = await BatchStore.open(path)
  stores.push(store)
  return store
}

class Crash extends Error {}

type RunParameters = {
  inputs: readonly SequencerInput[]
  path?: string
  /** Poll after every `pollEvery` inputs (default 1). */
  pollEvery?: number
  now?: () => number
  maxWaitMs?: number
  crashAt?: { point: BatcherFaultPoint; batchNumber: bigint }
  /** Inputs the recovered sequencer replays before the batcher opens (a restart), default none. */
  replay?: readonly SequencerInput[]
  rebuildFrom?: bigint
  onBatch?: (batch: BuiltBatch, store: BatchStore) => Promise<void>
}

/** Feeds inputs to a sequencer and its batcher; stops at the crash point (the batcher object is abandoned). */
async function run(parameters: RunParameters) {
  const path = parameters.path ?? temporaryDirectory('batcher')
  const store = await open(path)
  const fed = new FedSequencer(genesis)
  for (const input of parameters.replay ?? []) fed.apply(input)
  const handed: BuiltBatch[] = []
  const { batcher, rebuilt, recovery } = await openBatcher({
    genesis,
    genesisTimestamp: GENESIS_TIME,
    store,
    source: fed.source,
    circuit: 'batch',
    maxWaitMs: parameters.maxWaitMs ?? Number.POSITIVE_INFINITY,
    verifySignatures: false,
    ...(parameters.now === undefined ? {} : { now: parameters.now }),
    ...(parameters.rebuildFrom === undefined ? {} : { rebuildFrom: parameters.rebuildFrom }),
    onBatch: async (batch) => {
      await parameters.onBatch?.(batch, store)
      handed.push(batch)
    },
    faultPoint: (point, batchNumber) => {
      if (parameters.crashAt?.point === point && parameters.crashAt.batchNumber === batchNumber) throw new Crash(`${point} ${batchNumber}`)
    },
  })
  const pollEvery = parameters.pollEvery ?? 1
  let applied = 0
  let crashed = false
  try {
    for (const input of parameters.inputs) {
      fed.apply(input)
      applied++
      if (applied % pollEvery === 0) await batcher.poll()
    }
    await batcher.flush()
  } catch (error) {
    if (!(error instanceof Crash)) throw error
    crashed = true
  }
  if (!crashed) await batcher.close()
  stores.splice(stores.indexOf(store), 1)
  const bytes = await storedBytes(store)
  await store.close()
  return { path, fed, batcher, handed, rebuilt, recovery, crashed, applied, bytes }
}

/** A GTC limit order of trader `trader` (account 2 + trader), storage id 1. */
function traderOrder(trader: number, isBuy: boolean, size: bigint, limitPrice: bigint, time: bigint): OrderInput {
  return {
    kind: 'order',
    time,
    order: signOrder({ accountIndex: 2n + BigInt(trader), market: 0, isBuy, reduceOnly: false, size, limitPrice, storageId: 1n, expiry: time + 86_400n }, traderKey(trader).privateKey, genesis.domain),
    orderType: 'limit',
    timeInForce: 'GTC',
    postOnly: false,
    selfTradePrevention: 'expireMaker',
    clientOrderId: undefined,
  }
}

function txsOf(batches: readonly BuiltBatch[]) {
  return batches.flatMap((batch) => batch.txs.map(({ seq, time, tx }) => ({ seq, time, tx })))
}

describe('Batcher', () => {
  it('behavior: the batches carry exactly the queued txs in order, each starting at the previous root, persisted before hand-off', async () => {
    const result = await run({
      inputs: workload,
      onBatch: async (batch, store) => {
        expect(batch.storedBatchInfo).toEqual({ batchNumber: batch.batchNumber, timestamp: batch.timestamp, stateRoot: batch.newStateRoot, commitment: batch.commitment })
        // Persisted before it is handed on.
        expect(await store.get(batch.batchNumber)).toMatchObject({ commitment: batch.commitment, newStateRoot: batch.newStateRoot })
      },
    })
    expect(result.fed.drained.length).toBeGreaterThan(40)
    expect(txsOf(result.handed)).toEqual(result.fed.drained)
    expect(result.handed.map((batch) => batch.batchNumber)).toEqual(result.handed.map((_, index) => BigInt(index + 1)))
    result.handed.forEach((batch, index) => {
      if (index > 0) {
        const previous = result.handed[index - 1]!
        expect(batch.oldStateRoot).toBe(previous.newStateRoot)
        expect(batch.timestamp).toBeGreaterThanOrEqual(previous.timestamp)
      }
      for (const queued of batch.txs) expect(batch.timestamp).toBeGreaterThanOrEqual(queued.time)
      expect(batch.proofJob).toMatchObject({ batchNumber: batch.batchNumber, expectedPublicSignals: [batch.commitment.toString()] })
    })
    expect(result.bytes).toHaveLength(result.handed.length)
  })

  it('behavior: the same queue gives the same batches however often it is polled', async () => {
    const every = await run({ inputs: workload, pollEvery: 1 })
    const sparse = await run({ inputs: workload, pollEvery: 17 })
    expect(every.bytes.length).toBeGreaterThan(5)
    expect(sparse.bytes).toEqual(every.bytes)
  })

  it('behavior: the open batch is cut once its oldest tx has waited maxWaitMs', async () => {
    let now = 0
    const { store } = await temporaryStore()
    stores.push(store)
    const fed = new FedSequencer(genesis)
    const { batcher } = await openBatcher({
      genesis, genesisTimestamp: GENESIS_TIME, store, source: fed.source, circuit: 'batch', maxWaitMs: 1_000, now: () => now, verifySignatures: false,
    })
    fed.apply(fundingInputs(1)[0]!)
    expect(await batcher.poll()).toEqual([])
    now = 999
    expect(await batcher.poll()).toEqual([])
    expect(batcher.bufferedTxs).toBe(1)
    now = 1_000
    const [batch] = await batcher.poll()
    expect(batch).toMatchObject({ batchNumber: 1n, reason: 'timeLimit' })
    expect(batch!.records).toHaveLength(1)
    expect(batcher.bufferedTxs).toBe(0)
    // The clock restarts with the next tx.
    fed.apply(fundingInputs(2)[1]!)
    now = 1_500
    expect(await batcher.poll()).toEqual([])
    now = 2_500
    expect((await batcher.poll()).map((b) => b.reason)).toEqual(['timeLimit'])
    await batcher.close()
  })

  for (const point of ['cut', 'persisted'] as const) {
    it(`behavior: a crash at '${point}' then recovery gives the same batches, none duplicated or dropped`, async () => {
      const reference = await run({ inputs: workload })
      const crashAt = 4n
      const first = await run({ inputs: workload, crashAt: { point, batchNumber: crashAt } })
      expect(first.crashed).toBe(true)
      expect(first.bytes).toHaveLength(point === 'cut' ? 3 : 4)
      expect(first.handed).toHaveLength(3)
      // Restart: the sequencer replays the logged inputs, the batcher re-applies its store and re-hands batch 4 on.
      const second = await run({
        path: first.path,
        replay: workload.slice(0, first.applied),
        inputs: workload.slice(first.applied),
        rebuildFrom: 4n,
      })
      expect(second.recovery.batches).toBe(point === 'cut' ? 3 : 4)
      expect(second.bytes).toEqual(reference.bytes)
      const delivered = [...first.handed, ...second.rebuilt, ...second.handed]
      expect(delivered.map((batch) => batch.batchNumber)).toEqual(reference.handed.map((batch) => batch.batchNumber))
      expect(delivered.map((batch) => batch.commitment)).toEqual(reference.handed.map((batch) => batch.commitment))
      expect(txsOf(delivered)).toEqual(reference.fed.drained)
    })
  }

  it('behavior: a persisted time-limit cut survives a restart whose clock would have cut elsewhere', async () => {
    let now = 0
    const clock = () => (now += 100)
    const first = await run({ inputs: workload.slice(0, 120), now: clock, maxWaitMs: 250, crashAt: { point: 'persisted', batchNumber: 6n } })
    expect(first.crashed).toBe(true)
    const reasons = first.handed.map((batch) => batch.reason)
    expect(reasons).toContain('timeLimit')
    const second = await run({ path: first.path, replay: workload.slice(0, first.applied), inputs: workload.slice(first.applied), rebuildFrom: 6n })
    // The first six batches are the stored ones, byte for byte; the rest continues after them.
    expect(second.bytes.slice(0, 6)).toEqual(first.bytes)
    const delivered = [...first.handed, ...second.rebuilt, ...second.handed]
    expect(delivered.map((batch) => batch.batchNumber)).toEqual(delivered.map((_, index) => BigInt(index + 1)))
    expect(txsOf(delivered)).toEqual(second.fed.drained)
  })

  it('behavior: a keeper\'s tiered liquidation is cut into a batch like any tx; its witness builds', async () => {
    // Account 6 (100 USDC) goes 150 lots long at 6.0; the price falls to 5.6 and the keeper liquidates 25 % of it
    // against account 3's resting bid.
    const time = GENESIS_TIME + 10n
    const makerBid = traderOrder(1, true, 100n, 5_590_000n, time)
    const liquidation: SequencerInput = { kind: 'liquidation', time: time + 1n, tx: { type: 'liquidation', accountIndex: 6n, market: 0, maker: makerBid.order, size: 38n, price: 5_590_000n, full: false } }
    const inputs: SequencerInput[] = [
      ...fundingInputs(5),
      traderOrder(0, false, 150n, 6_000_000n, time),
      traderOrder(4, true, 150n, 6_000_000n, time),
      makerBid,
      oracleInput(genesis, 0, 5_600_000n, time + 1n),
      liquidation,
    ]
    const result = await run({ inputs })
    expect(txsOf(result.handed)).toEqual(result.fed.drained)
    const last = result.handed.at(-1)!
    expect(last.txs.map((queued) => queued.tx.type)).toContain('liquidation')
    expect(last.records.filter((record) => record.type === 'liquidation')).toEqual([
      { type: 'liquidation', market: 0, full: false, accountIndex: 6n, makerIndex: 3n, size: 38n, price: 5_590_000n, makerStorageId: 1n },
    ])
  })

  it('error: a failing hand-off pauses the batcher; nothing after it is cut, and a restart resumes from the store', async () => {
    const { store } = await temporaryStore()
    stores.push(store)
    const fed = new FedSequencer(genesis)
    const paused: unknown[] = []
    const onBatch = () => {
      throw new Error('prover queue unavailable')
    }
    const { batcher } = await openBatcher({ genesis, genesisTimestamp: GENESIS_TIME, store, source: fed.source, circuit: 'batch', maxWaitMs: 0, onBatch })
    batcher.on('paused', (error) => paused.push(error))
    for (const input of fundingInputs(4)) fed.apply(input)
    await expect(batcher.poll()).rejects.toBeInstanceOf(BatchHandOffFailedError)
    expect(batcher.status).toMatchObject({ status: 'paused', error: { code: 'BATCH_HAND_OFF_FAILED', details: { batchNumber: 1n } } })
    expect(paused).toHaveLength(1)
    // The batch was persisted before its hand-off failed; nothing after it is cut.
    expect(await store.get(1n)).toBeDefined()
    await expect(batcher.poll()).rejects.toBeInstanceOf(BatcherPausedError)
    expect(await store.get(2n)).toBeUndefined()
  })

  it('error: a replayed queue that differs from the persisted batches stops the batcher', async () => {
    const first = await run({ inputs: fundingInputs(4) })
    expect(first.bytes).toHaveLength(2)
    const other = fundingInputs(4).map((input) => (input.kind === 'deposit' ? { ...input, tx: { ...input.tx, amount: input.tx.amount + 1n } } : input))
    await expect(run({ path: first.path, replay: other, inputs: [] })).rejects.toBeInstanceOf(BatchQueueMismatchError)
  })
})
