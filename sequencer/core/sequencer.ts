/**
 * The deterministic sequencer core: log input → matching engine → position manager → trade txs.
 *
 * `Sequencer.apply({ seq, hash, input })` takes what the input log recorded, in log order, and returns the events it
 * caused. It reads no clock (time is the one the gateway stamped into the payload), no randomness and no floats,
 * and iterates no hash-ordered structure where order matters, so replaying the same log from the same start gives
 * byte-identical events and state (`serializeSequencerEvents`, `snapshot()`).
 *
 * Position manager. Balances and positions live in plain memory as the sdk `ExchangeState`. Every fill the engine
 * is about to emit goes through the engine's `canFill` hook, which builds the `TradeTx` (both signed orders, the
 * maker's price, the size) and runs the sdk's own `prepareTx` on it: signatures aside (the gateway verified them),
 * every §5.2 rule — slots, limits, expiry, oracle freshness, isolated mode, reduce-only, open-interest cap, margin
 * after fees — is judged by the same code the circuit mirrors. Only an admitted fill is emitted; its prepared effect
 * is then committed, so every emitted fill is a provable trade tx. Refused fills cancel the side at fault.
 *
 * At entry a (non-reduce-only) order must also pass a worst-case check with the sdk's fill helpers: its whole size
 * filled at its limit price (taker fee) must leave the account within initial margin, with a fresh oracle and in
 * a market its margin mode allows. That keeps orders that could never fill out of the book; it is not cumulative
 * over the account's other open orders (each fill is still checked exactly when it happens).
 *
 * Replay protection: an account's storage ids must strictly increase within each order slot (§2.3) over every order
 * the sequencer ever accepted, filled or not, so a signed order executes at most once however often it is sent.
 * A higher id in a slot that holds a live order cancels that order first (cancel-by-overwrite, as on L2).
 *
 * Risk actions (input kind `liquidation`: a tiered liquidation, a backstop takeover or an ADL step, built by the
 * keeper) go through the sdk's `applyTx` like oracle and funding updates. A liquidation closes the position against
 * a resting maker order: the order must be live exactly as it was accepted (signed fields and signature, so the
 * gateway's signature check still stands) with at least the liquidation size left; the accepted liquidation takes
 * that size off the resting order in place (time priority kept) and emits `liquidationFill`.
 *
 * Withdraws and transfers (input kinds `withdraw`, `transfer`: signed by the account's L2 key) are judged by the sdk's
 * `prepareTx` in full, signature included (`prepareSpend.ts`): they move money out of an account, they are rare next
 * to orders, and a bad one queued here would pause the batcher. They share the order slots with orders: a spend's
 * storage id must be above every id the core accepted in its slot (STORAGE_ID_USED otherwise), it becomes the slot's
 * highest id, and a resting order in that slot is cancelled (cancel-by-overwrite: it could never fill on L2 again).
 * A rejected spend consumes nothing, as in the state machine.
 */
import { hash as nodeHash } from 'node:crypto'
import type { BaseError } from '../../sdk/errors.ts'
import { assertStorageId, assertTimestamp } from '../../sdk/protocol/bounds.ts'
import { ValueOutOfRangeError } from '../../sdk/protocol/errors.ts'
import type { Account, Genesis, SignedOrder, TradeTx, Tx } from '../../sdk/protocol/types.ts'
import { FIRST_USER_ACCOUNT_INDEX } from '../../sdk/protocol/types.ts'
import { applyTx, prepareTx } from '../../sdk/state/applyTx.ts'
import { AccountNotFoundError, SystemAccountError } from '../../sdk/state/errors.ts'
import { computeFee } from '../../sdk/state/fees.ts'
import { applyFillToAccount, requireIsolatedMarket, requireMarginAfterFill } from '../../sdk/state/fill.ts'
import { computeSlotIndex, readOrderSlot } from '../../sdk/state/orderSlots.ts'
import { Rejection } from '../../sdk/state/rejection.ts'
import { createGenesisState, type ExchangeState } from '../../sdk/state/state.ts'
import { requireFreshOracle, settleAccount } from '../../sdk/state/touch.ts'
import { commitTxEffect, type TxContext, type TxEffect } from '../../sdk/state/txEffect.ts'
import type { MatchingError } from '../matching/errors.ts'
import { MatchingEngine } from '../matching/matchingEngine.ts'
import type { BookSnapshot, CancelReason, FillAdmission, MatchingEventSink, OrderRequest, Side } from '../matching/types.ts'
import { parseCanonical, stringifyCanonical } from './canonicalJson.ts'
import {
  ClientOrderIdReusedError,
  FillNotProvableError,
  LiquidationMakerNotLiveError,
  OrderNotLiveError,
  SequenceOutOfOrderError,
  SequencerSnapshotInvalidError,
  StorageIdNotFreshError,
  UnknownMarketError,
} from './errors.ts'
import type { CancelInput, LiquidationInput, OrderInput, SequencerInput, TransferInput, WithdrawInput } from './inputCodec.ts'
import { inputToJson, isPriorityInput } from './inputCodec.ts'
import { prepareSpend, spendSourceIndex } from './prepareSpend.ts'

