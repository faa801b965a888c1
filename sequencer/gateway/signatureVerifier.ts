/**
 * Signature checks off the hot path when they are the bottleneck. Requests queue for one event-loop turn; a turn
 * with fewer than `batchThreshold` requests is verified inline, one `verifyPoseidon` each (the lowest latency when
 * idle). A busier turn is cut into batches of up to `maxBatch` that run on a piscina pool of worker threads with
 * `verifyPoseidonBatch` (one multi-scalar multiplication per batch). The few signatures a batch finds invalid are
 * re-checked inline to name their typed error class (BAD_SIGNATURE, POINT_NOT_ON_CURVE, …).
 */
import { Piscina } from 'piscina'
import type { BaseError } from '../../sdk/errors.ts'
import { verifyPoseidon, type SignedMessage } from '../../sdk/crypto/eddsa.ts'

export type SignatureVerifierOptions = {
  /** Worker threads; 0 verifies everything inline on the main thread. */
  readonly workers: number
  /** A turn with at least this many requests goes to the pool (default 8). */
  readonly batchThreshold?: number
  /** Largest batch sent to one worker task (default 64). */
  readonly maxBatch?: number
}

export type SignatureVerifierStats = { inline: number; pooled: number; batches: number }

type Pending = { item: SignedMessage; resolve: (error: BaseError | undefined) => void }

function verifyInline(item: SignedMessage): BaseError | undefined {
  try {
    verifyPoseidon(item.message, item.signature, item.publicKey)
    return undefined
  } catch (error) {
    if (error instanceof Error && 'code' in error) return error as BaseError
    throw error
  }
}

export class SignatureVerifier {
  readonly #pool: Piscina | undefined
  readonly #batchThreshold: number
  readonly #maxBatch: number
  #queue: Pending[] = []
  #scheduled = false
  readonly stats: SignatureVerifierStats = { inline: 0, pooled: 0, batches: 0 }

  constructor(options: SignatureVerifierOptions) {
    this.#batchThreshold = options.batchThreshold ?? 8
    this.#maxBatch = options.maxBatch ?? 64
    this.#pool =
      options.workers > 0
        ? new Piscina({
            filename: new URL('./signatureWorker.ts', import.meta.url).href,
            minThreads: options.workers,
            maxThreads: options.workers,
            // Workers load TypeScript through tsx, whatever runner started this process.
            execArgv: [...process.execArgv.filter((arg) => !arg.startsWith('--input-type')), '--import', 'tsx'],
          })
        : undefined
  }

  /** Resolves undefined when the signature is valid, else its typed error. */
  verify(item: SignedMessage): Promise<BaseError | undefined> {
    if (this.#pool === undefined) {
      this.stats.inline++
      return Promise.resolve(verifyInline(item))
    }
    return new Promise((resolve) => {
      this.#queue.push({ item, resolve })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.#flush())
      }
    })
  }

  #flush(): void {
    this.#scheduled = false
    const queue = this.#queue
    this.#queue = []
    if (queue.length < this.#batchThreshold) {
      for (const pending of queue) {
        this.stats.inline++
        pending.resolve(verifyInline(pending.item))
      }
      return
    }
    for (let start = 0; start < queue.length; start += this.#maxBatch) {
      const batch = queue.slice(start, start + this.#maxBatch)
      this.stats.pooled += batch.length
      this.stats.batches++
      this.#pool!.run({ items: batch.map((pending) => pending.item) }).then(
        (invalid: number[]) => {
          const bad = new Set(invalid)
          batch.forEach((pending, index) => pending.resolve(bad.has(index) ? verifyInline(pending.item) : undefined))
        },
        () => {
          // A worker died: fall back to checking this batch inline rather than failing the requests.
          for (const pending of batch) pending.resolve(verifyInline(pending.item))
        },
      )
    }
  }

  async close(): Promise<void> {
    await this.#pool?.destroy()
  }
}
