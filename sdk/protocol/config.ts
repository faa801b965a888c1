/**
 * Circuit size presets, example markets and genesis validation (docs/protocol.md §2.1, §2.4). Everything here is
 * plain data: the genesis state root follows from a `Genesis` alone.
 */
import { assertFieldElement } from '../crypto/field.ts'
import {
  BASIS_POINTS,
  MAX_ACCOUNT_DEPTH,
  MAX_FUNDING_RATE_PPM,
  MAX_MARKETS,
  MAX_SIZE,
  MAX_TIMESTAMP,
  assertAddress,
  assertPrice,
  assertTimestamp,
} from './bounds.ts'
import { CircuitSizesInvalidError, GenesisInvalidError, MarketParametersInvalidError } from './errors.ts'
import type { CircuitSizes, Domain, Genesis, GenesisMarket, MarketMetadata, MarketParameters, MarketState, PublicKey } from './types.ts'

/** Storage ids are < 2^32, so more than 4^16 slots could never all be used. */
export const MAX_ORDER_DEPTH = 16

/** The three size configurations; only N, tree depths and M differ between them. */
export const CIRCUIT_SIZES = {
  /** CI: proves in seconds. 16 accounts, 16 order slots per account; every batch fits the cache (K = 2N). */
  test: { accountDepth: 2, orderDepth: 2, markets: 2, batchSlots: 4, batchAccounts: 8 },
  /** Local devnet: 65,536 accounts, 256 slots. */
  dev: { accountDepth: 8, orderDepth: 4, markets: 4, batchSlots: 16, batchAccounts: 16 },
  /** Production-shaped: 2^24 accounts, 2^12 slots; a batch touches at most 32 accounts. */
  bench: { accountDepth: 12, orderDepth: 6, markets: 8, batchSlots: 64, batchAccounts: 32 },
} as const satisfies Record<string, CircuitSizes>

export type CircuitSizesName = keyof typeof CIRCUIT_SIZES

export function validateCircuitSizes(sizes: CircuitSizes): void {
  const check = (field: keyof CircuitSizes, min: number, max: number) => {
    const value = sizes[field]
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new CircuitSizesInvalidError(field, value, `must be an integer in [${min}, ${max}]`)
    }
  }
  // Depth 1 would leave the L1-created index range [2, 2^(2·depth−1)) empty (§2.2).
  check('accountDepth', 2, MAX_ACCOUNT_DEPTH)
  check('orderDepth', 1, MAX_ORDER_DEPTH)
  check('markets', 1, MAX_MARKETS)
  check('batchSlots', 1, 1 << 16)
  // A trade touches two accounts; the cache's entries are distinct indices, so K ≤ 4^depth.
  check('batchAccounts', 2, Math.min(1 << 16, 4 ** sizes.accountDepth))
}

const BASIS_POINT_FIELDS = [
  'imfBps',
  'mmfBps',
  'liquidationFractionBps',
  'liquidationBandBps',
  'liquidationPenaltyBps',
  'fullLiquidationBps',
  'backstopBps',
  'takerFeeBps',
  'makerFeeBps',
] as const satisfies readonly (keyof MarketParameters)[]

/**
 * §2.4: `0 < mmfBps < imfBps ≤ 10,000`, `backstopBps ≤ fullLiquidationBps ≤ mmfBps`,
 * `0 < liquidationFractionBps < 10,000`, `fundingClampPpm ≤ 10^6`, `fundingIntervalSeconds > 0`; plus the §1
 * bounds the circuit range-checks: every `*Bps` in [0, 10,000], seconds < 2^32, `openInterestCap < 2^40`.
 * Throws MARKET_PARAMETERS_INVALID naming the rule and the values.
 */
