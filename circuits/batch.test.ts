/**
 * BatchStateTransition at the `test` size against the reference state machine: batches the state machine accepts
 * are satisfied by the witness builder's input with the same commitment (and so the same roots and pubdata);
 * rejected txs never reach the circuit (typed error); tampered inputs and witnesses fail.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { CIRCUIT_SIZES } from '../sdk/protocol/config.ts'
import type { Tx } from '../sdk/protocol/types.ts'
import { depositNewTx, depositTx, oracleTx, order, testContext, testKey, testState, tradeTx } from '../sdk/state/testFixtures.ts'
import { ALICE, alice, bob, depositBatch, stateAfterDeposits, stateAfterTrade, T1, T2, tradeBatch } from './test/batchScenario.ts'
import { computeFundingIndexDelta } from '../sdk/state/applyFundingUpdate.ts'
import { cloneState, type ExchangeState } from '../sdk/state/state.ts'
import { circuitConfigs } from './configs.ts'
import { loadTestCircuit, type TestCircuit } from './test/circuitHarness.ts'
import { forgedCacheInputs } from './test/forgedCache.ts'
import { BatchTxRejectedError, buildBatchWitness, pubdataBits, type BatchWitness } from './witness/batchWitness.ts'
import { computeFreeCollateral } from '../sdk/state/applyForcedWithdrawal.ts'
import { StateTree } from '../sdk/state/stateTree.ts'

/** Pinned: a change is deliberate (circuits/constraints.json has the breakdown). */
const TEST_CONSTRAINTS = 230_680

let circuit: TestCircuit
let afterDeposits: ExchangeState

beforeAll(async () => {
  circuit = await loadTestCircuit(circuitConfigs.test!)
  afterDeposits = stateAfterDeposits()
}, 900_000)

describe('BatchStateTransition (test size)', () => {
  it('default: constraint count is pinned and fits 2^18', () => {
    expect(circuit.built.constraints).toBe(TEST_CONSTRAINTS)
    expect(circuit.built.constraints).toBeLessThanOrEqual(1 << 18)
    expect(circuit.built.publicInputs).toBe(1)
  })

  it('behavior: new-account deposits (two 2-chunk records) prove with the state machine\'s commitment', async () => {
    const { input, result } = buildBatchWitness(testState(CIRCUIT_SIZES.test), depositBatch(), testContext(T1))
    const witness = await circuit.calculateWitness(input)
    expect(await circuit.satisfies(witness)).toBe(true)
    expect(circuit.read(witness, /^main\.commitment$/)).toBe(result.commitment)
  })

  it('behavior: oracle update, trade, top-up and noop prove with the state machine\'s commitment', async () => {
    const { input, result } = buildBatchWitness(afterDeposits, tradeBatch(afterDeposits), testContext(T2))
    expect(result.credit.fees).toBeGreaterThan(0n)
    const witness = await circuit.calculateWitness(input)
    expect(await circuit.satisfies(witness)).toBe(true)
    expect(circuit.read(witness, /^main\.commitment$/)).toBe(result.commitment)
  })

  it('error: a tx the state machine rejects never reaches the prover (expired order, bad signature)', () => {
    const price = afterDeposits.markets[0]!.oraclePrice
    const expired = order({ accountIndex: 2n, market: 0, isBuy: true, size: 1n, limitPrice: price, storageId: 9n, expiry: T2 - 1n }, alice)
    const maker = order({ accountIndex: 3n, market: 0, isBuy: false, size: 1n, limitPrice: price, storageId: 9n }, bob)
    expect(() => buildBatchWitness(afterDeposits, [oracleTx(0, price, T2), tradeTx(expired, maker, 1n)], testContext(T2))).toThrow(BatchTxRejectedError)
    const wrongKey = order({ accountIndex: 2n, market: 0, isBuy: true, size: 1n, limitPrice: price, storageId: 9n }, bob)
    expect(() => buildBatchWitness(afterDeposits, [oracleTx(0, price, T2), tradeTx(wrongKey, maker, 1n)], testContext(T2))).toThrow(BatchTxRejectedError)
    expect(() => buildBatchWitness(afterDeposits, [{ type: 'backstop', accountIndex: 2n }], testContext(T2))).toThrow()
  })

  it('error: tampered pubdata bit, new root, signature scalar, fill price or fee fail', async () => {
    const { input } = buildBatchWitness(afterDeposits, tradeBatch(afterDeposits), testContext(T2))
    const pubdata = input.pubdata as number[][]
    const flipped = pubdata.map((chunk, i) => chunk.map((bit, b) => (i === 1 && b === 8 * 19 + 7 ? 1 - bit : bit)))
    expect(await circuit.accepts({ ...input, pubdata: flipped })).toBe(false)
    expect(await circuit.accepts({ ...input, newStateRoot: (input.newStateRoot as bigint) + 1n })).toBe(false)
    const S = input.signatureS as bigint[][]
    expect(await circuit.accepts({ ...input, signatureS: S.map((pair, i) => (i === 1 ? [pair[0]! + 1n, pair[1]!] : pair)) })).toBe(false)
    const prices = input.price as bigint[]
    expect(await circuit.accepts({ ...input, price: prices.map((value, i) => (i === 1 ? value + 1n : value)) })).toBe(false)

    const witness = await circuit.calculateWitness(input)
    const fee = circuit.read(witness, /^main\.slots\[1\]\.takerFeeAmount$/)
    expect(fee).toBeGreaterThan(0n)
    expect(await circuit.satisfies(circuit.edit(witness, [[/^main\.slots\[1\]\.takerFeeAmount$/, fee - 1n]]))).toBe(false)
  })

  it('error (forged): order fields that alias the signed order word (size + 2^40, limit − 1) fail the range checks', async () => {
    const { input } = buildBatchWitness(afterDeposits, tradeBatch(afterDeposits), testContext(T2))
    const witness = await circuit.calculateWitness(input)
    // The seller's order, so limit − 1 still satisfies its limit rule (price ≥ limit): only the widths can object
    // (the order fields' own checks; without them the fill bound, filled + fill ≤ size in 40 bits, still does).
    const seller = circuit.read(witness, /^main\.takerIsBuy\[1\]$/) === 1n ? 1 : 0
    const sizeSignal = new RegExp(`^main\\.orderSize\\[1\\]\\[${seller}\\]$`)
    const limitSignal = new RegExp(`^main\\.limitPrice\\[1\\]\\[${seller}\\]$`)
    const size = circuit.read(witness, sizeSignal)
    const limit = circuit.read(witness, limitSignal)
    // Same word, so the same hash and a valid signature.
    expect(((size + 2n ** 40n) << 42n) + ((limit - 1n) << 82n)).toBe((size << 42n) + (limit << 82n))
    const aliased = circuit.edit(witness, [
      [sizeSignal, size + 2n ** 40n],
      [limitSignal, limit - 1n],
    ])
    expect(await circuit.satisfies(witness)).toBe(true)
    expect(await circuit.satisfies(aliased)).toBe(false)
  })
})

