/**
 * Token buckets per key (an account index, or a connection): `ratePerSecond` tokens refill continuously up to
 * `burst`. A request without a token is refused with how long to wait. Idle buckets are forgotten once full, so
 * memory follows the number of active keys.
 */
import { RateLimitedError } from './errors.ts'

export type RateLimit = { readonly ratePerSecond: number; readonly burst: number }

type Bucket = { tokens: number; updatedMs: number }

export class RateLimiter {
  readonly #limit: RateLimit
  readonly #now: () => number
  readonly #buckets = new Map<string, Bucket>()

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.#limit = limit
    this.#now = now
  }

  /** Takes one token for `key`, or returns the RATE_LIMITED rejection. */
  take(key: string): RateLimitedError | undefined {
    const now = this.#now()
    const { ratePerSecond, burst } = this.#limit
    let bucket = this.#buckets.get(key)
    if (bucket === undefined) {
      if (this.#buckets.size > 100_000) this.#sweep(now)
      bucket = { tokens: burst, updatedMs: now }
      this.#buckets.set(key, bucket)
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.updatedMs) * ratePerSecond) / 1000)
      bucket.updatedMs = now
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1
      return undefined
    }
    const retryAfterMs = Math.ceil(((1 - bucket.tokens) * 1000) / ratePerSecond)
    return new RateLimitedError(key, ratePerSecond, burst, retryAfterMs)
  }

  #sweep(now: number): void {
    const { ratePerSecond, burst } = this.#limit
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + ((now - bucket.updatedMs) * ratePerSecond) / 1000 >= burst) this.#buckets.delete(key)
    }
  }
}