export type SequencerEvent =
  | { type: 'orderAccepted'; accountIndex: bigint; market: number; storageId: bigint; side: Side; price: bigint | undefined; size: bigint }
  | { type: 'orderRested'; accountIndex: bigint; market: number; storageId: bigint; side: Side; price: bigint; remaining: bigint }
  | { type: 'orderCancelled'; accountIndex: bigint; market: number; storageId: bigint; remaining: bigint; reason: CancelReason }
  | { type: 'orderRejected'; accountIndex: bigint; market: number; storageId: bigint; code: string; details: Readonly<Record<string, unknown>> }
  | {
      type: 'fill'
      market: number
      takerIndex: bigint
      takerStorageId: bigint
      makerIndex: bigint
      makerStorageId: bigint
      takerIsBuy: boolean
      price: bigint
      size: bigint
      takerFee: bigint
      makerFee: bigint
    }
  /** The pre-trade check refused a fill; the side at fault is cancelled (`orderCancelled`, reason `notAdmitted`). */
  | { type: 'fillRefused'; market: number; takerIndex: bigint; makerIndex: bigint; price: bigint; size: bigint; code: string; details: Readonly<Record<string, unknown>> }
  | { type: 'txApplied'; txType: Tx['type'] }
  /** A liquidation closed `size` of the account's position against the maker's resting order, now `makerRemaining`. */
  | {
      type: 'liquidationFill'
      market: number
      accountIndex: bigint
      makerIndex: bigint
      makerStorageId: bigint
      price: bigint
      size: bigint
      full: boolean
      penalty: bigint
      makerFee: bigint
      makerRemaining: bigint
    }
  | { type: 'txRejected'; txType: Tx['type']; code: string; details: Readonly<Record<string, unknown>> }
  /** A signed withdrawal was taken from the account, whose collateral (funding settled) is now `collateral`. */
  | { type: 'withdrawAccepted'; accountIndex: bigint; storageId: bigint; amount: bigint; to: bigint; collateral: bigint }
  | { type: 'withdrawRejected'; accountIndex: bigint; storageId: bigint; amount: bigint; to: bigint; code: string; details: Readonly<Record<string, unknown>> }
  /** A signed transfer moved `amount` between the two accounts (`created`: the target is a new account). */
  | {
      type: 'transferAccepted'
      fromIndex: bigint
      toIndex: bigint
      storageId: bigint
      amount: bigint
      targetMode: number
      created: boolean
      fromCollateral: bigint
      toCollateral: bigint
    }
  | { type: 'transferRejected'; fromIndex: bigint; toIndex: bigint; storageId: bigint; amount: bigint; code: string; details: Readonly<Record<string, unknown>> }

/** One logged input: its log sequence number and record hash (the chain head after it), and the decoded input. */
export type LoggedInput = { readonly seq: bigint; readonly hash: Uint8Array; readonly input: SequencerInput }

export type ApplyReturnType = { readonly seq: bigint; readonly events: readonly SequencerEvent[] }

/** A tx the state machine accepted, in order, for the batcher. `time` is the T it was checked against. */
export type QueuedTx = { readonly seq: bigint; readonly time: bigint; readonly tx: Tx }

/** What the core remembers of an order that carried a client order id: enough to re-issue its first ack. */
export type ClientOrderRecord = { readonly bodyDigest: string; readonly seq: bigint; readonly hash: string; readonly time: bigint }

/** A resting order: the signed order the trade tx will carry, and what is left of it. */
type LiveOrder = { readonly order: SignedOrder; remaining: bigint }

export type SequencerParameters = { readonly genesis: Genesis }

const SNAPSHOT_VERSION = 2

function liveKey(accountIndex: bigint, storageId: bigint): string {
  return `${accountIndex}:${storageId}`
}

function makerQueueKey(market: number, account: number, isBuy: boolean, price: bigint): string {
  return `${market}:${account}:${isBuy ? 'b' : 's'}:${price}`
}

