/**
 * BatchStateTransition (test size): tiered liquidations (type 9), backstop takeovers (10) and auto-deleveraging (11)
 * against the reference state machine. Carol (index 4, 61 USDC) goes 100 lots long at 6.0 from Bob; the oracle
 * then falls. Forged-witness tests build the transition a cheating prover would write (circuits/test/
 * forgedRiskEffects.ts: consistent leaves, paths, roots, pubdata and real signatures) and show the circuit refuses
 * what the state machine refuses; each forger is first shown to reproduce the honest batch.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { AutoDeleverageTx, BackstopTx, LiquidationTx, SignedOrder, Tx } from '../sdk/protocol/types.ts'
import { settleFunding } from '../sdk/state/funding.ts'
import { computeEquity } from '../sdk/state/margin.ts'
import { computeTotalCollateral, type ExchangeState } from '../sdk/state/state.ts'
import { depositNewTx, oracleTx, order, testContext, testKey } from '../sdk/state/testFixtures.ts'
import { circuitConfigs } from './configs.ts'
import { alice, bob, stateAfterDeposits, T2 } from './test/batchScenario.ts'
import { loadTestCircuit, type TestCircuit } from './test/circuitHarness.ts'
import { computeCover, forgeBackstop, forgeDeleverage, forgeLiquidation, forging, type BackstopForgery, type DeleverageForgery, type LiquidationForgery } from './test/forgedRiskEffects.ts'
import { BatchTxRejectedError, buildBatchWitness, type BatchWitness } from './witness/batchWitness.ts'

const carol = testKey('carol')
const CAROL = 0xca701n
const PRICE = 6_000_000n
const T3 = T2 + 10n
/** Late enough for a funding update (interval 3,600 s after genesis). */
const TF = T2 + 3_700n
const NOOP: Tx = { type: 'noop' }

let circuit: TestCircuit
/** Carol long 100 at 6.0 (Bob short 100); Alice flat with 100,000 USDC. */
let opened: ExchangeState

beforeAll(async () => {
  circuit = await loadTestCircuit(circuitConfigs.test!)
  const afterDeposits = stateAfterDeposits()
  const buy = order({ accountIndex: 4n, market: 0, isBuy: true, size: 100n, limitPrice: PRICE, storageId: 1n }, carol)
  const sell = order({ accountIndex: 3n, market: 0, isBuy: false, size: 100n, limitPrice: PRICE, storageId: 11n }, bob)
  const txs: Tx[] = [depositNewTx(4n, 61_000_000n, carol, CAROL), oracleTx(0, PRICE, T2), { type: 'trade', taker: buy, maker: sell, size: 100n, price: PRICE }]
  opened = buildBatchWitness(afterDeposits, txs, testContext(T2)).state
  expect(opened.accounts.get(4n)!.positions[0]!.size).toBe(100n)
}, 900_000)

async function expectProves(batch: BatchWitness): Promise<void> {
  const witness = await circuit.calculateWitness(batch.input)
  expect(await circuit.satisfies(witness)).toBe(true)
  expect(circuit.read(witness, /^main\.commitment$/)).toBe(batch.result.commitment)
}

/** Alice's signed bid (or offer) that takes the other side of Carol's close. */
function aliceOrder(price: bigint, size: bigint, storageId: bigint, isBuy = true): SignedOrder {
  return order({ accountIndex: 2n, market: 0, isBuy, size, limitPrice: price, storageId }, alice)
}

function liquidation(price: bigint, size: bigint, full: boolean, maker = aliceOrder(price, size, 5n)): LiquidationTx {
  return { type: 'liquidation', accountIndex: 4n, market: 0, maker, size, price, full }
}

/** A batch at T3: the oracle moves to `oracle`, then `tx`. */
function liquidationBatch(oracle: bigint, tx: Tx, forgery?: LiquidationForgery): BatchWitness {
  const txs = [oracleTx(0, oracle, T3), tx, NOOP, NOOP]
  const prepare = forgery === undefined ? undefined : forging(tx, (state) => forgeLiquidation(state, tx as LiquidationTx, forgery))
  return buildBatchWitness(opened, txs, testContext(T3), prepare === undefined ? {} : { prepare })
}

function expectRejectedByStateMachine(build: () => BatchWitness, code: string): void {
  try {
    build()
  } catch (error) {
    expect(error).toBeInstanceOf(BatchTxRejectedError)
    expect((error as BatchTxRejectedError).details.rejection).toBe(code)
    return
  }
  throw new Error(`the state machine accepted what should be ${code}`)
}

