/**
 * Where oracle prices come from. A source is pluggable: anything with `nextPrice(market)`. The devnet source is a
 * seeded random walk: each call moves the market's price by a uniform whole number of ticks in
 * [−maxStepTicks, +maxStepTicks], clamped to [minPrice, maxPrice]; every price is a multiple of the tick and within
 * (0, 2^48). Deterministic per seed: one splitmix64 stream per market (seeded from the seed and the market index),
 * so the sequence of a market depends on the seed and how many prices that market produced, nothing else.
 */
import { MAX_PRICE } from '../../sdk/protocol/bounds.ts'
import { KeeperConfigInvalidError, PriceSourceInvalidPriceError } from './errors.ts'

export interface PriceSource {
  /** The next price of `market`, in quote base units per lot, on the market's tick. */
  nextPrice(market: number): bigint | Promise<bigint>
}

const MASK_64 = (1n << 64n) - 1n

/** splitmix64: one step of the state and its 64-bit output. */
function splitmix64(state: bigint): { state: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK_64
  let z = next
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64
  return { state: next, value: z ^ (z >> 31n) }
}

export type RandomWalkMarket = {
  readonly initialPrice: bigint
  readonly tickSize: bigint
  /** Largest move per step, in ticks (≥ 0). */
  readonly maxStepTicks: bigint
  /** Inclusive bounds, multiples of the tick; default [initialPrice / 2, initialPrice · 2] on the tick, within (0, 2^48). */
  readonly minPrice?: bigint
  readonly maxPrice?: bigint
}

export type RandomWalkParameters = { readonly seed: bigint; readonly markets: readonly RandomWalkMarket[] }

type WalkState = { price: bigint; rng: bigint; readonly tick: bigint; readonly step: bigint; readonly min: bigint; readonly max: bigint }

export class RandomWalkPriceSource implements PriceSource {
  readonly #walks: WalkState[]

  constructor({ seed, markets }: RandomWalkParameters) {
    this.#walks = markets.map((market, index) => {
      const { tickSize: tick, maxStepTicks: step, initialPrice } = market
      if (tick <= 0n || step < 0n) throw new KeeperConfigInvalidError('tick must be positive and step non-negative', { market: index, tick, step })
      const highestOnTick = (MAX_PRICE / tick) * tick
      const min = market.minPrice ?? (initialPrice / 2n / tick) * tick
      const max = market.maxPrice ?? ((initialPrice * 2n) / tick) * tick
      const bounded = [min < tick ? tick : min, max > highestOnTick ? highestOnTick : max] as const
      if (bounded[0] % tick !== 0n || bounded[1] % tick !== 0n || bounded[0] > bounded[1]) {
        throw new KeeperConfigInvalidError('price bounds must be on the tick and ordered', { market: index, min: bounded[0], max: bounded[1], tick })
      }
      if (initialPrice % tick !== 0n || initialPrice < bounded[0] || initialPrice > bounded[1]) {
        throw new KeeperConfigInvalidError('initial price must be on the tick and within the bounds', { market: index, initialPrice })
      }
      const rng = (seed * 0x100000001b3n + BigInt(index) * 0x9e3779b97f4a7c15n) & MASK_64
      return { price: initialPrice, rng, tick, step, min: bounded[0], max: bounded[1] }
    })
  }

  nextPrice(market: number): bigint {
    const walk = this.#walks[market]
    if (walk === undefined) throw new KeeperConfigInvalidError('no random walk for this market', { market, markets: this.#walks.length })
    const { state, value } = splitmix64(walk.rng)
    walk.rng = state
    // Uniform over the 2·step + 1 moves up to a bias below 2^-50 (the range is tiny next to 2^64).
    const ticks = (value % (2n * walk.step + 1n)) - walk.step
    const moved = walk.price + ticks * walk.tick
    walk.price = moved < walk.min ? walk.min : moved > walk.max ? walk.max : moved
    return walk.price
  }
}

/** A price a source returned, checked against the protocol bounds and the market's tick. */
export function requireUsablePrice(market: number, price: bigint, tickSize: bigint): bigint {
  if (price <= 0n || price > MAX_PRICE || price % tickSize !== 0n) throw new PriceSourceInvalidPriceError(market, price, tickSize)
  return price
}