export function validateMarketParameters(parameters: MarketParameters): void {
  for (const field of BASIS_POINT_FIELDS) {
    const value = parameters[field]
    if (value < 0n || value > BASIS_POINTS) throw new MarketParametersInvalidError('basisPointsInRange', { [field]: value })
  }
  const { imfBps, mmfBps, backstopBps, fullLiquidationBps, liquidationFractionBps } = parameters
  if (mmfBps <= 0n) throw new MarketParametersInvalidError('mmfPositive', { mmfBps })
  if (mmfBps >= imfBps) throw new MarketParametersInvalidError('mmfBelowImf', { mmfBps, imfBps })
  if (backstopBps > fullLiquidationBps) {
    throw new MarketParametersInvalidError('backstopAtMostFullLiquidation', { backstopBps, fullLiquidationBps })
  }
  if (fullLiquidationBps > mmfBps) throw new MarketParametersInvalidError('fullLiquidationAtMostMmf', { fullLiquidationBps, mmfBps })
  if (liquidationFractionBps <= 0n || liquidationFractionBps >= BASIS_POINTS) {
    throw new MarketParametersInvalidError('liquidationFractionInOpenRange', { liquidationFractionBps })
  }
  const { fundingClampPpm, fundingIntervalSeconds, maxOracleAgeSeconds, openInterestCap, oracleKey } = parameters
  if (fundingClampPpm < 0n || fundingClampPpm > MAX_FUNDING_RATE_PPM) {
    throw new MarketParametersInvalidError('fundingClampAtMostMillion', { fundingClampPpm })
  }
  if (fundingIntervalSeconds <= 0n) throw new MarketParametersInvalidError('fundingIntervalPositive', { fundingIntervalSeconds })
  for (const [field, value] of [
    ['fundingIntervalSeconds', fundingIntervalSeconds],
    ['maxOracleAgeSeconds', maxOracleAgeSeconds],
  ] as const) {
    if (value < 0n || value > MAX_TIMESTAMP) throw new MarketParametersInvalidError('secondsFitTimestamp', { [field]: value })
  }
  if (openInterestCap < 0n || openInterestCap > MAX_SIZE) {
    throw new MarketParametersInvalidError('openInterestCapFitsSize', { openInterestCap })
  }
  try {
    assertFieldElement(oracleKey.x, 'oracleKey.x')
    assertFieldElement(oracleKey.y, 'oracleKey.y')
  } catch {
    throw new MarketParametersInvalidError('oracleKeyFieldElements', { oracleKeyX: oracleKey.x, oracleKeyY: oracleKey.y })
  }
}

/** Risk and fee defaults shared by the example markets (everything but the oracle key and the OI cap). */
export const DEFAULT_RISK_PARAMETERS = {
  imfBps: 1_000n, // 10 %: 10x max leverage
  mmfBps: 500n, // 5 %
  liquidationFractionBps: 2_500n, // a partial liquidation closes 25 % of the position
  liquidationBandBps: 200n, // fills within 2 % of the oracle price
  liquidationPenaltyBps: 100n, // 1 % of the closed notional to the insurance fund
  fullLiquidationBps: 300n, // below 3 % margin the whole position closes
  backstopBps: 100n, // below 1 % the insurance fund takes over
  takerFeeBps: 5n,
  makerFeeBps: 2n,
  fundingClampPpm: 750n, // ±0.075 % per interval
  fundingIntervalSeconds: 3_600n,
  maxOracleAgeSeconds: 60n,
} as const satisfies Omit<MarketParameters, 'openInterestCap' | 'oracleKey'>

/**
 * An example market: metadata, an initial price and an open-interest cap. Quote token has 6 decimals; prices are
 * quote base units per lot, so e.g. BTC at $60,000 with 0.0001 BTC lots is 6,000,000 per lot, and a $0.10 tick
 * on the BTC price is 10 units per lot.
 */
export type ExampleMarket = {
  readonly metadata: MarketMetadata
  readonly initialPrice: bigint
  /** Lots (≈ $600 M of notional at the initial price). */
  readonly openInterestCap: bigint
}

export const EXAMPLE_MARKETS: readonly ExampleMarket[] = [
  // 0.0001 BTC lots (10^4 sats); $0.10 tick → 10 per lot; $60,000 → 6,000,000 per lot.
  { metadata: { symbol: 'BTC-PERP', lotSize: 10n ** 4n, tickSize: 10n }, initialPrice: 6_000_000n, openInterestCap: 10n ** 8n },
  // 0.001 ETH lots (10^15 wei); $0.01 tick → 10 per lot; $3,000 → 3,000,000 per lot.
  { metadata: { symbol: 'ETH-PERP', lotSize: 10n ** 15n, tickSize: 10n }, initialPrice: 3_000_000n, openInterestCap: 2n * 10n ** 8n },
  // 0.01 SOL lots (10^7 lamports); $0.001 tick → 10 per lot; $150 → 1,500,000 per lot.
  { metadata: { symbol: 'SOL-PERP', lotSize: 10n ** 7n, tickSize: 10n }, initialPrice: 1_500_000n, openInterestCap: 4n * 10n ** 8n },
  // 0.01 BNB lots (10^16 wei); $0.001 tick → 10 per lot; $600 → 6,000,000 per lot.
  { metadata: { symbol: 'BNB-PERP', lotSize: 10n ** 16n, tickSize: 10n }, initialPrice: 6_000_000n, openInterestCap: 10n ** 8n },
  // 1 XRP lots (10^6 drops); $0.0001 tick → 100 per lot; $0.60 → 600,000 per lot.
  { metadata: { symbol: 'XRP-PERP', lotSize: 10n ** 6n, tickSize: 100n }, initialPrice: 600_000n, openInterestCap: 10n ** 9n },
  // 10 DOGE lots (10^9 koinu); $0.00001 tick → 100 per lot; $0.15 → 1,500,000 per lot.
  { metadata: { symbol: 'DOGE-PERP', lotSize: 10n ** 9n, tickSize: 100n }, initialPrice: 1_500_000n, openInterestCap: 4n * 10n ** 8n },
  // 0.1 AVAX lots (10^17 wei); $0.001 tick → 100 per lot; $30 → 3,000,000 per lot.
  { metadata: { symbol: 'AVAX-PERP', lotSize: 10n ** 17n, tickSize: 100n }, initialPrice: 3_000_000n, openInterestCap: 2n * 10n ** 8n },
  // 0.1 LINK lots (10^17 wei); $0.001 tick → 100 per lot; $15 → 1,500,000 per lot.
  { metadata: { symbol: 'LINK-PERP', lotSize: 10n ** 17n, tickSize: 100n }, initialPrice: 1_500_000n, openInterestCap: 4n * 10n ** 8n },
]

