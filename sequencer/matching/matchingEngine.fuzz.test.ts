import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MatchingEventRecorder } from './eventRecorder.ts'
import { type CanFill, MatchingEngine } from './matchingEngine.ts'
import { ReferenceBook } from './test/referenceBook.ts'
import type { MatchingEvent, OrderRequest, SelfTradePrevention, Side } from './types.ts'

const TICK = 5n
const ACCOUNTS = [1, 2, 3] as const
const INITIAL_POSITIONS: Record<number, bigint> = { 1: 6n, 2: -6n, 3: 0n }

/** The system under test and the model, driven in lockstep; positions are applied as fills are emitted. */
class System {
  now = 100n
  readonly enginePositions = new Map<number, bigint>(Object.entries(INITIAL_POSITIONS).map(([a, p]) => [+a, p]))
  readonly referencePositions = new Map(this.enginePositions)
  readonly recorder: MatchingEventRecorder
  readonly engine: MatchingEngine
  readonly reference: ReferenceBook

  constructor(canFill: CanFill | undefined) {
    const positions = this.enginePositions
    const recorder = new MatchingEventRecorder()
    // Position manager stand-in: applies each fill the moment it is emitted (the engine's documented contract).
    const baseFill = recorder.fill.bind(recorder)
    recorder.fill = (takerAccount, takerOrderId, makerAccount, makerOrderId, price, size, takerSide) => {
      applyFill(positions, takerAccount, makerAccount, size, takerSide)
      baseFill(takerAccount, takerOrderId, makerAccount, makerOrderId, price, size, takerSide)
    }
    this.recorder = recorder
    this.engine = new MatchingEngine({
      market: 0,
      tickSize: TICK,
      minSize: 1n,
      sink: recorder,
      positionOf: (account) => positions.get(account) ?? 0n,
      ...(canFill === undefined ? {} : { canFill }),
      initialCapacity: 2, // start tiny so growth paths run
    })
    const referencePositions = this.referencePositions
    this.reference = new ReferenceBook({
      market: 0,
      tickSize: TICK,
      minSize: 1n,
      positionOf: (account) => referencePositions.get(account) ?? 0n,
      ...(canFill === undefined ? {} : { canFill }),
      onFill: (fill) => applyFill(referencePositions, fill.takerAccount, fill.makerAccount, fill.size, fill.takerSide),
    })
  }

  check(): void {
    const engineEvents = this.recorder.take()
    const referenceEvents = this.reference.events.splice(0)
    expect(engineEvents).toEqual(referenceEvents)
    const snapshot = this.engine.snapshot()
    expect(snapshot).toEqual(this.reference.snapshot())
    expect(this.enginePositions).toEqual(this.referencePositions)
    // Invariants: never crossed, no non-positive remaining, fills balance, depth agrees with the orders.
    const bid = this.engine.bestBid()
    const ask = this.engine.bestAsk()
    if (bid !== undefined && ask !== undefined) expect(bid < ask).toBe(true)
    for (const order of snapshot.orders) expect(order.remaining > 0n).toBe(true)
    const net = [...this.enginePositions.values()].reduce((sum, size) => sum + size, 0n)
    expect(net).toBe(Object.values(INITIAL_POSITIONS).reduce((sum, size) => sum + size, 0n))
    expectTakerSizesBalance(engineEvents)
    for (const side of ['buy', 'sell'] as const) {
      const fromOrders = new Map<bigint, bigint>()
      for (const order of snapshot.orders.filter((o) => o.side === side)) {
        fromOrders.set(order.price, (fromOrders.get(order.price) ?? 0n) + order.remaining)
      }
      const depth = this.engine.depth(side)
      expect(new Map(depth.map(([price, size]) => [price, size]))).toEqual(fromOrders)
      const prices = depth.map(([price]) => price)
      expect(prices).toEqual([...prices].sort((a, b) => (a < b ? 1 : -1) * (side === 'buy' ? 1 : -1)))
    }
    expect(this.engine.orderCount).toBe(snapshot.orders.length)
  }
}

function applyFill(positions: Map<number, bigint>, taker: number, maker: number, size: bigint, takerSide: Side): void {
  const signed = takerSide === 'buy' ? size : -size
  positions.set(taker, (positions.get(taker) ?? 0n) + signed)
  positions.set(maker, (positions.get(maker) ?? 0n) - signed)
}

/** Each accepted order's size = its fills as taker + whatever rested or was cancelled of it in the same call. */
function expectTakerSizesBalance(events: readonly MatchingEvent[]): void {
  let open: { account: number; orderId: bigint; size: bigint; accounted: bigint } | undefined
  const close = (): void => {
    if (open !== undefined) expect(open.accounted).toBe(open.size)
    open = undefined
  }
  for (const event of events) {
    if (event.type === 'accepted') {
      close()
      open = { account: event.account, orderId: event.orderId, size: event.size, accounted: 0n }
    } else if (event.type === 'fill' && open !== undefined) {
      expect([event.takerAccount, event.takerOrderId]).toEqual([open.account, open.orderId])
      open.accounted += event.size
    } else if ((event.type === 'rested' || event.type === 'cancelled') && open !== undefined) {
      if (event.account === open.account && event.orderId === open.orderId) {
        open.accounted += event.type === 'rested' ? event.remaining : event.remaining
        close()
      }
    }
  }
  // A fully filled taker has no closing event.
  close()
}

