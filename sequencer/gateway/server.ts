/**
 * The order gateway: HTTP and WebSocket on one port (node `http` + `ws`), in front of the input log and the
 * deterministic sequencer core.
 *
 * An order travels: frame size cap (ws `maxPayload`, close 1009) → per-connection rate limit → strict JSON
 * (depth, duplicate keys) → zod schema → §1 bounds, market, tick → account exists → per-account rate limit →
 * client-order-id idempotency and storage-id freshness → order hash + EdDSA signature (batched: inline, or on a worker
 * pool that also hashes) → time stamp → input log append (synced, group-committed) → core apply (matching +
 * pre-trade risk) → ack, signed by the sequencer key once per group of acks (Merkle root), with the input's events
 * → streams.
 *
 * A withdraw or transfer travels the same way (schema → bounds → account → rate limit → storage id freshness and
 * in-flight check → its Poseidon hash and signature on the verifier → log append → core apply → ack); the core
 * judges it with the state machine's rules, and the ack's events say whether it was taken (`withdrawAccepted`,
 * `transferAccepted`, with the new collateral) or refused (`withdrawRejected`, `transferRejected`, with the code).
 * The storage id makes it execute at most once: the same signed message sent again is STORAGE_ID_IN_FLIGHT while
 * the first is being sequenced and STORAGE_ID_USED once the first was accepted.
 *
 * Only the core decides what an input does; everything before the append only keeps junk out of the log. The ack is
 * sent after the record is durable, so an acknowledged input survives any crash. A record that became durable but
 * whose ack was never sent (crash in between) is in the log: resending the same request (same client order id) is
 * answered with that first ack.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { Counter, Histogram, Registry } from 'prom-client'
import { keccak256, toBytes, type Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { WebSocketServer, type WebSocket } from 'ws'
import { BaseError } from '../../sdk/errors.ts'
import { cancelHash, fieldToBytes32, type Ack } from '../../sdk/client/messages.ts'
import { assertAccountIndex, assertPrice, assertSize, assertStorageId, assertTimestamp } from '../../sdk/protocol/bounds.ts'
import { verifyOraclePriceSignature } from '../../sdk/protocol/signing.ts'
import { orderHash } from '../../sdk/protocol/hashing.ts'
import type { Genesis, OracleUpdateTx, SignedOrder } from '../../sdk/protocol/types.ts'
import { FIRST_USER_ACCOUNT_INDEX } from '../../sdk/protocol/types.ts'
import { AccountNotFoundError, StorageIdUsedError, SystemAccountError } from '../../sdk/state/errors.ts'
import { cachedDomainHash } from '../../sdk/state/signatures.ts'
import { ClientOrderIdReusedError, StorageIdNotFreshError, UnknownMarketError } from '../core/errors.ts'
import { encodeInput, INPUT_KIND, type OrderInput, type SequencerInput } from '../core/inputCodec.ts'
import { recoverSequencer } from '../core/recover.ts'
import { orderBodyDigest, type Sequencer, type SequencerEvent } from '../core/sequencer.ts'
import { openInputLog, type InputLog, type InputLogReceipt } from '../inputLog/inputLog.ts'
import { PriceOffTickError } from '../matching/errors.ts'
import {
  NotFoundError,
  OrderInFlightError,
  SequencerUnavailableError,
  StorageIdInFlightError,
  UnknownStreamError,
} from './errors.ts'
import { AckSigner, type AckSignerStats } from './ackSigner.ts'
import { RateLimiter, type RateLimit } from './rateLimiter.ts'
import { parseClientMessage, requestIdOf, type CancelMessageWire, type ClientMessage, type OrderMessage, type OraclePriceMessageWire } from './schemas.ts'
import { SignatureVerifier, type SignatureVerifierStats } from './signatureVerifier.ts'
import { readTransferRequest, readWithdrawRequest, type SpendRequest } from './spendRequest.ts'
import { parseStrictJson } from './strictJson.ts'

/** DEV ONLY: the devnet sequencer key, derived from a public string. Anyone can sign acks with it. */
export const DEV_SEQUENCER_PRIVATE_KEY: Hex = keccak256(toBytes('zkperp devnet sequencer key v1 (INSECURE: public)'))

export type PersistencePoint = 'append' | 'apply' | 'ack' | 'snapshot'

