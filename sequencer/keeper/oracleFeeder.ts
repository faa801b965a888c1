/**
 * The oracle feeder: every `intervalMs` it takes each market's next price from a `PriceSource`, signs
 * `H(4, domain, market, price, timestamp)` with the market's oracle key and sends it to the gateway over WebSocket
 * through the sdk client (`oraclePrice` message), like any outside client.
 *
 * - Timestamps are the feeder clock's unix seconds, strictly increasing per market: a market whose clock second
 *   has not advanced past the last one sent is skipped this round (never stamped into the future: the state machine
 *   refuses `timestamp > T`).
 * - Gateway refusal (a `rejected` reply, or an ack whose oracle update the state machine refused) is counted and
 *   logged with its code; the timestamp is spent either way, so the next round sends a newer one.
 * - A transport failure (connect refused, socket closed, request timeout) drops the client; the next round
 *   reconnects after a backoff that doubles from `reconnectDelayMs` up to `maxReconnectDelayMs`.
 */
import type { Logger } from 'pino'
import { ClientTransportError, ZkPerpClient } from '../../sdk/client/client.ts'
import { signatureToWire } from '../../sdk/client/messages.ts'
import { signOraclePrice } from '../../sdk/protocol/signing.ts'
import type { Domain } from '../../sdk/protocol/types.ts'
import { KeeperConfigInvalidError, OraclePriceRefusedError } from './errors.ts'
import type { KeeperMetrics } from './metrics.ts'
import { requireUsablePrice, type PriceSource } from './priceSource.ts'

export type OracleFeederMarket = {
  readonly market: number
  readonly tickSize: bigint
  /** The private key of the market's oracle key (its public key's hash is in the market parameters). */
  readonly oraclePrivateKey: Uint8Array
}

export type OracleFeederParameters = {
  /** ws://host:port of the gateway. */
  readonly url: string
  readonly domain: Domain
  readonly markets: readonly OracleFeederMarket[]
  readonly source: PriceSource
  /** Milliseconds between rounds (default 1,000). */
  readonly intervalMs?: number
  /** Unix seconds (default the wall clock). */
  readonly clock?: () => bigint
  readonly reconnectDelayMs?: number
  readonly maxReconnectDelayMs?: number
  /** Per-request timeout (default 5,000 ms). */
  readonly timeoutMs?: number
  readonly logger: Logger
  readonly metrics?: KeeperMetrics
}

export type OracleSendOutcome =
  | { readonly market: number; readonly price: bigint; readonly timestamp: bigint; readonly outcome: 'accepted'; readonly seq: bigint }
  | { readonly market: number; readonly price: bigint; readonly timestamp: bigint; readonly outcome: 'refused'; readonly error: OraclePriceRefusedError }
  | { readonly market: number; readonly outcome: 'skipped'; readonly reason: 'clockNotAdvanced' | 'disconnected' }

export type OracleRoundReport = { readonly outcomes: readonly OracleSendOutcome[]; readonly connected: boolean }

export class OracleFeeder {
  readonly #parameters: OracleFeederParameters
  readonly #clock: () => bigint
  readonly #lastTimestamp = new Map<number, bigint>()
  #client: ZkPerpClient | undefined
  #reconnectDelay: number
  #nextConnectAt = 0
  #timer: NodeJS.Timeout | undefined
  #round: Promise<OracleRoundReport> | undefined
  /** Connections opened (the first and every reconnect). */
  connects = 0

  constructor(parameters: OracleFeederParameters) {
    if (parameters.markets.length === 0) throw new KeeperConfigInvalidError('no markets to feed')
    this.#parameters = parameters
    this.#clock = parameters.clock ?? (() => BigInt(Math.floor(Date.now() / 1000)))
    this.#reconnectDelay = parameters.reconnectDelayMs ?? 250
  }

  get connected(): boolean {
    return this.#client !== undefined
  }

