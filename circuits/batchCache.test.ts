/**
 * BatchStateTransition (test size): the batch account cache (circuits/lib/AccountCache.circom). Slots read and
 * write K cached accounts; the cache is opened from and written back to the accounts tree once. These tests forge
 * the cache itself: an account opened twice (to let a slot see a later slot's effect), a side reading an entry
 * other than its account's, and an entry opened with a value the tree does not hold.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { Tx } from '../sdk/protocol/types.ts'
import { computeFreeCollateral } from '../sdk/state/applyForcedWithdrawal.ts'
import { applyBatch } from '../sdk/state/batch.ts'
import { cloneState, type ExchangeState } from '../sdk/state/state.ts'
import { depositTx, testContext } from '../sdk/state/testFixtures.ts'
import { circuitConfigs } from './configs.ts'
import { ALICE, stateAfterDeposits, stateAfterTrade, T2, tradeBatch } from './test/batchScenario.ts'
import { loadTestCircuit, type TestCircuit } from './test/circuitHarness.ts'
import { buildBatchWitness, cacheEntry, pubdataBits, type BatchWitness } from './witness/batchWitness.ts'

let circuit: TestCircuit
let afterDeposits: ExchangeState
let afterTrade: ExchangeState

beforeAll(async () => {
  circuit = await loadTestCircuit(circuitConfigs.test!)
  afterDeposits = stateAfterDeposits()
  afterTrade = stateAfterTrade(afterDeposits)
}, 900_000)

/** Why the witness calculator refused an input (circom's assertion trace), or undefined when it computed one. */
async function refusal(input: Record<string, unknown>): Promise<string | undefined> {
  try {
    await circuit.calculateWitness(input)
    return undefined
  } catch (error) {
    return String(error)
  }
}

/** The slot-indexed inputs (every array of length N but the pubdata) reordered: slot i takes slot `order[i]`'s. */
function reorderSlots(batch: BatchWitness, order: readonly number[]): Record<string, unknown> {
  const slots = order.length
  const reordered: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(batch.input)) {
    const perSlot = Array.isArray(value) && value.length === slots && !key.startsWith('cache') && !key.startsWith('credit') && key !== 'pubdata'
    reordered[key] = perSlot ? order.map((from) => (value as unknown[])[from]) : value
  }
  const chunks = order.map((from) => batch.result.pubdata.slice(from * 32, from * 32 + 32))
  reordered.pubdata = pubdataBits(Uint8Array.from(chunks.flatMap((chunk) => [...chunk])), slots)
  return reordered
}

