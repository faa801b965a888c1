import { MatchingEngine } from './matchingEngine.ts'
import type { CancelReason, MatchingEventSink, OrderRequest, Side } from './types.ts'

/**
 * A seeded order-flow workload for benchmarks and replay tests: about 60 % limit orders, 30 % cancels and 10 %
 * market orders on one market, as flat typed arrays so every engine can replay the identical stream.
 *
 * Limit prices sit around a mid that random-walks; most rest near the touch, some up to `depthTicks` behind it,
 * and a share is priced up to 3 ticks through the mid and trades. Cancels target orders that are live at that point of the stream (the
 * generator runs a MatchingEngine alongside to know which are), so every engine with price-time priority sees
 * almost only live cancels. Limit sizes are 1–20 lots; market orders are 1–20 lots scaled by how far the book is
 * from its target depth (default 2000 orders over a few hundred levels), so the book holds a steady, realistic
 * depth instead of draining or growing without bound. Deterministic: mulberry32 from the seed, no clock.
 */
export const OPERATION_LIMIT = 0
export const OPERATION_CANCEL = 1
export const OPERATION_MARKET = 2

export type Workload = {
  count: number
  /** OPERATION_LIMIT, OPERATION_CANCEL or OPERATION_MARKET. */
  kind: Uint8Array
  /** 0 buy, 1 sell (unused for cancels). */
  side: Uint8Array
  /** Limit price in ticks of size 1 (0 for cancels and market orders). */
  price: Float64Array
  /** Lots (0 for cancels). */
  size: Float64Array
  account: Uint32Array
  /** A new, globally unique id for limit and market orders; the target's id for a cancel. */
  orderId: Float64Array
  /** Live orders in the generator's book after the last operation, and on average over the stream. */
  finalBookSize: number
  meanBookSize: number
}

export type GenerateWorkloadParameters = {
  operations: number
  seed: number
  /** Distinct accounts (default 1000). */
  accounts?: number
  /** Starting mid price (default 1,000,000). */
  mid?: number
  /** Live orders the book hovers around once filled (default 2000). */
  targetBookSize?: number
  /** How far behind the touch limit orders reach, in ticks (default 200). */
  depthTicks?: number
}

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function generateWorkload(parameters: GenerateWorkloadParameters): Workload {
  const {
    operations,
    seed,
    accounts = 1000,
    mid: startMid = 1_000_000,
    targetBookSize = 2000,
    depthTicks = 200,
  } = parameters
  const random = mulberry32(seed)
  const kind = new Uint8Array(operations)
  const side = new Uint8Array(operations)
  const price = new Float64Array(operations)
  const size = new Float64Array(operations)
  const account = new Uint32Array(operations)
  const orderId = new Float64Array(operations)

  // Live set (by id) with swap-remove; ids are dense (1..operations), so positions fit in one array.
  const live = new Float64Array(operations)
  const positionOfId = new Int32Array(operations + 1).fill(-1)
  const accountOfId = new Uint32Array(operations + 1)
  let liveCount = 0
  const removeLive = (id: number): void => {
    const position = positionOfId[id]!
    if (position === -1) return
    const last = live[--liveCount]!
    live[position] = last
    positionOfId[last] = position
    positionOfId[id] = -1
  }
  const tracker: MatchingEventSink = {
    accepted() {},
    fill() {},
    rested(_account: number, id: bigint) {
      const number = Number(id)
      positionOfId[number] = liveCount
      live[liveCount++] = number
    },
    cancelled(_account: number, id: bigint, _remaining: bigint, _reason: CancelReason) {
      removeLive(Number(id))
    },
    rejected() {},
  }
  const engine = new MatchingEngine({ market: 0, tickSize: 1n, sink: tracker })

  let mid = startMid
  let bookSizeSum = 0
  let nextId = 1
  for (let index = 0; index < operations; index++) {
    if (random() < 0.05) mid += random() < 0.5 ? -1 : 1
    const draw = random()
    if (draw < 0.3 && liveCount > 0) {
      // Cancel a live order; fully filled makers leave the live set lazily, when drawn.
      let id = live[Math.floor(random() * liveCount)]!
      while (engine.getOrder(accountOfId[id]!, BigInt(id)) === undefined) {
        removeLive(id)
        if (liveCount === 0) break
        id = live[Math.floor(random() * liveCount)]!
      }
      if (liveCount > 0) {
        kind[index] = OPERATION_CANCEL
        account[index] = accountOfId[id]!
        orderId[index] = id
        engine.cancel(accountOfId[id]!, BigInt(id))
        continue
      }
    }
    const id = nextId++
    const trader = 1 + Math.floor(random() * accounts)
    const isBuy = random() < 0.5
    accountOfId[id] = trader
    account[index] = trader
    orderId[index] = id
    side[index] = isBuy ? 0 : 1
    let request: OrderRequest
    if (draw >= 0.9) {
      kind[index] = OPERATION_MARKET
      // Sized so the book hovers around its target depth: bigger sweeps when it is deeper, smaller when thinner.
      const scale = Math.min(16, Math.max(0.25, (engine.orderCount / targetBookSize) ** 2))
      size[index] = Math.max(1, Math.round((1 + Math.floor(random() * 20)) * scale))
      request = { type: 'market', account: trader, orderId: BigInt(id), side: sideName(isBuy), size: BigInt(size[index]!) }
    } else {
      kind[index] = OPERATION_LIMIT
      // Distance from mid in ticks: clustered near the touch, up to `depthTicks` behind it, sometimes 3 through it.
      const distance = Math.floor(random() * random() * (depthTicks + 3)) - 3
      price[index] = isBuy ? mid - distance : mid + distance
      size[index] = 1 + Math.floor(random() * 20)
      request = {
        type: 'limit',
        account: trader,
        orderId: BigInt(id),
        side: sideName(isBuy),
        price: BigInt(price[index]!),
        size: BigInt(size[index]!),
      }
    }
    engine.submit(request, 0n)
    bookSizeSum += engine.orderCount
  }
  return {
    count: operations,
    kind,
    side,
    price,
    size,
    account,
    orderId,
    finalBookSize: engine.orderCount,
    meanBookSize: Math.round(bookSizeSum / Math.max(1, operations)),
  }
}

function sideName(isBuy: boolean): Side {
  return isBuy ? 'buy' : 'sell'
}