/** sha256 (hex) of the canonical order input without its time: equal exactly when two requests ask the same thing. */
export function orderBodyDigest(input: OrderInput): string {
  const json = inputToJson({ ...input, time: 0n })
  return nodeHash('sha256', JSON.stringify(json), 'hex')
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

function errorDetails(error: BaseError): { code: string; details: Readonly<Record<string, unknown>> } {
  return { code: error.code, details: error.details }
}

function isSameSignedOrder(a: SignedOrder, b: SignedOrder): boolean {
  return (
    a.accountIndex === b.accountIndex &&
    a.market === b.market &&
    a.isBuy === b.isBuy &&
    a.reduceOnly === b.reduceOnly &&
    a.size === b.size &&
    a.limitPrice === b.limitPrice &&
    a.storageId === b.storageId &&
    a.expiry === b.expiry &&
    a.signature.R8.x === b.signature.R8.x &&
    a.signature.R8.y === b.signature.R8.y &&
    a.signature.S === b.signature.S
  )
}

/** Run sdk checks that `reject(...)`; return the typed error instead of throwing it. */
function check(run: () => void): BaseError | undefined {
  try {
    run()
    return undefined
  } catch (thrown) {
    if (thrown instanceof Rejection) return thrown.error
    if (thrown instanceof ValueOutOfRangeError) return thrown
    throw thrown
  }
}

export class Sequencer {
  readonly genesis: Genesis
  #state: ExchangeState
  readonly #engines: MatchingEngine[]
  readonly #live = new Map<string, LiveOrder>()
  /** Per (market, maker account, side, price): storage ids of its resting orders in time priority. */
  readonly #makerQueues = new Map<string, bigint[]>()
  /** Highest storage id accepted per (account, slot): every accepted order (filled or not) and accepted spend. */
  readonly #slotHigh = new Map<string, bigint>()
  readonly #clientOrders = new Map<string, ClientOrderRecord>()
  #txs: QueuedTx[] = []
  #lastSeq = 0n
  #lastHash = ''
  /** Inputs from ZkPerp's L1 priority queue applied so far (each queued op is one input, accepted or not). */
  #priorityInputs = 0n

  // Per-input scratch (the engine calls back synchronously).
  #events: SequencerEvent[] = []
  #time = 0n
  #seq = 0n
  #taker: SignedOrder | undefined
  #prepared: { tx: TradeTx; effect: TxEffect } | undefined

  constructor({ genesis }: SequencerParameters) {
    this.genesis = genesis
    this.#state = createGenesisState(genesis)
    this.#engines = genesis.markets.map((market, index) => this.#createEngine(index, market.metadata.tickSize))
  }

  #createEngine(market: number, tickSize: bigint): MatchingEngine {
    const sink = this.#sink(market)
    return new MatchingEngine({
      market,
      tickSize,
      sink,
      positionOf: (account, m) => this.#state.accounts.get(BigInt(account))?.positions[m]?.size ?? 0n,
      canFill: (takerAccount, makerAccount, price, size, takerSide) =>
        this.#canFill(market, takerAccount, makerAccount, price, size, takerSide),
    })
  }

  // ─── Queries ───────────────────────────────────────────────────────────────────────────────────────────────

  /** The live state. Read-only for callers: mutate it and replay stops being deterministic. */
  get state(): ExchangeState {
    return this.#state
  }

  /** Seq of the last applied input (0n before any). */
  get lastSeq(): bigint {
    return this.#lastSeq
  }

  /**
   * Number of L1 priority ops (deposits, forced withdrawals) in the log: the priority index of the next op the
   * chain watcher must deliver, when every such input came from L1 in queue order.
   */
  get priorityInputs(): bigint {
    return this.#priorityInputs
  }

  /** The engine of a market (book queries: depth, best bid/ask, getOrder). */
  engine(market: number): MatchingEngine {
    const engine = this.#engines[market]
    if (engine === undefined) throw new UnknownMarketError(market, this.#engines.length)
    return engine
  }

  get marketCount(): number {
    return this.#engines.length
  }

  account(accountIndex: bigint): Account | undefined {
    return this.#state.accounts.get(accountIndex)
  }

  /** The resting signed order (account, storageId) and its remaining size, if live. */
  liveOrder(accountIndex: bigint, storageId: bigint): { order: SignedOrder; remaining: bigint } | undefined {
    const live = this.#live.get(liveKey(accountIndex, storageId))
    return live === undefined ? undefined : { order: live.order, remaining: live.remaining }
  }

  /** Every live order of an account, by storage id. */
  liveOrdersOf(accountIndex: bigint): { order: SignedOrder; remaining: bigint }[] {
    const out: { order: SignedOrder; remaining: bigint }[] = []
    for (const live of this.#live.values()) {
      if (live.order.accountIndex === accountIndex) out.push({ order: live.order, remaining: live.remaining })
    }
    return out.sort((a, b) => (a.order.storageId < b.order.storageId ? -1 : 1))
  }

  /** Highest storage id used in the order's slot (orders accepted here, or the L2 slot itself). */
  highestStorageId(accountIndex: bigint, storageId: bigint): bigint {
    const slotIndex = computeSlotIndex(storageId, this.#state.sizes.orderDepth)
    const used = this.#slotHigh.get(`${accountIndex}:${slotIndex}`) ?? 0n
    const account = this.#state.accounts.get(accountIndex)
    const onL2 = account === undefined ? 0n : readOrderSlot(account, slotIndex).storageId
    return used > onL2 ? used : onL2
  }

  /** Whether this storage id would be fresh for a new order of the account. */
  isStorageIdFresh(accountIndex: bigint, storageId: bigint): boolean {
    const account = this.#state.accounts.get(accountIndex)
    if (account === undefined) return true
    const slotIndex = computeSlotIndex(storageId, this.#state.sizes.orderDepth)
    const used = this.#slotHigh.get(`${accountIndex}:${slotIndex}`)
    if (used !== undefined && storageId <= used) return false
    const onL2 = readOrderSlot(account, slotIndex).storageId
    // Storage id 0 is the empty slot's id: never fresh.
    return storageId > onL2
  }

  clientOrder(accountIndex: bigint, clientOrderId: string): ClientOrderRecord | undefined {
    return this.#clientOrders.get(`${accountIndex}:${clientOrderId}`)
  }

  /** Accepted txs not yet taken by the batcher, in order; the queue is emptied. */
  drainTxs(): QueuedTx[] {
    const txs = this.#txs
    this.#txs = []
    return txs
  }

  /** Accepted txs not yet drained (not emptied). */
  pendingTxs(): readonly QueuedTx[] {
    return this.#txs
  }

  // ─── Apply ─────────────────────────────────────────────────────────────────────────────────────────────────

  /** Apply the next logged input. `seq` must be `lastSeq + 1`. */
  apply(logged: LoggedInput): ApplyReturnType {
    if (logged.seq !== this.#lastSeq + 1n) throw new SequenceOutOfOrderError(this.#lastSeq + 1n, logged.seq)
    const { input } = logged
    this.#events = []
    this.#time = input.time
    this.#seq = logged.seq
    // Orders past their expiry leave every book before anything else happens at this time.
    for (const engine of this.#engines) engine.expire(input.time)
    switch (input.kind) {
      case 'order':
        this.#applyOrder(input, logged)
        break
      case 'cancel':
        this.#applyCancel(input)
        break
      case 'oraclePrice':
      case 'deposit':
      case 'fundingUpdate':
      case 'forcedWithdrawal':
        this.#applyStateTx(input.tx, input.time)
        break
      case 'liquidation':
        this.#applyRiskTx(input)
        break
      case 'withdraw':
      case 'transfer':
        this.#applySpend(input)
        break
    }
    if (isPriorityInput(input)) this.#priorityInputs++
    this.#lastSeq = logged.seq
    this.#lastHash = toHex(logged.hash)
    const events = this.#events
    this.#events = []
    return { seq: logged.seq, events }
  }

  #context(time: bigint): TxContext {
    return { batchTimestamp: time, domain: this.genesis.domain, signaturesVerified: true }
  }

  #reject(order: SignedOrder, error: BaseError): void {
    this.#events.push({
      type: 'orderRejected',
      accountIndex: order.accountIndex,
      market: order.market,
      storageId: order.storageId,
      ...errorDetails(error),
    })
  }

  #applyOrder(input: OrderInput, logged: LoggedInput): void {
    const { order } = input
    const state = this.#state
    if (!Number.isInteger(order.market) || order.market < 0 || order.market >= this.#engines.length) {
      return this.#reject(order, new UnknownMarketError(order.market, this.#engines.length))
    }
    const bounds = check(() => {
      assertStorageId(order.storageId, 'storage id')
      assertTimestamp(order.expiry, 'expiry')
    })
    if (bounds !== undefined) return this.#reject(order, bounds)
    const account = state.accounts.get(order.accountIndex)
    if (account === undefined) return this.#reject(order, new AccountNotFoundError(order.accountIndex))
    if (order.accountIndex < FIRST_USER_ACCOUNT_INDEX) return this.#reject(order, new SystemAccountError(order.accountIndex, 'trade'))

    if (input.clientOrderId !== undefined) {
      const key = `${order.accountIndex}:${input.clientOrderId}`
      const first = this.#clientOrders.get(key)
      if (first !== undefined) return this.#reject(order, new ClientOrderIdReusedError(order.accountIndex, input.clientOrderId, first.seq))
      this.#clientOrders.set(key, { bodyDigest: orderBodyDigest(input), seq: logged.seq, hash: toHex(logged.hash), time: input.time })
    }

    if (!this.isStorageIdFresh(order.accountIndex, order.storageId)) {
      return this.#reject(order, new StorageIdNotFreshError(order.accountIndex, order.storageId, this.highestStorageId(order.accountIndex, order.storageId)))
    }
    const slotIndex = computeSlotIndex(order.storageId, state.sizes.orderDepth)
    const slotKey = `${order.accountIndex}:${slotIndex}`
    const previous = this.#slotHigh.get(slotKey)
    this.#slotHigh.set(slotKey, order.storageId)
    // Cancel-by-overwrite: the older order in this slot could never fill on L2 once this one does.
    if (previous !== undefined) {
      const replaced = this.#live.get(liveKey(order.accountIndex, previous))
      if (replaced !== undefined) this.#engines[replaced.order.market]!.cancel(Number(order.accountIndex), previous)
    }

    if (!order.reduceOnly) {
      const entry = this.#entryCheck(account, order, input.time)
      if (entry !== undefined) return this.#reject(order, entry)
    }

    const request: OrderRequest =
      input.orderType === 'market'
        ? {
            type: 'market',
            account: Number(order.accountIndex),
            orderId: order.storageId,
            side: order.isBuy ? 'buy' : 'sell',
            size: order.size,
            reduceOnly: order.reduceOnly,
            selfTradePrevention: input.selfTradePrevention,
            expiresAt: order.expiry,
            protectionPrice: order.limitPrice,
          }
        : {
            type: 'limit',
            account: Number(order.accountIndex),
            orderId: order.storageId,
            side: order.isBuy ? 'buy' : 'sell',
            size: order.size,
            price: order.limitPrice,
            reduceOnly: order.reduceOnly,
            selfTradePrevention: input.selfTradePrevention,
            expiresAt: order.expiry,
            timeInForce: input.timeInForce,
            postOnly: input.postOnly,
          }
    this.#taker = order
    try {
      this.#engines[order.market]!.submit(request, input.time)
    } finally {
      this.#taker = undefined
      this.#prepared = undefined
    }
  }

  /** Worst case at entry: the whole order filled at its limit (taker fee), with the sdk's fill and margin rules. */
  #entryCheck(account: Account, order: SignedOrder, time: bigint): BaseError | undefined {
    const state = this.#state
    const market = order.market
    return check(() => {
      requireFreshOracle(state, market, time)
      requireIsolatedMarket(order.accountIndex, account, market)
      const settled = settleAccount(account, order.accountIndex, state.markets, [])
      const oldSize = settled.positions[market]!.size
      const fee = computeFee(order.size, order.limitPrice, state.markets[market]!.parameters.takerFeeBps)
      const after = applyFillToAccount(settled, market, order.isBuy, order.size, order.limitPrice, fee)
      requireMarginAfterFill(order.accountIndex, oldSize, after, market, state.markets)
    })
  }

  #applyCancel(input: CancelInput): void {
    const live = this.#live.get(liveKey(input.accountIndex, input.storageId))
    if (live === undefined || live.order.market !== input.market) {
      this.#events.push({
        type: 'orderRejected',
        accountIndex: input.accountIndex,
        market: input.market,
        storageId: input.storageId,
        ...errorDetails(new OrderNotLiveError(input.accountIndex, input.storageId)),
      })
      return
    }
    this.#engines[input.market]!.cancel(Number(input.accountIndex), input.storageId)
  }

  #applyStateTx(tx: Tx, time: bigint): void {
    const result = applyTx(this.#state, tx, this.#context(time))
    if (!result.accepted) {
      this.#events.push({ type: 'txRejected', txType: tx.type, ...errorDetails(result.error) })
      return
    }
    this.#txs.push({ seq: this.#seq, time, tx })
    this.#events.push({ type: 'txApplied', txType: tx.type })
  }

  #applySpend(input: WithdrawInput | TransferInput): void {
    const { tx, time } = input
    const accountIndex = spendSourceIndex(tx)
    const slotKey = `${accountIndex}:${computeSlotIndex(tx.storageId, this.#state.sizes.orderDepth)}`
    const previous = this.#slotHigh.get(slotKey)
    // No `signaturesVerified`: the state machine checks the signature itself (see the header).
    const context: TxContext = { batchTimestamp: time, domain: this.genesis.domain }
    const prepared = prepareSpend({ state: this.#state, tx, context, highestAccepted: previous })
    if (!prepared.accepted) {
      const { code, details } = errorDetails(prepared.error)
      this.#events.push(
        tx.type === 'withdraw'
          ? { type: 'withdrawRejected', accountIndex, storageId: tx.storageId, amount: tx.amount, to: tx.to, code, details }
          : { type: 'transferRejected', fromIndex: accountIndex, toIndex: tx.toIndex, storageId: tx.storageId, amount: tx.amount, code, details },
      )
      return
    }
    this.#slotHigh.set(slotKey, tx.storageId)
    if (previous !== undefined) {
      const replaced = this.#live.get(liveKey(accountIndex, previous))
      if (replaced !== undefined) this.#engines[replaced.order.market]!.cancel(Number(accountIndex), previous)
    }
    commitTxEffect(this.#state, prepared.effect)
    this.#txs.push({ seq: this.#seq, time, tx })
    const collateralOf = (index: bigint) => this.#state.accounts.get(index)!.collateral
    if (tx.type === 'withdraw') {
      this.#events.push({ type: 'withdrawAccepted', accountIndex, storageId: tx.storageId, amount: tx.amount, to: tx.to, collateral: collateralOf(accountIndex) })
      return
    }
    const transferred = prepared.effect.events.find((event) => event.type === 'transferred')
    this.#events.push({
      type: 'transferAccepted',
      fromIndex: accountIndex,
      toIndex: tx.toIndex,
      storageId: tx.storageId,
      amount: tx.amount,
      targetMode: tx.targetMode,
      created: transferred?.type === 'transferred' && transferred.created,
      fromCollateral: collateralOf(accountIndex),
      toCollateral: collateralOf(tx.toIndex),
    })
  }

  #applyRiskTx(input: LiquidationInput): void {
    const { tx, time } = input
    if (tx.type !== 'liquidation') return this.#applyStateTx(tx, time)
    const { maker } = tx
    const market = maker.market
    const live = this.#live.get(liveKey(maker.accountIndex, maker.storageId))
    if (live === undefined || !isSameSignedOrder(live.order, maker) || live.remaining < tx.size || market !== tx.market) {
      const error = new LiquidationMakerNotLiveError(maker.accountIndex, maker.storageId, tx.size, live?.remaining)
      this.#events.push({ type: 'txRejected', txType: tx.type, ...errorDetails(error) })
      return
    }
    const result = applyTx(this.#state, tx, this.#context(time))
    if (!result.accepted) {
      this.#events.push({ type: 'txRejected', txType: tx.type, ...errorDetails(result.error) })
      return
    }
    this.#txs.push({ seq: this.#seq, time, tx })
    this.#events.push({ type: 'txApplied', txType: tx.type })
    const makerRemaining = this.#reduceResting(market, maker.accountIndex, maker.storageId, tx.size)
    const liquidated = result.events.find((event) => event.type === 'liquidated')
    this.#events.push({
      type: 'liquidationFill',
      market,
      accountIndex: tx.accountIndex,
      makerIndex: maker.accountIndex,
      makerStorageId: maker.storageId,
      price: tx.price,
      size: tx.size,
      full: tx.full,
      penalty: liquidated?.type === 'liquidated' ? liquidated.penalty : 0n,
      makerFee: liquidated?.type === 'liquidated' ? liquidated.makerFee : 0n,
      makerRemaining,
    })
  }

  /**
   * Take `size` lots off a live resting order without moving it in time priority: the engine has no in-place
   * reduce, so its book is rewritten through snapshot → edit → restore (O(book), liquidations are rare). An order
   * left empty leaves the book and the live set. Returns what remains.
   */
  #reduceResting(market: number, accountIndex: bigint, storageId: bigint, size: bigint): bigint {
    const engine = this.#engines[market]!
    const live = this.#live.get(liveKey(accountIndex, storageId))!
    const book = engine.snapshot()
    const account = Number(accountIndex)
    const isTarget = (order: { account: number; orderId: bigint }) => order.account === account && order.orderId === storageId
    const resting = book.orders.find(isTarget)
    if (resting === undefined || resting.remaining !== live.remaining) {
      throw new FillNotProvableError({ market, accountIndex, storageId, reason: 'liquidation maker differs between book and live set' })
    }
    const remaining = live.remaining - size
    const orders =
      remaining === 0n
        ? book.orders.filter((order) => !isTarget(order))
        : book.orders.map((order) => (isTarget(order) ? { ...order, remaining } : order))
    engine.restore({ ...book, orders })
    if (remaining === 0n) this.#removeLive(market, accountIndex, storageId)
    else live.remaining = remaining
    return remaining
  }

  // ─── Position manager: the engine's hook and sink ─────────────────────────────────────────────────────────

  #canFill(market: number, takerAccount: number, makerAccount: number, price: bigint, size: bigint, takerSide: Side): FillAdmission {
    const taker = this.#taker
    if (taker === undefined) throw new FillNotProvableError({ market, reason: 'fill outside an order input' })
    const queue = this.#makerQueues.get(makerQueueKey(market, makerAccount, takerSide !== 'buy', price))
    const makerLive = queue === undefined ? undefined : this.#live.get(liveKey(BigInt(makerAccount), queue[0]!))
    if (makerLive === undefined) {
      throw new FillNotProvableError({ market, makerAccount, price, reason: 'maker order unknown to the position manager' })
    }
    const tx: TradeTx = { type: 'trade', taker, maker: makerLive.order, size, price }
    const prepared = prepareTx(this.#state, tx, this.#context(this.#time))
    if (prepared.accepted) {
      this.#prepared = { tx, effect: prepared.effect }
      return 'admit'
    }
    const makerIndex = BigInt(makerAccount)
    this.#events.push({
      type: 'fillRefused',
      market,
      takerIndex: BigInt(takerAccount),
      makerIndex,
      price,
      size,
      ...errorDetails(prepared.error),
    })
    // The side named by the rejection is at fault; a rule about the market (oracle, open interest) stops the taker.
    return prepared.error.details.accountIndex === makerIndex ? 'rejectMaker' : 'rejectTaker'
  }

  #sink(market: number): MatchingEventSink {
    return {
      accepted: (account, orderId, side, price, size) => {
        this.#events.push({ type: 'orderAccepted', accountIndex: BigInt(account), market, storageId: orderId, side, price, size })
      },
      fill: (takerAccount, takerOrderId, makerAccount, makerOrderId, price, size, takerSide) => {
        const prepared = this.#prepared
        this.#prepared = undefined
        const makerIndex = BigInt(makerAccount)
        if (
          prepared === undefined ||
          prepared.tx.maker.accountIndex !== makerIndex ||
          prepared.tx.maker.storageId !== makerOrderId ||
          prepared.tx.size !== size ||
          prepared.tx.price !== price
        ) {
          throw new FillNotProvableError({ market, takerAccount, makerAccount, makerOrderId, price, size, reason: 'fill differs from the admitted one' })
        }
        commitTxEffect(this.#state, prepared.effect)
        this.#txs.push({ seq: this.#seq, time: this.#time, tx: prepared.tx })
        const maker = this.#live.get(liveKey(makerIndex, makerOrderId))!
        maker.remaining -= size
        if (maker.remaining === 0n) this.#removeLive(market, makerIndex, makerOrderId)
        const filled = prepared.effect.events.find((event) => event.type === 'filled')
        this.#events.push({
          type: 'fill',
          market,
          takerIndex: BigInt(takerAccount),
          takerStorageId: takerOrderId,
          makerIndex,
          makerStorageId: makerOrderId,
          takerIsBuy: takerSide === 'buy',
          price,
          size,
          takerFee: filled?.type === 'filled' ? filled.takerFee : 0n,
          makerFee: filled?.type === 'filled' ? filled.makerFee : 0n,
        })
      },
      rested: (account, orderId, side, price, remaining) => {
        const accountIndex = BigInt(account)
        const order = this.#taker
        if (order === undefined || order.accountIndex !== accountIndex || order.storageId !== orderId) {
          throw new FillNotProvableError({ market, account, orderId, reason: 'rested order is not the current taker' })
        }
        this.#addLive(market, order, remaining)
        this.#events.push({ type: 'orderRested', accountIndex, market, storageId: orderId, side, price, remaining })
      },
      cancelled: (account, orderId, remaining, reason) => {
        const accountIndex = BigInt(account)
        if (this.#live.has(liveKey(accountIndex, orderId))) this.#removeLive(market, accountIndex, orderId)
        this.#events.push({ type: 'orderCancelled', accountIndex, market, storageId: orderId, remaining, reason })
      },
      rejected: (account, orderId, error: MatchingError) => {
        this.#events.push({ type: 'orderRejected', accountIndex: BigInt(account), market, storageId: orderId, ...errorDetails(error) })
      },
    }
  }

  #addLive(market: number, order: SignedOrder, remaining: bigint): void {
    this.#live.set(liveKey(order.accountIndex, order.storageId), { order, remaining })
    const key = makerQueueKey(market, Number(order.accountIndex), order.isBuy, order.limitPrice)
    const queue = this.#makerQueues.get(key)
    if (queue === undefined) this.#makerQueues.set(key, [order.storageId])
    else queue.push(order.storageId)
  }

  #removeLive(market: number, accountIndex: bigint, storageId: bigint): void {
    const key = liveKey(accountIndex, storageId)
    const live = this.#live.get(key)
    if (live === undefined) return
    this.#live.delete(key)
    const queueKey = makerQueueKey(market, Number(accountIndex), live.order.isBuy, live.order.limitPrice)
    const queue = this.#makerQueues.get(queueKey)!
    const position = queue.indexOf(storageId)
    if (position >= 0) queue.splice(position, 1)
    if (queue.length === 0) this.#makerQueues.delete(queueKey)
  }

  // ─── Snapshot / restore ────────────────────────────────────────────────────────────────────────────────────

  /**
   * The whole core as canonical bytes: state (accounts sorted by index), books, live signed orders, used storage
   * ids, client order ids and undrained txs, at `lastSeq`. Two cores that applied the same inputs give equal bytes.
   */
  snapshot(): Uint8Array {
    const state = this.#state
    const accounts = [...state.accounts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([index, account]) => ({
        index,
        publicKey: account.publicKey,
        owner: account.owner,
        collateral: account.collateral,
        mode: account.mode,
        positions: account.positions,
        orderSlots: [...account.orderSlots.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      }))
    const sortedEntries = <V>(map: Map<string, V>) => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const live = [...this.#live.values()]
      .map((entry) => ({ order: entry.order, remaining: entry.remaining }))
      .sort((a, b) =>
        a.order.accountIndex !== b.order.accountIndex
          ? a.order.accountIndex < b.order.accountIndex ? -1 : 1
          : a.order.storageId < b.order.storageId ? -1 : 1,
      )
    const body = {
      v: SNAPSHOT_VERSION,
      lastSeq: this.#lastSeq,
      lastHash: this.#lastHash,
      priorityInputs: this.#priorityInputs,
      state: {
        nextAccountIndex: state.nextAccountIndex,
        batchFees: state.batchFees,
        batchPenalties: state.batchPenalties,
        markets: state.markets.map(({ parameters: _parameters, ...dynamic }) => dynamic),
        accounts,
      },
      books: this.#engines.map((engine) => engine.snapshot()),
      live,
      slotHigh: sortedEntries(this.#slotHigh),
      clientOrders: sortedEntries(this.#clientOrders),
      txs: this.#txs,
    }
    return new TextEncoder().encode(stringifyCanonical(body))
  }

  /** A core restored from `snapshot()` bytes taken with the same genesis. */
  static restore(parameters: SequencerParameters, bytes: Uint8Array): Sequencer {
    const sequencer = new Sequencer(parameters)
    try {
      sequencer.#restore(bytes)
    } catch (cause) {
      if (cause instanceof SequencerSnapshotInvalidError) throw cause
      throw new SequencerSnapshotInvalidError('does not decode or fit the genesis', cause)
    }
    return sequencer
  }

  #restore(bytes: Uint8Array): void {
    type Body = {
      v: number
      lastSeq: bigint
      lastHash: string
      priorityInputs: bigint
      state: {
        nextAccountIndex: bigint
        batchFees: bigint
        batchPenalties: bigint
        markets: { oraclePrice: bigint; oracleTime: bigint; fundingIndex: bigint; lastFundingTime: bigint; openInterest: bigint }[]
        accounts: (Omit<Account, 'orderSlots'> & { index: bigint; orderSlots: [bigint, { storageId: bigint; filled: bigint }][] })[]
      }
      books: BookSnapshot[]
      live: LiveOrder[]
      slotHigh: [string, bigint][]
      clientOrders: [string, Omit<ClientOrderRecord, 'time'> & { time?: bigint }][]
      txs: QueuedTx[]
    }
    const body = parseCanonical(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Body
    if (body.v !== SNAPSHOT_VERSION) throw new SequencerSnapshotInvalidError(`unknown version ${String(body.v)}`)
    if (body.state.markets.length !== this.genesis.markets.length || body.books.length !== this.#engines.length) {
      throw new SequencerSnapshotInvalidError('market count differs from the genesis')
    }
    const state = this.#state
    state.nextAccountIndex = body.state.nextAccountIndex
    state.batchFees = body.state.batchFees
    state.batchPenalties = body.state.batchPenalties
    body.state.markets.forEach((dynamic, m) => {
      state.markets[m] = { ...dynamic, parameters: state.markets[m]!.parameters }
    })
    state.accounts.clear()
    for (const { index, orderSlots, ...account } of body.state.accounts) {
      state.accounts.set(index, { ...account, orderSlots: new Map(orderSlots) })
    }
    for (const { order, remaining } of body.live) this.#addLive(order.market, order, remaining)
    body.books.forEach((book, m) => this.#engines[m]!.restore(book))
    for (const [key, value] of body.slotHigh) this.#slotHigh.set(key, value)
    // Snapshots written before records carried their time restore with time 0 (only a re-sent ack shows it).
    for (const [key, value] of body.clientOrders) this.#clientOrders.set(key, { ...value, time: value.time ?? 0n })
    this.#txs = body.txs
    this.#lastSeq = body.lastSeq
    this.#lastHash = body.lastHash
    this.#priorityInputs = body.priorityInputs
    // The maker queues must follow book time priority, not storage-id order: rebuild them from the books.
    this.#makerQueues.clear()
    body.books.forEach((book, m) => {
      for (const resting of book.orders) {
        const live = this.#live.get(liveKey(BigInt(resting.account), resting.orderId))
        if (live === undefined || live.remaining !== resting.remaining) {
          throw new SequencerSnapshotInvalidError(`book order ${resting.account}/${resting.orderId} has no matching live order`)
        }
        const key = makerQueueKey(m, resting.account, live.order.isBuy, live.order.limitPrice)
        const queue = this.#makerQueues.get(key)
        if (queue === undefined) this.#makerQueues.set(key, [resting.orderId])
        else queue.push(resting.orderId)
      }
    })
    if (this.#live.size !== body.books.reduce((total, book) => total + book.orders.length, 0)) {
      throw new SequencerSnapshotInvalidError('live orders differ from the books')
    }
  }
}

/** Canonical bytes of an event list: equal exactly when two runs produced the same events. */
export function serializeSequencerEvents(events: readonly SequencerEvent[]): string {
  return stringifyCanonical(events)
}