describe('BatchStateTransition: account cache', () => {
  it('error (forged): opening one account twice, so a forced withdrawal sees a later deposit, fails the increasing-index rule', async () => {
    // Honest: Alice deposits d, then forces the withdrawal of everything free (f + d). In the forged order the
    // withdrawal comes first, when only f is free, yet is paid f + d from a second cache entry of Alice holding her
    // state after the deposit. Every other rule holds: each slot's preimage is its entry's, both entries open
    // under the running root, and the final root is the honest one.
    const d = 7_000_000n
    const f = computeFreeCollateral(afterTrade.accounts.get(2n)!, afterTrade.markets)
    const txs: Tx[] = [depositTx(2n, d), { type: 'forcedWithdrawal', accountIndex: 2n, requester: ALICE, requestedAmount: f + d }]
    const honest = buildBatchWitness(afterTrade, txs, testContext(T2))
    expect(honest.result.records[1]).toEqual(expect.objectContaining({ type: 'forcedWithdrawal', withdrawn: f + d }))
    // What the state machine pays in the forged order: only f.
    const forgedOrder = applyBatch(cloneState(afterTrade), [txs[1]!, txs[0]!], testContext(T2))
    expect(forgedOrder.records[0]).toEqual(expect.objectContaining({ type: 'forcedWithdrawal', withdrawn: f }))

    // Slots [deposit, forced, continuation, noop] → [forced, continuation, deposit, noop].
    const forged = reorderSlots(honest, [1, 2, 0, 3])
    const entries = honest.input.cacheInitial as bigint[][]
    const siblings = honest.input.cacheSiblings as bigint[][][]
    const alicePosition = entries.findIndex((entry) => entry[0] === 2n)
    expect(alicePosition).toBe(0)
    // Alice's entry after the deposit (the deposit settles her at the current indices, as the slot writes her).
    const deposited = cloneState(afterTrade)
    const { tree } = applyBatch(deposited, [txs[0]!], testContext(T2))
    const afterDeposit = cacheEntry(2n, tree.accountPreimage(deposited.accounts.get(2n)!, tree.ordersRoot(2n)), afterTrade.sizes.markets)
    // A second Alice entry replaces the lowest padding entry; its path is Alice's (her own leaf is not on it).
    forged.cacheInitial = [entries[0]!, afterDeposit, ...entries.slice(2)]
    forged.cacheSiblings = [siblings[0]!, siblings[0]!, ...siblings.slice(2)]
    const select = (entry: number) => entries.map((_, k) => (k === entry ? 1n : 0n))
    const none = entries.map(() => 0n)
    forged.cacheSelect = [[select(1), none], [none, none], [select(0), none], [none, none]]
    expect(forged.newStateRoot).toBe(honest.result.newStateRoot)

    const reason = await refusal(forged)
    expect(reason).toBeDefined()
    // The one rule that objects: CommitAccountCache's index order (its only RequireNonNegativeIfEnabled).
    expect(reason).toMatch(/RequireNonNegativeIfEnabled[\s\S]*CommitAccountCache/)
    expect(reason).not.toMatch(/ComputeQuaternaryMerkleUpdate|ApplyTransactionSlot/)
  })

  it('error (forged): a side reading another account\'s entry, no entry, or two entries fails', async () => {
    const batch = buildBatchWitness(afterDeposits, tradeBatch(afterDeposits), testContext(T2))
    expect(await circuit.accepts(batch.input)).toBe(true)
    const select = batch.input.cacheSelect as bigint[][][]
    const entries = batch.input.cacheInitial as bigint[][]
    const taker = entries.findIndex((entry) => entry[0] === 2n)
    const maker = entries.findIndex((entry) => entry[0] === 3n)
    expect(select[1]![1]![maker]).toBe(1n)
    const withMakerSelect = (row: bigint[]) => ({ ...batch.input, cacheSelect: select.map((pair, slot) => (slot === 1 ? [pair[0]!, row] : pair)) })
    const other = entries.map((_, k) => (k === taker ? 1n : 0n))
    const none = entries.map(() => 0n)
    const two = entries.map((_, k) => (k === taker || k === maker ? 1n : 0n))
    expect(await circuit.accepts(withMakerSelect(other))).toBe(false)
    expect(await circuit.accepts(withMakerSelect(none))).toBe(false)
    expect(await circuit.accepts(withMakerSelect(two))).toBe(false)
  })

  it('error (forged): an entry opened with more collateral than its leaf holds fails the write-back opening', async () => {
    const batch = buildBatchWitness(afterTrade, [depositTx(2n, 1_000n)], testContext(T2))
    expect(await circuit.accepts(batch.input)).toBe(true)
    const entries = batch.input.cacheInitial as bigint[][]
    const alice = entries.findIndex((entry) => entry[0] === 2n)
    const richer = entries.map((entry, k) => (k === alice ? entry.map((value, field) => (field === 5 ? value + 10n ** 9n : value)) : entry))
    const collateral = (batch.input.collateral as bigint[][]).map((pair, slot) => (slot === 0 ? [pair[0]! + 10n ** 9n, pair[1]!] : pair))
    const reason = await refusal({ ...batch.input, cacheInitial: richer, collateral })
    expect(reason).toMatch(/ComputeQuaternaryMerkleUpdate[\s\S]*CommitAccountCache/)
  })
})
