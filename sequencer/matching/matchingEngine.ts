import {
  AccountOutOfRangeError,
  AmendAccountMismatchError,
  DuplicateOrderIdError,
  ExpiryOutOfRangeError,
  IncompatibleFlagsError,
  InvalidMarketConfigError,
  InvalidOrderError,
  InvalidSnapshotError,
  InvalidTimeError,
  type MatchingError,
  OrderExpiredError,
  OrderIdOutOfRangeError,
  PriceOffTickError,
  PriceOutOfRangeError,
  ReduceOnlyUnavailableError,
  ReduceOnlyWouldIncreaseError,
  SizeBelowMinimumError,
  SizeOutOfRangeError,
  UnknownOrderError,
} from './errors.ts'
import { OrderKeyTable } from './orderKeyTable.ts'
import type {
  BookSnapshot,
  CancelReason,
  DepthLevel,
  FillAdmission,
  MatchingEventSink,
  OrderRequest,
  RestingOrderSnapshot,
  SelfTradePrevention,
  Side,
} from './types.ts'

export type PositionLookup = (account: number, market: number) => bigint

/**
 * Pre-fill hook: the position manager's margin check (the circuit's rules, exact integers) plugs in here, so
 * every fill the engine emits has already passed it and can be proven. Called synchronously before each fill with
 * the fill about to be emitted; the fill is emitted only on `'admit'`. Refusing cancels the taker's remainder, the
 * maker, or both, with reason `notAdmitted`; while the taker lives, matching goes on with the next maker. The hook
 * must be deterministic (a function of state and arguments) and see every fill already emitted. When it is not
 * given, the engine never calls out.
 */
export type CanFill = (
  takerAccount: number,
  makerAccount: number,
  price: bigint,
  size: bigint,
  takerSide: Side,
) => FillAdmission

export type MatchingEngineParameters = {
  /** Market index passed to `positionOf` and stored in snapshots. */
  market: number
  /** Every limit price is a multiple of it; 0 < tickSize < 2^48. */
  tickSize: bigint
  /** Smallest accepted order size in lots (default 1). */
  minSize?: bigint
  /** Receives every event, synchronously, in order. */
  sink: MatchingEventSink
  /**
   * The account's signed position in this market, needed for reduce-only orders. It must already include every
   * fill this engine has emitted (the position manager applies fills as the sink receives them).
   */
  positionOf?: PositionLookup
  /** Optional pre-fill hook; when absent the hot path never calls out. Same freshness rule as `positionOf`. */
  canFill?: CanFill
  /** Resting orders the engine has room for before its arrays first grow (default 1024). */
  initialCapacity?: number
}

const BUY = 0
const SELL = 1
const NONE = -1

const FLAG_POST_ONLY = 1
const FLAG_REDUCE_ONLY = 2
const STP_SHIFT = 2
const STP_EXPIRE_TAKER = 0
const STP_EXPIRE_MAKER = 1
const STP_EXPIRE_BOTH = 2
const STP_MODES: readonly SelfTradePrevention[] = ['expireTaker', 'expireMaker', 'expireBoth']
const SIDES: readonly Side[] = ['buy', 'sell']

// Bounds from DESIGN.md, all exactly representable doubles.
const PRICE_LIMIT = 2 ** 48
const SIZE_LIMIT = 2 ** 40
const INTEGER_LIMIT = 2 ** 53
const DIRECT_ACCOUNT_LIMIT = 2 ** 20
const HEAD = 0
const TAIL = 1
// Level search scans this many keys from the top of book before bisecting; moves this short are done inline
// (a copyWithin call costs more than moving a few elements by hand).
const SHORT_SCAN = 16
const SHORT_MOVE = 32
// The order record: 64 bytes per handle in one ArrayBuffer seen through four views. Matching and cancelling touch
// most fields of an order at once, so keeping them together costs one or two cache lines per order where an array
// per field costs a line per field. (Constants stay in this module: an imported binding is a load at each use.)
// Doubles (integers below 2^53) at handle * ORDER_FLOATS + offset:
const ORDER_FLOATS = 8
const PRICE = 0
const REMAINING = 1
const ID_NUMBER = 2
const SEQUENCE = 3
// int32s at handle * ORDER_INTS + offset, after the doubles (ACCOUNT, a uint32, is read through the uint32 view):
const ORDER_INTS = 16
const ACCOUNT = 8
const NEXT = 9
const PREVIOUS = 10
const LEVEL = 11
// Links of the account's list, oldest first (NONE at the ends).
const ACCOUNT_NEXT = 12
const ACCOUNT_PREVIOUS = 13
// Position in the expiry heap, NONE for an order without expiry.
const HEAP_INDEX = 14
// and bytes at handle * ORDER_BYTES + offset, in the last int32:
const ORDER_BYTES = 64
const SIDE = 60
const FLAGS = 61
// Slots of the direct-mapped level cache (a power of two): a book's live levels span a few hundred ticks, so in
// tick units they rarely share a slot.
const LEVEL_CACHE_SIZE = 4096

/**
 * One market's order book and matcher: price-time priority, limit / market / IOC / post-only / reduce-only / GTT,
 * cancel, cancel-all, amend, self-trade prevention. A pure state machine: time is an argument, nothing reads a
 * clock or random source, and no event order depends on hash or handle layout (FIFO and expiry ties go by the
 * acceptance sequence).
 *
 * Representation. The public API takes and returns bigint. Inside, prices and sizes live in Float64Arrays as JS
 * numbers. That is exact, and only exact, because (1) every such value is an integer below 2^53 — validated at
 * the boundary: price < 2^48, size < 2^40, ids and times < 2^53 — and (2) the engine never multiplies or divides
 * them: it compares prices and adds or subtracts sizes, whose results stay integers below 2^53. Each boundary value
 * is range-checked as a bigint (0 ≤ v < 2^53) before it is converted, then against its own bound as a number.
 *
 * Storage is allocation-free per operation: orders are dense handles to 64-byte records in one typed buffer
 * (ORDER_BYTES), reused through a free list; each price level is an intrusive FIFO (prev/next handles); each side
 * keeps its level keys sorted in a Float64Array with the best level last (key = price for bids, −price for asks, so
 * "best" is always the largest key), with a direct-mapped cache from key to level in front of the search; live
 * orders are found by (account, orderId) in an open-addressing table; each account's orders form a list with both
 * ends kept (cancel-all); GTT orders sit in an indexed binary heap ordered by (expiresAt, sequence). Arrays double
 * when full. An order's number fields reach `placeResting` through its record, not as arguments: a number outside
 * the small-integer range (about ±2^30) passed to a call V8 does not inline is boxed, a heap allocation per order
 * (every order without expiry used to pass `Infinity`). Order ids of 2^30 and above still cross into the key table
 * that way when its methods are not inlined.
 *
 * Reduce-only (choice: clip at entry, then re-check at every fill): at entry the order's size is
 * clipped to what the account can still reduce — its position on the opposite side less its other resting
 * reduce-only orders on this side; with nothing left the order is rejected (REDUCE_ONLY_WOULD_INCREASE). At
 * every fill that involves a reduce-only order (taker or maker) the fill is clipped to the account's current
 * position; a reduce-only order with no position left is cancelled (reason `reduceOnly`). So no reduce-only order
 * ever grows a position, provided `positionOf` includes every fill already emitted.
 *
 * Every call that takes `now` first expires the orders whose `expiresAt < now` (events `cancelled`/`expired`,
 * earliest expiry first), so an expired order never trades.
 */
