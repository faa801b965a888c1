/**
 * The funding keeper (operator side, inside the sequencer process). `sample()` records each market's premium from
 * the live book (call it on a timer, e.g. every oracle tick); `tick()` appends, for every market whose interval has
 * elapsed (`now ≥ lastFundingTime + fundingIntervalSeconds`, the state's own clock) and whose oracle is fresh, a
 * `fundingUpdate` with `timestamp = now` and the clamped average premium (`fundingRate.ts`), through the same log
 * path the gateway uses. The state machine then adds `rate·price·(now − lastFundingTime)/(10^6·interval)` to the
 * index; a late update therefore charges the whole elapsed time.
 */
import type { Logger } from 'pino'
import type { FundingUpdateTx } from '../../sdk/protocol/types.ts'
import { isOracleFresh } from '../../sdk/state/touch.ts'
import { KeeperConfigInvalidError } from './errors.ts'
import { averagePremiumPpm, clampFundingRate, computePremiumPpm } from './fundingRate.ts'
import { appendOutcome, type AppendInput, type KeeperView } from './keeperView.ts'
import type { KeeperMetrics } from './metrics.ts'

export type FundingKeeperParameters = {
  readonly view: KeeperView
  readonly append: AppendInput
  /** Unix seconds; the gateway stamps the same clock (or later), so `timestamp ≤ T` holds. */
  readonly clock: () => bigint
  /** Quote base units whose depth defines the impact prices (default 10,000 USDC = 10^10). */
  readonly impactNotional?: bigint
  readonly logger: Logger
  readonly metrics?: KeeperMetrics
}

export type FundingTickReport = {
  readonly applied: readonly FundingUpdateTx[]
  readonly refused: readonly { readonly tx: FundingUpdateTx; readonly code: string }[]
  /** Markets whose interval elapsed but whose oracle is stale: no update until a fresh price arrives. */
  readonly staleOracle: readonly number[]
}

export class FundingKeeper {
  readonly #parameters: FundingKeeperParameters
  readonly #impactNotional: bigint
  readonly #samples: bigint[][]
  #ticking: Promise<FundingTickReport> | undefined
  #timers: NodeJS.Timeout[] = []

  constructor(parameters: FundingKeeperParameters) {
    this.#parameters = parameters
    this.#impactNotional = parameters.impactNotional ?? 10_000_000_000n
    if (this.#impactNotional <= 0n) throw new KeeperConfigInvalidError('impactNotional must be positive', { impactNotional: this.#impactNotional })
    this.#samples = parameters.view.state.markets.map(() => [])
  }

  /** The premium of one market's book now, in ppm (unclamped). */
  premium(market: number): bigint {
    const { view } = this.#parameters
    return computePremiumPpm({
      bids: view.depth(market, 'buy'),
      asks: view.depth(market, 'sell'),
      oraclePrice: view.state.markets[market]!.oraclePrice,
      impactNotional: this.#impactNotional,
    })
  }

  /** Record every market's premium now. */
  sample(): void {
    for (let market = 0; market < this.#samples.length; market++) this.#samples[market]!.push(this.premium(market))
  }

  /** The rate a funding update of this market would carry now: clamped average of the samples. */
  rate(market: number): bigint {
    const { fundingClampPpm } = this.#parameters.view.state.markets[market]!.parameters
    return clampFundingRate(averagePremiumPpm(this.#samples[market]!) ?? this.premium(market), fundingClampPpm)
  }

  /** Append the updates that are due (one tick at a time; a concurrent call shares the running tick). */
  tick(): Promise<FundingTickReport> {
    this.#ticking ??= this.#tick().finally(() => {
      this.#ticking = undefined
    })
    return this.#ticking
  }

  async #tick(): Promise<FundingTickReport> {
    const { view, append, clock, logger, metrics } = this.#parameters
    const applied: FundingUpdateTx[] = []
    const refused: { tx: FundingUpdateTx; code: string }[] = []
    const staleOracle: number[] = []
    for (let market = 0; market < view.state.markets.length; market++) {
      const now = clock()
      const state = view.state.markets[market]!
      if (now < state.lastFundingTime + state.parameters.fundingIntervalSeconds) continue
      if (!isOracleFresh(state, now)) {
        staleOracle.push(market)
        logger.warn({ market, oracleTime: state.oracleTime.toString(), now: now.toString() }, 'keeper: funding due but the oracle is stale')
        continue
      }
      const tx: FundingUpdateTx = { type: 'fundingUpdate', market, ratePpm: this.rate(market), timestamp: now }
      const outcome = appendOutcome((await append({ kind: 'fundingUpdate', tx })).events)
      metrics?.fundingUpdates.inc({ market: String(market), outcome: outcome.applied ? 'applied' : outcome.code })
      if (outcome.applied) {
        applied.push(tx)
        this.#samples[market] = []
        metrics?.fundingRate.set({ market: String(market) }, Number(tx.ratePpm))
        logger.info({ market, ratePpm: tx.ratePpm.toString(), timestamp: now.toString() }, 'keeper: funding updated')
      } else {
        refused.push({ tx, code: outcome.code })
        logger.warn({ market, ratePpm: tx.ratePpm.toString(), code: outcome.code, details: outcome.details }, 'keeper: funding update refused')
      }
    }
    return { applied, refused, staleOracle }
  }

  /** Sample every `sampleMs` and check for due updates every `tickMs`. */
  start({ sampleMs = 5_000, tickMs = 1_000 }: { sampleMs?: number; tickMs?: number } = {}): void {
    if (this.#timers.length > 0) return
    const { logger } = this.#parameters
    this.#timers.push(setInterval(() => this.sample(), sampleMs))
    this.#timers.push(
      setInterval(() => {
        this.tick().catch((error: unknown) => logger.error({ error: String(error) }, 'keeper: funding tick failed'))
      }, tickMs),
    )
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer)
    this.#timers = []
    await this.#ticking
  }
}