export type GatewayOptions = {
  readonly genesis: Genesis
  /** Directory of the input log (LevelDB). */
  readonly logPath: string
  /** Default 127.0.0.1. */
  readonly host?: string
  /** Default 0 (any free port). */
  readonly port?: number
  /** secp256k1 key that signs acks; default DEV_SEQUENCER_PRIVATE_KEY (dev only, says so at start). */
  readonly sequencerPrivateKey?: Hex
  /** Unix seconds stamped on inputs; default the wall clock. Never read by the core. */
  readonly clock?: () => bigint
  /** Orders, cancels, withdraws and transfers per account (default 200/s, burst 400). */
  readonly accountRateLimit?: RateLimit
  /** Every message per connection (default 2,000/s, burst 4,000). */
  readonly connectionRateLimit?: RateLimit
  /** Largest WebSocket frame (default 64 KiB); larger closes the connection with 1009. */
  readonly maxPayloadBytes?: number
  /** A connection whose unsent bytes exceed this is dropped (default 1 MiB). */
  readonly maxBufferedBytes?: number
  /** Signature worker threads; 0 (default) hashes and verifies orders on the main thread. */
  readonly signatureWorkers?: number
  /** Smallest group of signatures checked with one batch equation (default 8); smaller groups one by one. */
  readonly signatureBatchThreshold?: number
  /** Largest group of signatures checked together (default 256). */
  readonly signatureMaxBatch?: number
  /** Inputs between snapshots (default 10,000; 0 never). */
  readonly snapshotEvery?: number
  /**
   * Whether a snapshot may be taken now (default always). A snapshot holds only undrained txs, so a batcher
   * draining the core allows one only while every drained tx is in a persisted batch; a refused snapshot is
   * retried at the next input.
   */
  readonly canSnapshot?: () => boolean
  /**
   * Asked before a new order is admitted (after validation; a replay of an acked order still gets its ack): an
   * error refuses the order with that error. Cancels, withdrawals, transfers and trusted inputs are never gated.
   * The node pauses new orders this way while settlement's backlog is at its limit. Default: always admit.
   */
  readonly orderIntake?: () => BaseError | undefined
  /** Registry served on /metrics (default a new one): other services of the process register theirs on it too. */
  readonly registry?: Registry
  /** Levels per side in book messages (default 20). */
  readonly bookDepth?: number
  /** Test hook: called at each persistence point; a crash test pauses here and is killed. */
  readonly pauseAt?: (point: PersistencePoint, seq: bigint | undefined) => void | Promise<void>
  /** Warnings and fatal errors (default console.error). */
  readonly log?: (message: string) => void
}

export type GatewayStageTotals = { count: number; signatureMs: number; appendMs: number; applyMs: number; ackSignMs: number }

export type Gateway = {
  readonly url: string
  readonly httpUrl: string
  readonly port: number
  /** The sequencer's L1 address: ack signatures recover to it. */
  readonly address: Hex
  readonly sequencer: Sequencer
  readonly log: InputLog
  /** An input from a trusted source (chain watcher, keeper): stamped, logged, applied. */
  submit(input: TrustedInput): Promise<SequencedResult>
  stageTotals(): GatewayStageTotals
  signatureStats(): SignatureVerifierStats
  ackStats(): AckSignerStats
  close(): Promise<void>
}

export type SequencedResult = { ack: Ack; events: readonly SequencerEvent[] }

type Reply = Record<string, unknown>

/** What only operator-side services send (chain watcher, keeper): never accepted from a socket. */
export type TrustedInput = Extract<UntimedInput, { kind: 'deposit' | 'forcedWithdrawal' | 'fundingUpdate' | 'oraclePrice' | 'liquidation' }>

/** An input before the gateway stamps its time. */
export type UntimedInput = SequencerInput extends infer I ? (I extends SequencerInput ? Omit<I, 'time'> : never) : never

type Connection = { socket: WebSocket; id: number; streams: Set<string> }

/** bigint → decimal string, Uint8Array → hex, recursively (the wire never carries a JSON number for an amount). */
export function toWire(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`
  if (Array.isArray(value)) return value.map(toWire)
  if (value instanceof BaseError) return value.toJSON()
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = toWire(item)
    return out
  }
  return value
}

function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes).toString('hex')}`
}

function rejection(id: string | undefined, error: BaseError): Reply {
  return { type: 'rejected', id: id ?? null, error: error.toJSON() }
}

