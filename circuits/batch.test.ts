/**
 * BatchStateTransition at the `test` size against the reference state machine: batches the state machine accepts
 * are satisfied by the witness builder's input with the same commitment (and so the same roots and pubdata);
 * rejected txs never reach the circuit (typed error); tampered inputs and witnesses fail.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { CIRCUIT_SIZES } from '../sdk/protocol/config.ts'
import type { Tx } from '../sdk/protocol/types.ts'
import { GENESIS_TIME, ORACLE_KEY, depositNewTx, depositTx, oracleTx, order, testContext, testKey, testState, tradeTx } from '../sdk/state/testFixtures.ts'
import { cloneState, type ExchangeState } from '../sdk/state/state.ts'
import { circuitConfigs } from './configs.ts'
import { loadTestCircuit, type TestCircuit } from './test/circuitHarness.ts'
import { BatchTxRejectedError, buildBatchWitness, CircuitTxTypeUnsupportedError, pubdataBits, type BatchWitness } from './witness/batchWitness.ts'
import { computeFreeCollateral } from '../sdk/state/applyForcedWithdrawal.ts'
import { StateTree } from '../sdk/state/stateTree.ts'

const alice = testKey('alice')
const bob = testKey('bob')
const T1 = GENESIS_TIME + 10n
const T2 = GENESIS_TIME + 20n

/** Pinned: a change is deliberate (circuits/constraints.json has the breakdown). */
const TEST_CONSTRAINTS = 219_323

let circuit: TestCircuit
let afterDeposits: ExchangeState

function tradeBatch(state: ExchangeState): Tx[] {
  const price = state.markets[0]!.oraclePrice
  const taker = order({ accountIndex: 2n, market: 0, isBuy: true, size: 10n, limitPrice: price + 5n, storageId: 7n }, alice)
  const maker = order({ accountIndex: 3n, market: 0, isBuy: false, size: 25n, limitPrice: price, storageId: 3n }, bob)
  return [oracleTx(0, price, T2, ORACLE_KEY), tradeTx(taker, maker, 10n), depositTx(2n, 5_000_000n), { type: 'noop' }]
}

beforeAll(async () => {
  circuit = await loadTestCircuit(circuitConfigs.test!)
  const genesis = testState(CIRCUIT_SIZES.test)
  afterDeposits = buildBatchWitness(genesis, [depositNewTx(2n, 100_000_000_000n, alice, 0xa1n), depositNewTx(3n, 100_000_000_000n, bob, 0xb0n, 1)], testContext(T1)).state
}, 900_000)

describe('BatchStateTransition (test size)', () => {
  it('default: constraint count is pinned and fits 2^18', () => {
    expect(circuit.built.constraints).toBe(TEST_CONSTRAINTS)
    expect(circuit.built.constraints).toBeLessThanOrEqual(1 << 18)
    expect(circuit.built.publicInputs).toBe(1)
  })

  it('behavior: new-account deposits (two 2-chunk records) prove with the state machine\'s commitment', async () => {
    const { input, result } = buildBatchWitness(testState(CIRCUIT_SIZES.test), [depositNewTx(2n, 100_000_000_000n, alice, 0xa1n), depositNewTx(3n, 100_000_000_000n, bob, 0xb0n, 1)], testContext(T1))
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

  it('error: an unsupported tx type is refused with a typed error', () => {
    // A funding update is accepted by the state machine and is not proven by this circuit yet.
    const later = GENESIS_TIME + 100_000n
    const funding = { type: 'fundingUpdate', market: 0, ratePpm: 10n, timestamp: later } as const
    const price = afterDeposits.markets[0]!.oraclePrice
    expect(() => buildBatchWitness(afterDeposits, [oracleTx(0, price, later), funding], testContext(later))).toThrow(CircuitTxTypeUnsupportedError)
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
})

// ─── Forced withdrawals (type 5, two chunks) ──────────────────────────────────────────────────────────────────

const ALICE = 0xa1n
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
    afterTrade = buildBatchWitness(afterDeposits, tradeBatch(afterDeposits), testContext(T2)).state
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

  it('error (forged): claiming an existing account is empty (to pay nothing) fails the Merkle read', async () => {
    const batch = buildBatchWitness(afterTrade, [forcedTx(2n, ALICE, 1_000_000n)], testContext(T2))
    const isNewAccount = [...(batch.input.isNewAccount as bigint[])]
    isNewAccount[0] = 1n
    // Nothing written: the forger's new root is the root with the account untouched.
    const untouched = buildBatchWitness(afterTrade, [{ type: 'noop' }], testContext(T2))
    expect(await circuit.accepts({ ...forgeWithdrawn(batch, 0, 2n, 0n), isNewAccount, newStateRoot: untouched.result.newStateRoot })).toBe(false)
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