// ─── Forced withdrawals (type 5, two chunks) ──────────────────────────────────────────────────────────────────

const forcedTx = (accountIndex: bigint, requester: bigint, requestedAmount: bigint): Tx => ({ type: 'forcedWithdrawal', accountIndex, requester, requestedAmount })

/** The batch input with slot `slot`'s withdrawn amount (and its pubdata bytes) replaced and the new root recomputed. */
function forgeWithdrawn(batch: BatchWitness, slot: number, accountIndex: bigint, withdrawn: bigint, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const record = batch.result.witnesses!.find((witness) => witness.tx.type === 'forcedWithdrawal' && witness.tx.accountIndex === accountIndex)!.record
  if (record.type !== 'forcedWithdrawal') throw new Error('unreachable')
  const state = cloneState(batch.state)
  const account = state.accounts.get(accountIndex)!
  state.accounts.set(accountIndex, { ...account, collateral: account.collateral + record.withdrawn - withdrawn })
  expect(StateTree.fromState(batch.state).stateRoot(batch.state)).toBe(batch.result.newStateRoot)
  const pubdata = Uint8Array.from(batch.result.pubdata)
  new DataView(pubdata.buffer).setBigUint64(slot * 32 + 4, withdrawn)
  const amounts = [...(batch.input.amount as bigint[])]
  amounts[slot] = withdrawn
  return {
    ...batch.input,
    ...forgedCacheInputs(batch.input, batch.stateBefore, state),
    amount: amounts,
    pubdata: pubdataBits(pubdata, CIRCUIT_SIZES.test.batchSlots),
    newStateRoot: StateTree.fromState(state).stateRoot(state),
    ...extra,
  }
}