/** Run a bound assertion; its typed error is the rejection. */
function bounded(run: () => void): BaseError | undefined {
  try {
    run()
    return undefined
  } catch (error) {
    if (error instanceof BaseError) return error
    throw error
  }
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { genesis } = options
  const warn = options.log ?? ((message: string) => console.error(message))
  const privateKey = options.sequencerPrivateKey ?? DEV_SEQUENCER_PRIVATE_KEY
  if (options.sequencerPrivateKey === undefined) {
    warn('zkperp gateway: signing acks with the PUBLIC devnet sequencer key — DEV ONLY, never in production')
  }
  const address = privateKeyToAddress(privateKey)
  const clock = options.clock ?? (() => BigInt(Math.floor(Date.now() / 1000)))
  const maxPayload = options.maxPayloadBytes ?? 64 * 1024
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024
  const snapshotEvery = options.snapshotEvery ?? 10_000
  const bookDepth = options.bookDepth ?? 20
  const pauseAt = options.pauseAt
  const accountLimiter = new RateLimiter(options.accountRateLimit ?? { ratePerSecond: 200, burst: 400 })
  const connectionLimit = options.connectionRateLimit ?? { ratePerSecond: 2_000, burst: 4_000 }
  const connectionLimiter = new RateLimiter(connectionLimit)
  const domainHashValue = cachedDomainHash(genesis.domain)
  const verifier = new SignatureVerifier({
    domainHash: domainHashValue,
    workers: options.signatureWorkers ?? 0,
    ...(options.signatureBatchThreshold === undefined ? {} : { batchThreshold: options.signatureBatchThreshold }),
    ...(options.signatureMaxBatch === undefined ? {} : { maxBatch: options.signatureMaxBatch }),
  })
  const ackSigner = new AckSigner({ domain: genesis.domain, privateKey })

  // ─── Recovery ───────────────────────────────────────────────────────────────────────────────────────────────
  const { log, recovered } = await openInputLog(options.logPath)
  const { sequencer } = await recoverSequencer({ genesis, log, recovered })
  let lastTime = 0n
  let failure: BaseError | undefined
  let sinceSnapshot = 0
  let snapshotInFlight = false

  // ─── Metrics ────────────────────────────────────────────────────────────────────────────────────────────────
  const registry = options.registry ?? new Registry()
  const ordersReceived = new Counter({ name: 'zkperp_gateway_orders_received_total', help: 'Order messages received', registers: [registry] })
  const acks = new Counter({ name: 'zkperp_gateway_acks_total', help: 'Inputs acknowledged', labelNames: ['kind'], registers: [registry] })
  const rejections = new Counter({ name: 'zkperp_gateway_rejections_total', help: 'Requests rejected', labelNames: ['code'], registers: [registry] })
  const dropped = new Counter({ name: 'zkperp_gateway_slow_readers_dropped_total', help: 'Connections dropped over their buffer limit', registers: [registry] })
  const ackLatency = new Histogram({
    name: 'zkperp_gateway_ack_latency_seconds',
    help: 'Message received to ack sent',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  })
  const totals: GatewayStageTotals = { count: 0, signatureMs: 0, appendMs: 0, applyMs: 0, ackSignMs: 0 }

  // ─── Streams ────────────────────────────────────────────────────────────────────────────────────────────────
  const streamSeqs = new Map<string, bigint>()
  const subscribers = new Map<string, Set<Connection>>()

  function send(connection: Connection, message: Reply): void {
    const socket = connection.socket
    if (socket.readyState !== socket.OPEN) return
    if (socket.bufferedAmount > maxBuffered) {
      dropped.inc()
      socket.terminate()
      return
    }
    socket.send(JSON.stringify(message))
  }

  function publish(stream: string, data: () => unknown): void {
    const seq = (streamSeqs.get(stream) ?? 0n) + 1n
    streamSeqs.set(stream, seq)
    const set = subscribers.get(stream)
    if (set === undefined || set.size === 0) return
    const text = JSON.stringify({ type: 'event', stream, seq: seq.toString(), data: toWire(data()) })
    for (const connection of set) {
      const socket = connection.socket
      if (socket.readyState !== socket.OPEN) continue
      if (socket.bufferedAmount > maxBuffered) {
        dropped.inc()
        socket.terminate()
        continue
      }
      socket.send(text)
    }
  }

  function bookView(market: number) {
    const engine = sequencer.engine(market)
    return { market, bids: engine.depth('buy', bookDepth), asks: engine.depth('sell', bookDepth) }
  }

  function publishEvents(events: readonly SequencerEvent[]): void {
    const books = new Set<number>()
    for (const event of events) {
      switch (event.type) {
        case 'orderAccepted':
        case 'orderRejected':
          publish(`account:${event.accountIndex}`, () => event)
          break
        case 'orderRested':
        case 'orderCancelled':
          books.add(event.market)
          publish(`account:${event.accountIndex}`, () => event)
          break
        case 'fill':
          books.add(event.market)
          publish(`trades:${event.market}`, () => ({ market: event.market, price: event.price, size: event.size, takerIsBuy: event.takerIsBuy }))
          publish(`account:${event.takerIndex}`, () => event)
          publish(`account:${event.makerIndex}`, () => event)
          break
        case 'liquidationFill':
          books.add(event.market)
          publish(`trades:${event.market}`, () => ({ market: event.market, price: event.price, size: event.size, liquidation: true }))
          publish(`account:${event.accountIndex}`, () => event)
          publish(`account:${event.makerIndex}`, () => event)
          break
        case 'withdrawAccepted':
        case 'withdrawRejected':
          publish(`account:${event.accountIndex}`, () => event)
          break
        case 'transferRejected':
          publish(`account:${event.fromIndex}`, () => event)
          break
        case 'transferAccepted':
          publish(`account:${event.fromIndex}`, () => event)
          publish(`account:${event.toIndex}`, () => event)
          break
        default:
          break
      }
    }
    for (const market of books) publish(`book:${market}`, () => bookView(market))
  }

  // ─── Sequencing: stamp, append, apply in seq order, sign the ack ────────────────────────────────────────────
  const applyWaiting = new Map<bigint, { receipt: InputLogReceipt; input: SequencerInput; resolve: (events: readonly SequencerEvent[]) => void }>()

  function drainApplies(): void {
    for (;;) {
      const next = applyWaiting.get(sequencer.lastSeq + 1n)
      if (next === undefined) return
      applyWaiting.delete(next.receipt.seq)
      const started = performance.now()
      let events: readonly SequencerEvent[]
      try {
        events = sequencer.apply({ seq: next.receipt.seq, hash: next.receipt.hash, input: next.input }).events
      } catch (error) {
        failure = new SequencerUnavailableError('core invariant broken', error)
        warn(`zkperp gateway: FATAL core error at seq ${next.receipt.seq}: ${String(error)}`)
        throw error
      }
      totals.applyMs += performance.now() - started
      publishEvents(events)
      next.resolve(events)
      maybeSnapshot()
    }
  }

  function maybeSnapshot(): void {
    sinceSnapshot++
    if (snapshotEvery <= 0 || sinceSnapshot < snapshotEvery || snapshotInFlight) return
    if (options.canSnapshot?.() === false) return
    sinceSnapshot = 0
    snapshotInFlight = true
    const seq = sequencer.lastSeq
    log
      .writeSnapshot(seq, sequencer.snapshot())
      .catch((error: unknown) => warn(`zkperp gateway: snapshot at ${seq} failed: ${String(error)}`))
      .finally(() => {
        snapshotInFlight = false
      })
    if (pauseAt !== undefined) void pauseAt('snapshot', seq)
  }

  async function signAck(seq: bigint, chainHead: Hex, kind: number, messageHash: Hex, time: bigint): Promise<Ack> {
    const started = performance.now()
    const ack = await ackSigner.sign({ seq: seq.toString(), chainHead, kind, messageHash, time: time.toString() })
    totals.ackSignMs += performance.now() - started
    return ack
  }

  async function sequence(input: UntimedInput, messageHash: Hex): Promise<SequencedResult> {
    if (failure !== undefined) throw failure
    if (pauseAt !== undefined) await pauseAt('append', undefined)
    const now = clock()
    lastTime = now > lastTime ? now : lastTime
    const stamped = { ...input, time: lastTime } as SequencerInput
    const { kind, payload } = encodeInput(stamped)
    const started = performance.now()
    let receipt: InputLogReceipt
    try {
      receipt = await log.append(kind, payload)
    } catch (error) {
      failure = new SequencerUnavailableError('input log write failed', error)
      throw failure
    }
    totals.appendMs += performance.now() - started
    if (pauseAt !== undefined) await pauseAt('apply', receipt.seq)
    const events = await new Promise<readonly SequencerEvent[]>((resolve) => {
      applyWaiting.set(receipt.seq, { receipt, input: stamped, resolve })
      drainApplies()
    })
    const ack = await signAck(receipt.seq, bytesToHex(receipt.hash), kind, messageHash, stamped.time)
    if (pauseAt !== undefined) await pauseAt('ack', receipt.seq)
    acks.inc({ kind: String(kind) })
    totals.count++
    return { ack, events }
  }

  async function reissueAck(seq: bigint, hashHex: string, kind: number, messageHash: Hex, time: bigint): Promise<Ack> {
    return signAck(seq, `0x${hashHex}` as Hex, kind, messageHash, time)
  }

  // ─── Orders ─────────────────────────────────────────────────────────────────────────────────────────────────
  const inFlightClientIds = new Map<string, { digest: string; result: Promise<Reply> }>()
  /** (account, storage id) of orders, withdraws and transfers between their freshness check and their apply. */
  const inFlightStorageIds = new Set<string>()

  function orderFromWire(message: OrderMessage): SignedOrder {
    const o = message.order
    return {
      accountIndex: BigInt(o.accountIndex),
      market: o.market,
      isBuy: o.side === 'buy',
      reduceOnly: o.reduceOnly,
      size: BigInt(o.size),
      limitPrice: BigInt(o.limitPrice),
      storageId: BigInt(o.storageId),
      expiry: BigInt(o.expiry),
      signature: { R8: { x: BigInt(o.signature.R8x), y: BigInt(o.signature.R8y) }, S: BigInt(o.signature.S) },
    }
  }

  function checkAccount(accountIndex: bigint, operation: 'trade' | 'withdraw' | 'transfer' = 'trade') {
    const account = sequencer.account(accountIndex)
    if (account === undefined) return { error: new AccountNotFoundError(accountIndex) }
    if (accountIndex < FIRST_USER_ACCOUNT_INDEX) return { error: new SystemAccountError(accountIndex, operation) }
    return { account }
  }

  async function handleOrder(message: OrderMessage): Promise<Reply> {
    ordersReceived.inc()
    const order = orderFromWire(message)
    const input: Omit<OrderInput, 'time'> = {
      kind: 'order',
      order,
      orderType: message.orderType ?? 'limit',
      timeInForce: message.timeInForce ?? 'GTC',
      postOnly: message.postOnly ?? false,
      selfTradePrevention: message.selfTradePrevention ?? 'expireMaker',
      clientOrderId: message.clientOrderId,
    }
    const invalid = bounded(() => {
      assertAccountIndex(order.accountIndex, genesis.sizes.accountDepth)
      assertSize(order.size, 'size')
      assertPrice(order.limitPrice, 'limitPrice')
      assertStorageId(order.storageId, 'storageId')
      assertTimestamp(order.expiry, 'expiry')
    })
    if (invalid !== undefined) return rejection(message.id, invalid)
    const market = genesis.markets[order.market]
    if (market === undefined) return rejection(message.id, new UnknownMarketError(order.market, genesis.markets.length))
    if (input.orderType === 'limit' && order.limitPrice % market.metadata.tickSize !== 0n) {
      return rejection(message.id, new PriceOffTickError(order.limitPrice, market.metadata.tickSize))
    }
    const checked = checkAccount(order.accountIndex)
    if (checked.error !== undefined) return rejection(message.id, checked.error)
    const limited = accountLimiter.take(`account:${order.accountIndex}`)
    if (limited !== undefined) return rejection(message.id, limited)

    if (message.clientOrderId !== undefined) {
      const digest = orderBodyDigest({ ...input, time: 0n })
      const key = `${order.accountIndex}:${message.clientOrderId}`
      const first = sequencer.clientOrder(order.accountIndex, message.clientOrderId)
      if (first !== undefined) {
        if (first.bodyDigest !== digest) return rejection(message.id, new ClientOrderIdReusedError(order.accountIndex, message.clientOrderId, first.seq))
        const ack = await reissueAck(first.seq, first.hash, INPUT_KIND.order, fieldToBytes32(orderHash(order, domainHashValue)), first.time)
        return { type: 'ack', id: message.id, duplicate: true, ack, events: [] }
      }
      const pending = inFlightClientIds.get(key)
      if (pending !== undefined) {
        if (pending.digest !== digest) return rejection(message.id, new ClientOrderIdReusedError(order.accountIndex, message.clientOrderId, 0n))
        const reply = await pending.result
        return { ...reply, id: message.id, duplicate: true }
      }
      const result = admitOrder(message.id, input, order, checked.account.publicKey)
      inFlightClientIds.set(key, { digest, result })
      try {
        return await result
      } finally {
        inFlightClientIds.delete(key)
      }
    }
    return admitOrder(message.id, input, order, checked.account.publicKey)
  }

  async function admitOrder(
    id: string,
    input: Omit<OrderInput, 'time'>,
    order: SignedOrder,
    publicKey: { x: bigint; y: bigint },
  ): Promise<Reply> {
    const refused = options.orderIntake?.()
    if (refused !== undefined) return rejection(id, refused)
    const orderKey = `${order.accountIndex}:${order.storageId}`
    if (inFlightStorageIds.has(orderKey)) return rejection(id, new OrderInFlightError(order.accountIndex, order.storageId))
    if (!sequencer.isStorageIdFresh(order.accountIndex, order.storageId)) {
      return rejection(id, new StorageIdNotFreshError(order.accountIndex, order.storageId, sequencer.highestStorageId(order.accountIndex, order.storageId)))
    }
    inFlightStorageIds.add(orderKey)
    try {
      const started = performance.now()
      // The order's Poseidon hash is computed once, by the verifier, and carried into the ack.
      const checked = await verifier.check({ kind: 'order', order, publicKey })
      totals.signatureMs += performance.now() - started
      if (checked.error !== undefined) return rejection(id, checked.error)
      const { ack, events } = await sequence(input, fieldToBytes32(checked.message))
      return { type: 'ack', id, ack, events: toWire(events) }
    } finally {
      inFlightStorageIds.delete(orderKey)
    }
  }

  // ─── Withdraws and transfers: the order path's admission for a signed spend ───────────────────────────────

  async function handleSpend(id: string, read: () => SpendRequest): Promise<Reply> {
    let request: SpendRequest
    try {
      request = read()
    } catch (error) {
      if (error instanceof BaseError) return rejection(id, error)
      throw error
    }
    const { sourceIndex, storageId, input } = request
    const checked = checkAccount(sourceIndex, input.kind)
    if (checked.error !== undefined) return rejection(id, checked.error)
    const limited = accountLimiter.take(`account:${sourceIndex}`)
    if (limited !== undefined) return rejection(id, limited)
    const key = `${sourceIndex}:${storageId}`
    if (inFlightStorageIds.has(key)) return rejection(id, new StorageIdInFlightError(sourceIndex, storageId))
    // The core's own code for a used id (the state machine's, counting ids of resting orders too).
    if (!sequencer.isStorageIdFresh(sourceIndex, storageId)) {
      return rejection(id, new StorageIdUsedError(sourceIndex, storageId, sequencer.highestStorageId(sourceIndex, storageId)))
    }
    inFlightStorageIds.add(key)
    try {
      const started = performance.now()
      // The signed message's Poseidon hash is computed once, by the verifier, and carried into the ack.
      const verified = await verifier.check(request.signatureCheck(checked.account.publicKey))
      totals.signatureMs += performance.now() - started
      if (verified.error !== undefined) return rejection(id, verified.error)
      const { ack, events } = await sequence(input, fieldToBytes32(verified.message))
      return { type: 'ack', id, ack, events: toWire(events) }
    } finally {
      inFlightStorageIds.delete(key)
    }
  }

  async function handleCancel(message: CancelMessageWire): Promise<Reply> {
    const accountIndex = BigInt(message.accountIndex)
    const storageId = BigInt(message.storageId)
    const invalid = bounded(() => {
      assertAccountIndex(accountIndex, genesis.sizes.accountDepth)
      assertStorageId(storageId, 'storageId')
    })
    if (invalid !== undefined) return rejection(message.id, invalid)
    if (message.market >= genesis.markets.length) return rejection(message.id, new UnknownMarketError(message.market, genesis.markets.length))
    const checked = checkAccount(accountIndex)
    if (checked.error !== undefined) return rejection(message.id, checked.error)
    const limited = accountLimiter.take(`account:${accountIndex}`)
    if (limited !== undefined) return rejection(message.id, limited)
    const hashValue = cancelHash({ accountIndex, market: message.market, storageId }, genesis.domain)
    const signature = { R8: { x: BigInt(message.signature.R8x), y: BigInt(message.signature.R8y) }, S: BigInt(message.signature.S) }
    const verified = await verifier.check({ kind: 'message', message: hashValue, signature, publicKey: checked.account.publicKey })
    if (verified.error !== undefined) return rejection(message.id, verified.error)
    const { ack, events } = await sequence({ kind: 'cancel', accountIndex, market: message.market, storageId }, fieldToBytes32(hashValue))
    return { type: 'ack', id: message.id, ack, events: toWire(events) }
  }

  async function handleOraclePrice(message: OraclePriceMessageWire): Promise<Reply> {
    const market = genesis.markets[message.market]
    if (market === undefined) return rejection(message.id, new UnknownMarketError(message.market, genesis.markets.length))
    const tx: OracleUpdateTx = {
      type: 'oracleUpdate',
      market: message.market,
      price: BigInt(message.price),
      timestamp: BigInt(message.timestamp),
      signature: { R8: { x: BigInt(message.signature.R8x), y: BigInt(message.signature.R8y) }, S: BigInt(message.signature.S) },
    }
    const invalid = bounded(() => {
      assertPrice(tx.price, 'price')
      assertTimestamp(tx.timestamp, 'timestamp')
      verifyOraclePriceSignature(tx, market.parameters.oracleKey, genesis.domain)
    })
    if (invalid !== undefined) return rejection(message.id, invalid)
    const { ack, events } = await sequence({ kind: 'oraclePrice', tx }, fieldToBytes32(0n))
    return { type: 'ack', id: message.id, ack, events: toWire(events) }
  }

  function handleSubscribe(connection: Connection, message: Extract<ClientMessage, { type: 'subscribe' | 'unsubscribe' }>): Reply {
    const [kind, index] = message.stream.split(':') as [string, string]
    if ((kind === 'book' || kind === 'trades') && Number(index) >= genesis.markets.length) {
      return rejection(message.id, new UnknownStreamError(message.stream))
    }
    if (message.type === 'unsubscribe') {
      subscribers.get(message.stream)?.delete(connection)
      connection.streams.delete(message.stream)
      return { type: 'unsubscribed', id: message.id, stream: message.stream }
    }
    let set = subscribers.get(message.stream)
    if (set === undefined) subscribers.set(message.stream, (set = new Set()))
    set.add(connection)
    connection.streams.add(message.stream)
    // The next event on this stream has seq + 1; fetch the HTTP snapshot for the state at `seq`.
    return { type: 'subscribed', id: message.id, stream: message.stream, seq: (streamSeqs.get(message.stream) ?? 0n).toString() }
  }

  async function handleMessage(connection: Connection, data: Buffer): Promise<void> {
    const received = performance.now()
    const limited = connectionLimiter.take(`connection:${connection.id}`)
    if (limited !== undefined) {
      rejections.inc({ code: limited.code })
      send(connection, rejection(undefined, limited))
      return
    }
    let value: unknown
    let reply: Reply
    try {
      value = parseStrictJson(data.toString('utf8'))
      const message = parseClientMessage(value)
      switch (message.type) {
        case 'order':
          reply = await handleOrder(message)
          break
        case 'cancel':
          reply = await handleCancel(message)
          break
        case 'oraclePrice':
          reply = await handleOraclePrice(message)
          break
        case 'withdraw':
          reply = await handleSpend(message.id, () => readWithdrawRequest(message, genesis.sizes))
          break
        case 'transfer':
          reply = await handleSpend(message.id, () => readTransferRequest(message, genesis.sizes))
          break
        case 'subscribe':
        case 'unsubscribe':
          reply = handleSubscribe(connection, message)
          break
        case 'ping':
          reply = { type: 'pong', id: message.id }
          break
      }
    } catch (error) {
      if (!(error instanceof BaseError)) {
        warn(`zkperp gateway: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
      }
      reply = rejection(requestIdOf(value), error instanceof BaseError ? error : new SequencerUnavailableError('internal error', error))
    }
    if (reply.type === 'rejected') rejections.inc({ code: (reply.error as { code: string }).code })
    else if (reply.type === 'ack') ackLatency.observe((performance.now() - received) / 1000)
    send(connection, reply)
  }

  // ─── HTTP ───────────────────────────────────────────────────────────────────────────────────────────────────
  function json(response: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(toWire(body))
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    response.end(text)
  }

  async function handleHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://gateway')
    const parts = url.pathname.split('/').filter((part) => part.length > 0)
    if (request.method !== 'GET') return json(response, 405, new NotFoundError(url.pathname).toJSON())
    if (parts[0] === 'health' && parts.length === 1) {
      const head = log.head()
      return json(response, failure === undefined ? 200 : 503, {
        status: failure === undefined ? 'ok' : 'failed',
        seq: head.seq,
        chainHead: head.hash,
        appliedSeq: sequencer.lastSeq,
        sequencerAddress: address,
      })
    }
    if (parts[0] === 'metrics' && parts.length === 1) {
      const text = await registry.metrics()
      response.writeHead(200, { 'content-type': registry.contentType })
      response.end(text)
      return
    }
    if (parts[0] === 'markets' && parts.length === 1) {
      return json(response, 200, {
        markets: genesis.markets.map((market, index) => ({
          market: index,
          ...market.metadata,
          oraclePrice: sequencer.state.markets[index]!.oraclePrice,
          oracleTime: sequencer.state.markets[index]!.oracleTime,
          openInterest: sequencer.state.markets[index]!.openInterest,
        })),
      })
    }
    if (parts[0] === 'book' && parts.length === 2 && /^[0-9]{1,2}$/.test(parts[1]!) && Number(parts[1]) < genesis.markets.length) {
      const market = Number(parts[1])
      return json(response, 200, { ...bookView(market), seq: streamSeqs.get(`book:${market}`) ?? 0n, appliedSeq: sequencer.lastSeq })
    }
    if (parts[0] === 'account' && parts.length === 2 && /^[0-9]{1,8}$/.test(parts[1]!)) {
      const accountIndex = BigInt(parts[1]!)
      const account = sequencer.account(accountIndex)
      if (account === undefined) return json(response, 404, new AccountNotFoundError(accountIndex).toJSON())
      return json(response, 200, {
        accountIndex,
        seq: streamSeqs.get(`account:${accountIndex}`) ?? 0n,
        appliedSeq: sequencer.lastSeq,
        collateral: account.collateral,
        mode: account.mode,
        positions: account.positions,
        openOrders: sequencer.liveOrdersOf(accountIndex).map(({ order, remaining }) => ({
          market: order.market,
          storageId: order.storageId,
          side: order.isBuy ? 'buy' : 'sell',
          limitPrice: order.limitPrice,
          size: order.size,
          remaining,
          reduceOnly: order.reduceOnly,
          expiry: order.expiry,
        })),
      })
    }
    return json(response, 404, new NotFoundError(url.pathname).toJSON())
  }

  const server = createServer((request, response) => {
    handleHttp(request, response).catch((error: unknown) => {
      warn(`zkperp gateway: HTTP error: ${String(error)}`)
      if (!response.headersSent) json(response, 500, { code: 'INTERNAL', message: 'internal error' })
    })
  })
  const wss = new WebSocketServer({ server, maxPayload: maxPayload })
  let nextConnectionId = 1
  wss.on('connection', (socket) => {
    const connection: Connection = { socket, id: nextConnectionId++, streams: new Set() }
    socket.on('message', (data: Buffer) => {
      void handleMessage(connection, data)
    })
    socket.on('error', () => socket.terminate())
    socket.on('close', () => {
      for (const stream of connection.streams) subscribers.get(stream)?.delete(connection)
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const host = options.host ?? '127.0.0.1'

  let closed = false
  return {
    url: `ws://${host}:${port}`,
    httpUrl: `http://${host}:${port}`,
    port,
    address,
    sequencer,
    log,
    async submit(input) {
      const result = await sequence(input, fieldToBytes32(0n))
      return result
    },
    stageTotals: () => ({ ...totals }),
    signatureStats: () => ({ ...verifier.stats }),
    ackStats: () => ({ ...ackSigner.stats }),
    async close() {
      if (closed) return
      closed = true
      for (const client of wss.clients) client.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await verifier.close()
      await log.close()
    },
  }
}
