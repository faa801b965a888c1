/**
 * BatchStateTransition (test size): L2-signed withdrawals (type 4, two chunks) and transfers (type 6) against the
 * reference state machine. Each forged-witness test starts from an honest batch, rebuilds a consistent new root for
 * the forged transition (the forger's best effort: the roots, the paths and the signature all match) and shows that
 * the circuit refuses what the state machine refuses. Every forger is first checked on the honest values.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { signPoseidon } from '../sdk/crypto/eddsa.ts'
import { CIRCUIT_SIZES } from '../sdk/protocol/config.ts'
import { transferHash, withdrawHash } from '../sdk/protocol/hashing.ts'
import type { Tx } from '../sdk/protocol/types.ts'
import { computeFreeCollateral } from '../sdk/state/applyForcedWithdrawal.ts'
import { computeSlotIndex } from '../sdk/state/orderSlots.ts'
import { cachedDomainHash } from '../sdk/state/signatures.ts'
import { cloneState, createAccount, type ExchangeState } from '../sdk/state/state.ts'
import { StateTree } from '../sdk/state/stateTree.ts'
import { TEST_DOMAIN, testContext, transferTx, withdrawTx, type TestKey } from '../sdk/state/testFixtures.ts'
import { circuitConfigs } from './configs.ts'
import { ALICE, alice, bob, stateAfterDeposits, stateAfterTrade, T2 } from './test/batchScenario.ts'
import { loadTestCircuit, type TestCircuit } from './test/circuitHarness.ts'
import { forgedCacheInputs } from './test/forgedCache.ts'
import { buildSignatureInput } from './witness/signatureWitness.ts'
import { BatchTxRejectedError, buildBatchWitness, pubdataBits, type BatchWitness } from './witness/batchWitness.ts'

const SLOTS = CIRCUIT_SIZES.test.batchSlots
const VALID_UNTIL = T2 + 600n
const NOOP: Tx = { type: 'noop' }
const domain = cachedDomainHash(TEST_DOMAIN)

let circuit: TestCircuit
/** Alice (index 2) is long 10 lots in market 0 with order slot 7 holding (7, 10); Bob (3) is isolated in market 0. */
let afterTrade: ExchangeState
let free: bigint

beforeAll(async () => {
  circuit = await loadTestCircuit(circuitConfigs.test!)
  afterTrade = stateAfterTrade(stateAfterDeposits())
  free = computeFreeCollateral(afterTrade.accounts.get(2n)!, afterTrade.markets)
  expect(afterTrade.accounts.get(2n)!.orderSlots.get(7n)).toEqual({ storageId: 7n, filled: 10n })
}, 900_000)

async function expectProves(batch: BatchWitness): Promise<void> {
  const witness = await circuit.calculateWitness(batch.input)
  expect(await circuit.satisfies(witness)).toBe(true)
  expect(circuit.read(witness, /^main\.commitment$/)).toBe(batch.result.commitment)
}

function path(tree: StateTree, accountIndex: bigint): bigint[][] {
  return tree.accountRead(accountIndex).siblings.map((level) => [level[0] ?? 0n, level[1] ?? 0n, level[2] ?? 0n])
}

/** `rows[slot][side] = value` on a copy of a per-slot, per-side input. */
function setSide<T>(rows: T[][], slot: number, side: number, value: T): T[][] {
  return rows.map((row, i) => (i === slot ? row.map((item, s) => (s === side ? value : item)) : row))
}

function setSlot<T>(rows: T[], slot: number, value: T): T[] {
  return rows.map((item, i) => (i === slot ? value : item))
}

/** The slot-0, side-0 signature inputs for `message` signed by `signer`, verified against Alice's key. */
function signatureInputs(input: Record<string, unknown>, message: bigint, signer: TestKey): Record<string, unknown> {
  const signature = buildSignatureInput(message, signPoseidon(signer.privateKey, message), alice.publicKey)
  return {
    signatureR8: setSide(input.signatureR8 as unknown[][], 0, 0, signature.R8),
    signatureS: setSide(input.signatureS as unknown[][], 0, 0, signature.S),
    publicKeyRoot: setSide(input.publicKeyRoot as unknown[][], 0, 0, signature.publicKeyRoot),
    signatureR8Root: setSide(input.signatureR8Root as unknown[][], 0, 0, signature.R8Root),
  }
}

/**
 * The account cache, the credit's paths and the new root of a forged final state (no fee, no funding change in
 * these batches), for `input` with its slots' forged fields already in place.
 */
function rootInputs(input: Record<string, unknown>, state: ExchangeState): Record<string, unknown> {
  const tree = StateTree.fromState(state)
  return { ...forgedCacheInputs(input, afterTrade, state), creditSiblings: [path(tree, 1n), path(tree, 0n)], newStateRoot: tree.stateRoot(state) }
}

