import { describe, expect, it } from 'vitest'
import { Registry } from 'prom-client'
import { applyTx } from '../../sdk/state/applyTx.ts'
import { createGenesisState } from '../../sdk/state/state.ts'
import { GENESIS_TIME, fundingInputs, oracleInput, testGenesis } from '../core/testWorkload.ts'
import { sequencerView } from './keeperView.ts'
import { LiquidationKeeper } from './liquidationKeeper.ts'
import { findUndercollateralizedAccounts } from './liquidationScanner.ts'
import { createKeeperMetrics } from './metrics.ts'
import { LoggedCore, silentLogger } from './testCore.ts'

const genesis = testGenesis()
const T = GENESIS_TIME

/**
 * Account 6 (trader 4, $100) buys 150 BTC lots at 6,000,000 from account 2: collateral 100e6 − 900e6 − 450,000
 * taker fee = −800,450,000. Account 3 rests a bid of 100 lots at 5,590,000 (the liquidity a liquidation can use).
 */
function leveragedLong(): LoggedCore {
  const core = new LoggedCore(genesis, T)
  for (const input of fundingInputs(5)) core.apply(input)
  core.limit(0, { isBuy: false, size: 150n, price: 6_000_000n, storageId: 1n })
  core.limit(4, { isBuy: true, size: 150n, price: 6_000_000n, storageId: 1n })
  core.limit(1, { isBuy: true, size: 100n, price: 5_590_000n, storageId: 1n })
  expect(core.sequencer.account(6n)!.positions[0]!.size).toBe(150n)
  expect(core.sequencer.account(6n)!.collateral).toBe(-800_450_000n)
  return core
}

function keeperFor(core: LoggedCore, registry = new Registry()) {
  return new LiquidationKeeper({
    view: sequencerView(core.sequencer),
    domain: genesis.domain,
    append: core.append,
    clock: () => core.now,
    logger: silentLogger,
    metrics: createKeeperMetrics(registry),
  })
}

/** Every tx the core queued, through the reference state machine with full signature checks from genesis. */
function expectReferenceAccepts(core: LoggedCore) {
  const reference = createGenesisState(genesis)
  const queued = core.sequencer.drainTxs()
  for (const { tx, time } of queued) {
    const result = applyTx(reference, tx, { batchTimestamp: time, domain: genesis.domain })
    expect(result.accepted ? 'accepted' : result.error.code).toBe('accepted')
  }
  expect([...reference.accounts.entries()]).toEqual([...core.sequencer.state.accounts.entries()])
  expect(reference.markets).toEqual(core.sequencer.state.markets)
  return queued.map(({ tx }) => tx.type)
}

describe('findUndercollateralizedAccounts', () => {
  it('behavior: an oracle move puts the leveraged account below maintenance, and only it', () => {
    const core = leveragedLong()
    expect(findUndercollateralizedAccounts(core.sequencer.state)).toEqual([])
    core.now = T + 10n
    core.apply(oracleInput(genesis, 0, 5_600_000n, T + 10n))
    // equity = −800,450,000 + 150 · 5,600,000 = 39,550,000; requirement 150 · 5,600,000 · 500 bps.
    expect(findUndercollateralizedAccounts(core.sequencer.state)).toEqual([
      { accountIndex: 6n, equity: 39_550_000n, scaledRequirement: 420_000_000_000n, shortfall: 420_000_000_000n - 395_500_000_000n, backstopEligible: false },
    ])
  })
})

