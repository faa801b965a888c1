/**
 * The liquidation keeper: after prices, fills or funding move (`notify()`, or a new applied seq seen by the poll), it
 * scans every account with `findUndercollateralizedAccounts`, plans the action `planLiquidation` finds for each
 * (worst first) and appends it through the log; then, while the insurance fund is insolvent, ADL steps. One scan
 * runs at a time; a notify during a scan runs one more scan after it. Each appended action changes the state, so
 * the scan re-plans from the live state after every append, and gives up on an account for the rest of the scan
 * once the core refuses its action (it is tried again on the next scan).
 */
import type { Logger } from 'pino'
import type { Domain } from '../../sdk/protocol/types.ts'
import { appendOutcome, type AppendInput, type KeeperView } from './keeperView.ts'
import { findUndercollateralizedAccounts, planDeleverage, planLiquidation } from './liquidationScanner.ts'
import type { KeeperMetrics } from './metrics.ts'
import type { RiskTx } from '../core/inputCodec.ts'

export type LiquidationKeeperParameters = {
  readonly view: KeeperView
  readonly domain: Domain
  readonly append: AppendInput
  /** Unix seconds the plan is checked against (the gateway stamps the same clock or later). */
  readonly clock: () => bigint
  readonly logger: Logger
  readonly metrics?: KeeperMetrics
  /** Most actions appended per scan (default 256): a scan never monopolises the log. */
  readonly maxActionsPerScan?: number
}

export type ScanReport = {
  /** Accounts below maintenance when the scan started. */
  readonly undercollateralized: number
  readonly applied: readonly RiskTx[]
  readonly refused: readonly { readonly tx: RiskTx; readonly code: string }[]
  /** Accounts below maintenance for which no action was possible, with the reason. */
  readonly stuck: readonly { readonly accountIndex: bigint; readonly reason: string }[]
}

export class LiquidationKeeper {
  readonly #parameters: LiquidationKeeperParameters
  #running: Promise<ScanReport> | undefined
  #again = false
  #lastScannedSeq = -1n
  #timer: NodeJS.Timeout | undefined

  constructor(parameters: LiquidationKeeperParameters) {
    this.#parameters = parameters
  }

  /** Scan now, or once more after the running scan. Resolves with the report of the scan that covers this call. */
  notify(): Promise<ScanReport> {
    if (this.#running === undefined) {
      this.#running = this.#scanLoop().finally(() => {
        this.#running = undefined
      })
      return this.#running
    }
    this.#again = true
    return this.#running
  }

  /** Poll every `intervalMs` and scan when the core applied anything new since the last scan. */
  start(intervalMs = 250): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => {
      if (this.#parameters.view.lastSeq !== this.#lastScannedSeq) void this.notify()
    }, intervalMs)
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running
  }

  async #scanLoop(): Promise<ScanReport> {
    let report: ScanReport
    do {
      this.#again = false
      report = await this.scan()
    } while (this.#again)
    return report
  }

  /** One full scan (prefer `notify`, which never runs two scans at once). */
  async scan(): Promise<ScanReport> {
    const { view, domain, append, clock, logger, metrics } = this.#parameters
    const maxActions = this.#parameters.maxActionsPerScan ?? 256
    this.#lastScannedSeq = view.lastSeq
    const initial = findUndercollateralizedAccounts(view.state)
    metrics?.undercollateralized.set(initial.length)
    const applied: RiskTx[] = []
    const refused: { tx: RiskTx; code: string }[] = []
    const stuck = new Map<bigint, string>()
    const send = async (tx: RiskTx): Promise<boolean> => {
      const { events } = await append({ kind: 'liquidation', tx })
      const outcome = appendOutcome(events)
      metrics?.liquidations.inc({ type: tx.type, outcome: outcome.applied ? 'applied' : outcome.code })
      if (outcome.applied) {
        applied.push(tx)
        logger.info({ tx: describe(tx) }, 'keeper: risk action applied')
        return true
      }
      refused.push({ tx, code: outcome.code })
      logger.warn({ tx: describe(tx), code: outcome.code, details: outcome.details }, 'keeper: risk action refused')
      return false
    }

    while (applied.length + refused.length < maxActions) {
      const time = clock()
      const candidate = findUndercollateralizedAccounts(view.state).find((account) => !stuck.has(account.accountIndex))
      if (candidate !== undefined) {
        const plan = planLiquidation(candidate, { view, domain, time })
        if (plan.tx === undefined) {
          stuck.set(candidate.accountIndex, plan.reason)
          logger.warn({ accountIndex: candidate.accountIndex.toString(), reason: plan.reason }, 'keeper: account below maintenance, no action possible')
          continue
        }
        if (!(await send(plan.tx))) stuck.set(candidate.accountIndex, refused.at(-1)!.code)
        continue
      }
      const deleverage = planDeleverage({ view, domain, time })
      if (deleverage === undefined || !(await send(deleverage))) break
    }
    this.#lastScannedSeq = view.lastSeq
    return { undercollateralized: initial.length, applied, refused, stuck: [...stuck].map(([accountIndex, reason]) => ({ accountIndex, reason })) }
  }
}

function describe(tx: RiskTx): Record<string, string | number | boolean> {
  switch (tx.type) {
    case 'liquidation':
      return {
        type: tx.type,
        accountIndex: tx.accountIndex.toString(),
        market: tx.market,
        maker: tx.maker.accountIndex.toString(),
        makerStorageId: tx.maker.storageId.toString(),
        size: tx.size.toString(),
        price: tx.price.toString(),
        full: tx.full,
      }
    case 'backstop':
      return { type: tx.type, accountIndex: tx.accountIndex.toString() }
    case 'autoDeleverage':
      return { type: tx.type, market: tx.market, counterpartyIndex: tx.counterpartyIndex.toString(), size: tx.size.toString() }
  }
}
