import { describe, expect, it } from 'vitest'
import {
  CIRCUIT_SIZES,
  DEFAULT_RISK_PARAMETERS,
  EXAMPLE_MARKETS,
  exampleGenesis,
  exampleMarketParameters,
  initialMarketState,
  validateCircuitSizes,
  validateGenesis,
  validateMarketParameters,
} from './config.ts'
import type { Genesis, MarketParameters } from './types.ts'

const oracleKey = { x: 0n, y: 1n }
const domain = { chainId: 31337n, rollupAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const
const valid = exampleMarketParameters({ openInterestCap: 10n ** 8n, oracleKey })

function expectRule(parameters: MarketParameters, rule: string) {
  expect(() => validateMarketParameters(parameters)).toThrowError(
    expect.objectContaining({ code: 'MARKET_PARAMETERS_INVALID', details: expect.objectContaining({ rule }) }),
  )
}

describe('CIRCUIT_SIZES', () => {
  it('behavior: every preset is valid and bench is production-shaped', () => {
    for (const sizes of Object.values(CIRCUIT_SIZES)) expect(() => validateCircuitSizes(sizes)).not.toThrow()
    expect(4 ** CIRCUIT_SIZES.bench.accountDepth).toBe(2 ** 24)
    expect(4 ** CIRCUIT_SIZES.bench.orderDepth).toBe(2 ** 12)
  })

  it('error: depths beyond the pubdata widths', () => {
    expect(() => validateCircuitSizes({ ...CIRCUIT_SIZES.test, accountDepth: 1 })).toThrowError(
      expect.objectContaining({ code: 'CIRCUIT_SIZES_INVALID', details: expect.objectContaining({ field: 'accountDepth', value: 1 }) }),
    )
    expect(() => validateCircuitSizes({ ...CIRCUIT_SIZES.test, accountDepth: 13 })).toThrowError(
      expect.objectContaining({ code: 'CIRCUIT_SIZES_INVALID', details: expect.objectContaining({ field: 'accountDepth', value: 13 }) }),
    )
    expect(() => validateCircuitSizes({ ...CIRCUIT_SIZES.test, markets: 17 })).toThrowError(
      expect.objectContaining({ code: 'CIRCUIT_SIZES_INVALID' }),
    )
    expect(() => validateCircuitSizes({ ...CIRCUIT_SIZES.test, batchSlots: 0 })).toThrowError(
      expect.objectContaining({ code: 'CIRCUIT_SIZES_INVALID' }),
    )
  })
})

describe('validateMarketParameters', () => {
  it('default: the example parameters are valid', () => {
    expect(() => validateMarketParameters(valid)).not.toThrow()
    expect(DEFAULT_RISK_PARAMETERS.imfBps).toBe(1_000n)
    expect(DEFAULT_RISK_PARAMETERS.mmfBps).toBe(500n)
  })

  it('behavior: boundary cases of each §2.4 rule are accepted', () => {
    expect(() => validateMarketParameters({ ...valid, imfBps: 10_000n })).not.toThrow()
    expect(() => validateMarketParameters({ ...valid, mmfBps: 999n })).not.toThrow()
    expect(() => validateMarketParameters({ ...valid, backstopBps: 300n })).not.toThrow()
    expect(() => validateMarketParameters({ ...valid, fullLiquidationBps: 500n })).not.toThrow()
    expect(() => validateMarketParameters({ ...valid, liquidationFractionBps: 1n })).not.toThrow()
    expect(() => validateMarketParameters({ ...valid, liquidationFractionBps: 9_999n })).not.toThrow()
    expect(() => validateMarketParameters({ ...valid, fundingClampPpm: 1_000_000n })).not.toThrow()
    expect(() => validateMarketParameters({ ...valid, fundingIntervalSeconds: 1n })).not.toThrow()
  })

  it('error: each §2.4 rule', () => {
    expectRule({ ...valid, mmfBps: 0n, fullLiquidationBps: 0n, backstopBps: 0n }, 'mmfPositive')
    expectRule({ ...valid, mmfBps: 1_000n }, 'mmfBelowImf')
    expectRule({ ...valid, imfBps: 10_001n }, 'basisPointsInRange')
    expectRule({ ...valid, backstopBps: 301n }, 'backstopAtMostFullLiquidation')
    expectRule({ ...valid, fullLiquidationBps: 501n }, 'fullLiquidationAtMostMmf')
    expectRule({ ...valid, liquidationFractionBps: 0n }, 'liquidationFractionInOpenRange')
    expectRule({ ...valid, liquidationFractionBps: 10_000n }, 'liquidationFractionInOpenRange')
    expectRule({ ...valid, fundingClampPpm: 1_000_001n }, 'fundingClampAtMostMillion')
    expectRule({ ...valid, fundingIntervalSeconds: 0n }, 'fundingIntervalPositive')
    expectRule({ ...valid, takerFeeBps: -1n }, 'basisPointsInRange')
    expectRule({ ...valid, maxOracleAgeSeconds: 2n ** 32n }, 'secondsFitTimestamp')
    expectRule({ ...valid, openInterestCap: 2n ** 40n }, 'openInterestCapFitsSize')
    expectRule({ ...valid, oracleKey: { x: -1n, y: 1n } }, 'oracleKeyFieldElements')
  })
})

describe('exampleGenesis', () => {
  it('default: one example market per configured market, validated', () => {
    const genesis = exampleGenesis({ sizes: CIRCUIT_SIZES.bench, domain, oracleKey, timestamp: 1_700_000_000n })
    expect(genesis.markets.map((market) => market.metadata.symbol)).toEqual(EXAMPLE_MARKETS.map((m) => m.metadata.symbol))
    expect(genesis.markets[0]!.parameters.fundingIntervalSeconds).toBe(3_600n)
    expect(genesis.markets[0]!.parameters.maxOracleAgeSeconds).toBe(60n)
  })

  it('behavior: initial market state starts the funding clock at genesis', () => {
    const genesis = exampleGenesis({ sizes: CIRCUIT_SIZES.test, domain, oracleKey, timestamp: 1_700_000_000n })
    expect(initialMarketState(genesis.markets[1]!)).toEqual({
      oraclePrice: 3_000_000n,
      oracleTime: 1_700_000_000n,
      fundingIndex: 0n,
      lastFundingTime: 1_700_000_000n,
      openInterest: 0n,
      parameters: genesis.markets[1]!.parameters,
    })
  })

  it('error: wrong market count, duplicate symbol, bad domain, bad market', () => {
    const genesis = exampleGenesis({ sizes: CIRCUIT_SIZES.test, domain, oracleKey, timestamp: 1_700_000_000n })
    const invalid = (changed: Partial<Genesis>) =>
      expect(() => validateGenesis({ ...genesis, ...changed })).toThrowError(expect.objectContaining({ code: 'GENESIS_INVALID' }))
    invalid({ markets: genesis.markets.slice(0, 1) })
    invalid({ markets: [genesis.markets[0]!, genesis.markets[0]!] })
    invalid({ domain: { chainId: 0n, rollupAddress: domain.rollupAddress } })
    invalid({ domain: { chainId: 1n, rollupAddress: '0x1234' } })
    invalid({ markets: [genesis.markets[0]!, { ...genesis.markets[1]!, initialPrice: 0n }] })
    let caught: unknown
    try {
      validateGenesis({ ...genesis, markets: [genesis.markets[0]!, { ...genesis.markets[1]!, parameters: { ...valid, mmfBps: 2_000n } }] })
    } catch (error) {
      caught = error
    }
    expect((caught as { cause: { code: string } }).cause.code).toBe('MARKET_PARAMETERS_INVALID')
  })
})
