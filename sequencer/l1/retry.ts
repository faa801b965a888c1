/**
 * Exponential backoff for transient L1 failures (RPC timeouts, connection resets, rate limits). The caller decides
 * what is transient: a typed protocol error or a decoded revert is never retried.
 */
export type RetryPolicy = {
  /** Attempts in all, the first included; `Infinity` for a watcher that must outlive any RPC outage. */
  readonly maxAttempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 250, maxDelayMs: 30_000 }

/** Delay before retry number `attempt` (1-based): base·2^(attempt−1), capped, with ±20 % jitter. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30))
  return Math.round(exponential * (0.8 + 0.4 * Math.random()))
}

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}

export type RetryParameters = {
  readonly policy: RetryPolicy
  /** True for errors worth another attempt; anything else is rethrown at once. */
  readonly isTransient: (error: unknown) => boolean
  /** Called before each wait (logs, metrics). */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void
  /** Stops waiting; the last error is rethrown. */
  readonly signal?: AbortSignal
}

/** Runs `operation` until it succeeds, fails permanently, or the attempts run out (the last error is rethrown). */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, parameters: RetryParameters): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt)
    } catch (error) {
      if (!parameters.isTransient(error) || attempt >= parameters.policy.maxAttempts || isAborted(parameters.signal)) throw error
      const delayMs = backoffDelayMs(parameters.policy, attempt)
      parameters.onRetry?.(error, attempt, delayMs)
      await sleep(delayMs, parameters.signal)
      if (isAborted(parameters.signal)) throw error
    }
  }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}
