import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { MAX_PRICE } from '../../sdk/protocol/bounds.ts'
import { RandomWalkPriceSource, requireUsablePrice, type RandomWalkMarket } from './priceSource.ts'

const arbitraryMarket = fc
  .record({ tick: fc.bigInt({ min: 1n, max: 1_000n }), ticks: fc.bigInt({ min: 1n, max: 10n ** 9n }), step: fc.bigInt({ min: 0n, max: 50n }) })
  .map(({ tick, ticks, step }): RandomWalkMarket => ({ initialPrice: tick * ticks, tickSize: tick, maxStepTicks: step }))

function walk(source: RandomWalkPriceSource, markets: number, steps: number): bigint[][] {
  const out: bigint[][] = Array.from({ length: markets }, () => [])
  for (let i = 0; i < steps; i++) for (let m = 0; m < markets; m++) out[m]!.push(source.nextPrice(m))
  return out
}

describe('RandomWalkPriceSource', () => {
  test.prop([fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.array(arbitraryMarket, { minLength: 1, maxLength: 3 })])(
    'behavior: the same seed gives the same prices',
    (seed, markets) => {
      expect(walk(new RandomWalkPriceSource({ seed, markets }), markets.length, 50)).toEqual(walk(new RandomWalkPriceSource({ seed, markets }), markets.length, 50))
    },
  )

  test.prop([fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), arbitraryMarket])(
    'behavior: every price is on the tick, within the bounds and at most maxStepTicks from the last',
    (seed, market) => {
      const [prices] = walk(new RandomWalkPriceSource({ seed, markets: [market] }), 1, 200) as [bigint[]]
      const min = (market.initialPrice / 2n / market.tickSize) * market.tickSize
      const max = ((market.initialPrice * 2n) / market.tickSize) * market.tickSize
      let last = market.initialPrice
      for (const price of prices) {
        expect(price % market.tickSize).toBe(0n)
        expect(price >= (min < market.tickSize ? market.tickSize : min) && price <= max && price <= MAX_PRICE).toBe(true)
        const moved = price > last ? price - last : last - price
        expect(moved <= market.maxStepTicks * market.tickSize).toBe(true)
        expect(requireUsablePrice(0, price, market.tickSize)).toBe(price)
        last = price
      }
    },
  )

  test.prop([fc.bigInt({ min: 0n, max: 1000n })])('behavior: tight bounds clamp the walk (it hits both edges)', (seed) => {
    const source = new RandomWalkPriceSource({ seed, markets: [{ initialPrice: 1_000n, tickSize: 10n, maxStepTicks: 5n, minPrice: 980n, maxPrice: 1_020n }] })
    const [prices] = walk(source, 1, 400) as [bigint[]]
    expect(prices.every((price) => price >= 980n && price <= 1_020n)).toBe(true)
    expect(prices).toContain(980n)
    expect(prices).toContain(1_020n)
  })

  it('behavior: different seeds and different markets give different streams', () => {
    const market = { initialPrice: 6_000_000n, tickSize: 10n, maxStepTicks: 100n }
    const a = walk(new RandomWalkPriceSource({ seed: 1n, markets: [market, market] }), 2, 20)
    const b = walk(new RandomWalkPriceSource({ seed: 2n, markets: [market, market] }), 2, 20)
    expect(a[0]).not.toEqual(b[0])
    expect(a[0]).not.toEqual(a[1])
  })

  it('error: an initial price off the tick or outside the bounds is refused', () => {
    expect(() => new RandomWalkPriceSource({ seed: 1n, markets: [{ initialPrice: 1_005n, tickSize: 10n, maxStepTicks: 1n }] })).toThrow(
      expect.objectContaining({ code: 'KEEPER_CONFIG_INVALID' }),
    )
    expect(() => new RandomWalkPriceSource({ seed: 1n, markets: [{ initialPrice: 1_000n, tickSize: 10n, maxStepTicks: 1n, minPrice: 1_010n }] })).toThrow(
      expect.objectContaining({ code: 'KEEPER_CONFIG_INVALID' }),
    )
    expect(() => requireUsablePrice(0, 1n << 48n, 1n)).toThrow(expect.objectContaining({ code: 'PRICE_SOURCE_INVALID_PRICE' }))
    expect(() => requireUsablePrice(0, 15n, 10n)).toThrow(expect.objectContaining({ code: 'PRICE_SOURCE_INVALID_PRICE' }))
  })
})