/** Alice after spending `amount` with `storageId` (her funding is already settled at the current indices). */
function aliceSpent(state: ExchangeState, amount: bigint, storageId: bigint): void {
  const account = state.accounts.get(2n)!
  const orderSlots = new Map(account.orderSlots)
  orderSlots.set(computeSlotIndex(storageId, state.sizes.orderDepth), { storageId, filled: 0n })
  state.accounts.set(2n, { ...account, collateral: account.collateral - amount, orderSlots })
}

describe('BatchStateTransition: withdrawals', () => {
  const honestAmount = 1_000_000n
  const honest = () =>
    buildBatchWitness(afterTrade, [withdrawTx({ accountIndex: 2n, amount: honestAmount, to: ALICE, storageId: 23n, validUntil: VALID_UNTIL }, alice), NOOP, NOOP], testContext(T2))

  type ForgedWithdraw = { amount?: bigint; storageId?: bigint; validUntil?: bigint; signer?: TestKey }
  /** A withdraw slot (slot 0) for the forged message, with pubdata, signature and roots rebuilt to match. */
  function forgeWithdraw(batch: BatchWitness, forged: ForgedWithdraw): Record<string, unknown> {
    const message = { accountIndex: 2n, amount: forged.amount ?? honestAmount, to: ALICE, storageId: forged.storageId ?? 23n, validUntil: forged.validUntil ?? VALID_UNTIL }
    const state = cloneState(afterTrade)
    aliceSpent(state, message.amount, message.storageId)
    const pubdata = Uint8Array.from(batch.result.pubdata)
    const view = new DataView(pubdata.buffer)
    view.setBigUint64(4, message.amount)
    view.setUint32(32, Number(message.storageId))
    const input = batch.input
    const forgedInput = {
      ...input,
      amount: setSlot(input.amount as bigint[], 0, message.amount),
      storageId: setSide(input.storageId as bigint[][], 0, 0, message.storageId),
      expiry: setSide(input.expiry as bigint[][], 0, 0, message.validUntil),
      pubdata: pubdataBits(pubdata, SLOTS),
      ...signatureInputs(input, withdrawHash(message, domain), forged.signer ?? alice),
    }
    return { ...forgedInput, ...rootInputs(forgedInput, state) }
  }

  it('behavior: a withdrawal, a transfer creating an account and a transfer to it prove with the state machine\'s commitment', async () => {
    const txs = [
      withdrawTx({ accountIndex: 2n, amount: 1_000_000n, to: ALICE, storageId: 23n, validUntil: VALID_UNTIL }, alice),
      transferTx({ fromIndex: 2n, toIndex: 8n, amount: 2_000_000n, targetMode: 2, storageId: 24n, validUntil: VALID_UNTIL }, alice),
      transferTx({ fromIndex: 2n, toIndex: 8n, amount: 3_000_000n, targetMode: 2, storageId: 25n, validUntil: VALID_UNTIL }, alice),
    ]
    const batch = buildBatchWitness(afterTrade, txs, testContext(T2))
    expect(batch.state.accounts.get(8n)).toMatchObject({ owner: ALICE, mode: 2, collateral: 5_000_000n, publicKey: alice.publicKey })
    await expectProves(batch)
  })

  it('behavior: withdrawing exactly the free collateral proves', async () => {
    await expectProves(buildBatchWitness(afterTrade, [withdrawTx({ accountIndex: 2n, amount: free, to: ALICE, storageId: 23n, validUntil: VALID_UNTIL }, alice), NOOP, NOOP], testContext(T2)))
  })

  it('error (forged): one unit beyond the free collateral fails the margin rule', async () => {
    const batch = honest()
    expect(await circuit.accepts(forgeWithdraw(batch, {}))).toBe(true) // the forger's rebuild of the honest batch
    expect(await circuit.accepts(forgeWithdraw(batch, { amount: free }))).toBe(true)
    expect(() => buildBatchWitness(afterTrade, [withdrawTx({ accountIndex: 2n, amount: free + 1n, to: ALICE, storageId: 23n, validUntil: VALID_UNTIL }, alice)], testContext(T2))).toThrow(BatchTxRejectedError)
    expect(await circuit.accepts(forgeWithdraw(batch, { amount: free + 1n }))).toBe(false)
  })

  it('error (forged): reusing the storage id its slot holds fails; a higher id in the same slot proves', async () => {
    const batch = honest()
    expect(await circuit.accepts(forgeWithdraw(batch, { storageId: 7n }))).toBe(false)
    expect(await circuit.accepts(forgeWithdraw(batch, { storageId: 39n }))).toBe(true)
  })

  it('error (forged): an expired withdrawal (validUntil < T) fails; validUntil = T proves', async () => {
    const batch = honest()
    expect(await circuit.accepts(forgeWithdraw(batch, { validUntil: T2 }))).toBe(true)
    expect(await circuit.accepts(forgeWithdraw(batch, { validUntil: T2 - 1n }))).toBe(false)
  })

  it('error (forged): a withdrawal signed by another key fails; a tampered recipient byte fails', async () => {
    const batch = honest()
    expect(await circuit.accepts(forgeWithdraw(batch, { signer: bob }))).toBe(false)
    const bits = batch.input.pubdata as number[][]
    const redirected = bits.map((chunk, i) => chunk.map((bit, b) => (i === 0 && b === 8 * 31 + 7 ? 1 - bit : bit)))
    expect(await circuit.accepts({ ...batch.input, pubdata: redirected })).toBe(false)
  })
})

