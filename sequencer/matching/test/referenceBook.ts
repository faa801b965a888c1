import {
  AccountOutOfRangeError,
  AmendAccountMismatchError,
  DuplicateOrderIdError,
  ExpiryOutOfRangeError,
  IncompatibleFlagsError,
  InvalidOrderError,
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
} from '../errors.ts'
import type { CanFill, PositionLookup } from '../matchingEngine.ts'
import type {
  BookSnapshot,
  CancelReason,
  MatchingEvent,
  OrderRequest,
  RestingOrderSnapshot,
  SelfTradePrevention,
  Side,
} from '../types.ts'

type ReferenceOrder = {
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
 * A deliberately naive order book for model-based tests: one array of orders, a full sort to find the best maker
 * every time, bigint arithmetic only. It implements the engine's documented rules from scratch (no code shared but
 * the error classes), so any divergence is a bug in one of them.
 */
export class ReferenceBook {
  orders: ReferenceOrder[] = []
  events: MatchingEvent[] = []
  nextSequence = 0

  constructor(
    readonly parameters: {
      market: number
      tickSize: bigint
      minSize?: bigint
      positionOf?: PositionLookup
      canFill?: CanFill
      /** Called with every fill event right after it is recorded (the position manager's hook). */
      onFill?: (event: Extract<MatchingEvent, { type: 'fill' }>) => void
    },
  ) {}

  submit(order: OrderRequest, now: bigint): void {
    this.expire(now)
    const result = this.validate(order, now, undefined)
    if ('error' in result) return this.reject(order.account, order.orderId, result.error)
    this.execute(order, result.size)
  }

  cancel(account: number, orderId: bigint): void {
    const order = this.find(account, orderId)
    if (order === undefined) return this.reject(account, orderId, new UnknownOrderError(account, orderId))
    this.removeAndEmit(order, 'user')
  }

  cancelAll(account: number): number {
    const mine = this.orders.filter((order) => order.account === account).sort((a, b) => a.sequence - b.sequence)
    for (const order of mine) this.removeAndEmit(order, 'user')
    return mine.length
  }

  amend(account: number, orderId: bigint, replacement: OrderRequest, now: bigint): void {
    this.expire(now)
    const old = this.find(account, orderId)
    if (old === undefined) return this.reject(account, orderId, new UnknownOrderError(account, orderId))
    if (replacement.account !== account) {
      return this.reject(account, orderId, new AmendAccountMismatchError(account, replacement.account))
    }
    const result = this.validate(replacement, now, old)
    if ('error' in result) return this.reject(replacement.account, replacement.orderId, result.error)
    this.removeAndEmit(old, 'replaced')
    this.execute(replacement, result.size)
  }

  expire(now: bigint): void {
    const due = this.orders
      .filter((order) => order.expiresAt !== undefined && order.expiresAt < now)
      .sort((a, b) => (a.expiresAt! < b.expiresAt! ? -1 : a.expiresAt! > b.expiresAt! ? 1 : a.sequence - b.sequence))
    for (const order of due) this.removeAndEmit(order, 'expired')
  }

  snapshot(): BookSnapshot {
    return {
      version: 1,
      market: this.parameters.market,
      tickSize: this.parameters.tickSize,
      nextSequence: this.nextSequence,
      orders: [...this.orders].sort((a, b) => a.sequence - b.sequence).map((order) => ({ ...order })),
    }
  }