export class MatchingEngine {
  readonly market: number
  readonly tickSize: bigint
  readonly minSize: bigint

  private readonly tick: number
  private readonly minSizeNumber: number
  private readonly sink: MatchingEventSink
  private readonly positionOf: PositionLookup | undefined
  private readonly canFill: CanFill | undefined

  // Orders, indexed by handle: the record (see ORDER_BYTES) through its four views, and apart what matching rarely
  // or never reads.
  private capacity = 0
  private orderFloats = new Float64Array(0)
  private orderInts = new Int32Array(0)
  private orderWords = new Uint32Array(0)
  private orderBytes = new Uint8Array(0)
  /** Written and read only for GTT orders (those in the expiry heap). */
  private orderExpiresAt = new Float64Array(0)
  private orderId: bigint[] = []
  private freeOrder = NONE
  private unusedOrder = 0
  private liveOrders = 0

  // Price levels, indexed by level handle.
  private levelCapacity = 0
  private levelHead = new Int32Array(0)
  private levelTail = new Int32Array(0)
  private levelCount = new Int32Array(0)
  private levelTotal = new Float64Array(0)
  private levelKey = new Float64Array(0)
  /** The level's price as the bigint the events carry. */
  private levelPrice: bigint[] = []
  private freeLevel = NONE
  private unusedLevel = 0

  // Per side: level keys ascending (best last) and the level handle at each position.
  private sideKeys: Float64Array<ArrayBuffer>[] = [new Float64Array(0), new Float64Array(0)]
  private sideLevels: Int32Array<ArrayBuffer>[] = [new Int32Array(0), new Int32Array(0)]
  private sideCount = new Int32Array(2)
  // Direct-mapped cache from a level key to its level, in front of the sorted search: most orders join a level
  // that exists, often deep in the book where the search bisects. A slot holds the last level created or found
  // there and is cleared when that level is freed; a miss falls back to the search, so a collision costs only time.
  private readonly levelCache = new Int32Array(LEVEL_CACHE_SIZE).fill(NONE)
  private readonly inverseTick: number

  // Expiry heap of handles, ordered by (expiresAt, sequence).
  private heap = new Int32Array(0)
  private heapSize = 0

  private readonly ordersByKey: OrderKeyTable
  // Ends of each account's list of orders (oldest first, for cancel-all), at 2·account + HEAD / TAIL: a direct
  // array for account indices below DIRECT_ACCOUNT_LIMIT (account indices are dense, so this stays small), a hash
  // table keyed (account, HEAD / TAIL) above. Hashing here cost ~25 % of throughput. With both ends at hand, an
  // append touches one other order (the tail), where a circular list touches two.
  private accountEndsDirect = new Int32Array(512).fill(NONE)
  private readonly accountEnds: OrderKeyTable
  // Remaining lots of resting reduce-only orders per account, by side. Touched only for reduce-only orders.
  private readonly restingReduceOnly: [Map<number, number>, Map<number, number>] = [new Map(), new Map()]
  private nextSequence = 0

  // Scratch written by `validate` for the order being processed (kept in fields to avoid allocation).
  private validSide = BUY
  private validIdNumber = 0
  private validSize = 0
  private validPrice = 0
  private validLimitKey = 0
  private validExpiresAt = Infinity
  private validFlags = 0
  private validClipped = false
  private lastTime = 0n
  private lastTimeNumber = 0

