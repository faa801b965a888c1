import type { MatchingError } from './errors.ts'

/**
 * Units (DESIGN.md): sizes are integer lots with 0 < size < 2^40, prices integer quote units per lot with
 * 0 < price < 2^48, both bigint at this boundary. `account` is an account index (uint32), not money, so it is a
 * number; `orderId` is the account's own order id (storageId / clientOrderId), unique among the account's live
 * orders in this market, a bigint in [0, 2^53). Times are integer seconds as bigint in [0, 2^53).
 */
export type Side = 'buy' | 'sell'

/**
 * What happens when a taker would trade against a resting order of its own account. The taker's mode decides.
 * - `expireTaker`: cancel the taker's remainder; the resting order stays.
 * - `expireMaker`: cancel the resting order and keep matching (the default: the newer intent wins).
 * - `expireBoth`: cancel both.
 */
export type SelfTradePrevention = 'expireTaker' | 'expireMaker' | 'expireBoth'

/** `GTC` rests until filled, cancelled or expired (with `expiresAt` it is good-till-time); `IOC` never rests. */
export type TimeInForce = 'GTC' | 'IOC'

type OrderRequestCommon = {
  account: number
  orderId: bigint
  side: Side
  /** Lots, 0 < size < 2^40 and ≥ the market's minSize. */
  size: bigint
  /** Never grows the account's position: see MatchingEngine (clipped at entry, re-checked at every fill). */
  reduceOnly?: boolean
  selfTradePrevention?: SelfTradePrevention
  /** Good till this time (seconds): live while `now <= expiresAt`, expired by the first call with a later `now`. */
  expiresAt?: bigint
}

export type LimitOrderRequest = OrderRequestCommon & {
  type: 'limit'
  /** Quote units per lot, 0 < price < 2^48, a multiple of the tick size. */
  price: bigint
  timeInForce?: TimeInForce
  /** Cancelled (reason `postOnlyWouldCross`) instead of taking liquidity. */
  postOnly?: boolean
}

export type MarketOrderRequest = OrderRequestCommon & {
  type: 'market'
  /** Worst price the taker accepts (0 < price < 2^48, need not be on tick); without it the order sweeps the book. */
  protectionPrice?: bigint
}

export type OrderRequest = LimitOrderRequest | MarketOrderRequest

export type CancelReason =
  | 'user'
  /** Unfilled remainder of an IOC or market order. */
  | 'iocRemainder'
  | 'postOnlyWouldCross'
  | 'selfTrade'
  | 'expired'
  /** A reduce-only order reached a fill with no position left to reduce. */
  | 'reduceOnly'
  /** Replaced by `amend`. */
  | 'replaced'
  /** The `canFill` hook refused a fill involving this order (e.g. margin). */
  | 'notAdmitted'

/**
 * Answer of the pre-fill hook: admit the fill, or refuse it and cancel the taker's remainder, the maker, or both.
 */
export type FillAdmission = 'admit' | 'rejectTaker' | 'rejectMaker' | 'rejectBoth'

/**
 * Caller-owned receiver of the engine's events, called synchronously and in order. The engine allocates no event
 * objects: each method receives primitives (bigints it already holds where it can). `MatchingEventRecorder` turns
 * them into plain `MatchingEvent` objects when a list is wanted. A sink may read the engine (its queries) but must
 * not call its commands from inside a callback; queue them for after the current call returns.
 */
export interface MatchingEventSink {
  /** The order passed validation. `size` is the working size (below the request for a clipped reduce-only order). */
  accepted(account: number, orderId: bigint, side: Side, price: bigint | undefined, size: bigint): void
  /** One trade at the maker's price. */
  fill(
    takerAccount: number,
    takerOrderId: bigint,
    makerAccount: number,
    makerOrderId: bigint,
    price: bigint,
    size: bigint,
    takerSide: Side,
  ): void
  /** The taker's remainder now rests in the book. */
  rested(account: number, orderId: bigint, side: Side, price: bigint, remaining: bigint): void
  /** The order left the book (or, as a taker, stopped) with `remaining` lots unfilled. */
  cancelled(account: number, orderId: bigint, remaining: bigint, reason: CancelReason): void
  /** The request was refused; nothing changed. */
  rejected(account: number, orderId: bigint, error: MatchingError): void
}

export type MatchingEvent =
  | { type: 'accepted'; account: number; orderId: bigint; side: Side; price: bigint | undefined; size: bigint }
  | {
      type: 'fill'
      takerAccount: number
      takerOrderId: bigint
      makerAccount: number
      makerOrderId: bigint
      price: bigint
      size: bigint
      takerSide: Side
    }
  | { type: 'rested'; account: number; orderId: bigint; side: Side; price: bigint; remaining: bigint }
  | { type: 'cancelled'; account: number; orderId: bigint; remaining: bigint; reason: CancelReason }
  | { type: 'rejected'; account: number; orderId: bigint; code: string; details: Readonly<Record<string, unknown>> }

/** One resting order in a snapshot. `sequence` orders time priority and expiry ties. */
export type RestingOrderSnapshot = {
  account: number
  orderId: bigint
  side: Side
  price: bigint
  remaining: bigint
  reduceOnly: boolean
  postOnly: boolean
  selfTradePrevention: SelfTradePrevention
  expiresAt: bigint | undefined
  sequence: number
}

/**
 * The whole book as plain data, orders in acceptance (`sequence`) order: restoring it into an engine of the same
 * market gives the same future events as the engine it was taken from.
 */
export type BookSnapshot = {
  version: 1
  market: number
  tickSize: bigint
  nextSequence: number
  orders: RestingOrderSnapshot[]
}

/** Aggregated depth, best level first: `[price, total remaining lots, order count]`. */
export type DepthLevel = readonly [price: bigint, size: bigint, orders: number]
