import { describe, expect, it } from 'vitest'
import { CIRCUIT_SIZES } from '../../sdk/protocol/config.ts'
import { decodePubdata } from '../../sdk/protocol/pubdata.ts'
import type { Tx } from '../../sdk/protocol/types.ts'
import { applyTx } from '../../sdk/state/applyTx.ts'
import type { ExchangeState } from '../../sdk/state/state.ts'
import {
  depositNewTx,
  depositTx,
  GENESIS_TIME,
  oracleTx,
  order,
  TEST_DOMAIN,
  testContext,
  testKey,
  testState,
  tradeTx,
} from '../../sdk/state/testFixtures.ts'
import { buildBatch } from './batchBuild.ts'
import { BatchCutter, type PositionedTx } from './batchCut.ts'
import { TxOutOfOrderError, TxUnbatchableError } from './errors.ts'

const alice = testKey('batch-alice')
const bob = testKey('batch-bob')
const PRICE = 6_000_000n

/** Genesis with alice (2) and bob (3) funded: the state a batch after the deposits starts from. */
function fundedState(): ExchangeState {
  const state = testState()
  for (const tx of [depositNewTx(2n, 10_000_000_000n, alice), depositNewTx(3n, 10_000_000_000n, bob, 0xb0bn)]) {
    const result = applyTx(state, tx, testContext(GENESIS_TIME))
    if (!result.accepted) throw result.error
  }
  return state
}

function cutter(state: ExchangeState = testState(), lastTimestamp = GENESIS_TIME): BatchCutter {
  return new BatchCutter({ state, domain: TEST_DOMAIN, lastTimestamp, nextBatchNumber: 1n })
}

let seq = 0n
function queued(tx: Tx, time: bigint): PositionedTx {
  seq += 1n
  return { seq, index: 0, time, tx }
}

/** alice buys `size` from bob at PRICE; bob's order expires at `makerExpiry`. */
function trade(storageId: bigint, makerExpiry: bigint, size = 1n): Tx {
  const taker = order({ accountIndex: 2n, isBuy: true, size, limitPrice: PRICE, storageId }, alice)
  const maker = order({ accountIndex: 3n, isBuy: false, size, limitPrice: PRICE, storageId, expiry: makerExpiry }, bob)
  return tradeTx(taker, maker, size)
}

function build(batch: ReturnType<BatchCutter['offer']>[number]) {
  return buildBatch(batch, batch.stateBefore, { domain: TEST_DOMAIN, circuit: 'batch' }).batch
}