describe('BatchStateTransition: forced withdrawals', () => {
  let afterTrade: ExchangeState
  let free: bigint

  beforeAll(() => {
    afterTrade = stateAfterTrade(afterDeposits)
    const alice = afterTrade.accounts.get(2n)!
    expect(alice.positions[0]!.size).not.toBe(0n)
    free = computeFreeCollateral(alice, afterTrade.markets)
    // Equity counts the long at the oracle price, so the free collateral is above the (debited) collateral.
    expect(free).toBeGreaterThan(1_000_000n)
  })

  it('behavior: an owner\'s request within free collateral and one above it (paid exactly the free collateral) prove', async () => {
    const batch = buildBatchWitness(afterTrade, [forcedTx(2n, ALICE, 1_000_000n), forcedTx(2n, ALICE, 10n ** 15n)], testContext(T2))
    const records = batch.result.witnesses!.map((witness) => witness.record)
    expect(records).toEqual([
      expect.objectContaining({ type: 'forcedWithdrawal', withdrawn: 1_000_000n }),
      expect.objectContaining({ type: 'forcedWithdrawal', withdrawn: free - 1_000_000n }),
    ])
    const witness = await circuit.calculateWitness(batch.input)
    expect(await circuit.satisfies(witness)).toBe(true)
    expect(circuit.read(witness, /^main\.commitment$/)).toBe(batch.result.commitment)
  })

  it('behavior: a stranger\'s request (nothing paid, the leaf settled) and a request for an empty index (nothing written) prove', async () => {
    const batch = buildBatchWitness(afterTrade, [forcedTx(3n, ALICE, 5_000_000n), forcedTx(9n, ALICE, 5_000_000n)], testContext(T2))
    expect(batch.result.witnesses!.map((witness) => witness.record)).toEqual([
      expect.objectContaining({ withdrawn: 0n, accountIndex: 3n }),
      expect.objectContaining({ withdrawn: 0n, accountIndex: 9n }),
    ])
    expect(batch.result.witnesses![1]!.emptyAccount?.leaf).toBe(0n)
    const witness = await circuit.calculateWitness(batch.input)
    expect(await circuit.satisfies(witness)).toBe(true)
    expect(circuit.read(witness, /^main\.commitment$/)).toBe(batch.result.commitment)
  })

  it('error (forged): withdrawing one unit beyond the free collateral fails the margin rule', async () => {
    const batch = buildBatchWitness(afterTrade, [forcedTx(2n, ALICE, 10n ** 15n)], testContext(T2))
    expect(await circuit.accepts(forgeWithdrawn(batch, 0, 2n, free))).toBe(true) // the honest values, rebuilt by the forger
    expect(await circuit.accepts(forgeWithdrawn(batch, 0, 2n, free + 1n))).toBe(false)
  })

  it('error (forged): paying an owner less than is due (censorship) fails the maximality rule', async () => {
    const batch = buildBatchWitness(afterTrade, [forcedTx(2n, ALICE, 10n ** 15n)], testContext(T2))
    expect(await circuit.accepts(forgeWithdrawn(batch, 0, 2n, free - 1n))).toBe(false)
    expect(await circuit.accepts(forgeWithdrawn(batch, 0, 2n, 0n))).toBe(false)
    const full = buildBatchWitness(afterTrade, [forcedTx(2n, ALICE, 1_000_000n)], testContext(T2))
    expect(await circuit.accepts(forgeWithdrawn(full, 0, 2n, 999_999n))).toBe(false)
  })

  it('error (forged): paying more than requested, or paying a requester who is not the owner, fails', async () => {
    const full = buildBatchWitness(afterTrade, [forcedTx(2n, ALICE, 1_000_000n)], testContext(T2))
    expect(await circuit.accepts(forgeWithdrawn(full, 0, 2n, 1_000_001n))).toBe(false)
    const stranger = buildBatchWitness(afterTrade, [forcedTx(3n, ALICE, 5_000_000n)], testContext(T2))
    expect(await circuit.accepts(forgeWithdrawn(stranger, 0, 3n, 0n))).toBe(true)
    expect(await circuit.accepts(forgeWithdrawn(stranger, 0, 3n, 1n))).toBe(false)
  })

  it('error (forged): claiming an existing account is empty (to pay nothing) fails the cache entry\'s opening', async () => {
    const batch = buildBatchWitness(afterTrade, [forcedTx(2n, ALICE, 1_000_000n)], testContext(T2))
    const isNewAccount = [...(batch.input.isNewAccount as bigint[])]
    isNewAccount[0] = 1n
    // Nothing written: the forger's new root is the root with the account untouched.
    const untouched = buildBatchWitness(afterTrade, [{ type: 'noop' }], testContext(T2))
    const forged: Record<string, unknown> = { ...forgeWithdrawn(batch, 0, 2n, 0n), isNewAccount, newStateRoot: untouched.result.newStateRoot }
    expect(await circuit.accepts(forged)).toBe(false)
    // The entry claimed empty as well (leaf 0 where the tree holds the account): the write-back's opening refuses it.
    const cacheInitial = (forged.cacheInitial as bigint[][]).map((entry) => (entry[0] === 2n ? [entry[0]!, 1n, ...entry.slice(2).map(() => 0n)] : entry))
    expect(await circuit.accepts({ ...forged, cacheInitial })).toBe(false)
  })

  it('error: a tampered requested amount in the second chunk changes what the contract checks, and a nonzero padding byte fails', async () => {
    const batch = buildBatchWitness(afterTrade, [forcedTx(2n, ALICE, 1_000_000n)], testContext(T2))
    const bits = batch.input.pubdata as number[][]
    // Requested 1,000,000 → 999,999 + …: the payout now exceeds the request.
    const lowered = Uint8Array.from(batch.result.pubdata)
    new DataView(lowered.buffer).setBigUint64(32, 999_999n)
    expect(await circuit.accepts({ ...batch.input, pubdata: pubdataBits(lowered, CIRCUIT_SIZES.test.batchSlots) })).toBe(false)
    const padded = bits.map((chunk, i) => chunk.map((bit, b) => (i === 1 && b === 8 * 20 ? 1 - bit : bit)))
    expect(await circuit.accepts({ ...batch.input, pubdata: padded })).toBe(false)
  })
})