describe('BatchStateTransition: tiered liquidations', () => {
  it('behavior: a partial tier (25 %) at the oracle price proves; the penalty reaches the insurance fund', async () => {
    const batch = liquidationBatch(5_650_000n, liquidation(5_650_000n, 25n, false))
    const penalty = (25n * 5_650_000n * 100n) / 10_000n
    expect(batch.state.accounts.get(4n)!.positions[0]!.size).toBe(75n)
    expect(batch.state.accounts.get(0n)!.collateral - opened.accounts.get(0n)!.collateral).toBe(penalty)
    expect(computeTotalCollateral(batch.state)).toBe(computeTotalCollateral(opened))
    await expectProves(batch)
  })

  it('behavior: the whole position closes below the full-liquidation threshold, and when the partial close would stay below maintenance', async () => {
    // 5.48: margin ≈ 1.6 % < 3 % (rule a). 5.6: 3.7 % ≥ 3 %, but 75 lots left would be below 5 % (rule b).
    for (const price of [5_480_000n, 5_600_000n]) {
      const batch = liquidationBatch(price, liquidation(price, 100n, true))
      expect(batch.result.records[1]).toMatchObject({ type: 'liquidation', full: true, size: 100n })
      await expectProves(batch)
    }
  })

  it('behavior: the penalty is capped at the equity left after the close; a fill at the band\'s edge proves', async () => {
    // At 5.4 Carol's equity is 0.7 USDC: the 1 % penalty (5.4 USDC) is capped to it and she is left with nothing.
    const capped = liquidationBatch(5_400_000n, liquidation(5_400_000n, 100n, true))
    expect(capped.state.accounts.get(4n)!.collateral).toBe(0n)
    await expectProves(capped)
    // 2 % below 5.65 exactly: |5.537 − 5.65|·10,000 = 5.65·200.
    await expectProves(liquidationBatch(5_650_000n, liquidation(5_537_000n, 25n, false)))
  })

  it('error (forged): liquidating an account above maintenance fails', async () => {
    expect(await circuit.accepts(liquidationBatch(5_650_000n, liquidation(5_650_000n, 25n, false), {}).input)).toBe(true)
    expectRejectedByStateMachine(() => liquidationBatch(PRICE, liquidation(PRICE, 25n, false)), 'NOT_LIQUIDATABLE')
    expect(await circuit.accepts(liquidationBatch(PRICE, liquidation(PRICE, 25n, false), {}).input)).toBe(false)
  })

  it('error (forged): a tier other than the rule\'s fails: the whole position where 25 % is due, a false full flag, 25 % where the whole is due', async () => {
    expectRejectedByStateMachine(() => liquidationBatch(5_650_000n, liquidation(5_650_000n, 100n, true)), 'LIQUIDATION_SIZE_MISMATCH')
    expect(await circuit.accepts(liquidationBatch(5_650_000n, liquidation(5_650_000n, 100n, true), {}).input)).toBe(false)
    expect(await circuit.accepts(liquidationBatch(5_650_000n, liquidation(5_650_000n, 25n, true), { full: true }).input)).toBe(false)
    expect(await circuit.accepts(liquidationBatch(5_480_000n, liquidation(5_480_000n, 25n, false), { full: false }).input)).toBe(false)
  })

  it('error (forged): a fill outside the band, or at a price other than the maker\'s limit, fails', async () => {
    expectRejectedByStateMachine(() => liquidationBatch(5_650_000n, liquidation(5_536_000n, 25n, false)), 'LIQUIDATION_OUTSIDE_BAND')
    expect(await circuit.accepts(liquidationBatch(5_650_000n, liquidation(5_536_000n, 25n, false), {}).input)).toBe(false)
    // A buyer whose limit is above the price would accept it in a trade; a liquidation fills at the limit exactly.
    const atOtherLimit = liquidation(5_650_000n, 25n, false, aliceOrder(5_660_000n, 25n, 5n))
    expectRejectedByStateMachine(() => liquidationBatch(5_650_000n, atOtherLimit), 'FILL_PRICE_MISMATCH')
    expect(await circuit.accepts(liquidationBatch(5_650_000n, atOtherLimit, {}).input)).toBe(false)
  })

  it('error (forged): a liquidation on a stale oracle price fails (60 s old proves, 61 s does not)', async () => {
    const moved = buildBatchWitness(opened, [oracleTx(0, 5_650_000n, T3)], testContext(T3)).state
    const tx = liquidation(5_650_000n, 25n, false)
    const at = (T: bigint, forged: boolean) =>
      buildBatchWitness(moved, [tx, NOOP, NOOP, NOOP], testContext(T), forged ? { prepare: forging(tx, (state) => forgeLiquidation(state, tx)) } : {})
    await expectProves(at(T3 + 60n, false))
    expectRejectedByStateMachine(() => at(T3 + 61n, false), 'ORACLE_STALE')
    expect(await circuit.accepts(at(T3 + 61n, true).input)).toBe(false)
  })

  it('error (forged): a penalty one unit above or below the rule fails', async () => {
    const penalty = (25n * 5_650_000n * 100n) / 10_000n
    const tx = liquidation(5_650_000n, 25n, false)
    expect(await circuit.accepts(liquidationBatch(5_650_000n, tx, { penalty }).input)).toBe(true)
    expect(await circuit.accepts(liquidationBatch(5_650_000n, tx, { penalty: penalty + 1n }).input)).toBe(false)
    expect(await circuit.accepts(liquidationBatch(5_650_000n, tx, { penalty: penalty - 1n }).input)).toBe(false)
  })

  it('error (forged): a "close" that grows the position (the long buying from a seller) fails', async () => {
    const tx = liquidation(5_650_000n, 25n, false, aliceOrder(5_650_000n, 25n, 5n, false))
    expectRejectedByStateMachine(() => liquidationBatch(5_650_000n, tx), 'LIQUIDATION_SIDE_MISMATCH')
    expect(await circuit.accepts(liquidationBatch(5_650_000n, tx, { accountBuys: true }).input)).toBe(false)
  })
})