describe('LiquidationKeeper', () => {
  it('behavior: a partial tier-1 liquidation against the resting bid is applied, queued, accepted by the sdk and replayed identically', async () => {
    const core = leveragedLong()
    core.now = T + 10n
    core.apply(oracleInput(genesis, 0, 5_600_000n, T + 10n))
    const registry = new Registry()
    const report = await keeperFor(core, registry).notify()

    // Partial size ceil(150 · 25 %) = 38; closing 38 at 5,590,000 leaves the account above maintenance (not full).
    expect(report.applied).toHaveLength(1)
    expect(report.applied[0]).toMatchObject({ type: 'liquidation', accountIndex: 6n, market: 0, size: 38n, price: 5_590_000n, full: false })
    expect(report.refused).toEqual([])
    const account = core.sequencer.account(6n)!
    expect(account.positions[0]!.size).toBe(112n)
    // Penalty floor(38 · 5,590,000 · 100 / 10,000) = 2,124,200.
    expect(account.collateral).toBe(-800_450_000n + 38n * 5_590_000n - 2_124_200n)
    expect(core.sequencer.state.batchPenalties).toBe(2_124_200n)
    // The maker's resting order lost 38 lots in place.
    expect(core.sequencer.liveOrder(3n, 1n)?.remaining).toBe(62n)
    expect(core.sequencer.engine(0).depth('buy')).toEqual([[5_590_000n, 62n, 1]])
    expect(findUndercollateralizedAccounts(core.sequencer.state)).toEqual([])
    expect(await registry.getSingleMetricAsString('zkperp_keeper_liquidations_total')).toContain('type="liquidation",outcome="applied"} 1')

    const replayed = core.replay()
    expect(Buffer.from(replayed.snapshot()).equals(Buffer.from(core.sequencer.snapshot()))).toBe(true)
    expect(expectReferenceAccepts(core)).toEqual(['deposit', 'deposit', 'deposit', 'deposit', 'deposit', 'trade', 'oracleUpdate', 'liquidation'])
  })

  it('behavior: equity below zero is backstopped, then the insolvent insurance fund is deleveraged against the profitable short', async () => {
    const core = leveragedLong()
    core.now = T + 10n
    core.apply(oracleInput(genesis, 0, 5_300_000n, T + 10n))
    // equity = −800,450,000 + 150 · 5,300,000 = −5,450,000.
    const report = await keeperFor(core).notify()
    expect(report.applied.map((tx) => tx.type)).toEqual(['backstop', 'autoDeleverage'])
    expect(report.applied[1]).toEqual({ type: 'autoDeleverage', market: 0, counterpartyIndex: 2n, size: 150n })
    const fund = core.sequencer.account(0n)!
    expect(fund.positions[0]!.size).toBe(0n)
    // The counterparty covered the whole 5,450,000 deficit: the fund is back to exactly zero.
    expect(fund.collateral).toBe(0n)
    expect(core.sequencer.account(6n)!.collateral).toBe(0n)
    expect(core.sequencer.account(2n)!.positions[0]!.size).toBe(0n)

    const replayed = core.replay()
    expect(Buffer.from(replayed.snapshot()).equals(Buffer.from(core.sequencer.snapshot()))).toBe(true)
    expect(expectReferenceAccepts(core)).toEqual(['deposit', 'deposit', 'deposit', 'deposit', 'deposit', 'trade', 'oracleUpdate', 'backstop', 'autoDeleverage'])
  })

  it('behavior: with the deeper threshold crossed the whole position is closed (full)', async () => {
    const core = leveragedLong()
    core.limit(1, { isBuy: true, size: 200n, price: 5_480_000n, storageId: 2n })
    core.now = T + 10n
    // equity = −800,450,000 + 150 · 5,480,000 = 21,550,000 < 3 % of 822,000,000 = 24,660,000 → full.
    core.apply(oracleInput(genesis, 0, 5_480_000n, T + 10n))
    const report = await keeperFor(core).notify()
    expect(report.applied).toHaveLength(1)
    // The bid at 5,590,000 is outside the 2 % band (5,480,000 · 1.02 = 5,589,600); the 5,480,000 bid is used.
    expect(report.applied[0]).toMatchObject({ type: 'liquidation', size: 150n, price: 5_480_000n, full: true })
    expect(core.sequencer.account(6n)!.positions[0]!.size).toBe(0n)
    expect(core.sequencer.liveOrder(3n, 2n)?.remaining).toBe(50n)
    expect(expectReferenceAccepts(core).at(-1)).toBe('liquidation')
  })

  it('behavior: a maker order consumed exactly leaves the book and the live set', async () => {
    const core = new LoggedCore(genesis, T)
    for (const input of fundingInputs(5)) core.apply(input)
    core.limit(0, { isBuy: false, size: 150n, price: 6_000_000n, storageId: 1n })
    core.limit(4, { isBuy: true, size: 150n, price: 6_000_000n, storageId: 1n })
    core.limit(1, { isBuy: true, size: 38n, price: 5_590_000n, storageId: 1n })
    core.now = T + 10n
    core.apply(oracleInput(genesis, 0, 5_600_000n, T + 10n))
    const report = await keeperFor(core).notify()
    expect(report.applied).toHaveLength(1)
    expect(core.sequencer.liveOrder(3n, 1n)).toBeUndefined()
    expect(core.sequencer.engine(0).orderCount).toBe(0)
    const replayed = core.replay()
    expect(Buffer.from(replayed.snapshot()).equals(Buffer.from(core.sequencer.snapshot()))).toBe(true)
  })

  it('error: no resting order in the band leaves the account stuck with NO_LIQUIDITY, and nothing is appended', async () => {
    const core = leveragedLong()
    core.now = T + 10n
    core.apply(oracleInput(genesis, 0, 5_700_000n - 100_000n, T + 10n))
    core.apply({ kind: 'cancel', time: core.now, accountIndex: 3n, market: 0, storageId: 1n })
    const before = core.records.length
    const report = await keeperFor(core).notify()
    expect(report.applied).toEqual([])
    expect(report.stuck).toEqual([{ accountIndex: 6n, reason: 'NO_LIQUIDITY' }])
    expect(core.records.length).toBe(before)
  })

  it('error: a stale oracle blocks the liquidation (ORACLE_STALE), nothing is appended', async () => {
    const core = leveragedLong()
    core.now = T + 10n
    core.apply(oracleInput(genesis, 0, 5_600_000n, T + 10n))
    core.now = T + 100n
    const report = await keeperFor(core).notify()
    expect(report.stuck).toEqual([{ accountIndex: 6n, reason: 'ORACLE_STALE' }])
    expect(report.applied).toEqual([])
  })
})
