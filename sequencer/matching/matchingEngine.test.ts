import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { MatchingEventRecorder, serializeMatchingEvents } from './eventRecorder.ts'
import {
  InvalidMarketConfigError,
  InvalidSnapshotError,
  InvalidTimeError,
  matchingErrorClasses,
} from './errors.ts'
import { type CanFill, MatchingEngine } from './matchingEngine.ts'
import { applyInput, replayScenario, scenarioEngine, scenarioInputs } from './test/scenario.ts'
import type { LimitOrderRequest, MarketOrderRequest, MatchingEvent, Side } from './types.ts'

const NOW = 100n

function setup(options: { positions?: Record<number, bigint>; canFill?: CanFill; minSize?: bigint } = {}) {
  const recorder = new MatchingEventRecorder()
  const positions = new Map<number, bigint>(Object.entries(options.positions ?? {}).map(([a, p]) => [+a, p]))
  const record = recorder.fill.bind(recorder)
  recorder.fill = (takerAccount, takerOrderId, makerAccount, makerOrderId, price, size, takerSide) => {
    const signed = takerSide === 'buy' ? size : -size
    positions.set(takerAccount, (positions.get(takerAccount) ?? 0n) + signed)
    positions.set(makerAccount, (positions.get(makerAccount) ?? 0n) - signed)
    record(takerAccount, takerOrderId, makerAccount, makerOrderId, price, size, takerSide)
  }
  const engine = new MatchingEngine({
    market: 0,
    tickSize: 10n,
    sink: recorder,
    positionOf: (account) => positions.get(account) ?? 0n,
    ...(options.canFill === undefined ? {} : { canFill: options.canFill }),
    ...(options.minSize === undefined ? {} : { minSize: options.minSize }),
  })
  return { engine, recorder, positions }
}

function limit(
  account: number,
  orderId: bigint,
  side: Side,
  price: bigint,
  size: bigint,
  extra: Partial<LimitOrderRequest> = {},
): LimitOrderRequest {
  return { type: 'limit', account, orderId, side, price, size, ...extra }
}

function market(account: number, orderId: bigint, side: Side, size: bigint, extra: Partial<MarketOrderRequest> = {}) {
  return { type: 'market', account, orderId, side, size, ...extra } as MarketOrderRequest
}

/** Short forms of events for readable expectations. */
function brief(events: readonly MatchingEvent[]): string[] {
  return events.map((event) => {
    switch (event.type) {
      case 'accepted':
        return `accepted ${event.account}/${event.orderId} ${event.side} ${event.size}@${event.price ?? 'market'}`
      case 'fill':
        return `fill ${event.takerAccount}/${event.takerOrderId}×${event.makerAccount}/${event.makerOrderId} ${event.size}@${event.price} ${event.takerSide}`
      case 'rested':
        return `rested ${event.account}/${event.orderId} ${event.remaining}@${event.price}`
      case 'cancelled':
        return `cancelled ${event.account}/${event.orderId} ${event.remaining} ${event.reason}`
      case 'rejected':
        return `rejected ${event.account}/${event.orderId} ${event.code}`
    }
  })
}

