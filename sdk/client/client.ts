/**
 * The trader client: one WebSocket to the gateway for requests and streams, HTTP for snapshots.
 *
 *   const client = await ZkPerpClient.connect({ url, httpUrl, domain })
 *   const result = await client.placeOrder({ order: signOrder(order, privateKey, domain), clientOrderId: 'a1' })
 *   if (result.ok) result.ack.seq
 *   await client.subscribe('book:0', (update) => …)   // contiguous seq checked; a gap triggers an HTTP resync
 *   const withdrawal = await client.withdraw({ accountIndex, amount, to, storageId, validUntil, privateKey })
 *   spendOutcome(withdrawal)                          // { accepted: true, event } or { accepted: false, error }
 *
 * Requests resolve with `{ ok: true, ack, events }` or `{ ok: false, error: { code, message, details } }`: a
 * rejection is an answer, not an exception. Transport failures (closed socket, timeout) reject the promise.
 *
 * A withdraw or transfer that reaches the log is acked like an order, and the core's verdict is in the ack's events
 * (`withdrawAccepted` / `withdrawRejected`, `transferAccepted` / `transferRejected`); `spendOutcome` reads it.
 */
import WebSocket from 'ws'
import { BaseError } from '../errors.ts'
import { signOrder, signTransfer, signWithdraw } from '../protocol/signing.ts'
import type { Domain, Order, SignedOrder, TransferMessage, TransferTx, WithdrawMessage, WithdrawTx } from '../protocol/types.ts'
import { signPoseidon } from '../crypto/eddsa.ts'
import {
  cancelHash,
  orderToWire,
  recoverAckSigner,
  signatureToWire,
  transferToWire,
  withdrawToWire,
  type Ack,
  type CancelMessage,
  type OrderOptions,
} from './messages.ts'

export type WireError = { code: string; message: string; details: Record<string, unknown> }

/** Whether a withdraw or transfer was taken: the gateway's rejection, or the core's verdict from the ack's events. */
export type SpendOutcome = { accepted: true; event: Record<string, unknown> } | { accepted: false; error: WireError }

export type RequestResult =
  | { ok: true; ack: Ack; events: Record<string, unknown>[]; duplicate: boolean }
  | { ok: false; error: WireError }

/** What a stream handler receives: an event in order, or (after a gap or on subscribe) a fresh snapshot. */
export type StreamUpdate =
  | { type: 'event'; stream: string; seq: bigint; data: Record<string, unknown> }
  | { type: 'snapshot'; stream: string; seq: bigint; data: Record<string, unknown> }

export type ZkPerpClientParameters = {
  /** ws://host:port */
  url: string
  /** http://host:port (default: derived from url). */
  httpUrl?: string
  domain: Domain
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number
}

export class ClientTransportError extends BaseError {
  static readonly code = 'CLIENT_TRANSPORT' as const
  override readonly name = 'Client.TransportError'
  constructor(reason: string, cause?: unknown) {
    super(ClientTransportError.code, `gateway transport: ${reason}`, { details: { reason }, cause })
  }
}

type Pending = { resolve: (reply: Record<string, unknown>) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }

type Subscription = { handler: (update: StreamUpdate) => void; lastSeq: bigint; resyncing: boolean; buffered: StreamUpdate[] }

export class ZkPerpClient {
  readonly domain: Domain
  readonly httpUrl: string
  readonly #socket: WebSocket
  readonly #timeoutMs: number
  readonly #pending = new Map<string, Pending>()
  readonly #subscriptions = new Map<string, Subscription>()
  #nextId = 1
  /** Gaps detected on streams (each triggered a resync). */
  gaps = 0