export type ExampleMarketParametersParameters = { readonly openInterestCap: bigint; readonly oracleKey: PublicKey }

export function exampleMarketParameters({ openInterestCap, oracleKey }: ExampleMarketParametersParameters): MarketParameters {
  return { ...DEFAULT_RISK_PARAMETERS, openInterestCap, oracleKey }
}

export type ExampleGenesisParameters = {
  readonly sizes: CircuitSizes
  readonly domain: Domain
  /** One key signs every market's prices in the examples. */
  readonly oracleKey: PublicKey
  /** Unix seconds of the genesis. */
  readonly timestamp: bigint
}

/** The first `sizes.markets` example markets with default risk parameters; validated. */
export function exampleGenesis({ sizes, domain, oracleKey, timestamp }: ExampleGenesisParameters): Genesis {
  if (sizes.markets > EXAMPLE_MARKETS.length) {
    throw new GenesisInvalidError('more markets than examples', { markets: sizes.markets, examples: EXAMPLE_MARKETS.length })
  }
  const markets: GenesisMarket[] = EXAMPLE_MARKETS.slice(0, sizes.markets).map((example) => ({
    metadata: example.metadata,
    parameters: exampleMarketParameters({ openInterestCap: example.openInterestCap, oracleKey }),
    initialPrice: example.initialPrice,
    initialTime: timestamp,
  }))
  const genesis: Genesis = { sizes, domain, markets }
  validateGenesis(genesis)
  return genesis
}

/**
 * Sizes valid, exactly `sizes.markets` markets with valid parameters, unique symbols, positive ticks and lots,
 * initial prices and times within §1 bounds, and a domain with a positive chain id and a 20-byte rollup address.
 */
export function validateGenesis(genesis: Genesis): void {
  validateCircuitSizes(genesis.sizes)
  const { chainId, rollupAddress } = genesis.domain
  if (chainId <= 0n || chainId >= 1n << 64n) throw new GenesisInvalidError('chain id must be in [1, 2^64)', { chainId })
  if (!/^0x[0-9a-fA-F]{40}$/.test(rollupAddress)) throw new GenesisInvalidError('rollup address must be 20 bytes', { rollupAddress })
  assertAddress(BigInt(rollupAddress), 'rollupAddress')
  if (genesis.markets.length !== genesis.sizes.markets) {
    throw new GenesisInvalidError('market count differs from sizes.markets', {
      markets: genesis.markets.length,
      expected: genesis.sizes.markets,
    })
  }
  const symbols = new Set<string>()
  genesis.markets.forEach((market, index) => {
    const { symbol, tickSize, lotSize } = market.metadata
    if (symbols.has(symbol)) throw new GenesisInvalidError('duplicate market symbol', { index, symbol })
    symbols.add(symbol)
    if (tickSize <= 0n || lotSize <= 0n) throw new GenesisInvalidError('tick and lot sizes must be positive', { index, tickSize, lotSize })
    try {
      validateMarketParameters(market.parameters)
      assertPrice(market.initialPrice, 'initialPrice')
      assertTimestamp(market.initialTime, 'initialTime')
    } catch (cause) {
      throw new GenesisInvalidError(`market ${index} (${symbol}) is invalid`, { index, symbol }, cause)
    }
  })
}

/** A market's state at genesis: oracle at the initial price and time, funding index 0, no open interest. */
export function initialMarketState(market: GenesisMarket): MarketState {
  return {
    oraclePrice: market.initialPrice,
    oracleTime: market.initialTime,
    fundingIndex: 0n,
    lastFundingTime: market.initialTime,
    openInterest: 0n,
    parameters: market.parameters,
  }
}
