import { afterEach, describe, expect, it } from 'vitest'
import { Registry } from 'prom-client'
import { GENESIS_TIME, ORACLE_KEY, traderKey } from '../core/testWorkload.ts'
import { startTestGateway, type TestGateway } from '../gateway/testGateway.ts'
import { createKeeperMetrics } from './metrics.ts'
import { OracleFeeder, type OracleFeederParameters } from './oracleFeeder.ts'
import { RandomWalkPriceSource, type RandomWalkParameters } from './priceSource.ts'
import { silentLogger } from './testCore.ts'

const T = GENESIS_TIME
let gateway: TestGateway | undefined
let feeder: OracleFeeder | undefined

afterEach(async () => {
  await feeder?.stop()
  await gateway?.stop()
  feeder = undefined
  gateway = undefined
})

function walkParameters(test: TestGateway): RandomWalkParameters {
  return {
    seed: 42n,
    markets: test.genesis.markets.map((market) => ({ initialPrice: market.initialPrice, tickSize: market.metadata.tickSize, maxStepTicks: 500n })),
  }
}

function feederFor(test: TestGateway, clock: () => bigint, extra: Partial<OracleFeederParameters> = {}): OracleFeeder {
  return new OracleFeeder({
    url: test.gateway.url,
    domain: test.genesis.domain,
    markets: test.genesis.markets.map((market, index) => ({ market: index, tickSize: market.metadata.tickSize, oraclePrivateKey: ORACLE_KEY.privateKey })),
    source: new RandomWalkPriceSource(walkParameters(test)),
    clock,
    logger: silentLogger,
    reconnectDelayMs: 10,
    maxReconnectDelayMs: 40,
    timeoutMs: 2_000,
    ...extra,
  })
}

describe('OracleFeeder', () => {
  it('behavior: signed walk prices reach the sequencer state through the gateway, timestamps strictly increasing', async () => {
    let now = T
    gateway = await startTestGateway({ clock: () => now, fund: false })
    const registry = new Registry()
    feeder = feederFor(gateway, () => now, { metrics: createKeeperMetrics(registry) })
    const expected = new RandomWalkPriceSource(walkParameters(gateway))
    for (let round = 1; round <= 3; round++) {
      now = T + BigInt(round)
      const report = await feeder.round()
      const prices = [expected.nextPrice(0), expected.nextPrice(1)]
      expect(report.outcomes).toEqual([
        { market: 0, price: prices[0], timestamp: now, outcome: 'accepted', seq: expect.any(BigInt) },
        { market: 1, price: prices[1], timestamp: now, outcome: 'accepted', seq: expect.any(BigInt) },
      ])
      const markets = gateway.gateway.sequencer.state.markets
      expect([markets[0]!.oraclePrice, markets[1]!.oraclePrice]).toEqual(prices)
      expect([markets[0]!.oracleTime, markets[1]!.oracleTime]).toEqual([now, now])
    }
    // The clock has not moved: nothing is sent, the walk does not advance.
    expect((await feeder.round()).outcomes).toEqual([
      { market: 0, outcome: 'skipped', reason: 'clockNotAdvanced' },
      { market: 1, outcome: 'skipped', reason: 'clockNotAdvanced' },
    ])
    now += 1n
    expect((await feeder.round()).outcomes[0]).toMatchObject({ outcome: 'accepted', price: expected.nextPrice(0) })
    expect(await registry.getSingleMetricAsString('zkperp_keeper_oracle_prices_total')).toContain('market="0",outcome="accepted"} 4')
  })

  it('error: a price signed by the wrong key is refused by the gateway (BAD_SIGNATURE) and the state keeps its price', async () => {
    let now = T
    gateway = await startTestGateway({ clock: () => now, fund: false })
    feeder = feederFor(gateway, () => now, {
      markets: [{ market: 0, tickSize: 10n, oraclePrivateKey: traderKey(0).privateKey }],
    })
    now = T + 5n
    const [outcome] = (await feeder.round()).outcomes
    expect(outcome).toMatchObject({ market: 0, outcome: 'refused', error: expect.objectContaining({ code: 'ORACLE_PRICE_REFUSED', reason: 'BAD_SIGNATURE' }) })
    expect(gateway.gateway.sequencer.state.markets[0]!.oracleTime).toBe(T)
  })

  it('error: a timestamp ahead of the gateway clock is logged but refused by the state machine (TIMESTAMP_IN_FUTURE)', async () => {
    gateway = await startTestGateway({ clock: () => T + 1n, fund: false })
    feeder = feederFor(gateway, () => T + 2n)
    const { outcomes } = await feeder.round()
    expect(outcomes[0]).toMatchObject({ outcome: 'refused', error: expect.objectContaining({ reason: 'TIMESTAMP_IN_FUTURE' }) })
    expect(gateway.gateway.sequencer.state.markets[0]!.oracleTime).toBe(T)
  })

  it('behavior: after the gateway restarts the feeder reconnects and prices flow again', async () => {
    let now = T
    gateway = await startTestGateway({ clock: () => now, fund: false })
    const { port, logPath } = { port: gateway.gateway.port, logPath: gateway.logPath }
    feeder = feederFor(gateway, () => now)
    now = T + 1n
    expect((await feeder.round()).outcomes.every((outcome) => outcome.outcome === 'accepted')).toBe(true)
    const firstPrice = gateway.gateway.sequencer.state.markets[0]!.oraclePrice
    await gateway.stop({ keepLog: true })
    gateway = undefined
    now = T + 2n
    const down = await feeder.round()
    expect(down.connected).toBe(false)
    expect(down.outcomes.every((outcome) => outcome.outcome === 'skipped' && outcome.reason === 'disconnected')).toBe(true)

    gateway = await startTestGateway({ clock: () => now, fund: false, port, logPath })
    // The recovered core replayed the first price from the log.
    expect(gateway.gateway.sequencer.state.markets[0]!.oraclePrice).toBe(firstPrice)
    let report = await feeder.round()
    for (let attempt = 0; attempt < 50 && !report.outcomes.some((outcome) => outcome.outcome === 'accepted'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      now += 1n
      report = await feeder.round()
    }
    expect(report.outcomes.every((outcome) => outcome.outcome === 'accepted')).toBe(true)
    expect(feeder.connects).toBe(2)
    expect(gateway.gateway.sequencer.state.markets[0]!.oracleTime).toBe(now)
  })
})