  private constructor(socket: WebSocket, parameters: ZkPerpClientParameters) {
    this.#socket = socket
    this.domain = parameters.domain
    this.httpUrl = parameters.httpUrl ?? parameters.url.replace(/^ws/, 'http')
    this.#timeoutMs = parameters.timeoutMs ?? 10_000
    socket.on('message', (data: Buffer) => this.#onMessage(data))
    socket.on('close', () => {
      for (const pending of this.#pending.values()) {
        clearTimeout(pending.timer)
        pending.reject(new ClientTransportError('connection closed'))
      }
      this.#pending.clear()
    })
  }

  static connect(parameters: ZkPerpClientParameters): Promise<ZkPerpClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(parameters.url)
      socket.once('open', () => resolve(new ZkPerpClient(socket, parameters)))
      socket.once('error', (error) => reject(new ClientTransportError('connect failed', error)))
    })
  }

  /** Raw access for tests: send any text frame. */
  sendRaw(text: string | Buffer): void {
    this.#socket.send(text)
  }

  get socket(): WebSocket {
    return this.#socket
  }

  #onMessage(data: Buffer): void {
    const message = JSON.parse(data.toString('utf8')) as Record<string, unknown>
    if (message.type === 'event') {
      this.#onEvent({ type: 'event', stream: message.stream as string, seq: BigInt(message.seq as string), data: message.data as Record<string, unknown> })
      return
    }
    const id = message.id
    if (typeof id !== 'string') return
    const pending = this.#pending.get(id)
    if (pending === undefined) return
    this.#pending.delete(id)
    clearTimeout(pending.timer)
    pending.resolve(message)
  }

  /** Send a message with a fresh request id; resolves with the server's reply to it. */
  request(message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = `r${this.#nextId++}`
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new ClientTransportError('request timed out'))
      }, this.#timeoutMs)
      this.#pending.set(id, { resolve, reject, timer })
      this.#socket.send(JSON.stringify({ ...message, id }))
    })
  }

  static #result(reply: Record<string, unknown>): RequestResult {
    if (reply.type === 'ack') {
      return { ok: true, ack: reply.ack as Ack, events: (reply.events as Record<string, unknown>[]) ?? [], duplicate: reply.duplicate === true }
    }
    return { ok: false, error: reply.error as WireError }
  }

  async placeOrder(parameters: { order: SignedOrder } & OrderOptions): Promise<RequestResult> {
    const { order, ...options } = parameters
    const message: Record<string, unknown> = { type: 'order', order: orderToWire(order) }
    for (const [key, value] of Object.entries(options)) if (value !== undefined) message[key] = value
    return ZkPerpClient.#result(await this.request(message))
  }

  /** Sign with the L2 key and place. */
  signAndPlace(parameters: { order: Order; privateKey: Uint8Array } & OrderOptions): Promise<RequestResult> {
    const { order, privateKey, ...options } = parameters
    return this.placeOrder({ order: signOrder(order, privateKey, this.domain), ...options })
  }

  /** Send a signed withdrawal (docs/protocol.md §5.3) as it is: the same signed message executes at most once. */
  async sendWithdraw(withdraw: WithdrawTx): Promise<RequestResult> {
    return ZkPerpClient.#result(await this.request({ type: 'withdraw', withdraw: withdrawToWire(withdraw) }))
  }

  /** Sign a withdrawal with the L2 key and send it; `to` is the L1 address credited once the batch is proven. */
  withdraw(parameters: WithdrawMessage & { privateKey: Uint8Array }): Promise<RequestResult> {
    const { privateKey, ...message } = parameters
    return this.sendWithdraw(signWithdraw(message, privateKey, this.domain))
  }

  /** Send a signed transfer between two accounts of one owner (§5.4) as it is. */
  async sendTransfer(transfer: TransferTx): Promise<RequestResult> {
    return ZkPerpClient.#result(await this.request({ type: 'transfer', transfer: transferToWire(transfer) }))
  }

  /** Sign a transfer with the source account's L2 key and send it. */
  transfer(parameters: TransferMessage & { privateKey: Uint8Array }): Promise<RequestResult> {
    const { privateKey, ...message } = parameters
    return this.sendTransfer(signTransfer(message, privateKey, this.domain))
  }

  async cancelOrder(parameters: CancelMessage & { privateKey: Uint8Array }): Promise<RequestResult> {
    const { privateKey, ...cancel } = parameters
    const signature = signPoseidon(privateKey, cancelHash(cancel, this.domain))
    const reply = await this.request({
      type: 'cancel',
      accountIndex: cancel.accountIndex.toString(),
      market: cancel.market,
      storageId: cancel.storageId.toString(),
      signature: signatureToWire(signature),
    })
    return ZkPerpClient.#result(reply)
  }

  /**
   * True when the ack's group signature recovers to `sequencerAddress` (case-insensitive) through the ack's own
   * leaf and Merkle proof; false for any other signer, a tampered field or proof, or a malformed ack.
   */
  async verifyAck(ack: Ack, sequencerAddress: string): Promise<boolean> {
    if (!Array.isArray(ack.proof) || !ack.proof.every((node) => /^0x[0-9a-fA-F]{64}$/.test(node))) return false
    try {
      return (await recoverAckSigner(ack, this.domain)).toLowerCase() === sequencerAddress.toLowerCase()
    } catch {
      return false
    }
  }

  async #get(path: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${this.httpUrl}${path}`)
    const body = (await response.json()) as Record<string, unknown>
    if (!response.ok) throw new ClientTransportError(`GET ${path} → ${response.status}`, body)
    return body
  }

  getMarkets(): Promise<Record<string, unknown>> {
    return this.#get('/markets')
  }

  getBook(market: number): Promise<Record<string, unknown>> {
    return this.#get(`/book/${market}`)
  }

  getAccount(accountIndex: bigint): Promise<Record<string, unknown>> {
    return this.#get(`/account/${accountIndex}`)
  }

  health(): Promise<Record<string, unknown>> {
    return this.#get('/health')
  }

  /**
   * Subscribe to `book:<m>`, `trades:<m>` or `account:<i>`. Book and account streams start with an HTTP snapshot;
   * every event must carry the next seq, and a gap fetches a fresh snapshot (resync) before events continue.
   */
  async subscribe(stream: string, handler: (update: StreamUpdate) => void): Promise<void> {
    const subscription: Subscription = { handler, lastSeq: 0n, resyncing: true, buffered: [] }
    this.#subscriptions.set(stream, subscription)
    const reply = await this.request({ type: 'subscribe', stream })
    if (reply.type !== 'subscribed') {
      this.#subscriptions.delete(stream)
      throw new ClientTransportError(`subscribe ${stream} refused`, reply.error)
    }
    subscription.lastSeq = BigInt(reply.seq as string)
    await this.resync(stream)
  }

  async unsubscribe(stream: string): Promise<void> {
    this.#subscriptions.delete(stream)
    await this.request({ type: 'unsubscribe', stream })
  }

  /** Fetch the stream's HTTP snapshot (book or account), hand it over, then replay buffered events after it. */
  async resync(stream: string): Promise<void> {
    const subscription = this.#subscriptions.get(stream)
    if (subscription === undefined) return
    subscription.resyncing = true
    const [kind, index] = stream.split(':') as [string, string]
    if (kind === 'book' || kind === 'account') {
      const snapshot = await this.#get(kind === 'book' ? `/book/${index}` : `/account/${index}`)
      const seq = BigInt(snapshot.seq as string)
      subscription.lastSeq = seq
      subscription.handler({ type: 'snapshot', stream, seq, data: snapshot })
    }
    subscription.resyncing = false
    const buffered = subscription.buffered.splice(0)
    for (const update of buffered) this.#onEvent(update)
  }

  #onEvent(update: StreamUpdate): void {
    const subscription = this.#subscriptions.get(update.stream)
    if (subscription === undefined) return
    if (subscription.resyncing) {
      subscription.buffered.push(update)
      return
    }
    if (update.seq <= subscription.lastSeq) return
    if (update.seq !== subscription.lastSeq + 1n) {
      this.gaps++
      subscription.buffered.push(update)
      void this.resync(update.stream)
      return
    }
    subscription.lastSeq = update.seq
    subscription.handler(update)
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#socket.readyState === WebSocket.CLOSED) return resolve()
      this.#socket.once('close', () => resolve())
      this.#socket.close()
    })
  }
}

const SPEND_ACCEPTED = new Set(['withdrawAccepted', 'transferAccepted'])
const SPEND_REJECTED = new Set(['withdrawRejected', 'transferRejected'])

/**
 * The outcome of `withdraw`/`transfer`: the gateway's rejection as is, else the core's verdict in the ack's events.
 * An ack without a verdict event is a transport-level surprise (another message kind was answered).
 */
export function spendOutcome(result: RequestResult): SpendOutcome {
  if (!result.ok) return { accepted: false, error: result.error }
  for (const event of result.events) {
    if (SPEND_ACCEPTED.has(event.type as string)) return { accepted: true, event }
    if (SPEND_REJECTED.has(event.type as string)) {
      const { code, details } = event as { code: string; details: Record<string, unknown> }
      const kind = event.type === 'withdrawRejected' ? 'withdrawal' : 'transfer'
      return { accepted: false, error: { code, message: `the sequencer refused the ${kind}`, details } }
    }
  }
  throw new ClientTransportError('the ack carries no withdraw or transfer verdict', result.events)
}