// ─── Funding updates (type 8) ─────────────────────────────────────────────────────────────────────────────────

describe('BatchStateTransition: funding updates', () => {
  let afterTrade: ExchangeState
  let T3: bigint
  const fundingTx = (market: number, ratePpm: bigint, timestamp: bigint): Tx => ({ type: 'fundingUpdate', market, ratePpm, timestamp })

  beforeAll(() => {
    afterTrade = stateAfterTrade(afterDeposits)
    T3 = afterTrade.markets[0]!.lastFundingTime + afterTrade.markets[0]!.parameters.fundingIntervalSeconds + 10n
  })

  /** [oracle m, funding m] at T3: the batch's only state change is the market's (and the credit's settlement). */
  function fundingBatch(ratePpm: bigint): BatchWitness {
    const price = afterTrade.markets[0]!.oraclePrice
    return buildBatchWitness(afterTrade, [oracleTx(0, price, T3), fundingTx(0, ratePpm, T3)], testContext(T3))
  }

  /** The batch input with the funding slot's rate or timestamp replaced, pubdata and new root rebuilt to match. */
  function forgeFunding(batch: BatchWitness, forged: { ratePpm?: bigint; timestamp?: bigint }): Record<string, unknown> {
    const slot = 1
    const record = batch.result.witnesses![slot]!.record
    if (record.type !== 'fundingUpdate') throw new Error('unreachable')
    const ratePpm = forged.ratePpm ?? record.ratePpm
    const timestamp = forged.timestamp ?? record.timestamp
    const before = afterTrade.markets[0]!
    const delta = computeFundingIndexDelta({ ...before, oraclePrice: before.oraclePrice }, ratePpm, timestamp)
    const state = cloneState(batch.state)
    const fundingIndex = before.fundingIndex + delta
    state.markets[0] = { ...state.markets[0]!, fundingIndex, lastFundingTime: timestamp }
    // The end-of-batch credit settles the system accounts at the final index.
    for (const index of [0n, 1n]) {
      const account = state.accounts.get(index)!
      state.accounts.set(index, { ...account, positions: account.positions.map((position, m) => (m === 0 ? { ...position, fundingIndexAtLastSettle: fundingIndex } : position)) })
    }
    const pubdata = Uint8Array.from(batch.result.pubdata)
    const view = new DataView(pubdata.buffer)
    view.setInt32(slot * 32 + 2, Number(ratePpm))
    view.setUint32(slot * 32 + 6, Number(timestamp))
    const rates = [...(batch.input.ratePpm as bigint[])]
    rates[slot] = ratePpm
    const timestamps = [...(batch.input.timestamp as bigint[])]
    timestamps[slot] = timestamp
    // Account 0 is credited after account 1, so its path holds account 1's new (re-settled) leaf.
    const tree = StateTree.fromState(state)
    const creditSiblings = [...(batch.input.creditSiblings as bigint[][][])]
    creditSiblings[1] = tree.accountRead(0n).siblings.map((level) => [level[0] ?? 0n, level[1] ?? 0n, level[2] ?? 0n])
    return {
      ...batch.input,
      ratePpm: rates,
      timestamp: timestamps,
      pubdata: pubdataBits(pubdata, CIRCUIT_SIZES.test.batchSlots),
      creditSiblings,
      newStateRoot: tree.stateRoot(state),
    }
  }

  it('behavior: funding updates of either sign prove, and an account touched later in the batch settles at the new index', async () => {
    const price0 = afterTrade.markets[0]!.oraclePrice
    const price1 = afterTrade.markets[1]!.oraclePrice
    const both = buildBatchWitness(afterTrade, [oracleTx(0, price0, T3), fundingTx(0, 750n, T3), oracleTx(1, price1, T3), fundingTx(1, -333n, T3)], testContext(T3))
    expect(both.state.markets[0]!.fundingIndex).toBeGreaterThan(afterTrade.markets[0]!.fundingIndex)
    expect(both.state.markets[1]!.fundingIndex).toBeLessThan(afterTrade.markets[1]!.fundingIndex)
    let witness = await circuit.calculateWitness(both.input)
    expect(await circuit.satisfies(witness)).toBe(true)
    expect(circuit.read(witness, /^main\.commitment$/)).toBe(both.result.commitment)

    // Alice is long in market 0: her top-up after the update pays the funding (collateral falls by size · delta).
    const touched = buildBatchWitness(afterTrade, [oracleTx(0, price0, T3), fundingTx(0, 750n, T3), depositTx(2n, 5_000_000n), { type: 'noop' }], testContext(T3))
    const alice = { before: afterTrade.accounts.get(2n)!, after: touched.state.accounts.get(2n)! }
    const delta = touched.state.markets[0]!.fundingIndex - afterTrade.markets[0]!.fundingIndex
    expect(alice.after.collateral).toBe(alice.before.collateral + 5_000_000n - alice.before.positions[0]!.size * delta)
    witness = await circuit.calculateWitness(touched.input)
    expect(await circuit.satisfies(witness)).toBe(true)
    expect(circuit.read(witness, /^main\.commitment$/)).toBe(touched.result.commitment)
  })

  it('error (forged): an index delta one off the floor division fails', async () => {
    const batch = fundingBatch(-750n)
    const witness = await circuit.calculateWitness(batch.input)
    const delta = circuit.read(witness, /^main\.slots\[1\]\.fundingDelta$/)
    expect(await circuit.satisfies(circuit.edit(witness, [[/^main\.slots\[1\]\.fundingDelta$/, delta + 1n]]))).toBe(false)
    expect(await circuit.satisfies(circuit.edit(witness, [[/^main\.slots\[1\]\.fundingDelta$/, delta - 1n]]))).toBe(false)
  })

  it('error (forged): a rate above the clamp, or an update before the interval has passed, fails', async () => {
    const batch = fundingBatch(500n)
    expect(await circuit.accepts(forgeFunding(batch, {}))).toBe(true) // the forger's rebuild of the honest batch
    expect(await circuit.accepts(forgeFunding(batch, { ratePpm: 751n }))).toBe(false)
    expect(await circuit.accepts(forgeFunding(batch, { ratePpm: -751n }))).toBe(false)
    expect(await circuit.accepts(forgeFunding(batch, { ratePpm: 750n }))).toBe(true)
    const earliest = afterTrade.markets[0]!.lastFundingTime + afterTrade.markets[0]!.parameters.fundingIntervalSeconds
    expect(await circuit.accepts(forgeFunding(batch, { timestamp: earliest }))).toBe(true)
    expect(await circuit.accepts(forgeFunding(batch, { timestamp: earliest - 1n }))).toBe(false)
  })

  it('error (forged): a funding update on a stale oracle price, or stamped after the batch, fails', async () => {
    const batch = fundingBatch(500n)
    const maxAge = afterTrade.markets[0]!.parameters.maxOracleAgeSeconds
    // The oracle was updated at T3 in slot 0; a batch time past T3 + maxAge makes it stale for the funding slot.
    expect(await circuit.accepts({ ...batch.input, batchTimestamp: T3 + maxAge })).toBe(true)
    expect(await circuit.accepts({ ...batch.input, batchTimestamp: T3 + maxAge + 1n })).toBe(false)
    expect(await circuit.accepts(forgeFunding(batch, { timestamp: T3 + 1n }))).toBe(false)
  })
})

