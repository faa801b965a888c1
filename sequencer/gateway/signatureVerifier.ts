/**
 * The gateway's EdDSA-Poseidon checks, batched.
 *
 * Each check asks for a signed order, withdrawal or transfer (the verifier computes its Poseidon message hash, once,
 * and hands it back for the ack) or an already-hashed message (cancels). Requests queue; a queue is cut into groups
 * that are checked with one `verifyPoseidonBatch` equation each when they hold at least `batchThreshold` items (one
 * multi-scalar multiplication instead of two scalar multiplications per signature), and one by one below that, where
 * a batch is no cheaper. A group that fails names its invalid items (the batch bisects), and only those are re-checked
 * one by one on the main thread to name their typed error (BAD_SIGNATURE, POINT_NOT_ON_CURVE, …): a valid order in
 * the same group is never rejected because a neighbour was bad.
 *
 * Where: with `workers: 0` on the main thread, one group per event-loop turn (the turn's arrivals); with workers,
 * on a piscina pool of worker threads, which take the order hashing too, so the main thread does neither. The
 * pool keeps at most one group per worker in flight: requests that arrive while every worker is busy wait and go
 * out together when one frees up, so batches grow with load (adaptive batching) and stay small when idle.
 */
import { performance } from 'node:perf_hooks'
import { Piscina } from 'piscina'
import type { BaseError } from '../../sdk/errors.ts'
import { verifyPoseidon, verifyPoseidonBatch, type PublicKey, type Signature } from '../../sdk/crypto/eddsa.ts'
import { orderHash, transferHash, withdrawHash } from '../../sdk/protocol/hashing.ts'
import type { SignedOrder, TransferMessage, WithdrawMessage } from '../../sdk/protocol/types.ts'

/** A signature to check: an order, withdrawal or transfer (hashed here), or a message hash with its signature. */
export type SignatureCheck =
  | { readonly kind: 'order'; readonly order: SignedOrder; readonly publicKey: PublicKey }
  | { readonly kind: 'withdraw'; readonly withdraw: WithdrawMessage; readonly signature: Signature; readonly publicKey: PublicKey }
  | { readonly kind: 'transfer'; readonly transfer: TransferMessage; readonly signature: Signature; readonly publicKey: PublicKey }
  | { readonly kind: 'message'; readonly message: bigint; readonly signature: Signature; readonly publicKey: PublicKey }

/** The message hash that was checked (the order hash for an order) and the typed error when invalid. */
export type SignatureCheckResult = { readonly message: bigint; readonly error: BaseError | undefined }

export type SignatureVerifierOptions = {
  /** `domainHash(genesis.domain)`: bound into every order hash. */
  readonly domainHash: bigint
  /** Worker threads; 0 verifies on the main thread. */
  readonly workers: number
  /** Smallest group checked with one batch equation; smaller groups are checked one by one (default 8). */
  readonly batchThreshold?: number
  /** Largest group (default 256): bounds a group's latency and, inline, how long it blocks the event loop. */
  readonly maxBatch?: number
}

export type SignatureVerifierStats = {
  /** Signatures checked, and how many of them in batch equations (the rest one by one). */
  checks: number
  batched: number
  /** Groups sent to the worker pool, and the checks they held. */
  poolGroups: number
  pooled: number
  /** Invalid signatures found (each re-checked once to name its error). */
  invalid: number
  /** Time spent hashing and verifying, summed over threads (worker time measured in the worker). */
  busyMs: number
}

/** What crosses to a worker: plain data (bigints clone). Exactly one of order, withdraw, transfer, message. */
export type WorkerItem = {
  order?: SignedOrder
  withdraw?: WithdrawMessage
  transfer?: TransferMessage
  message?: bigint
  signature: Signature
  publicKey: PublicKey
}
export type WorkerTask = { domainHash: bigint; batchThreshold: number; items: WorkerItem[] }
/** Per item its message hash (null when hashing failed: an input outside the field), the invalid indices, time. */
export type WorkerResult = { messages: (bigint | null)[]; invalid: number[]; busyMs: number; batched: number }

/** The Poseidon hash the item's key signed (docs/protocol.md §3); throws on an input outside the field. */
function messageOf(item: WorkerItem, domainHash: bigint): bigint {
  if (item.order !== undefined) return orderHash(item.order, domainHash)
  if (item.withdraw !== undefined) return withdrawHash(item.withdraw, domainHash)
  if (item.transfer !== undefined) return transferHash(item.transfer, domainHash)
  return item.message!
}

/**
 * Hash and check one group: the pure function the worker runs and the inline path calls. An item whose hash or
 * structure fails is reported invalid; the caller names the error.
 */
export function checkGroup({ domainHash, batchThreshold, items }: WorkerTask): WorkerResult {
  const started = performance.now()
  const messages: (bigint | null)[] = []
  const invalid: number[] = []
  const hashed: { message: bigint; signature: Signature; publicKey: PublicKey }[] = []
  const hashedIndex: number[] = []
  items.forEach((item, index) => {
    let message: bigint | null
    try {
      message = messageOf(item, domainHash)
    } catch {
      message = null
    }
    messages.push(message)
    if (message === null) invalid.push(index)
    else {
      hashed.push({ message, signature: item.signature, publicKey: item.publicKey })
      hashedIndex.push(index)
    }
  })
  let batched = 0
  if (hashed.length >= batchThreshold) {
    batched = hashed.length
    for (const bad of verifyPoseidonBatch(hashed).invalidIndices) invalid.push(hashedIndex[bad]!)
  } else {
    hashed.forEach((item, i) => {
      try {
        verifyPoseidon(item.message, item.signature, item.publicKey)
      } catch {
        invalid.push(hashedIndex[i]!)
      }
    })
  }
  invalid.sort((a, b) => a - b)
  return { messages, invalid, busyMs: performance.now() - started, batched }
}