describe('BatchCutter', () => {
  it('behavior: cuts when the records fill all N slots (two new-account deposits of 2 chunks each)', () => {
    const c = cutter()
    expect(c.offer(queued(depositNewTx(2n, 1_000_000n, alice), GENESIS_TIME))).toEqual([])
    const [batch, ...rest] = c.offer(queued(depositNewTx(3n, 1_000_000n, bob, 0xb0bn), GENESIS_TIME + 5n))
    expect(rest).toEqual([])
    expect(batch).toMatchObject({ batchNumber: 1n, reason: 'full', chunks: 4, timestamp: GENESIS_TIME + 5n })
    expect(batch!.txs).toHaveLength(2)
    expect(c.open).toHaveLength(0)
    expect(c.nextBatchNumber).toBe(2n)
    const built = build(batch!)
    expect(built.records.map((record) => record.type)).toEqual(['depositNew', 'depositNew'])
    expect(built.priorityOps).toBe(2)
  })

  it('behavior: a 2-chunk record never starts in the last slot: the batch is cut before it and padded with a noop', () => {
    const c = cutter()
    c.offer(queued(depositNewTx(2n, 1_000_000n, alice), GENESIS_TIME))
    c.offer(queued(depositTx(2n, 5n), GENESIS_TIME))
    const [batch] = c.offer(queued(depositNewTx(3n, 1_000_000n, bob, 0xb0bn), GENESIS_TIME))
    expect(batch).toMatchObject({ reason: 'capacity', chunks: 3 })
    expect(batch!.txs.map((entry) => entry.tx.type)).toEqual(['deposit', 'deposit'])
    expect(c.open.map((entry) => entry.seq)).toEqual([seq])
    const built = build(batch!)
    expect(built.pubdata).toHaveLength(4 * 32)
    expect(decodePubdata(built.pubdata).map((record) => record.type)).toEqual(['depositNew', 'deposit', 'noop'])
    expect(built.pubdata.subarray(3 * 32).every((byte) => byte === 0)).toBe(true)
    expect(built.calldata).toHaveLength(3 * 32)
  })

  it('behavior: cuts before a tx that would touch a (K+1)th distinct account; txs on the batch\'s accounts still join', () => {
    const state = testState({ ...CIRCUIT_SIZES.test, batchSlots: 8, batchAccounts: 2 })
    const c = new BatchCutter({ state, domain: TEST_DOMAIN, lastTimestamp: GENESIS_TIME, nextBatchNumber: 1n })
    const carol = testKey('batch-carol')
    expect(c.offer(queued(depositNewTx(2n, 1_000_000n, alice), GENESIS_TIME))).toEqual([])
    expect(c.offer(queued(depositNewTx(3n, 1_000_000n, bob, 0xb0bn), GENESIS_TIME))).toEqual([])
    expect(c.offer(queued(depositTx(2n, 5n), GENESIS_TIME))).toEqual([])
    const [batch, ...rest] = c.offer(queued(depositNewTx(4n, 1_000_000n, carol, 0xca201n), GENESIS_TIME))
    expect(rest).toEqual([])
    expect(batch).toMatchObject({ reason: 'capacity', chunks: 5 })
    expect(batch!.txs.map((entry) => entry.tx.type)).toEqual(['deposit', 'deposit', 'deposit'])
    expect(c.open.map((entry) => entry.seq)).toEqual([seq])
    expect(build(batch!).records.map((record) => record.type)).toEqual(['depositNew', 'depositNew', 'deposit'])
  })

  it('behavior: cutNow pads a partial batch with noops; an empty open batch cuts nothing', () => {
    const c = cutter()
    expect(c.cutNow('timeLimit')).toBeUndefined()
    c.offer(queued(depositNewTx(2n, 1_000_000n, alice), GENESIS_TIME + 3n))
    const batch = c.cutNow('timeLimit')!
    expect(batch).toMatchObject({ reason: 'timeLimit', chunks: 2, timestamp: GENESIS_TIME + 3n })
    const built = build(batch)
    expect(built.records).toHaveLength(1)
    expect(built.pubdata.subarray(64).every((byte) => byte === 0)).toBe(true)
    expect(c.cutNow('flush')).toBeUndefined()
  })

  it('behavior: an order expiring between two input times ends the batch before the later tx', () => {
    const state = fundedState()
    const c = cutter(state)
    const expiry = GENESIS_TIME + 10n
    // Accepted by the sequencer at its own time (≤ expiry) …
    expect(c.offer(queued(trade(1n, expiry), GENESIS_TIME + 10n))).toEqual([])
    // … but an oracle update at expiry + 1 would put T past the maker's expiry: the batch is cut before it.
    const [batch] = c.offer(queued(oracleTx(0, PRICE, expiry + 1n), expiry + 1n))
    expect(batch).toMatchObject({ reason: 'timestamp', timestamp: GENESIS_TIME + 10n, chunks: 1 })
    expect(c.open.map((entry) => entry.tx.type)).toEqual(['oracleUpdate'])
    // Both batches are provable at their own T.
    const first = build(batch!)
    expect(first.records.map((record) => record.type)).toEqual(['trade'])
    const second = c.cutNow('flush')!
    expect(second.timestamp).toBe(expiry + 1n)
    expect(build(second).oldStateRoot).toBe(first.newStateRoot)
  })

  it('behavior: a tx at a later time joins the batch when every tx stays valid at the new T', () => {
    const c = cutter(fundedState())
    c.offer(queued(trade(1n, GENESIS_TIME + 100n), GENESIS_TIME + 10n))
    expect(c.offer(queued(oracleTx(0, PRICE, GENESIS_TIME + 20n), GENESIS_TIME + 20n))).toEqual([])
    const batch = c.cutNow('flush')!
    expect(batch.timestamp).toBe(GENESIS_TIME + 20n)
    expect(batch.txs).toHaveLength(2)
    expect(build(batch).timestamp).toBe(GENESIS_TIME + 20n)
  })

  it('behavior: a stale oracle at the new T cuts the batch (freshness is judged against T, not the input time)', () => {
    const c = cutter(fundedState())
    // The genesis oracle (time GENESIS_TIME, max age 60 s) is fresh for the trade at +60 …
    c.offer(queued(trade(1n, GENESIS_TIME + 1_000n), GENESIS_TIME + 60n))
    // … and stale at +61; the deposit at +61 must wait for the next batch.
    const [batch] = c.offer(queued(depositTx(2n, 1n), GENESIS_TIME + 61n))
    expect(batch).toMatchObject({ reason: 'timestamp', timestamp: GENESIS_TIME + 60n })
  })

  it('behavior: T never goes below the last batch T (the contract requires T ≥ the last batch timestamp)', () => {
    const c = cutter(testState(), GENESIS_TIME + 500n)
    c.offer(queued(depositNewTx(2n, 1_000_000n, alice), GENESIS_TIME))
    expect(c.cutNow('flush')!.timestamp).toBe(GENESIS_TIME + 500n)
  })

  it('behavior: the next batch starts from the state after the end-of-batch fee credit', () => {
    const c = cutter(fundedState())
    c.offer(queued(trade(1n, GENESIS_TIME + 100n, 10n), GENESIS_TIME + 1n))
    const first = build(c.cutNow('flush')!)
    c.offer(queued(trade(2n, GENESIS_TIME + 100n), GENESIS_TIME + 2n))
    const second = build(c.cutNow('flush')!)
    expect(second.oldStateRoot).toBe(first.newStateRoot)
  })

  it('error: a tx the state machine rejects even alone is unbatchable', () => {
    const c = cutter(fundedState())
    // The maker order expired before the tx's own time: no batch can carry it.
    expect(() => c.offer(queued(trade(1n, GENESIS_TIME), GENESIS_TIME + 1n))).toThrow(TxUnbatchableError)
  })

  it('error: a tx at or before the last offered position is refused', () => {
    const c = cutter()
    const first = queued(depositNewTx(2n, 1_000_000n, alice), GENESIS_TIME)
    c.offer(first)
    expect(() => c.offer(first)).toThrow(TxOutOfOrderError)
  })
})