type OrderShape = {
  type: 'limit' | 'market'
  account: number
  orderId: bigint
  side: Side
  priceTicks: number
  size: bigint
  timeInForce: 'GTC' | 'IOC' | undefined
  postOnly: boolean | undefined
  reduceOnly: boolean | undefined
  selfTradePrevention: SelfTradePrevention | undefined
  expiresIn: number | undefined
  protectionTicks: number | undefined
}

/** Limit prices in [1, maxTicks] ticks, or from `ticks` when given; protection prices in [1, maxTicks]; accounts. */
type Universe = { maxTicks: number; ticks?: readonly number[]; accounts: readonly number[] }

const orderShapeWithin = ({ maxTicks, ticks, accounts }: Universe): fc.Arbitrary<OrderShape> =>
  fc.record({
  type: fc.constantFrom('limit' as const, 'limit' as const, 'limit' as const, 'market' as const),
  account: fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...accounts) }, { weight: 1, arbitrary: fc.constant(-1) }),
  orderId: fc.bigInt({ min: 0n, max: 12n }),
  side: fc.constantFrom('buy' as const, 'sell' as const),
  priceTicks: ticks === undefined ? fc.integer({ min: 1, max: maxTicks }) : fc.constantFrom(...ticks),
  size: fc.oneof({ weight: 30, arbitrary: fc.bigInt({ min: 1n, max: 9n }) }, { weight: 1, arbitrary: fc.constant(0n) }),
  timeInForce: fc.constantFrom(undefined, undefined, 'GTC' as const, 'IOC' as const),
  postOnly: fc.constantFrom(undefined, false, true, undefined, undefined),
  reduceOnly: fc.constantFrom(undefined, undefined, undefined, undefined, undefined, false, true),
  selfTradePrevention: fc.constantFrom(undefined, 'expireTaker' as const, 'expireMaker' as const, 'expireBoth' as const),
  expiresIn: fc.option(fc.integer({ min: -1, max: 6 }), { freq: 2 }).map((value) => value ?? undefined),
  protectionTicks: fc.option(fc.integer({ min: 1, max: maxTicks }), { freq: 2 }).map((value) => value ?? undefined),
})

/** A shape, plus a separate chance of an off-tick price, becomes a request at the current time. */
function toRequest(shape: OrderShape, offTick: boolean, now: bigint): OrderRequest {
  const common = {
    account: shape.account,
    orderId: shape.orderId,
    side: shape.side,
    size: shape.size,
    ...(shape.reduceOnly === undefined ? {} : { reduceOnly: shape.reduceOnly }),
    ...(shape.selfTradePrevention === undefined ? {} : { selfTradePrevention: shape.selfTradePrevention }),
    ...(shape.expiresIn === undefined ? {} : { expiresAt: now + BigInt(shape.expiresIn) }),
  }
  if (shape.type === 'market') {
    return {
      ...common,
      type: 'market',
      ...(shape.protectionTicks === undefined ? {} : { protectionPrice: BigInt(shape.protectionTicks) * TICK + 1n }),
    }
  }
  return {
    ...common,
    type: 'limit',
    price: BigInt(shape.priceTicks) * TICK + (offTick ? 1n : 0n),
    ...(shape.timeInForce === undefined ? {} : { timeInForce: shape.timeInForce }),
    ...(shape.postOnly === undefined ? {} : { postOnly: shape.postOnly }),
  }
}

type Model = Record<string, never>

class SubmitCommand implements fc.Command<Model, System> {
  constructor(readonly shape: OrderShape, readonly offTick: boolean, readonly advance: number) {}
  check(): boolean {
    return true
  }
  run(_model: Model, system: System): void {
    system.now += BigInt(this.advance)
    const request = toRequest(this.shape, this.offTick, system.now)
    system.engine.submit(request, system.now)
    system.reference.submit(request, system.now)
    system.check()
  }
  toString(): string {
    return `submit(${JSON.stringify(this.shape, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}, offTick=${this.offTick}, +${this.advance})`
  }
}

class CancelCommand implements fc.Command<Model, System> {
  constructor(readonly account: number, readonly orderId: bigint) {}
  check(): boolean {
    return true
  }
  run(_model: Model, system: System): void {
    system.engine.cancel(this.account, this.orderId)
    system.reference.cancel(this.account, this.orderId)
    system.check()
  }
  toString(): string {
    return `cancel(${this.account}, ${this.orderId}n)`
  }
}

class CancelAllCommand implements fc.Command<Model, System> {
  constructor(readonly account: number) {}
  check(): boolean {
    return true
  }
  run(_model: Model, system: System): void {
    expect(system.engine.cancelAll(this.account)).toBe(system.reference.cancelAll(this.account))
    system.check()
  }
  toString(): string {
    return `cancelAll(${this.account})`
  }
}

