import { describe, expect, it } from 'vitest'
import { MatchingEventRecorder } from './eventRecorder.ts'
import { MatchingEngine } from './matchingEngine.ts'
import { generateWorkload, mulberry32, OPERATION_CANCEL, OPERATION_LIMIT, OPERATION_MARKET } from './workload.ts'

describe('generateWorkload', () => {
  const workload = generateWorkload({ operations: 50_000, seed: 99, targetBookSize: 500 })

  it('behavior: the same seed gives the same stream, another seed a different one', () => {
    const again = generateWorkload({ operations: 50_000, seed: 99, targetBookSize: 500 })
    expect(again).toEqual(workload)
    expect(generateWorkload({ operations: 50_000, seed: 100, targetBookSize: 500 }).price).not.toEqual(workload.price)
  })

  it('behavior: about 60 % limit, 30 % cancel and 10 % market orders', () => {
    const counts = [0, 0, 0]
    for (const kind of workload.kind) counts[kind]!++
    expect(counts[OPERATION_LIMIT]! / workload.count).toBeCloseTo(0.6, 1)
    expect(counts[OPERATION_CANCEL]! / workload.count).toBeCloseTo(0.3, 1)
    expect(counts[OPERATION_MARKET]! / workload.count).toBeCloseTo(0.1, 1)
  })

  it('behavior: replayed through an engine, every cancel finds a live order and the book holds its depth', () => {
    const recorder = new MatchingEventRecorder()
    const engine = new MatchingEngine({ market: 0, tickSize: 1n, sink: recorder })
    let fills = 0
    for (let index = 0; index < workload.count; index++) {
      const account = workload.account[index]!
      const orderId = BigInt(workload.orderId[index]!)
      const side = workload.side[index] === 0 ? 'buy' : 'sell'
      const size = BigInt(workload.size[index]!)
      if (workload.kind[index] === OPERATION_CANCEL) engine.cancel(account, orderId)
      else if (workload.kind[index] === OPERATION_LIMIT) {
        engine.submit({ type: 'limit', account, orderId, side, price: BigInt(workload.price[index]!), size }, 0n)
      } else engine.submit({ type: 'market', account, orderId, side, size }, 0n)
      for (const event of recorder.take()) {
        expect(event.type).not.toBe('rejected')
        if (event.type === 'fill') fills++
      }
    }
    expect(engine.orderCount).toBe(workload.finalBookSize)
    expect(workload.meanBookSize).toBeGreaterThan(250)
    expect(workload.meanBookSize).toBeLessThan(1000)
    expect(fills).toBeGreaterThan(workload.count / 10)
  })
})

describe('mulberry32', () => {
  it('behavior: deterministic floats in [0, 1)', () => {
    const first = mulberry32(1)
    const second = mulberry32(1)
    for (let index = 0; index < 1000; index++) {
      const value = first()
      expect(value).toBe(second())
      expect(value >= 0 && value < 1).toBe(true)
    }
  })
})