type Pending = { item: WorkerItem; resolve: (result: SignatureCheckResult) => void; reject: (error: unknown) => void }

function toWorkerItem(check: SignatureCheck): WorkerItem {
  switch (check.kind) {
    case 'order':
      return { order: check.order, signature: check.order.signature, publicKey: check.publicKey }
    case 'withdraw':
      return { withdraw: check.withdraw, signature: check.signature, publicKey: check.publicKey }
    case 'transfer':
      return { transfer: check.transfer, signature: check.signature, publicKey: check.publicKey }
    case 'message':
      return { message: check.message, signature: check.signature, publicKey: check.publicKey }
  }
}

export class SignatureVerifier {
  readonly #pool: Piscina | undefined
  readonly #workers: number
  readonly #domainHash: bigint
  readonly #batchThreshold: number
  readonly #maxBatch: number
  #queue: Pending[] = []
  #scheduled = false
  #inFlight = 0
  #closed = false
  readonly stats: SignatureVerifierStats = { checks: 0, batched: 0, poolGroups: 0, pooled: 0, invalid: 0, busyMs: 0 }

  constructor(options: SignatureVerifierOptions) {
    this.#domainHash = options.domainHash
    this.#workers = Math.max(0, Math.floor(options.workers))
    this.#batchThreshold = Math.max(2, options.batchThreshold ?? 8)
    this.#maxBatch = Math.max(1, options.maxBatch ?? 256)
    this.#pool =
      this.#workers > 0
        ? new Piscina({
            filename: new URL('./signatureWorker.ts', import.meta.url).href,
            minThreads: this.#workers,
            maxThreads: this.#workers,
            // Workers load TypeScript through tsx, whatever runner started this process.
            execArgv: [...process.execArgv.filter((arg) => !arg.startsWith('--input-type')), '--import', 'tsx'],
          })
        : undefined
  }

  /** Resolves with the checked message hash and `error: undefined` when valid, else the typed error. */
  check(check: SignatureCheck): Promise<SignatureCheckResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ item: toWorkerItem(check), resolve, reject })
      this.#schedule()
    })
  }

  /** setImmediate, not a microtask: every request of this event-loop turn joins the group. */
  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return
    if (this.#pool !== undefined && this.#inFlight >= this.#workers) return // a finishing group reschedules
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#flush()
    })
  }

  #flush(): void {
    if (this.#pool === undefined) {
      const group = this.#queue.splice(0, this.#maxBatch)
      this.#settle(group, checkGroup(this.#task(group)))
      this.#schedule()
      return
    }
    // Spread what waits over the idle workers, each group at most maxBatch.
    while (this.#queue.length > 0 && this.#inFlight < this.#workers) {
      const idle = this.#workers - this.#inFlight
      const size = Math.min(this.#maxBatch, Math.ceil(this.#queue.length / idle))
      const group = this.#queue.splice(0, size)
      this.#inFlight++
      this.stats.poolGroups++
      this.stats.pooled += group.length
      this.#pool.run(this.#task(group)).then(
        (result: WorkerResult) => this.#settle(group, result),
        // A worker died: check this group on the main thread rather than fail its requests.
        () => this.#settle(group, checkGroup(this.#task(group))),
      ).finally(() => {
        this.#inFlight--
        this.#schedule()
      })
    }
  }

  #task(group: readonly Pending[]): WorkerTask {
    return { domainHash: this.#domainHash, batchThreshold: this.#batchThreshold, items: group.map((pending) => pending.item) }
  }

  #settle(group: readonly Pending[], result: WorkerResult): void {
    this.stats.checks += group.length
    this.stats.batched += result.batched
    this.stats.busyMs += result.busyMs
    const invalid = new Set(result.invalid)
    group.forEach((pending, index) => {
      const message = result.messages[index]
      if (!invalid.has(index) && message !== null && message !== undefined) {
        pending.resolve({ message, error: undefined })
        return
      }
      this.stats.invalid++
      try {
        pending.resolve(nameInvalid(pending.item, message ?? null, this.#domainHash))
      } catch (error) {
        pending.reject(error)
      }
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#pool?.destroy()
  }
}

/** Re-check one item the group found invalid, on this thread, for its typed error. */
function nameInvalid(item: WorkerItem, message: bigint | null, domainHash: bigint): SignatureCheckResult {
  let hash: bigint
  try {
    hash = message ?? messageOf(item, domainHash)
    verifyPoseidon(hash, item.signature, item.publicKey)
  } catch (error) {
    if (error instanceof Error && 'code' in error) return { message: message ?? 0n, error: error as BaseError }
    throw error
  }
  // Valid one by one but not in its group: a batch equation cannot fail for a valid item, so this is a broken
  // invariant in the crypto layer, never a reason to reject.
  throw new Error('signature verifier: an item failed its batch but verifies alone')
}