  constructor(parameters: MatchingEngineParameters) {
    const { market, tickSize, minSize = 1n, sink, positionOf, canFill, initialCapacity = 1024 } = parameters
    if (!Number.isInteger(market) || market < 0) throw new InvalidMarketConfigError('market', market)
    if (typeof tickSize !== 'bigint' || tickSize <= 0n || tickSize >= BigInt(PRICE_LIMIT)) {
      throw new InvalidMarketConfigError('tickSize', tickSize)
    }
    if (typeof minSize !== 'bigint' || minSize <= 0n || minSize >= BigInt(SIZE_LIMIT)) {
      throw new InvalidMarketConfigError('minSize', minSize)
    }
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new InvalidMarketConfigError('initialCapacity', initialCapacity)
    }
    this.market = market
    this.tickSize = tickSize
    this.minSize = minSize
    this.tick = Number(tickSize)
    this.inverseTick = 1 / this.tick
    this.minSizeNumber = Number(minSize)
    this.sink = sink
    this.positionOf = positionOf
    this.canFill = canFill
    this.ordersByKey = new OrderKeyTable(initialCapacity)
    this.accountEnds = new OrderKeyTable(64)
    this.growOrders(initialCapacity)
    this.growLevels(64)
    this.growSide(BUY, 64)
    this.growSide(SELL, 64)
  }

  // ─── Commands ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Expire what is due, then validate, match and rest (or cancel the remainder of) one order. */
  submit(order: OrderRequest, now: bigint): void {
    const time = this.toTime(now)
    if (this.heapSize > 0 && this.orderExpiresAt[this.heap[0]!]! < time) this.expireBefore(time)
    const error = this.validate(order, time, now, NONE)
    if (error !== undefined) {
      this.sink.rejected(order.account, order.orderId, error)
      return
    }
    this.execute(order)
  }

  /** Cancel one live order (reason `user`); UNKNOWN_ORDER when there is none. */
  cancel(account: number, orderId: bigint): void {
    const handle = this.findOrder(account, orderId)
    if (handle === NONE) {
      this.sink.rejected(account, orderId, new UnknownOrderError(account, orderId))
      return
    }
    this.cancelResting(handle, 'user')
  }

  /** Cancel every live order of the account, oldest first; returns how many. */
  cancelAll(account: number): number {
    if ((account >>> 0) !== account) return 0
    let cancelled = 0
    for (let head = this.accountEnd(account, HEAD); head !== NONE; head = this.accountEnd(account, HEAD)) {
      this.cancelResting(head, 'user')
      cancelled++
    }
    return cancelled
  }

  /**
   * Cancel-replace: the live order (account, orderId) is cancelled (reason `replaced`) and `replacement` is
   * submitted as a new order (it loses time priority and may trade at once). `replacement` may reuse `orderId`.
   * Validated before anything changes: a rejected replacement leaves the original order in place.
   */
  amend(account: number, orderId: bigint, replacement: OrderRequest, now: bigint): void {
    const time = this.toTime(now)
    if (this.heapSize > 0 && this.orderExpiresAt[this.heap[0]!]! < time) this.expireBefore(time)
    const handle = this.findOrder(account, orderId)
    if (handle === NONE) {
      this.sink.rejected(account, orderId, new UnknownOrderError(account, orderId))
      return
    }
    if (replacement.account !== account) {
      this.sink.rejected(account, orderId, new AmendAccountMismatchError(account, replacement.account))
      return
    }
    const error = this.validate(replacement, time, now, handle)
    if (error !== undefined) {
      this.sink.rejected(replacement.account, replacement.orderId, error)
      return
    }
    this.cancelResting(handle, 'replaced')
    this.execute(replacement)
  }

  /** Cancel (reason `expired`) every resting order with `expiresAt < now`, earliest expiry first. */
  expire(now: bigint): void {
    this.expireBefore(this.toTime(now))
  }

  // ─── Queries ─────────────────────────────────────────────────────────────────────────────────────────────────

  get orderCount(): number {
    return this.liveOrders
  }

  bestBid(): bigint | undefined {
    return this.bestPrice(BUY)
  }

  bestAsk(): bigint | undefined {
    return this.bestPrice(SELL)
  }

  /** Aggregated levels of one side, best first. */
  depth(side: Side, maxLevels = Infinity): DepthLevel[] {
    const sideIndex = side === 'buy' ? BUY : SELL
    const levels: DepthLevel[] = []
    const count = this.sideCount[sideIndex]!
    for (let position = count - 1; position >= 0 && levels.length < maxLevels; position--) {
      const level = this.sideLevels[sideIndex]![position]!
      levels.push([this.levelPrice[level]!, BigInt(this.levelTotal[level]!), this.levelCount[level]!])
    }
    return levels
  }

  /** The live order (account, orderId), or undefined. */
  getOrder(account: number, orderId: bigint): RestingOrderSnapshot | undefined {
    const handle = this.findOrder(account, orderId)
    return handle === NONE ? undefined : this.describe(handle)
  }

  /** Every resting order as plain data, in acceptance order. */
  snapshot(): BookSnapshot {
    const orders: RestingOrderSnapshot[] = []
    for (const side of [BUY, SELL]) {
      for (let position = 0; position < this.sideCount[side]!; position++) {
        const level = this.sideLevels[side]![position]!
        let handle = this.levelHead[level]!
        while (handle !== NONE) {
          orders.push(this.describe(handle))
          handle = this.orderInts[handle * ORDER_INTS + NEXT]!
        }
      }
    }
    orders.sort((a, b) => a.sequence - b.sequence)
    return { version: 1, market: this.market, tickSize: this.tickSize, nextSequence: this.nextSequence, orders }
  }

  /**
   * Replace the whole book with a snapshot (of this market). Throws INVALID_SNAPSHOT, leaving the book unchanged,
   * if the snapshot is malformed: every order is validated as at entry, and sequences must increase.
   */
  restore(snapshot: BookSnapshot): void {
    if (snapshot.version !== 1) throw new InvalidSnapshotError('version', snapshot.version)
    if (snapshot.market !== this.market) throw new InvalidSnapshotError('market', snapshot.market)
    if (snapshot.tickSize !== this.tickSize) throw new InvalidSnapshotError('tickSize', snapshot.tickSize)
    const seen = new Set<string>()
    let previousSequence = -1
    for (const order of snapshot.orders) {
      const request: OrderRequest = {
        type: 'limit',
        account: order.account,
        orderId: order.orderId,
        side: order.side,
        price: order.price,
        size: order.remaining,
        selfTradePrevention: order.selfTradePrevention,
      }
      const error = this.validateFields(request, false)
      if (error !== undefined) throw new InvalidSnapshotError(`order ${order.account}/${order.orderId}`, error.code)
      if (order.expiresAt !== undefined && !isBigIntBelow(order.expiresAt, INTEGER_LIMIT)) {
        throw new InvalidSnapshotError('expiresAt', order.expiresAt)
      }
      if (!Number.isSafeInteger(order.sequence) || order.sequence <= previousSequence) {
        throw new InvalidSnapshotError('sequence', order.sequence)
      }
      if (order.reduceOnly && this.positionOf === undefined) throw new InvalidSnapshotError('reduceOnly', order)
      const key = `${order.account}/${order.orderId}`
      if (seen.has(key)) throw new InvalidSnapshotError('duplicate order', key)
      seen.add(key)
      previousSequence = order.sequence
    }
    if (!Number.isSafeInteger(snapshot.nextSequence) || snapshot.nextSequence <= previousSequence) {
      throw new InvalidSnapshotError('nextSequence', snapshot.nextSequence)
    }
    this.reset()
    for (const order of snapshot.orders) {
      const handle = this.allocateOrder()
      const flags =
        (order.postOnly ? FLAG_POST_ONLY : 0) |
        (order.reduceOnly ? FLAG_REDUCE_ONLY : 0) |
        (STP_MODES.indexOf(order.selfTradePrevention) << STP_SHIFT)
      this.orderFloats[handle * ORDER_FLOATS + ID_NUMBER] = Number(order.orderId)
      this.orderFloats[handle * ORDER_FLOATS + PRICE] = Number(order.price)
      this.orderFloats[handle * ORDER_FLOATS + REMAINING] = Number(order.remaining)
      this.placeResting(
        handle,
        order.account,
        order.orderId,
        order.side === 'buy' ? BUY : SELL,
        order.price,
        flags,
        order.sequence,
      )
      if (order.expiresAt !== undefined) {
        this.orderExpiresAt[handle] = Number(order.expiresAt)
        this.heapPush(handle)
      }
    }
    this.nextSequence = snapshot.nextSequence
  }

  // ─── Validation ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Checks everything before any state changes; fills the `valid*` scratch fields. `replacing` may be NONE. */
  private validate(order: OrderRequest, time: number, now: bigint, replacing: number): MatchingError | undefined {
    const fieldError = this.validateFields(order, true)
    if (fieldError !== undefined) return fieldError
    const expiresAt = order.expiresAt
    if (expiresAt === undefined) {
      this.validExpiresAt = Infinity
    } else {
      const expiresAtNumber = toNumberBelow(expiresAt, INTEGER_LIMIT)
      if (expiresAtNumber === -1) return new ExpiryOutOfRangeError(expiresAt)
      if (expiresAtNumber < time) return new OrderExpiredError(expiresAt, now)
      this.validExpiresAt = expiresAtNumber
    }
    const reduceOnly = (this.validFlags & FLAG_REDUCE_ONLY) !== 0
    if (reduceOnly && this.positionOf === undefined) return new ReduceOnlyUnavailableError()
    const existing = this.ordersByKey.get(order.account, this.validIdNumber)
    if (existing !== NONE && existing !== replacing) return new DuplicateOrderIdError(order.account, order.orderId)
    this.validClipped = false
    if (reduceOnly) {
      const position = this.positionOf!(order.account, this.market)
      const side = this.validSide
      let resting = this.restingReduceOnly[side === BUY ? 0 : 1].get(order.account) ?? 0
      if (
        replacing !== NONE &&
        (this.orderBytes[replacing * ORDER_BYTES + FLAGS]! & FLAG_REDUCE_ONLY) !== 0 &&
        this.orderBytes[replacing * ORDER_BYTES + SIDE] === side
      ) {
        resting -= this.orderFloats[replacing * ORDER_FLOATS + REMAINING]!
      }
      const reducible = side === BUY ? -position : position
      const capacity = reducible - BigInt(resting)
      if (capacity <= 0n) return new ReduceOnlyWouldIncreaseError(position, BigInt(resting))
      if (capacity < BigInt(this.validSize)) {
        this.validSize = Number(capacity)
        this.validClipped = true
      }
    }
    return undefined
  }

  /** Stateless checks of the request's fields, in a fixed order (the reference book mirrors it). */
  private validateFields(order: OrderRequest, checkMinimum: boolean): MatchingError | undefined {
    const type = order.type
    if (type !== 'limit' && type !== 'market') return new InvalidOrderError('type', type)
    const side = order.side
    if (side !== 'buy' && side !== 'sell') return new InvalidOrderError('side', side)
    const account = order.account
    if ((account >>> 0) !== account) return new AccountOutOfRangeError(account)
    const orderId = order.orderId
    const idNumber = toNumberBelow(orderId, INTEGER_LIMIT)
    if (idNumber === -1) return new OrderIdOutOfRangeError(orderId)
    const size = order.size
    const sizeNumber = toNumberBelow(size, SIZE_LIMIT)
    if (sizeNumber <= 0) return new SizeOutOfRangeError(size)
    if (checkMinimum && sizeNumber < this.minSizeNumber) return new SizeBelowMinimumError(size, this.minSize)
    const reduceOnly = order.reduceOnly
    if (reduceOnly !== undefined && reduceOnly !== true && reduceOnly !== false) {
      return new InvalidOrderError('reduceOnly', reduceOnly)
    }
    const mode = order.selfTradePrevention
    let stp = STP_EXPIRE_MAKER
    if (mode !== undefined) {
      stp = mode === 'expireTaker' ? STP_EXPIRE_TAKER : mode === 'expireMaker' ? STP_EXPIRE_MAKER : STP_EXPIRE_BOTH
      if (stp === STP_EXPIRE_BOTH && mode !== 'expireBoth') return new InvalidOrderError('selfTradePrevention', mode)
    }
    const sideIndex = side === 'buy' ? BUY : SELL
    let flags = (reduceOnly === true ? FLAG_REDUCE_ONLY : 0) | (stp << STP_SHIFT)
    if (type === 'limit') {
      const price = order.price
      const priceNumber = toNumberBelow(price, PRICE_LIMIT)
      if (priceNumber <= 0) return new PriceOutOfRangeError(price)
      if (!isMultipleOf(priceNumber, this.tick, this.inverseTick)) return new PriceOffTickError(price, this.tickSize)
      const timeInForce = order.timeInForce
      if (timeInForce !== undefined && timeInForce !== 'GTC' && timeInForce !== 'IOC') {
        return new InvalidOrderError('timeInForce', timeInForce)
      }
      const postOnly = order.postOnly
      if (postOnly !== undefined && postOnly !== true && postOnly !== false) {
        return new InvalidOrderError('postOnly', postOnly)
      }
      if (postOnly === true) {
        if (timeInForce === 'IOC') return new IncompatibleFlagsError('postOnly+IOC')
        flags |= FLAG_POST_ONLY
      }
      this.validPrice = priceNumber
      // Key of the limit on the opposite side's axis: a maker crosses when its key ≥ this.
      this.validLimitKey = sideIndex === BUY ? -priceNumber : priceNumber
    } else {
      const protection = order.protectionPrice
      if (protection === undefined) {
        this.validLimitKey = -Infinity
      } else {
        const protectionNumber = toNumberBelow(protection, PRICE_LIMIT)
        if (protectionNumber <= 0) return new PriceOutOfRangeError(protection)
        this.validLimitKey = sideIndex === BUY ? -protectionNumber : protectionNumber
      }
      this.validPrice = 0
    }
    this.validSide = sideIndex
    this.validIdNumber = idNumber
    this.validSize = sizeNumber
    this.validFlags = flags
    return undefined
  }

  // ─── Matching ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Runs a validated order (scratch fields set by `validate`). */
  private execute(order: OrderRequest): void {
    const sink = this.sink
    const account = order.account
    const orderId = order.orderId
    const sideName = order.side
    const side = this.validSide
    const flags = this.validFlags
    const limitKey = this.validLimitKey
    const size = this.validSize
    const sizeBig = this.validClipped ? toBigInt(size) : order.size
    const isLimit = order.type === 'limit'
    const sequence = this.nextSequence++

    sink.accepted(account, orderId, sideName, isLimit ? order.price : order.protectionPrice, sizeBig)

    const opposite = 1 - side
    const oppositeKeys = this.sideKeys[opposite]!
    if ((flags & FLAG_POST_ONLY) !== 0) {
      const count = this.sideCount[opposite]!
      if (count > 0 && oppositeKeys[count - 1]! >= limitKey) {
        sink.cancelled(account, orderId, sizeBig, 'postOnlyWouldCross')
        return
      }
    }

    let remaining = size
    while (remaining > 0) {
      const count = this.sideCount[opposite]!
      if (count === 0) break
      // Side arrays may have been replaced by growth only on insertion, which never happens inside this loop.
      if (this.sideKeys[opposite]![count - 1]! < limitKey) break
      const level = this.sideLevels[opposite]![count - 1]!
      const maker = this.levelHead[level]!
      const makerAccount = this.orderWords[maker * ORDER_INTS + ACCOUNT]!

      if (makerAccount === account) {
        const mode = (flags >>> STP_SHIFT) & 3
        if (mode !== STP_EXPIRE_TAKER) this.cancelResting(maker, 'selfTrade')
        if (mode !== STP_EXPIRE_MAKER) {
          sink.cancelled(account, orderId, remaining === size ? sizeBig : toBigInt(remaining), 'selfTrade')
          return
        }
        continue
      }

      const makerRemaining = this.orderFloats[maker * ORDER_FLOATS + REMAINING]!
      let fill = remaining < makerRemaining ? remaining : makerRemaining
      const makerFlags = this.orderBytes[maker * ORDER_BYTES + FLAGS]!
      if (((flags | makerFlags) & FLAG_REDUCE_ONLY) !== 0) {
        if ((flags & FLAG_REDUCE_ONLY) !== 0) {
          const capacity = this.reduceCapacity(account, side)
          if (capacity === 0) {
            sink.cancelled(account, orderId, toBigInt(remaining), 'reduceOnly')
            return
          }
          if (capacity < fill) fill = capacity
        }
        if ((makerFlags & FLAG_REDUCE_ONLY) !== 0) {
          const capacity = this.reduceCapacity(makerAccount, opposite)
          if (capacity === 0) {
            this.cancelResting(maker, 'reduceOnly')
            continue
          }
          if (capacity < fill) fill = capacity
        }
      }

      const price = this.levelPrice[level]!
      const fillBig = toBigInt(fill)
      if (this.canFill !== undefined) {
        const admission = this.canFill(account, makerAccount, price, fillBig, sideName)
        if (admission !== 'admit') {
          if (admission !== 'rejectTaker') this.cancelResting(maker, 'notAdmitted')
          if (admission !== 'rejectMaker') {
            sink.cancelled(account, orderId, toBigInt(remaining), 'notAdmitted')
            return
          }
          continue
        }
      }

      remaining -= fill
      const makerLeft = makerRemaining - fill
      this.orderFloats[maker * ORDER_FLOATS + REMAINING] = makerLeft
      this.levelTotal[level] = this.levelTotal[level]! - fill
      if ((makerFlags & FLAG_REDUCE_ONLY) !== 0) this.addRestingReduceOnly(makerAccount, opposite, -fill)
      const makerOrderId = this.orderId[maker]!
      if (makerLeft === 0) this.removeResting(maker)
      sink.fill(account, orderId, makerAccount, makerOrderId, price, fillBig, sideName)
    }

    if (remaining === 0) return
    if (!isLimit || order.timeInForce === 'IOC') {
      sink.cancelled(account, orderId, remaining === size ? sizeBig : toBigInt(remaining), 'iocRemainder')
      return
    }
    const handle = this.allocateOrder()
    this.orderFloats[handle * ORDER_FLOATS + ID_NUMBER] = this.validIdNumber
    this.orderFloats[handle * ORDER_FLOATS + PRICE] = this.validPrice
    this.orderFloats[handle * ORDER_FLOATS + REMAINING] = remaining
    this.placeResting(handle, account, orderId, side, order.price, flags, sequence)
    if (this.validExpiresAt !== Infinity) {
      this.orderExpiresAt[handle] = this.validExpiresAt
      this.heapPush(handle)
    }
    sink.rested(account, orderId, sideName, order.price, remaining === size ? sizeBig : toBigInt(remaining))
  }

  /** Lots the account may still trade on `side` without growing its position (0 if none). */
  private reduceCapacity(account: number, side: number): number {
    const position = this.positionOf!(account, this.market)
    const reducible = side === BUY ? -position : position
    return reducible <= 0n ? 0 : Number(reducible)
  }

  /** `now` as an exact number: a bigint in [0, 2^53). A bad time is the caller's bug, so it throws. */
  private toTime(now: bigint): number {
    // Callers pass the same time for many calls in a row; comparing bigints is cheaper than converting one.
    if (now === this.lastTime) return this.lastTimeNumber
    const time = toNumberBelow(now, INTEGER_LIMIT)
    if (time === -1) throw new InvalidTimeError(now)
    this.lastTime = now
    this.lastTimeNumber = time
    return time
  }

  private expireBefore(time: number): void {
    while (this.heapSize > 0) {
      const handle = this.heap[0]!
      if (this.orderExpiresAt[handle]! >= time) return
      this.cancelResting(handle, 'expired')
    }
  }

  // ─── Book structure ──────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Links a new resting order into its level, account list and key table; a GTT order's caller then writes its
   * expiry and pushes it on the heap. The caller has already written the order's number fields (ID_NUMBER, PRICE,
   * REMAINING): they are doubles, and a double passed to a call V8 does not inline is boxed, a heap allocation.
   */
  private placeResting(
    handle: number,
    account: number,
    orderId: bigint,
    side: number,
    price: bigint,
    flags: number,
    sequence: number,
  ): void {
    const remaining = this.orderFloats[handle * ORDER_FLOATS + REMAINING]!
    this.orderFloats[handle * ORDER_FLOATS + SEQUENCE] = sequence
    this.orderWords[handle * ORDER_INTS + ACCOUNT] = account
    this.orderBytes[handle * ORDER_BYTES + SIDE] = side
    this.orderBytes[handle * ORDER_BYTES + FLAGS] = flags
    this.orderId[handle] = orderId

    // Level FIFO: append at the tail.
    const level = this.findOrCreateLevel(side, handle, price)
    const tail = this.levelTail[level]!
    this.orderInts[handle * ORDER_INTS + PREVIOUS] = tail
    this.orderInts[handle * ORDER_INTS + NEXT] = NONE
    if (tail === NONE) this.levelHead[level] = handle
    else this.orderInts[tail * ORDER_INTS + NEXT] = handle
    this.levelTail[level] = handle
    this.levelCount[level] = this.levelCount[level]! + 1
    this.levelTotal[level] = this.levelTotal[level]! + remaining
    this.orderInts[handle * ORDER_INTS + LEVEL] = level

    // Account list: append at the tail (orders are placed in sequence order, so the head is the oldest).
    const accountTail = this.accountEnd(account, TAIL)
    this.orderInts[handle * ORDER_INTS + ACCOUNT_PREVIOUS] = accountTail
    this.orderInts[handle * ORDER_INTS + ACCOUNT_NEXT] = NONE
    if (accountTail === NONE) this.setAccountEnd(account, HEAD, handle)
    else this.orderInts[accountTail * ORDER_INTS + ACCOUNT_NEXT] = handle
    this.setAccountEnd(account, TAIL, handle)

    this.ordersByKey.set(account, this.orderFloats[handle * ORDER_FLOATS + ID_NUMBER]!, handle)
    this.orderInts[handle * ORDER_INTS + HEAP_INDEX] = NONE
    if ((flags & FLAG_REDUCE_ONLY) !== 0) this.addRestingReduceOnly(account, side, remaining)
    this.liveOrders++
  }

  private cancelResting(handle: number, reason: CancelReason): void {
    const account = this.orderWords[handle * ORDER_INTS + ACCOUNT]!
    const orderId = this.orderId[handle]!
    const remaining = this.orderFloats[handle * ORDER_FLOATS + REMAINING]!
    if ((this.orderBytes[handle * ORDER_BYTES + FLAGS]! & FLAG_REDUCE_ONLY) !== 0) {
      this.addRestingReduceOnly(account, this.orderBytes[handle * ORDER_BYTES + SIDE]!, -remaining)
    }
    const level = this.orderInts[handle * ORDER_INTS + LEVEL]!
    this.levelTotal[level] = this.levelTotal[level]! - remaining
    this.removeResting(handle)
    this.sink.cancelled(account, orderId, toBigInt(remaining), reason)
  }

  /** Unlinks a resting order from its level, account list, key table and heap, and frees its handle. */
  private removeResting(handle: number): void {
    const level = this.orderInts[handle * ORDER_INTS + LEVEL]!
    const previous = this.orderInts[handle * ORDER_INTS + PREVIOUS]!
    const next = this.orderInts[handle * ORDER_INTS + NEXT]!
    if (previous === NONE) this.levelHead[level] = next
    else this.orderInts[previous * ORDER_INTS + NEXT] = next
    if (next === NONE) this.levelTail[level] = previous
    else this.orderInts[next * ORDER_INTS + PREVIOUS] = previous
    const levelCount = this.levelCount[level]! - 1
    this.levelCount[level] = levelCount
    if (levelCount === 0) this.removeLevel(this.orderBytes[handle * ORDER_BYTES + SIDE]!, level)

    const account = this.orderWords[handle * ORDER_INTS + ACCOUNT]!
    const accountPrevious = this.orderInts[handle * ORDER_INTS + ACCOUNT_PREVIOUS]!
    const accountNext = this.orderInts[handle * ORDER_INTS + ACCOUNT_NEXT]!
    if (accountPrevious === NONE) this.setAccountEnd(account, HEAD, accountNext)
    else this.orderInts[accountPrevious * ORDER_INTS + ACCOUNT_NEXT] = accountNext
    if (accountNext === NONE) this.setAccountEnd(account, TAIL, accountPrevious)
    else this.orderInts[accountNext * ORDER_INTS + ACCOUNT_PREVIOUS] = accountPrevious

    this.ordersByKey.delete(account, this.orderFloats[handle * ORDER_FLOATS + ID_NUMBER]!)
    if (this.orderInts[handle * ORDER_INTS + HEAP_INDEX] !== NONE) this.heapRemove(handle)
    this.orderId[handle] = 0n
    this.orderInts[handle * ORDER_INTS + NEXT] = this.freeOrder
    this.freeOrder = handle
    this.liveOrders--
  }

  /** The account's oldest (HEAD) or newest (TAIL) live order, or NONE. */
  private accountEnd(account: number, end: number): number {
    const direct = this.accountEndsDirect
    const index = account * 2 + end
    if (index < direct.length) return direct[index]!
    return account < DIRECT_ACCOUNT_LIMIT ? NONE : this.accountEnds.get(account, end)
  }

  /** Sets (or with NONE clears) one end of the account's list. */
  private setAccountEnd(account: number, end: number, handle: number): void {
    if (account >= DIRECT_ACCOUNT_LIMIT) {
      if (handle === NONE) this.accountEnds.delete(account, end)
      else this.accountEnds.set(account, end, handle)
      return
    }
    let direct = this.accountEndsDirect
    const index = account * 2 + end
    if (index >= direct.length) {
      if (handle === NONE) return
      let length = direct.length * 2
      while (length <= index) length *= 2
      direct = new Int32Array(length).fill(NONE)
      direct.set(this.accountEndsDirect)
      this.accountEndsDirect = direct
    }
    direct[index] = handle
  }

  /** The level of the resting order `handle` (its PRICE already written), created if new. */
  private findOrCreateLevel(side: number, handle: number, priceBig: bigint): number {
    const price = this.orderFloats[handle * ORDER_FLOATS + PRICE]!
    const key = side === BUY ? price : -price
    const slot = this.levelCacheSlot(key)
    const cached = this.levelCache[slot]!
    if (cached !== NONE && this.levelKey[cached] === key) return cached
    const count = this.sideCount[side]!
    let keys = this.sideKeys[side]!
    const position = lowerBound(keys, count, key)
    if (position < count && keys[position] === key) {
      const found = this.sideLevels[side]![position]!
      this.levelCache[slot] = found
      return found
    }
    if (count === keys.length) {
      this.growSide(side, count * 2)
      keys = this.sideKeys[side]!
    }
    const levels = this.sideLevels[side]!
    if (count - position > SHORT_MOVE) {
      keys.copyWithin(position + 1, position, count)
      levels.copyWithin(position + 1, position, count)
    } else {
      for (let index = count; index > position; index--) {
        keys[index] = keys[index - 1]!
        levels[index] = levels[index - 1]!
      }
    }
    const level = this.allocateLevel()
    keys[position] = key
    levels[position] = level
    this.sideCount[side] = count + 1
    this.levelKey[level] = key
    this.levelPrice[level] = priceBig
    this.levelCache[slot] = level
    return level
  }

  private removeLevel(side: number, level: number): void {
    const key = this.levelKey[level]!
    const slot = this.levelCacheSlot(key)
    if (this.levelCache[slot] === level) this.levelCache[slot] = NONE
    const count = this.sideCount[side]!
    const keys = this.sideKeys[side]!
    if (keys[count - 1] !== key) {
      const position = lowerBound(keys, count - 1, key)
      const levels = this.sideLevels[side]!
      if (count - position > SHORT_MOVE) {
        keys.copyWithin(position, position + 1, count)
        levels.copyWithin(position, position + 1, count)
      } else {
        for (let index = position; index < count - 1; index++) {
          keys[index] = keys[index + 1]!
          levels[index] = levels[index + 1]!
        }
      }
    }
    this.sideCount[side] = count - 1
    this.levelNextFree(level)
  }

  /**
   * Cache slot of a level key: its price in ticks, modulo the cache size (ToInt32 wraps; asks' negative keys land
   * apart from bids'). Multiplying by the inverse tick may be off by one from the exact quotient, but it is the
   * same function of the key every time, which is all a cache slot needs.
   */
  private levelCacheSlot(key: number): number {
    return (key * this.inverseTick) & (LEVEL_CACHE_SIZE - 1)
  }

  private bestPrice(side: number): bigint | undefined {
    const count = this.sideCount[side]!
    if (count === 0) return undefined
    return this.levelPrice[this.sideLevels[side]![count - 1]!]
  }

  private findOrder(account: number, orderId: bigint): number {
    if ((account >>> 0) !== account) return NONE
    const idNumber = toNumberBelow(orderId, INTEGER_LIMIT)
    return idNumber === -1 ? NONE : this.ordersByKey.get(account, idNumber)
  }

  private describe(handle: number): RestingOrderSnapshot {
    const flags = this.orderBytes[handle * ORDER_BYTES + FLAGS]!
    const expires = this.orderInts[handle * ORDER_INTS + HEAP_INDEX] !== NONE
    return {
      account: this.orderWords[handle * ORDER_INTS + ACCOUNT]!,
      orderId: this.orderId[handle]!,
      side: SIDES[this.orderBytes[handle * ORDER_BYTES + SIDE]!]!,
      price: this.levelPrice[this.orderInts[handle * ORDER_INTS + LEVEL]!]!,
      remaining: BigInt(this.orderFloats[handle * ORDER_FLOATS + REMAINING]!),
      reduceOnly: (flags & FLAG_REDUCE_ONLY) !== 0,
      postOnly: (flags & FLAG_POST_ONLY) !== 0,
      selfTradePrevention: STP_MODES[(flags >>> STP_SHIFT) & 3]!,
      expiresAt: expires ? BigInt(this.orderExpiresAt[handle]!) : undefined,
      sequence: this.orderFloats[handle * ORDER_FLOATS + SEQUENCE]!,
    }
  }

  private addRestingReduceOnly(account: number, side: number, delta: number): void {
    const map = this.restingReduceOnly[side === BUY ? 0 : 1]
    const total = (map.get(account) ?? 0) + delta
    if (total === 0) map.delete(account)
    else map.set(account, total)
  }

  // ─── Expiry heap ─────────────────────────────────────────────────────────────────────────────────────────────

  private heapBefore(a: number, b: number): boolean {
    const expiresA = this.orderExpiresAt[a]!
    const expiresB = this.orderExpiresAt[b]!
    if (expiresA !== expiresB) return expiresA < expiresB
    return this.orderFloats[a * ORDER_FLOATS + SEQUENCE]! < this.orderFloats[b * ORDER_FLOATS + SEQUENCE]!
  }

  private heapPush(handle: number): void {
    const index = this.heapSize++
    this.heap[index] = handle
    this.orderInts[handle * ORDER_INTS + HEAP_INDEX] = index
    this.heapUp(index)
  }

  private heapRemove(handle: number): void {
    const index = this.orderInts[handle * ORDER_INTS + HEAP_INDEX]!
    const last = this.heap[--this.heapSize]!
    this.orderInts[handle * ORDER_INTS + HEAP_INDEX] = NONE
    if (index === this.heapSize) return
    this.heap[index] = last
    this.orderInts[last * ORDER_INTS + HEAP_INDEX] = index
    this.heapDown(index)
    this.heapUp(this.orderInts[last * ORDER_INTS + HEAP_INDEX]!)
  }

  private heapUp(index: number): void {
    const heap = this.heap
    const handle = heap[index]!
    while (index > 0) {
      const parentIndex = (index - 1) >>> 1
      const parent = heap[parentIndex]!
      if (!this.heapBefore(handle, parent)) break
      heap[index] = parent
      this.orderInts[parent * ORDER_INTS + HEAP_INDEX] = index
      index = parentIndex
    }
    heap[index] = handle
    this.orderInts[handle * ORDER_INTS + HEAP_INDEX] = index
  }

  private heapDown(index: number): void {
    const heap = this.heap
    const size = this.heapSize
    const handle = heap[index]!
    for (;;) {
      const left = index * 2 + 1
      if (left >= size) break
      const right = left + 1
      const child = right < size && this.heapBefore(heap[right]!, heap[left]!) ? right : left
      if (!this.heapBefore(heap[child]!, handle)) break
      const moved = heap[child]!
      heap[index] = moved
      this.orderInts[moved * ORDER_INTS + HEAP_INDEX] = index
      index = child
    }
    heap[index] = handle
    this.orderInts[handle * ORDER_INTS + HEAP_INDEX] = index
  }

  // ─── Pools ───────────────────────────────────────────────────────────────────────────────────────────────────

  private allocateOrder(): number {
    const free = this.freeOrder
    if (free !== NONE) {
      this.freeOrder = this.orderInts[free * ORDER_INTS + NEXT]!
      return free
    }
    if (this.unusedOrder === this.capacity) this.growOrders(this.capacity * 2)
    return this.unusedOrder++
  }

  private allocateLevel(): number {
    const free = this.freeLevel
    if (free !== NONE) {
      this.freeLevel = this.levelHead[free]!
      this.levelHead[free] = NONE
      return free
    }
    if (this.unusedLevel === this.levelCapacity) this.growLevels(this.levelCapacity * 2)
    const level = this.unusedLevel++
    this.levelHead[level] = NONE
    this.levelTail[level] = NONE
    return level
  }

  private levelNextFree(level: number): void {
    this.levelTail[level] = NONE
    this.levelTotal[level] = 0
    this.levelPrice[level] = 0n
    this.levelHead[level] = this.freeLevel
    this.freeLevel = level
  }

  private growOrders(capacity: number): void {
    const records = new Float64Array(capacity * ORDER_FLOATS)
    records.set(this.orderFloats)
    this.orderFloats = records
    this.orderInts = new Int32Array(records.buffer)
    this.orderWords = new Uint32Array(records.buffer)
    this.orderBytes = new Uint8Array(records.buffer)
    this.orderExpiresAt = growFloat(this.orderExpiresAt, capacity)
    this.heap = growInt(this.heap, capacity)
    for (let handle = this.capacity; handle < capacity; handle++) this.orderId.push(0n)
    this.capacity = capacity
  }

  private growLevels(capacity: number): void {
    this.levelHead = growInt(this.levelHead, capacity)
    this.levelTail = growInt(this.levelTail, capacity)
    this.levelCount = growInt(this.levelCount, capacity)
    this.levelTotal = growFloat(this.levelTotal, capacity)
    this.levelKey = growFloat(this.levelKey, capacity)
    for (let level = this.levelCapacity; level < capacity; level++) this.levelPrice.push(0n)
    this.levelCapacity = capacity
  }

  private growSide(side: number, capacity: number): void {
    this.sideKeys[side] = growFloat(this.sideKeys[side]!, capacity)
    this.sideLevels[side] = growInt(this.sideLevels[side]!, capacity)
  }

  private reset(): void {
    this.freeOrder = NONE
    this.unusedOrder = 0
    this.liveOrders = 0
    this.freeLevel = NONE
    this.unusedLevel = 0
    this.levelCount.fill(0)
    this.levelTotal.fill(0)
    this.sideCount.fill(0)
    this.levelCache.fill(NONE)
    this.heapSize = 0
    this.ordersByKey.clear()
    this.accountEnds.clear()
    this.accountEndsDirect.fill(NONE)
    this.restingReduceOnly[0].clear()
    this.restingReduceOnly[1].clear()
    this.orderId.fill(0n)
    this.levelPrice.fill(0n)
    this.nextSequence = 0
  }
}