  private validate(
    order: OrderRequest,
    now: bigint,
    replacing: ReferenceOrder | undefined,
  ): { error: MatchingError } | { size: bigint } {
    const { tickSize, minSize = 1n, positionOf, market } = this.parameters
    const type: unknown = order.type
    if (type !== 'limit' && type !== 'market') return { error: new InvalidOrderError('type', type) }
    if (order.side !== 'buy' && order.side !== 'sell') return { error: new InvalidOrderError('side', order.side) }
    if (!Number.isInteger(order.account) || order.account < 0 || order.account >= 2 ** 32) {
      return { error: new AccountOutOfRangeError(order.account) }
    }
    if (typeof order.orderId !== 'bigint' || order.orderId < 0n || order.orderId >= 2n ** 53n) {
      return { error: new OrderIdOutOfRangeError(order.orderId) }
    }
    if (typeof order.size !== 'bigint' || order.size <= 0n || order.size >= 2n ** 40n) {
      return { error: new SizeOutOfRangeError(order.size) }
    }
    if (order.size < minSize) return { error: new SizeBelowMinimumError(order.size, minSize) }
    if (order.reduceOnly !== undefined && typeof order.reduceOnly !== 'boolean') {
      return { error: new InvalidOrderError('reduceOnly', order.reduceOnly) }
    }
    const modes: unknown[] = [undefined, 'expireTaker', 'expireMaker', 'expireBoth']
    if (!modes.includes(order.selfTradePrevention)) {
      return { error: new InvalidOrderError('selfTradePrevention', order.selfTradePrevention) }
    }
    if (order.type === 'limit') {
      if (typeof order.price !== 'bigint' || order.price <= 0n || order.price >= 2n ** 48n) {
        return { error: new PriceOutOfRangeError(order.price) }
      }
      if (order.price % tickSize !== 0n) return { error: new PriceOffTickError(order.price, tickSize) }
      if (![undefined, 'GTC', 'IOC'].includes(order.timeInForce)) {
        return { error: new InvalidOrderError('timeInForce', order.timeInForce) }
      }
      if (order.postOnly !== undefined && typeof order.postOnly !== 'boolean') {
        return { error: new InvalidOrderError('postOnly', order.postOnly) }
      }
      if (order.postOnly === true && order.timeInForce === 'IOC') {
        return { error: new IncompatibleFlagsError('postOnly+IOC') }
      }
    } else if (order.protectionPrice !== undefined) {
      const protection = order.protectionPrice
      if (typeof protection !== 'bigint' || protection <= 0n || protection >= 2n ** 48n) {
        return { error: new PriceOutOfRangeError(protection) }
      }
    }
    if (order.expiresAt !== undefined) {
      if (typeof order.expiresAt !== 'bigint' || order.expiresAt < 0n || order.expiresAt >= 2n ** 53n) {
        return { error: new ExpiryOutOfRangeError(order.expiresAt) }
      }
      if (order.expiresAt < now) return { error: new OrderExpiredError(order.expiresAt, now) }
    }
    if (order.reduceOnly === true && positionOf === undefined) return { error: new ReduceOnlyUnavailableError() }
    const existing = this.find(order.account, order.orderId)
    if (existing !== undefined && existing !== replacing) {
      return { error: new DuplicateOrderIdError(order.account, order.orderId) }
    }
    if (order.reduceOnly !== true) return { size: order.size }
    const position = positionOf!(order.account, market)
    const resting = this.orders
      .filter((other) => other !== replacing && other.account === order.account)
      .filter((other) => other.reduceOnly && other.side === order.side)
      .reduce((sum, other) => sum + other.remaining, 0n)
    const capacity = (order.side === 'buy' ? -position : position) - resting
    if (capacity <= 0n) return { error: new ReduceOnlyWouldIncreaseError(position, resting) }
    return { size: capacity < order.size ? capacity : order.size }
  }