describe('MatchingEngine', () => {
  it('default: a crossing order trades at the maker price and rests its remainder', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'sell', 1000n, 5n), NOW)
    engine.submit(limit(2, 1n, 'buy', 1010n, 8n), NOW)
    expect(brief(recorder.take())).toEqual([
      'accepted 1/1 sell 5@1000',
      'rested 1/1 5@1000',
      'accepted 2/1 buy 8@1010',
      'fill 2/1×1/1 5@1000 buy',
      'rested 2/1 3@1010',
    ])
    expect(engine.bestBid()).toBe(1010n)
    expect(engine.bestAsk()).toBeUndefined()
  })

  it('behavior: price-time priority: better price first, then the earlier order at one price', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'sell', 1010n, 1n), NOW)
    engine.submit(limit(2, 1n, 'sell', 1000n, 1n), NOW)
    engine.submit(limit(3, 1n, 'sell', 1000n, 1n), NOW)
    engine.submit(limit(4, 1n, 'sell', 990n, 1n), NOW)
    recorder.take()
    engine.submit(market(5, 1n, 'buy', 4n), NOW)
    expect(brief(recorder.take()).filter((line) => line.startsWith('fill'))).toEqual([
      'fill 5/1×4/1 1@990 buy',
      'fill 5/1×2/1 1@1000 buy',
      'fill 5/1×3/1 1@1000 buy',
      'fill 5/1×1/1 1@1010 buy',
    ])
  })

  it('behavior: partial fill leaves the maker remainder first in its queue', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'buy', 1000n, 10n), NOW)
    engine.submit(limit(2, 1n, 'buy', 1000n, 10n), NOW)
    engine.submit(limit(3, 1n, 'sell', 1000n, 4n), NOW)
    engine.submit(limit(3, 2n, 'sell', 1000n, 7n), NOW)
    const fills = brief(recorder.take()).filter((line) => line.startsWith('fill'))
    expect(fills).toEqual(['fill 3/1×1/1 4@1000 sell', 'fill 3/2×1/1 6@1000 sell', 'fill 3/2×2/1 1@1000 sell'])
    expect(engine.getOrder(2, 1n)?.remaining).toBe(9n)
    expect(engine.depth('buy')).toEqual([[1000n, 9n, 1]])
  })

  it('behavior: cancel after a partial fill cancels the remainder; after a full fill the order is unknown', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'sell', 1000n, 5n), NOW)
    engine.submit(limit(1, 2n, 'sell', 1000n, 5n), NOW)
    engine.submit(limit(2, 1n, 'buy', 1000n, 7n), NOW)
    recorder.take()
    engine.cancel(1, 2n)
    engine.cancel(1, 1n)
    expect(brief(recorder.take())).toEqual(['cancelled 1/2 3 user', 'rejected 1/1 UNKNOWN_ORDER'])
    expect(engine.orderCount).toBe(0)
  })

  it('behavior: amend cancels and replaces, losing time priority', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'buy', 1000n, 5n), NOW)
    engine.submit(limit(2, 1n, 'buy', 1000n, 5n), NOW)
    engine.amend(1, 1n, limit(1, 1n, 'buy', 1000n, 6n), NOW)
    engine.submit(market(3, 1n, 'sell', 5n), NOW)
    expect(brief(recorder.take()).slice(4)).toEqual([
      'cancelled 1/1 5 replaced',
      'accepted 1/1 buy 6@1000',
      'rested 1/1 6@1000',
      'accepted 3/1 sell 5@market',
      'fill 3/1×2/1 5@1000 sell',
    ])
  })

  it('behavior: amend to a crossing price trades at once', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'sell', 1000n, 5n), NOW)
    engine.submit(limit(2, 7n, 'buy', 990n, 5n), NOW)
    recorder.take()
    engine.amend(2, 7n, limit(2, 8n, 'buy', 1000n, 2n), NOW)
    expect(brief(recorder.take())).toEqual([
      'cancelled 2/7 5 replaced',
      'accepted 2/8 buy 2@1000',
      'fill 2/8×1/1 2@1000 buy',
    ])
  })

  it('error: amend with an invalid replacement or of an unknown order changes nothing', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'buy', 1000n, 5n), NOW)
    engine.submit(limit(1, 2n, 'buy', 990n, 5n), NOW)
    recorder.take()
    engine.amend(1, 1n, limit(1, 1n, 'buy', 1001n, 5n), NOW)
    engine.amend(1, 1n, limit(1, 2n, 'buy', 1000n, 5n), NOW)
    engine.amend(1, 1n, limit(2, 1n, 'buy', 1000n, 5n), NOW)
    engine.amend(1, 9n, limit(1, 9n, 'buy', 1000n, 5n), NOW)
    expect(brief(recorder.take())).toEqual([
      'rejected 1/1 PRICE_OFF_TICK',
      'rejected 1/2 DUPLICATE_ORDER_ID',
      'rejected 1/1 AMEND_ACCOUNT_MISMATCH',
      'rejected 1/9 UNKNOWN_ORDER',
    ])
    expect(engine.getOrder(1, 1n)?.remaining).toBe(5n)
  })

  describe('self-trade prevention', () => {
    const run = (mode: 'expireTaker' | 'expireMaker' | 'expireBoth', makerMode = mode) => {
      const { engine, recorder } = setup()
      engine.submit(limit(1, 1n, 'sell', 1000n, 5n, { selfTradePrevention: makerMode }), NOW)
      engine.submit(limit(2, 1n, 'sell', 1010n, 5n), NOW)
      recorder.take()
      engine.submit(limit(1, 2n, 'buy', 1010n, 8n, { selfTradePrevention: mode }), NOW)
      return { lines: brief(recorder.take()), engine }
    }

    it('behavior: expireMaker cancels the resting order and keeps matching', () => {
      expect(run('expireMaker').lines).toEqual([
        'accepted 1/2 buy 8@1010',
        'cancelled 1/1 5 selfTrade',
        'fill 1/2×2/1 5@1010 buy',
        'rested 1/2 3@1010',
      ])
    })

    it('behavior: expireTaker cancels the taker remainder and keeps the resting order', () => {
      const { lines, engine } = run('expireTaker')
      expect(lines).toEqual(['accepted 1/2 buy 8@1010', 'cancelled 1/2 8 selfTrade'])
      expect(engine.getOrder(1, 1n)?.remaining).toBe(5n)
    })

    it('behavior: expireBoth cancels both', () => {
      expect(run('expireBoth').lines).toEqual([
        'accepted 1/2 buy 8@1010',
        'cancelled 1/1 5 selfTrade',
        'cancelled 1/2 8 selfTrade',
      ])
    })

    it("behavior: the taker's mode wins over the maker's", () => {
      expect(run('expireTaker', 'expireMaker').lines).toEqual(['accepted 1/2 buy 8@1010', 'cancelled 1/2 8 selfTrade'])
    })
  })

  it('behavior: a crossing post-only order is cancelled without trading; a passive one rests', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'sell', 1000n, 5n), NOW)
    engine.submit(limit(2, 1n, 'buy', 1000n, 5n, { postOnly: true }), NOW)
    engine.submit(limit(2, 2n, 'buy', 990n, 5n, { postOnly: true }), NOW)
    expect(brief(recorder.take()).slice(2)).toEqual([
      'accepted 2/1 buy 5@1000',
      'cancelled 2/1 5 postOnlyWouldCross',
      'accepted 2/2 buy 5@990',
      'rested 2/2 5@990',
    ])
    expect(engine.getOrder(1, 1n)?.remaining).toBe(5n)
  })

  describe('reduce-only', () => {
    it('error: a reduce-only order that could only grow the position is rejected', () => {
      const { engine, recorder } = setup({ positions: { 1: 5n } })
      engine.submit(limit(1, 1n, 'buy', 1000n, 1n, { reduceOnly: true }), NOW)
      engine.submit(limit(2, 1n, 'sell', 1000n, 1n, { reduceOnly: true }), NOW)
      expect(brief(recorder.take())).toEqual(['rejected 1/1 REDUCE_ONLY_WOULD_INCREASE', 'rejected 2/1 REDUCE_ONLY_WOULD_INCREASE'])
    })

    it('behavior: size is clipped to the position less other resting reduce-only orders', () => {
      const { engine, recorder } = setup({ positions: { 1: 5n } })
      engine.submit(limit(1, 1n, 'sell', 1100n, 3n, { reduceOnly: true }), NOW)
      engine.submit(limit(1, 2n, 'sell', 1100n, 10n, { reduceOnly: true }), NOW)
      engine.submit(limit(1, 3n, 'sell', 1100n, 1n, { reduceOnly: true }), NOW)
      expect(brief(recorder.take())).toEqual([
        'accepted 1/1 sell 3@1100',
        'rested 1/1 3@1100',
        'accepted 1/2 sell 2@1100',
        'rested 1/2 2@1100',
        'rejected 1/3 REDUCE_ONLY_WOULD_INCREASE',
      ])
    })

    it('behavior: growing reduce-only: a resting reduce-only order whose position is gone is cancelled at fill time', () => {
      const { engine, recorder, positions } = setup({ positions: { 1: 5n, 3: -5n } })
      engine.submit(limit(1, 1n, 'sell', 1000n, 5n, { reduceOnly: true }), NOW)
      // The position is closed elsewhere (another market move, a liquidation…): the order must not open a short.
      positions.set(1, 2n)
      engine.submit(limit(2, 1n, 'buy', 1000n, 5n), NOW)
      engine.submit(limit(3, 1n, 'buy', 1000n, 1n), NOW)
      expect(brief(recorder.take())).toEqual([
        'accepted 1/1 sell 5@1000',
        'rested 1/1 5@1000',
        'accepted 2/1 buy 5@1000',
        'fill 2/1×1/1 2@1000 buy',
        'cancelled 1/1 3 reduceOnly',
        'rested 2/1 3@1000',
        'accepted 3/1 buy 1@1000',
        'rested 3/1 1@1000',
      ])
      expect(positions.get(1)).toBe(0n)
    })

    it('behavior: a reduce-only taker stops when its position is closed', () => {
      const { engine, recorder, positions } = setup({ positions: { 1: -3n } })
      engine.submit(limit(2, 1n, 'sell', 1000n, 2n), NOW)
      engine.submit(limit(3, 1n, 'sell', 1000n, 2n), NOW)
      recorder.take()
      engine.submit(market(1, 1n, 'buy', 9n, { reduceOnly: true }), NOW)
      expect(brief(recorder.take())).toEqual([
        'accepted 1/1 buy 3@market',
        'fill 1/1×2/1 2@1000 buy',
        'fill 1/1×3/1 1@1000 buy',
      ])
      expect(positions.get(1)).toBe(0n)
    })

    it('error: reduce-only without a position lookup is unavailable', () => {
      const recorder = new MatchingEventRecorder()
      const engine = new MatchingEngine({ market: 0, tickSize: 1n, sink: recorder })
      engine.submit(limit(1, 1n, 'sell', 10n, 1n, { reduceOnly: true }), NOW)
      expect(brief(recorder.take())).toEqual(['rejected 1/1 REDUCE_ONLY_UNAVAILABLE'])
    })
  })

  it('behavior: IOC remainder is cancelled, never rests', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'sell', 1000n, 2n), NOW)
    engine.submit(limit(2, 1n, 'buy', 1000n, 5n, { timeInForce: 'IOC' }), NOW)
    expect(brief(recorder.take()).slice(2)).toEqual([
      'accepted 2/1 buy 5@1000',
      'fill 2/1×1/1 2@1000 buy',
      'cancelled 2/1 3 iocRemainder',
    ])
    expect(engine.orderCount).toBe(0)
  })

  it('behavior: a market order sweeps levels up to its protection price and cancels the rest', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 1n, 'sell', 1000n, 2n), NOW)
    engine.submit(limit(1, 2n, 'sell', 1010n, 2n), NOW)
    engine.submit(limit(1, 3n, 'sell', 1020n, 2n), NOW)
    recorder.take()
    engine.submit(market(2, 1n, 'buy', 9n, { protectionPrice: 1015n }), NOW)
    expect(brief(recorder.take())).toEqual([
      'accepted 2/1 buy 9@1015',
      'fill 2/1×1/1 2@1000 buy',
      'fill 2/1×1/2 2@1010 buy',
      'cancelled 2/1 5 iocRemainder',
    ])
    expect(engine.bestAsk()).toBe(1020n)
  })

  describe('expiry', () => {
    it('behavior: GTT orders expire earliest first, ties by arrival, live while now ≤ expiresAt', () => {
      const { engine, recorder } = setup()
      engine.submit(limit(1, 1n, 'buy', 1000n, 1n, { expiresAt: 120n }), NOW)
      engine.submit(limit(1, 2n, 'buy', 990n, 1n, { expiresAt: 110n }), NOW)
      engine.submit(limit(1, 3n, 'buy', 980n, 1n, { expiresAt: 120n }), NOW)
      engine.submit(limit(1, 4n, 'buy', 970n, 1n), NOW)
      recorder.take()
      engine.expire(110n)
      expect(recorder.take()).toEqual([])
      engine.expire(121n)
      expect(brief(recorder.take())).toEqual([
        'cancelled 1/2 1 expired',
        'cancelled 1/1 1 expired',
        'cancelled 1/3 1 expired',
      ])
      expect(engine.orderCount).toBe(1)
    })

    it('behavior: an expired maker never trades: each call first expires what is due', () => {
      const { engine, recorder } = setup()
      engine.submit(limit(1, 1n, 'sell', 1000n, 1n, { expiresAt: 105n }), NOW)
      engine.submit(limit(1, 2n, 'sell', 1010n, 1n), NOW)
      recorder.take()
      engine.submit(market(2, 1n, 'buy', 1n), 106n)
      expect(brief(recorder.take())).toEqual([
        'cancelled 1/1 1 expired',
        'accepted 2/1 buy 1@market',
        'fill 2/1×1/2 1@1010 buy',
      ])
    })

    it('error: an order whose expiry has passed is rejected', () => {
      const { engine, recorder } = setup()
      engine.submit(limit(1, 1n, 'sell', 1000n, 1n, { expiresAt: NOW - 1n }), NOW)
      engine.submit(limit(1, 2n, 'sell', 1000n, 1n, { expiresAt: NOW }), NOW)
      expect(brief(recorder.take())).toEqual(['rejected 1/1 ORDER_EXPIRED', 'accepted 1/2 sell 1@1000', 'rested 1/2 1@1000'])
    })
  })

  it('behavior: cancelAll cancels one account, oldest first, and leaves the others', () => {
    const { engine, recorder } = setup()
    engine.submit(limit(1, 5n, 'buy', 990n, 1n), NOW)
    engine.submit(limit(2, 1n, 'buy', 990n, 1n), NOW)
    engine.submit(limit(1, 3n, 'sell', 1100n, 1n), NOW)
    engine.submit(limit(1, 4n, 'buy', 1000n, 1n), NOW)
    recorder.take()
    expect(engine.cancelAll(1)).toBe(3)
    expect(brief(recorder.take())).toEqual(['cancelled 1/5 1 user', 'cancelled 1/3 1 user', 'cancelled 1/4 1 user'])
    expect(engine.orderCount).toBe(1)
    expect(engine.cancelAll(1)).toBe(0)
  })

  it('behavior: the pre-fill hook can refuse a maker, the taker, or both', () => {
    const canFill: CanFill = (_taker, maker) => (maker === 9 ? 'rejectMaker' : maker === 8 ? 'rejectTaker' : 'admit')
    const { engine, recorder } = setup({ canFill })
    engine.submit(limit(9, 1n, 'sell', 1000n, 2n), NOW)
    engine.submit(limit(7, 1n, 'sell', 1000n, 2n), NOW)
    engine.submit(limit(8, 1n, 'sell', 1000n, 2n), NOW)
    recorder.take()
    engine.submit(limit(1, 1n, 'buy', 1000n, 6n), NOW)
    expect(brief(recorder.take())).toEqual([
      'accepted 1/1 buy 6@1000',
      'cancelled 9/1 2 notAdmitted',
      'fill 1/1×7/1 2@1000 buy',
      'cancelled 1/1 4 notAdmitted',
    ])
    expect(engine.getOrder(8, 1n)?.remaining).toBe(2n)
  })

  describe('boundaries', () => {
    const MAX_PRICE = 2n ** 48n - 1n
    const MAX_SIZE = 2n ** 40n - 1n

    it('behavior: price 2^48 − 1 and size 2^40 − 1 are accepted and trade exactly', () => {
      const recorder = new MatchingEventRecorder()
      const engine = new MatchingEngine({ market: 0, tickSize: 1n, sink: recorder })
      engine.submit(limit(1, 2n ** 53n - 1n, 'sell', MAX_PRICE, MAX_SIZE), NOW)
      engine.submit(limit(2, 1n, 'sell', MAX_PRICE, MAX_SIZE), NOW)
      engine.submit(limit(3, 1n, 'buy', MAX_PRICE, MAX_SIZE), NOW)
      engine.submit(limit(3, 2n, 'buy', MAX_PRICE, 1n), NOW)
      const fills = recorder.take().filter((event) => event.type === 'fill')
      expect(fills.map((fill) => [fill.makerOrderId, fill.price, fill.size])).toEqual([
        [2n ** 53n - 1n, MAX_PRICE, MAX_SIZE],
        [1n, MAX_PRICE, 1n],
      ])
      expect(engine.depth('sell')).toEqual([[MAX_PRICE, MAX_SIZE - 1n, 1]])
    })

    it('error: each out-of-range field is rejected with its typed code', () => {
      const { engine, recorder } = setup({ minSize: 2n })
      const cases: [LimitOrderRequest | MarketOrderRequest, string][] = [
        [limit(1, 1n, 'buy', 2n ** 48n, 2n), 'PRICE_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', 0n, 2n), 'PRICE_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', -10n, 2n), 'PRICE_OUT_OF_RANGE'],
        [market(1, 1n, 'buy', 2n, { protectionPrice: 2n ** 48n }), 'PRICE_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', 1005n, 2n), 'PRICE_OFF_TICK'],
        [limit(1, 1n, 'buy', 1000n, 2n ** 40n), 'SIZE_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', 1000n, 0n), 'SIZE_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', 1000n, -1n), 'SIZE_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', 1000n, -(2n ** 64n) + 5n), 'SIZE_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', 1000n, 2n ** 64n + 5n), 'SIZE_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', 2n ** 64n + 1000n, 2n), 'PRICE_OUT_OF_RANGE'],
        [limit(1, -(2n ** 64n) + 1n, 'buy', 1000n, 2n), 'ORDER_ID_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', 1000n, 1n), 'SIZE_BELOW_MINIMUM'],
        [limit(1, 2n ** 53n, 'buy', 1000n, 2n), 'ORDER_ID_OUT_OF_RANGE'],
        [limit(-1, 1n, 'buy', 1000n, 2n), 'ACCOUNT_OUT_OF_RANGE'],
        [limit(2 ** 32, 1n, 'buy', 1000n, 2n), 'ACCOUNT_OUT_OF_RANGE'],
        [limit(1, 1n, 'buy', 1000n, 2n, { postOnly: true, timeInForce: 'IOC' }), 'INCOMPATIBLE_FLAGS'],
        [limit(1, 1n, 'buy', 1000n, 2n, { expiresAt: 2n ** 53n }), 'EXPIRY_OUT_OF_RANGE'],
        [{ ...limit(1, 1n, 'buy', 1000n, 2n), side: 'up' as Side }, 'INVALID_ORDER'],
        [{ ...limit(1, 1n, 'buy', 1000n, 2n), price: 1000 as unknown as bigint }, 'PRICE_OUT_OF_RANGE'],
      ]
      for (const [order] of cases) engine.submit(order, NOW)
      const codes = recorder.take().map((event) => (event.type === 'rejected' ? event.code : event.type))
      expect(codes).toEqual(cases.map(([, code]) => code))
      expect(engine.orderCount).toBe(0)
    })

    it('error: the tick check is exact for large prices and ticks (as bigint % would decide)', () => {
      const ticks = [1n, 3n, 10n, 2n ** 24n + 1n, 2n ** 40n - 3n, 2n ** 47n - 1n, MAX_PRICE]
      for (const tickSize of ticks) {
        const recorder = new MatchingEventRecorder()
        const engine = new MatchingEngine({ market: 0, tickSize, sink: recorder })
        const quotient = MAX_PRICE / tickSize
        const prices = [tickSize, tickSize + 1n, quotient * tickSize, quotient * tickSize - 1n, MAX_PRICE, MAX_PRICE - 1n]
        const candidates = prices.filter((price) => price > 0n && price <= MAX_PRICE)
        candidates.forEach((price, index) => engine.submit(limit(1, BigInt(index), 'buy', price, 1n), NOW))
        const offTick = recorder
          .take()
          .filter((event) => event.type === 'rejected')
          .map((event) => (event.type === 'rejected' ? event.orderId : -1n))
        const expected = candidates.flatMap((price, index) => (price % tickSize === 0n ? [] : [BigInt(index)]))
        expect(offTick).toEqual(expected)
      }
    })

    it('error: a live (account, orderId) cannot be reused until it is gone', () => {
      const { engine, recorder } = setup()
      engine.submit(limit(1, 1n, 'buy', 1000n, 1n), NOW)
      engine.submit(limit(1, 1n, 'buy', 990n, 1n), NOW)
      engine.submit(limit(2, 1n, 'buy', 990n, 1n), NOW)
      engine.cancel(1, 1n)
      engine.submit(limit(1, 1n, 'buy', 990n, 1n), NOW)
      expect(brief(recorder.take()).filter((line) => !line.startsWith('accepted'))).toEqual([
        'rested 1/1 1@1000',
        'rejected 1/1 DUPLICATE_ORDER_ID',
        'rested 2/1 1@990',
        'cancelled 1/1 1 user',
        'rested 1/1 1@990',
      ])
    })

    it('error: a bad configuration or time throws', () => {
      const sink = new MatchingEventRecorder()
      expect(() => new MatchingEngine({ market: 0, tickSize: 0n, sink })).toThrow(InvalidMarketConfigError)
      expect(() => new MatchingEngine({ market: 0, tickSize: 2n ** 48n, sink })).toThrow(InvalidMarketConfigError)
      expect(() => new MatchingEngine({ market: 0, tickSize: 1n, minSize: 0n, sink })).toThrow(InvalidMarketConfigError)
      const engine = new MatchingEngine({ market: 0, tickSize: 1n, sink })
      expect(() => engine.expire(-1n)).toThrow(InvalidTimeError)
      expect(() => engine.submit(limit(1, 1n, 'buy', 1n, 1n), 2n ** 53n)).toThrow(InvalidTimeError)
    })
  })

  it('behavior: the book grows past its initial capacity and keeps deep levels in price order', () => {
    const recorder = new MatchingEventRecorder()
    const engine = new MatchingEngine({ market: 0, tickSize: 1n, sink: recorder, initialCapacity: 1 })
    // Prices in a scrambled order so levels are inserted and removed at every depth (bisection and long moves).
    const price = (index: number) => BigInt(1 + ((index * 7919) % 3001))
    for (let index = 0; index < 3000; index++) {
      engine.submit(limit(index % 7, BigInt(index), 'sell', 5000n + price(index), 1n), NOW)
      engine.submit(limit(index % 7, BigInt(10_000 + index), 'buy', 5000n - price(index), 1n), NOW)
    }
    expect(engine.orderCount).toBe(6000)
    const asks = engine.depth('sell').map(([level]) => level)
    expect(asks.length).toBe(3000)
    expect(asks).toEqual([...asks].sort((a, b) => (a < b ? -1 : 1)))
    const bids = engine.depth('buy').map(([level]) => level)
    expect(bids).toEqual([...bids].sort((a, b) => (a < b ? 1 : -1)))
    for (let index = 0; index < 3000; index += 2) engine.cancel(index % 7, BigInt(index))
    const remaining = engine.depth('sell').map(([level]) => level)
    expect(remaining).toEqual(
      Array.from({ length: 1500 }, (_, half) => 5000n + price(half * 2 + 1)).sort((a, b) => (a < b ? -1 : 1)),
    )
    recorder.take()
    engine.submit(market(9, 1n, 'buy', 1500n), NOW)
    const fills = recorder.take().filter((event) => event.type === 'fill')
    expect(fills.map((fill) => fill.price)).toEqual(remaining)
    expect(engine.bestAsk()).toBeUndefined()
    expect(engine.orderCount).toBe(3000)
  })

  describe('replay and snapshot', () => {
    it('behavior: the same input sequence replayed gives byte-identical events', () => {
      const first = replayScenario(7, 4000)
      const second = replayScenario(7, 4000)
      expect(first.events).toBeGreaterThan(4000)
      expect(second.bytes).toBe(first.bytes)
      expect(replayScenario(8, 4000).digest).not.toBe(first.digest)
    })

    it('behavior: a fresh process replays to the same bytes', () => {
      const script = fileURLToPath(new URL('./test/scenario.ts', import.meta.url))
      const output = execFileSync(process.execPath, ['--import', 'tsx', script, '--digest', '7', '4000'], {
        encoding: 'utf8',
      })
      const { digest, events } = JSON.parse(output.trim().split('\n').at(-1)!) as { digest: string; events: number }
      const local = replayScenario(7, 4000)
      expect({ digest, events }).toEqual({ digest: local.digest, events: local.events })
    })

    it('behavior: snapshot → restore gives the same future events as the original', () => {
      const inputs = scenarioInputs(11, 6000)
      const original = scenarioEngine()
      for (const input of inputs.slice(0, 3000)) applyInput(original.engine, input)
      const snapshot = original.engine.snapshot()
      expect(snapshot.orders.length).toBeGreaterThan(10)
      expect(snapshot.orders.some((order) => order.expiresAt !== undefined)).toBe(true)
      // The restored engine gets a structured clone of the plain data and a copy of the positions.
      const restored = scenarioEngine(original.positions)
      restored.engine.restore(structuredClone(snapshot))
      expect(restored.engine.snapshot()).toEqual(snapshot)
      original.recorder.take()
      for (const input of inputs.slice(3000)) {
        applyInput(original.engine, input)
        applyInput(restored.engine, input)
      }
      expect(serializeMatchingEvents(restored.recorder.events)).toBe(serializeMatchingEvents(original.recorder.events))
      expect(restored.engine.snapshot()).toEqual(original.engine.snapshot())
    })

    it('error: restore refuses a malformed snapshot and keeps the book', () => {
      const { engine } = setup()
      engine.submit(limit(1, 1n, 'buy', 1000n, 1n), NOW)
      const good = engine.snapshot()
      const order = good.orders[0]!
      const bad = [
        { ...good, market: 1 },
        { ...good, tickSize: 1n },
        { ...good, orders: [{ ...order, price: 1005n }] },
        { ...good, orders: [{ ...order, remaining: 0n }] },
        { ...good, orders: [order, { ...order, sequence: order.sequence + 1 }] },
        { ...good, orders: [order, { ...order, orderId: 2n, sequence: order.sequence }] },
        { ...good, nextSequence: order.sequence },
      ]
      for (const snapshot of bad) expect(() => engine.restore(snapshot)).toThrow(InvalidSnapshotError)
      expect(engine.snapshot()).toEqual(good)
    })
  })
})

describe('matching errors', () => {
  it('behavior: every code is unique and every class carries its code', () => {
    const codes = matchingErrorClasses.map((errorClass) => errorClass.code)
    expect(new Set(codes).size).toBe(codes.length)
    for (const errorClass of matchingErrorClasses) expect(errorClass.code).toMatch(/^[A-Z_]+$/)
  })
})

describe('serializeMatchingEvents', () => {
  it('behavior: bigints become decimal strings and a missing price becomes null', () => {
    expect(
      serializeMatchingEvents([{ type: 'accepted', account: 1, orderId: 2n ** 60n, side: 'buy', price: undefined, size: 3n }]),
    ).toBe('[{"type":"accepted","account":1,"orderId":"1152921504606846976","side":"buy","price":null,"size":"3"}]')
  })
})
