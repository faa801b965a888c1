import { describe, expect, it } from 'vitest'
import { Registry } from 'prom-client'
import { GENESIS_TIME, fundingInputs, oracleInput, testGenesis } from '../core/testWorkload.ts'
import { FundingKeeper } from './fundingKeeper.ts'
import { averagePremiumPpm, clampFundingRate, computeImpactPrices, computeImpactSize, computePremiumPpm } from './fundingRate.ts'
import { sequencerView } from './keeperView.ts'
import { createKeeperMetrics } from './metrics.ts'
import { LoggedCore, silentLogger } from './testCore.ts'

const genesis = testGenesis()
const T = GENESIS_TIME
/** $60 at 6,000,000 per lot: impact size 10 lots. */
const IMPACT_NOTIONAL = 60_000_000n

describe('computePremiumPpm', () => {
  it('behavior: impact prices walk the levels and round toward the worse side', () => {
    expect(computeImpactSize(IMPACT_NOTIONAL, 6_000_000n)).toBe(10n)
    expect(computeImpactSize(1n, 6_000_000n)).toBe(1n)
    expect(computeImpactSize(60_000_001n, 6_000_000n)).toBe(11n)
    const bids = [[6_003_010n, 3n, 1], [6_002_000n, 10n, 1]] as const
    const asks = [[6_004_000n, 5n, 1], [6_006_001n, 10n, 1]] as const
    // bid: (3 · 6,003,010 + 7 · 6,002,000) / 10 = 60,023,030 / 10 → 6,002,303 (down);
    // ask: (5 · 6,004,000 + 5 · 6,006,001) / 10 = 60,050,005 / 10 → 6,005,001 (up).
    expect(computeImpactPrices(bids, asks, 10n)).toEqual({ bid: 6_002_303n, ask: 6_005_001n })
    // 13 lots: bid 78,029,030 / 13 = 6,002,233.1 → 6,002,233; ask 78,068,008 / 13 = 6,005,231.4 → 6,005,232.
    expect(computeImpactPrices(bids, asks, 13n)).toEqual({ bid: 6_002_233n, ask: 6_005_232n })
    // 14 lots: the bids hold only 13 (no impact bid); ask 84,074,009 / 14 = 6,005,286.4 → 6,005,287.
    expect(computeImpactPrices(bids, asks, 14n)).toEqual({ bid: undefined, ask: 6_005_287n })
    expect(computeImpactPrices(bids, asks, 16n)).toEqual({ bid: undefined, ask: undefined })
  })

  it('behavior: premium = (max(0, bid − oracle) − max(0, oracle − ask)) · 10^6 / oracle, truncated toward zero', () => {
    const bids = [[6_003_010n, 3n, 1], [6_002_000n, 10n, 1]] as const
    const asks = [[6_004_000n, 5n, 1], [6_006_001n, 10n, 1]] as const
    // 2,303 · 10^6 / 6,000,000 = 383.8 → 383.
    expect(computePremiumPpm({ bids, asks, oraclePrice: 6_000_000n, impactNotional: IMPACT_NOTIONAL })).toBe(383n)
    // Asks below the oracle: −(6,000,000 − 5,990,000) · 10^6 / 6,000,000 = −1,666.7 → −1,666.
    expect(computePremiumPpm({ bids: [], asks: [[5_990_000n, 10n, 1]], oraclePrice: 6_000_000n, impactNotional: IMPACT_NOTIONAL })).toBe(-1_666n)
    // Oracle inside the impact spread, or an empty book: no premium.
    expect(computePremiumPpm({ bids: [[5_999_000n, 10n, 1]], asks: [[6_001_000n, 10n, 1]], oraclePrice: 6_000_000n, impactNotional: IMPACT_NOTIONAL })).toBe(0n)
    expect(computePremiumPpm({ bids: [], asks: [], oraclePrice: 6_000_000n, impactNotional: IMPACT_NOTIONAL })).toBe(0n)
  })

  it('behavior: clamp and mean', () => {
    expect(clampFundingRate(1_666n, 750n)).toBe(750n)
    expect(clampFundingRate(-1_666n, 750n)).toBe(-750n)
    expect(clampFundingRate(-12n, 750n)).toBe(-12n)
    expect(averagePremiumPpm([383n, 333n])).toBe(358n)
    expect(averagePremiumPpm([-5n, 0n])).toBe(-2n)
    expect(averagePremiumPpm([])).toBeUndefined()
  })
})

function bookCore(): LoggedCore {
  const core = new LoggedCore(genesis, T)
  for (const input of fundingInputs(4)) core.apply(input)
  core.limit(0, { isBuy: true, size: 3n, price: 6_003_010n, storageId: 1n })
  core.limit(1, { isBuy: true, size: 10n, price: 6_002_000n, storageId: 1n })
  core.limit(2, { isBuy: false, size: 5n, price: 6_004_000n, storageId: 1n })
  core.limit(3, { isBuy: false, size: 10n, price: 6_006_010n, storageId: 1n })
  return core
}