/**
 * First position in keys[0, count) (ascending) whose key is ≥ `key`. Activity clusters at the top of book (the
 * end), so it scans down from there for SHORT_SCAN keys and bisects the rest only when the key is deeper.
 */
function lowerBound(keys: Float64Array, count: number, key: number): number {
  const stop = count > SHORT_SCAN ? count - SHORT_SCAN : 0
  let position = count
  while (position > stop && keys[position - 1]! >= key) position--
  if (position === stop && stop > 0 && keys[stop - 1]! >= key) {
    let low = 0
    let high = stop - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      if (keys[middle]! < key) low = middle + 1
      else high = middle
    }
    position = low
  }
  return position
}

/**
 * Whether `tick` divides `value`, for integers 0 < value < 2^48 and 0 < tick < 2^48, given inverseTick = 1 / tick
 * (rounded). Exact: when tick divides value, value · inverseTick is within q · 2^-51 < 1/2 of the quotient q, so it
 * rounds to q and q · tick === value; when it does not, no integer times tick is value, and q · tick < 2^49 is
 * computed exactly. A double `%` is a call into C in V8 and a division is several times slower than a multiply.
 */
function isMultipleOf(value: number, tick: number, inverseTick: number): boolean {
  return Math.round(value * inverseTick) * tick === value
}