  private execute(order: OrderRequest, size: bigint): void {
    const { canFill } = this.parameters
    const sequence = this.nextSequence++
    const price = order.type === 'limit' ? order.price : order.protectionPrice
    this.events.push({ type: 'accepted', account: order.account, orderId: order.orderId, side: order.side, price, size })
    const crosses = (maker: ReferenceOrder): boolean =>
      price === undefined || (order.side === 'buy' ? maker.price <= price : maker.price >= price)
    const best = (): ReferenceOrder | undefined =>
      this.orders
        .filter((maker) => maker.side !== order.side)
        .sort((a, b) => {
          if (a.price !== b.price) return (a.price < b.price ? -1 : 1) * (order.side === 'buy' ? 1 : -1)
          return a.sequence - b.sequence
        })[0]
    const cancelTaker = (remaining: bigint, reason: CancelReason): void => {
      this.events.push({ type: 'cancelled', account: order.account, orderId: order.orderId, remaining, reason })
    }

    if (order.type === 'limit' && order.postOnly === true) {
      const maker = best()
      if (maker !== undefined && crosses(maker)) return cancelTaker(size, 'postOnlyWouldCross')
    }
    let remaining = size
    while (remaining > 0n) {
      const maker = best()
      if (maker === undefined || !crosses(maker)) break
      if (maker.account === order.account) {
        const mode = order.selfTradePrevention ?? 'expireMaker'
        if (mode !== 'expireTaker') this.removeAndEmit(maker, 'selfTrade')
        if (mode !== 'expireMaker') return cancelTaker(remaining, 'selfTrade')
        continue
      }
      let fill = remaining < maker.remaining ? remaining : maker.remaining
      if (order.reduceOnly === true) {
        const capacity = this.reduceCapacity(order.account, order.side)
        if (capacity === 0n) return cancelTaker(remaining, 'reduceOnly')
        if (capacity < fill) fill = capacity
      }
      if (maker.reduceOnly) {
        const capacity = this.reduceCapacity(maker.account, maker.side)
        if (capacity === 0n) {
          this.removeAndEmit(maker, 'reduceOnly')
          continue
        }
        if (capacity < fill) fill = capacity
      }
      if (canFill !== undefined) {
        const admission = canFill(order.account, maker.account, maker.price, fill, order.side)
        if (admission !== 'admit') {
          if (admission === 'rejectMaker' || admission === 'rejectBoth') this.removeAndEmit(maker, 'notAdmitted')
          if (admission === 'rejectTaker' || admission === 'rejectBoth') return cancelTaker(remaining, 'notAdmitted')
          continue
        }
      }
      remaining -= fill
      maker.remaining -= fill
      if (maker.remaining === 0n) this.orders = this.orders.filter((other) => other !== maker)
      const event = {
        type: 'fill' as const,
        takerAccount: order.account,
        takerOrderId: order.orderId,
        makerAccount: maker.account,
        makerOrderId: maker.orderId,
        price: maker.price,
        size: fill,
        takerSide: order.side,
      }
      this.events.push(event)
      this.parameters.onFill?.(event)
    }
    if (remaining === 0n) return
    if (order.type === 'market' || order.timeInForce === 'IOC') return cancelTaker(remaining, 'iocRemainder')
    this.orders.push({
      account: order.account,
      orderId: order.orderId,
      side: order.side,
      price: order.price,
      remaining,
      reduceOnly: order.reduceOnly === true,
      postOnly: order.postOnly === true,
      selfTradePrevention: order.selfTradePrevention ?? 'expireMaker',
      expiresAt: order.expiresAt,
      sequence,
    })
    this.events.push({
      type: 'rested',
      account: order.account,
      orderId: order.orderId,
      side: order.side,
      price: order.price,
      remaining,
    })
  }

  private reduceCapacity(account: number, side: Side): bigint {
    const position = this.parameters.positionOf!(account, this.parameters.market)
    const reducible = side === 'buy' ? -position : position
    return reducible > 0n ? reducible : 0n
  }

  private find(account: number, orderId: bigint): ReferenceOrder | undefined {
    return this.orders.find((order) => order.account === account && order.orderId === orderId)
  }

  private removeAndEmit(order: ReferenceOrder, reason: CancelReason): void {
    this.orders = this.orders.filter((other) => other !== order)
    this.events.push({ type: 'cancelled', account: order.account, orderId: order.orderId, remaining: order.remaining, reason })
  }

  private reject(account: number, orderId: bigint, error: MatchingError): void {
    this.events.push({ type: 'rejected', account, orderId, code: error.code, details: error.details })
  }
}

export type { RestingOrderSnapshot }