class AmendCommand implements fc.Command<Model, System> {
  constructor(
    readonly account: number,
    readonly orderId: bigint,
    readonly shape: OrderShape,
    readonly sameAccount: boolean,
    readonly advance: number,
  ) {}
  check(): boolean {
    return true
  }
  run(_model: Model, system: System): void {
    system.now += BigInt(this.advance)
    const shape = this.sameAccount ? { ...this.shape, account: this.account } : this.shape
    const request = toRequest(shape, false, system.now)
    system.engine.amend(this.account, this.orderId, request, system.now)
    system.reference.amend(this.account, this.orderId, request, system.now)
    system.check()
  }
  toString(): string {
    return `amend(${this.account}, ${this.orderId}n, ${JSON.stringify(this.shape, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}, +${this.advance})`
  }
}

class ExpireCommand implements fc.Command<Model, System> {
  constructor(readonly advance: number) {}
  check(): boolean {
    return true
  }
  run(_model: Model, system: System): void {
    system.now += BigInt(this.advance)
    system.engine.expire(system.now)
    system.reference.expire(system.now)
    system.check()
  }
  toString(): string {
    return `expire(+${this.advance})`
  }
}

const orderId = fc.bigInt({ min: 0n, max: 12n })
const advance = fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) })
const commandsWithin = (universe: Universe) => {
  const orderShape = orderShapeWithin(universe)
  const account = fc.constantFrom(...universe.accounts)
  return fc.commands(
  [
    fc.oneof(
      {
        weight: 12,
        arbitrary: fc
          .tuple(orderShape, fc.integer({ min: 0, max: 40 }), advance)
          .map(([shape, offTick, by]) => new SubmitCommand(shape, offTick === 0, by)),
      },
      { weight: 2, arbitrary: fc.tuple(account, orderId).map(([a, id]) => new CancelCommand(a, id)) },
      { weight: 1, arbitrary: account.map((a) => new CancelAllCommand(a)) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(account, orderId, orderShape, fc.integer({ min: 0, max: 9 }), advance)
          .map(([a, id, shape, same, by]) => new AmendCommand(a, id, shape, same !== 0, by)),
      },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }).map((by) => new ExpireCommand(by)) },
    ),
  ],
  { maxCommands: 150, size: 'max' },
  )
}
const commands = commandsWithin({ maxTicks: 6, accounts: ACCOUNTS })

/** A deterministic stand-in for a margin check: refuses some fills by a rule on their fields. */
const marginRule: CanFill = (takerAccount, makerAccount, price, size) => {
  const score = takerAccount * 7 + makerAccount * 3 + Number(size) + Number(price / TICK)
  if (score % 11 === 0) return 'rejectMaker'
  if (score % 13 === 0) return 'rejectTaker'
  if (score % 17 === 0) return 'rejectBoth'
  return 'admit'
}

describe('MatchingEngine (model-based against ReferenceBook)', () => {
  it('behavior: identical events, book and positions for random command sequences', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        fc.modelRun(() => ({ model: {}, real: new System(undefined) }), sequence)
      }),
      { numRuns: 300, seed: 0x5eed },
    )
  })

  it('behavior: identical events over a wide price range (deep level arrays, bisection)', () => {
    fc.assert(
      fc.property(commandsWithin({ maxTicks: 80, accounts: ACCOUNTS }), (sequence) => {
        fc.modelRun(() => ({ model: {}, real: new System(undefined) }), sequence)
      }),
      { numRuns: 150, seed: 0xdee9 },
    )
  })

  it('behavior: identical events for prices that share level-cache slots (multiples of 4096 ticks apart)', () => {
    // The engine's level cache has 4096 slots indexed by price in ticks: these prices collide in it.
    const ticks = [1, 2, 3, 4097, 4098, 8193, 8194, 12289, 2 ** 20 + 1]
    fc.assert(
      fc.property(commandsWithin({ maxTicks: 2 ** 20 + 1, ticks, accounts: ACCOUNTS }), (sequence) => {
        fc.modelRun(() => ({ model: {}, real: new System(undefined) }), sequence)
      }),
      { numRuns: 150, seed: 0xc011 },
    )
  })

  it('behavior: identical events for sparse and large account indices (growing and hashed account lists)', () => {
    // 300 grows the direct per-account array; 2^20 + 7 and 2^32 − 1 take the hashed path.
    const accounts = [1, 300, 2 ** 20 + 7, 2 ** 32 - 1]
    fc.assert(
      fc.property(commandsWithin({ maxTicks: 6, accounts }), (sequence) => {
        fc.modelRun(() => ({ model: {}, real: new System(undefined) }), sequence)
      }),
      { numRuns: 150, seed: 0xacc7 },
    )
  })

  it('behavior: identical events with a pre-fill admission hook refusing some fills', () => {
    fc.assert(
      fc.property(commands, (sequence) => {
        fc.modelRun(() => ({ model: {}, real: new System(marginRule) }), sequence)
      }),
      { numRuns: 200, seed: 0xad317 },
    )
  })
})