/** `value` is a bigint with 0 ≤ value < limit (limit ≤ 2^53, exactly representable; see the class comment). */
function isBigIntBelow(value: unknown, limit: number): value is bigint {
  return toNumberBelow(value, limit) !== -1
}

// Scratch for bigint → number: storing a bigint into a BigInt64Array and reading its two 32-bit halves is cheaper
// than Number(bigint) in V8 (~7 ns against ~10 ns). Exact for every value the range check lets through.
const CONVERSION = new BigInt64Array(1)
const CONVERSION_HALVES = new Uint32Array(CONVERSION.buffer)
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1
const LOW_HALF = LITTLE_ENDIAN ? 0 : 1
const HIGH_HALF = LITTLE_ENDIAN ? 1 : 0
const INTEGER_LIMIT_BIG = 2n ** 53n

/**
 * `value` as an exact number when it is a bigint with 0 ≤ value < limit (limit ≤ 2^53), else -1. The two bigint
 * comparisons come first, so the int64 store never wraps.
 */
function toNumberBelow(value: unknown, limit: number): number {
  if (typeof value !== 'bigint' || value < 0n || value >= INTEGER_LIMIT_BIG) return -1
  CONVERSION[0] = value
  const number = CONVERSION_HALVES[HIGH_HALF]! * 4294967296 + CONVERSION_HALVES[LOW_HALF]!
  return number < limit ? number : -1
}

/**
 * Interned bigints 0 … 65535: most fill sizes and remainders are small lot counts, and reusing these exact values
 * spares an allocation (and later garbage collection) per event.
 */
const SMALL_BIGINTS: readonly bigint[] = Array.from({ length: 65536 }, (_, index) => BigInt(index))

/** An exact integer number below 2^53 as bigint, interned when small. */
function toBigInt(value: number): bigint {
  return value < 65536 ? SMALL_BIGINTS[value]! : BigInt(value)
}

function growFloat(array: Float64Array, capacity: number): Float64Array<ArrayBuffer> {
  const grown = new Float64Array(capacity)
  grown.set(array)
  return grown
}

function growInt(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(capacity)
  grown.set(array)
  return grown
}