  /** One round over every market (rounds never overlap: a call during a round shares it). */
  round(): Promise<OracleRoundReport> {
    this.#round ??= this.#runRound().finally(() => {
      this.#round = undefined
    })
    return this.#round
  }

  start(): void {
    if (this.#timer !== undefined) return
    const { logger } = this.#parameters
    const run = () => {
      this.round().catch((error: unknown) => logger.error({ error: String(error) }, 'oracle feeder: round failed'))
    }
    this.#timer = setInterval(run, this.#parameters.intervalMs ?? 1_000)
    run()
  }

  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
    await this.#round?.catch(() => undefined)
    const client = this.#client
    this.#client = undefined
    await client?.close()
  }

  async #connect(): Promise<ZkPerpClient | undefined> {
    if (this.#client !== undefined) return this.#client
    if (Date.now() < this.#nextConnectAt) return undefined
    const { url, domain, logger } = this.#parameters
    try {
      const client = await ZkPerpClient.connect({ url, domain, timeoutMs: this.#parameters.timeoutMs ?? 5_000 })
      client.socket.on('close', () => {
        if (this.#client === client) this.#disconnected('socket closed')
      })
      client.socket.on('error', () => undefined)
      this.#client = client
      this.#reconnectDelay = this.#parameters.reconnectDelayMs ?? 250
      this.connects++
      logger.info({ url, connects: this.connects }, 'oracle feeder: connected')
      return client
    } catch (error) {
      this.#backoff(`connect failed: ${String(error)}`)
      return undefined
    }
  }

  #disconnected(reason: string): void {
    const client = this.#client
    this.#client = undefined
    if (client !== undefined) client.socket.terminate()
    this.#backoff(reason)
  }

  #backoff(reason: string): void {
    this.#nextConnectAt = Date.now() + this.#reconnectDelay
    this.#parameters.logger.warn({ reason, retryInMs: this.#reconnectDelay }, 'oracle feeder: gateway unreachable')
    this.#reconnectDelay = Math.min(this.#reconnectDelay * 2, this.#parameters.maxReconnectDelayMs ?? 10_000)
  }

  async #runRound(): Promise<OracleRoundReport> {
    const { markets, source, domain, logger, metrics } = this.#parameters
    const outcomes: OracleSendOutcome[] = []
    for (const { market, tickSize, oraclePrivateKey } of markets) {
      const client = await this.#connect()
      if (client === undefined) {
        outcomes.push({ market, outcome: 'skipped', reason: 'disconnected' })
        continue
      }
      const timestamp = this.#clock()
      const last = this.#lastTimestamp.get(market)
      if (last !== undefined && timestamp <= last) {
        outcomes.push({ market, outcome: 'skipped', reason: 'clockNotAdvanced' })
        continue
      }
      const price = requireUsablePrice(market, await source.nextPrice(market), tickSize)
      const tx = signOraclePrice({ market, price, timestamp }, oraclePrivateKey, domain)
      this.#lastTimestamp.set(market, timestamp)
      let reply: Record<string, unknown>
      try {
        reply = await client.request({
          type: 'oraclePrice',
          market,
          price: price.toString(),
          timestamp: timestamp.toString(),
          signature: signatureToWire(tx.signature),
        })
      } catch (error) {
        if (!(error instanceof ClientTransportError)) throw error
        metrics?.oraclePrices.inc({ market: String(market), outcome: 'transport' })
        this.#disconnected(`request failed: ${error.message}`)
        outcomes.push({ market, outcome: 'skipped', reason: 'disconnected' })
        continue
      }
      const outcome = classify(market, price, timestamp, reply)
      outcomes.push(outcome)
      if (outcome.outcome === 'accepted') {
        metrics?.oraclePrices.inc({ market: String(market), outcome: 'accepted' })
        metrics?.oraclePrice.set({ market: String(market) }, Number(price))
        logger.debug({ market, price: price.toString(), timestamp: timestamp.toString(), seq: outcome.seq.toString() }, 'oracle feeder: price accepted')
      } else if (outcome.outcome === 'refused') {
        metrics?.oraclePrices.inc({ market: String(market), outcome: outcome.error.reason })
        logger.warn({ market, price: price.toString(), timestamp: timestamp.toString(), code: outcome.error.reason }, 'oracle feeder: price refused')
      }
    }
    return { outcomes, connected: this.#client !== undefined }
  }
}

function classify(market: number, price: bigint, timestamp: bigint, reply: Record<string, unknown>): OracleSendOutcome {
  if (reply.type === 'ack') {
    const events = (reply.events as { type?: unknown; code?: unknown }[] | undefined) ?? []
    const refused = events.find((event) => event.type === 'txRejected')
    if (refused === undefined && events.some((event) => event.type === 'txApplied')) {
      const seq = BigInt(((reply.ack as { seq?: unknown }).seq as string | undefined) ?? '0')
      return { market, price, timestamp, outcome: 'accepted', seq }
    }
    const code = typeof refused?.code === 'string' ? refused.code : 'NO_OUTCOME'
    return { market, price, timestamp, outcome: 'refused', error: new OraclePriceRefusedError(market, price, timestamp, code, refused) }
  }
  const error = reply.error as { code?: unknown } | undefined
  const code = typeof error?.code === 'string' ? error.code : 'UNKNOWN_REPLY'
  return { market, price, timestamp, outcome: 'refused', error: new OraclePriceRefusedError(market, price, timestamp, code, reply) }
}