function keeperFor(core: LoggedCore, registry = new Registry()) {
  return new FundingKeeper({
    view: sequencerView(core.sequencer),
    append: core.append,
    clock: () => core.now,
    impactNotional: IMPACT_NOTIONAL,
    logger: silentLogger,
    metrics: createKeeperMetrics(registry),
  })
}

describe('FundingKeeper', () => {
  it('behavior: nothing before the interval; at it, the book premium is appended and the index moves by the hand computation', async () => {
    const core = bookCore()
    const registry = new Registry()
    const keeper = keeperFor(core, registry)
    expect(keeper.rate(0)).toBe(383n)
    core.now = T + 3_599n
    core.apply(oracleInput(genesis, 0, 6_000_000n, core.now))
    core.apply(oracleInput(genesis, 1, 3_000_000n, core.now))
    const records = core.records.length
    expect(await keeper.tick()).toEqual({ applied: [], refused: [], staleOracle: [] })
    expect(core.records.length).toBe(records)

    core.now = T + 3_600n
    core.apply(oracleInput(genesis, 0, 6_000_000n, core.now))
    core.apply(oracleInput(genesis, 1, 3_000_000n, core.now))
    const report = await keeper.tick()
    expect(report.applied).toEqual([
      { type: 'fundingUpdate', market: 0, ratePpm: 383n, timestamp: T + 3_600n },
      { type: 'fundingUpdate', market: 1, ratePpm: 0n, timestamp: T + 3_600n },
    ])
    // floorDiv(383 · 6,000,000 · 3,600, 10^6 · 3,600) = 2,298.
    expect(core.sequencer.state.markets[0]).toMatchObject({ fundingIndex: 2_298n, lastFundingTime: T + 3_600n })
    expect(core.sequencer.state.markets[1]).toMatchObject({ fundingIndex: 0n, lastFundingTime: T + 3_600n })
    expect(await registry.getSingleMetricAsString('zkperp_keeper_funding_rate_ppm')).toContain('market="0"} 383')
    // Not due again within the interval.
    core.now = T + 3_601n
    expect((await keeper.tick()).applied).toEqual([])
    const replayed = core.replay()
    expect(Buffer.from(replayed.snapshot()).equals(Buffer.from(core.sequencer.snapshot()))).toBe(true)
  })

  it('behavior: the rate is the mean of the samples over the interval, then sampling starts over', async () => {
    const core = bookCore()
    const keeper = keeperFor(core)
    keeper.sample()
    // Without the 3 lots at 6,003,010 the impact bid is 6,002,000: 2,000 · 10^6 / 6,000,000 → 333.
    core.apply({ kind: 'cancel', time: core.now, accountIndex: 2n, market: 0, storageId: 1n })
    keeper.sample()
    expect(keeper.rate(0)).toBe(358n)
    core.now = T + 3_600n
    core.apply(oracleInput(genesis, 0, 6_000_000n, core.now))
    core.apply(oracleInput(genesis, 1, 3_000_000n, core.now))
    expect((await keeper.tick()).applied[0]).toMatchObject({ market: 0, ratePpm: 358n })
    expect(keeper.rate(0)).toBe(333n)
  })

  it('behavior: the premium is clamped to fundingClampPpm before it is appended', async () => {
    const core = new LoggedCore(genesis, T)
    for (const input of fundingInputs(2)) core.apply(input)
    core.limit(0, { isBuy: true, size: 10n, price: 6_060_000n, storageId: 1n })
    core.limit(1, { isBuy: false, size: 10n, price: 2_970_000n, storageId: 1n, market: 1 })
    const keeper = keeperFor(core)
    // (6,060,000 − 6,000,000) · 10^6 / 6,000,000 = 10,000 ppm.
    expect(keeper.premium(0)).toBe(10_000n)
    // Market 1: $60 at 3,000,000 is 20 lots, but only 10 rest: no impact ask, no premium.
    expect(keeper.premium(1)).toBe(0n)
    core.now = T + 3_600n
    core.apply(oracleInput(genesis, 0, 6_000_000n, core.now))
    core.apply(oracleInput(genesis, 1, 3_000_000n, core.now))
    const report = await keeper.tick()
    expect(report.applied.map((tx) => tx.ratePpm)).toEqual([750n, 0n])
    // floorDiv(750 · 6,000,000 · 3,600, 10^6 · 3,600) = 4,500.
    expect(core.sequencer.state.markets[0]!.fundingIndex).toBe(4_500n)
  })

  it('error: a due update with a stale oracle is not appended', async () => {
    const core = bookCore()
    core.now = T + 3_600n
    const records = core.records.length
    expect(await keeperFor(core).tick()).toEqual({ applied: [], refused: [], staleOracle: [0, 1] })
    expect(core.records.length).toBe(records)
  })
})