// ─── Backstop and auto-deleveraging ───────────────────────────────────────────────────────────────────────────

describe('BatchStateTransition: backstop and auto-deleveraging', () => {
  const backstop: BackstopTx = { type: 'backstop', accountIndex: 4n }
  const deleverage = (size: bigint): AutoDeleverageTx => ({ type: 'autoDeleverage', market: 0, counterpartyIndex: 3n, size })
  /** At TF: the oracle at 5.4 and a funding update (+750 ppm): Carol, long, pays funding; her equity is 0.28 USDC. */
  let funded: ExchangeState
  /** Carol backstopped at 5.4 (the fund is long 100, equity ≥ 0), then the oracle at 5.3: the fund is insolvent. */
  let insolvent: ExchangeState

  beforeAll(() => {
    const fundingTx: Tx = { type: 'fundingUpdate', market: 0, ratePpm: 750n, timestamp: TF }
    funded = buildBatchWitness(opened, [oracleTx(0, 5_400_000n, TF - 1n), fundingTx, NOOP, NOOP], testContext(TF)).state
    const carolSettled = settleFunding(funded.accounts.get(4n)!, funded.markets).account
    expect(carolSettled.collateral).toBeLessThan(opened.accounts.get(4n)!.collateral) // funding was paid
    expect(computeEquity(carolSettled, funded.markets)).toBeGreaterThanOrEqual(0n)
    const backstopped = buildBatchWitness(funded, [backstop], testContext(TF + 1n)).state
    insolvent = buildBatchWitness(backstopped, [oracleTx(0, 5_300_000n, TF + 2n)], testContext(TF + 2n)).state
    expect(computeEquity(settleFunding(insolvent.accounts.get(0n)!, insolvent.markets).account, insolvent.markets)).toBeLessThan(0n)
  })

  function backstopBatch(state: ExchangeState, T: bigint, forgery?: BackstopForgery): BatchWitness {
    const options = forgery === undefined ? {} : { prepare: forging(backstop, (s) => forgeBackstop(s, backstop, forgery)) }
    return buildBatchWitness(state, [backstop, NOOP, NOOP, NOOP], testContext(T), options)
  }

  function deleverageBatch(state: ExchangeState, tx: AutoDeleverageTx, forgery?: DeleverageForgery): BatchWitness {
    const options = forgery === undefined ? {} : { prepare: forging(tx, (s) => forgeDeleverage(s, tx, forgery)) }
    return buildBatchWitness(state, [tx, NOOP, NOOP, NOOP], testContext(TF + 3n), options)
  }

  it('behavior: a backstop (funding settled) and an auto-deleveraging in one batch prove; collateral is conserved', async () => {
    const T = TF + 3n
    const txs: Tx[] = [backstop, oracleTx(0, 5_300_000n, T), deleverage(50n), NOOP]
    const batch = buildBatchWitness(funded, txs, testContext(T))
    const fund = batch.state.accounts.get(0n)!
    expect(fund.positions[0]!.size).toBe(50n)
    expect(batch.state.accounts.get(4n)).toMatchObject({ collateral: 0n, positions: [{ size: 0n }, { size: 0n }] })
    expect(computeTotalCollateral(batch.state)).toBe(computeTotalCollateral(funded))
    await expectProves(batch)
  })

  it('error (forged): backstopping an account above the backstop threshold fails (below maintenance is not enough)', async () => {
    expect(await circuit.accepts(backstopBatch(funded, TF + 1n, {}).input)).toBe(true)
    const belowMaintenance = buildBatchWitness(opened, [oracleTx(0, 5_650_000n, T3)], testContext(T3)).state
    expectRejectedByStateMachine(() => backstopBatch(belowMaintenance, T3), 'BACKSTOP_NOT_ALLOWED')
    expect(await circuit.accepts(backstopBatch(belowMaintenance, T3, {}).input)).toBe(false)
  })

  it('error (forged): keeping one unit of the backstopped collateral fails', async () => {
    const settled = settleFunding(funded.accounts.get(4n)!, funded.markets).account.collateral
    expect(await circuit.accepts(backstopBatch(funded, TF + 1n, { moved: settled - 1n }).input)).toBe(false)
  })

  it('error (forged): handing the backstopped positions to an account other than the insurance fund fails', async () => {
    expect(await circuit.accepts(backstopBatch(funded, TF + 1n, { receiver: 2n }).input)).toBe(false)
  })

  it('behavior: the cover is the fund\'s deficit pro rata to the closed notional', () => {
    const batch = deleverageBatch(insolvent, deleverage(50n))
    const cover = computeCover(insolvent, deleverage(50n))
    const deficit = -computeEquity(settleFunding(insolvent.accounts.get(0n)!, insolvent.markets).account, insolvent.markets)
    expect(cover).toBe((deficit + 1n) / 2n) // half the fund's book: ceil(deficit / 2)
    expect(batch.result.records[0]).toEqual({ type: 'autoDeleverage', market: 0, counterpartyIndex: 3n, size: 50n })
  })

  it('error (forged): deleveraging while the insurance fund is solvent fails', async () => {
    expect(await circuit.accepts(deleverageBatch(insolvent, deleverage(50n), {}).input)).toBe(true)
    const solvent = buildBatchWitness(funded, [backstop], testContext(TF + 1n)).state
    const tx = deleverage(50n)
    expectRejectedByStateMachine(() => buildBatchWitness(solvent, [tx], testContext(TF + 3n)), 'INSURANCE_FUND_SOLVENT')
    expect(await circuit.accepts(deleverageBatch(solvent, tx, { cover: 0n }).input)).toBe(false)
  })

  it('error (forged): deleveraging an insolvent user account as if it were the insurance fund fails', async () => {
    // At 5.3 Carol (long 100, not backstopped) has equity < 0, like an insolvent fund; Bob is short.
    const crashed = buildBatchWitness(funded, [oracleTx(0, 5_300_000n, TF + 2n)], testContext(TF + 2n)).state
    expect(computeEquity(settleFunding(crashed.accounts.get(4n)!, crashed.markets).account, crashed.markets)).toBeLessThan(0n)
    expect(await circuit.accepts(deleverageBatch(crashed, deleverage(50n), { fund: 4n }).input)).toBe(false)
  })

  it('error (forged): a cover one unit off fails', async () => {
    const cover = computeCover(insolvent, deleverage(50n))
    expect(await circuit.accepts(deleverageBatch(insolvent, deleverage(50n), { cover: cover + 1n }).input)).toBe(false)
    expect(await circuit.accepts(deleverageBatch(insolvent, deleverage(50n), { cover: cover - 1n }).input)).toBe(false)
  })

  it('error (forged): closing more than the fund holds (both positions flip) fails', async () => {
    expectRejectedByStateMachine(() => deleverageBatch(insolvent, deleverage(101n)), 'DELEVERAGE_SIZE_INVALID')
    expect(await circuit.accepts(deleverageBatch(insolvent, deleverage(101n), {}).input)).toBe(false)
  })

  it('error (forged): deleveraging at a price other than the oracle\'s fails', async () => {
    const tx = deleverage(50n)
    const cover = computeCover(insolvent, tx)
    const forged = deleverageBatch(insolvent, tx, { price: 5_290_000n, cover })
    // The witness builder reads the fill price from the market; the forger states its own price and cover.
    const input = { ...forged.input, price: [5_290_000n, 0n, 0n, 0n], amount: [cover, 0n, 0n, 0n] }
    expect(await circuit.accepts(input)).toBe(false)
    const honest = deleverageBatch(insolvent, tx, { cover })
    expect(await circuit.accepts(honest.input)).toBe(true)
  })
})