describe('BatchStateTransition: transfers', () => {
  const amount = 2_000_000n
  const honest = () =>
    buildBatchWitness(afterTrade, [transferTx({ fromIndex: 2n, toIndex: 8n, amount, targetMode: 0, storageId: 23n, validUntil: VALID_UNTIL }, alice), NOOP, NOOP, NOOP], testContext(T2))

  /** The transfer slot (slot 0) sent to `toIndex` with `targetMode` instead, everything else rebuilt to match. */
  function forgeTarget(batch: BatchWitness, toIndex: bigint, targetMode: number): Record<string, unknown> {
    const message = { fromIndex: 2n, toIndex, amount, targetMode, storageId: 23n, validUntil: VALID_UNTIL }
    const state = cloneState(afterTrade)
    aliceSpent(state, amount, 23n)
    const tree = StateTree.fromState(state)
    const existing = state.accounts.get(toIndex)
    const opened = existing ?? createAccount({ publicKey: alice.publicKey, owner: ALICE, collateral: 0n, mode: targetMode, markets: state.markets })
    const preimage = tree.accountPreimage(opened, tree.ordersRoot(toIndex))
    state.accounts.set(toIndex, { ...opened, collateral: opened.collateral + amount })
    const pubdata = Uint8Array.from(batch.result.pubdata)
    pubdata[1] = targetMode
    pubdata.set([Number((toIndex >> 16n) & 0xffn), Number((toIndex >> 8n) & 0xffn), Number(toIndex & 0xffn)], 5)
    const input = batch.input
    const side = <T>(key: string, value: T) => ({ [key]: setSide(input[key] as T[][], 0, 1, value) })
    const forgedInput = {
      ...input,
      ...side('accountIndex', toIndex),
      ...side('publicKey', [preimage.publicKey.x, preimage.publicKey.y]),
      ...side('owner', preimage.owner),
      ...side('collateral', preimage.collateral),
      ...side('mode', BigInt(preimage.mode)),
      ...side('positionSize', preimage.positions.map((position) => position.size)),
      ...side('fundingIndexAtLastSettle', preimage.positions.map((position) => position.fundingIndexAtLastSettle)),
      ...side('ordersRoot', preimage.ordersRoot),
      isNewTarget: setSlot(input.isNewTarget as bigint[], 0, existing === undefined ? 1n : 0n),
      pubdata: pubdataBits(pubdata, SLOTS),
      ...signatureInputs(input, transferHash(message, domain), alice),
    }
    return { ...forgedInput, ...rootInputs(forgedInput, state) }
  }

  it('behavior: a transfer into an existing account of the same owner settles and credits it', async () => {
    const created = buildBatchWitness(afterTrade, [transferTx({ fromIndex: 2n, toIndex: 9n, amount, targetMode: 1, storageId: 23n, validUntil: VALID_UNTIL }, alice)], testContext(T2)).state
    const batch = buildBatchWitness(created, [transferTx({ fromIndex: 9n, toIndex: 2n, amount: 500_000n, targetMode: 0, storageId: 1n, validUntil: VALID_UNTIL }, alice)], testContext(T2))
    expect(batch.state.accounts.get(2n)!.collateral).toBe(created.accounts.get(2n)!.collateral + 500_000n)
    await expectProves(batch)
  })

  it('error (forged): creating a target in the L1 deposit range, or with a mode beyond the markets, fails', async () => {
    const batch = honest()
    expect(await circuit.accepts(forgeTarget(batch, 8n, 0))).toBe(true) // the forger's rebuild of the honest batch
    expect(await circuit.accepts(forgeTarget(batch, 15n, 2))).toBe(true)
    expect(await circuit.accepts(forgeTarget(batch, 7n, 0))).toBe(false)
    expect(await circuit.accepts(forgeTarget(batch, 8n, 3))).toBe(false)
  })

  it('error (forged): a transfer into another owner\'s account fails', async () => {
    const batch = honest()
    expect(afterTrade.accounts.get(3n)!.mode).toBe(1)
    expect(await circuit.accepts(forgeTarget(batch, 3n, 1))).toBe(false)
  })

  it('error: the state machine\'s transfer rejections never reach the prover', () => {
    const reject = (toIndex: bigint, targetMode: number) =>
      expect(() => buildBatchWitness(afterTrade, [transferTx({ fromIndex: 2n, toIndex, amount, targetMode, storageId: 23n, validUntil: VALID_UNTIL }, alice)], testContext(T2))).toThrow(BatchTxRejectedError)
    reject(7n, 0)
    reject(8n, 3)
    reject(3n, 1)
    reject(2n, 0)
  })
})
