/**
 * Settlement: every persisted batch is proven by the prover pool and landed on L1, strictly in batch order, once.
 *
 * A batch's proof job starts as soon as the batcher hands the batch on, so several batches are proven at once (the
 * pool bounds how many); submissions form one chain, each waiting for its own proof and for the previous batch's
 * receipt, whose `StoredBatchInfo` it commits to. The pool already retries failed attempts with backoff and only
 * returns verified proofs; the submitter retries transient RPC failures and makes a resubmission after a crash a
 * no-op. Anything that still fails pauses settlement at that batch (SettlementPausedError): later batches keep
 * being cut and persisted, none is skipped, and a restart resubmits from the batch store.
 *
 * The backlog (batches persisted, not yet on L1) is bounded from the intake side: at `maxBacklog` the gateway
 * refuses new orders (`orderIntakeRefusal`) until the backlog is back below it, so a slow or paused prover cannot
 * let matching run arbitrarily far ahead of what L1 holds.
 */
import type { Logger } from 'pino'
import type { BuiltBatch, StoredBatchInfo } from '../batcher/batchBuild.ts'
import { proveBatch, type ProvenBatch } from '../batcher/batchProving.ts'
import type { ProverPool } from '../../prover/proverPool.ts'
import type { BatchSubmitter, SubmitBatchReturnType } from '../l1/batchSubmitter.ts'
import { SettlementBacklogError, SettlementPausedError } from './errors.ts'
import type { SettlementMetrics } from './metrics.ts'

export type SettlementParameters = {
  readonly pool: ProverPool
  readonly submitter: BatchSubmitter
  /** The StoredBatchInfo of the batch before the first one enqueued (L1's last batch). */
  readonly previous: StoredBatchInfo
  readonly logger: Logger
  readonly metrics: SettlementMetrics
  /** Wall clock in milliseconds (default `performance.now`). */
  readonly now?: () => number
  /** Batches persisted but not on L1 at which new orders are refused (default 16). */
  readonly maxBacklog?: bigint
}

export type LandedBatch = {
  readonly batch: BuiltBatch
  readonly proven: ProvenBatch
  readonly result: SubmitBatchReturnType
  /** Persisted (enqueued) → proof verified → receipt, in milliseconds from enqueue. */
  readonly provenAfterMs: number
  readonly landedAfterMs: number
}

export type SettlementStatus =
  | { readonly status: 'running'; readonly lastLanded: bigint }
  | { readonly status: 'paused'; readonly lastLanded: bigint; readonly error: SettlementPausedError }

type Listener = (landed: LandedBatch) => void

export class Settlement {
  readonly #parameters: SettlementParameters
  readonly #now: () => number
  #previous: StoredBatchInfo
  #tail: Promise<void> = Promise.resolve()
  #error: SettlementPausedError | undefined
  #stopped = false
  #lastEnqueued: bigint
  /** Batches enqueued here whose proof is verified (they may finish out of order). */
  #proven = 0
  readonly #maxBacklog: bigint
  #intakePaused = false
  readonly #listeners = new Set<Listener>()

  constructor(parameters: SettlementParameters) {
    this.#parameters = parameters
    this.#now = parameters.now ?? (() => performance.now())
    this.#previous = parameters.previous
    this.#lastEnqueued = parameters.previous.batchNumber
    this.#maxBacklog = parameters.maxBacklog ?? 16n
    if (this.#maxBacklog < 1n) throw new RangeError(`maxBacklog must be at least 1, got ${this.#maxBacklog}`)
    parameters.metrics.batchesLanded.set(Number(parameters.previous.batchNumber))
  }

  get status(): SettlementStatus {
    const lastLanded = this.#previous.batchNumber
    return this.#error === undefined ? { status: 'running', lastLanded } : { status: 'paused', lastLanded, error: this.#error }
  }

  /** Batches persisted (enqueued here) and not yet on L1. */
  get backlog(): bigint {
    return this.#lastEnqueued - this.#previous.batchNumber
  }

  /** The gateway's order gate: an error while the backlog is at its limit, undefined otherwise. */
  orderIntakeRefusal(): SettlementBacklogError | undefined {
    return this.#intakePaused ? new SettlementBacklogError(this.backlog, this.#maxBacklog) : undefined
  }

  /** Called with each batch once its receipt is in (after the metrics are updated). */
  onLanded(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Hands a persisted batch to settlement; batches must come in order, each exactly once. */
  enqueue(batch: BuiltBatch): void {
    const { pool, submitter, logger, metrics } = this.#parameters
    if (batch.batchNumber !== this.#lastEnqueued + 1n) {
      throw new RangeError(`settlement expects batch ${this.#lastEnqueued + 1n}, got ${batch.batchNumber}`)
    }
    this.#lastEnqueued = batch.batchNumber
    const enqueuedAt = this.#now()
    metrics.batchTxs.observe(batch.txs.length)
    this.#updateBacklog()
    let provenAfterMs = 0
    const proving = proveBatch(pool, batch).then((proven) => {
      provenAfterMs = this.#now() - enqueuedAt
      this.#proven++
      metrics.batchesProven.set(Number(this.#parameters.previous.batchNumber) + this.#proven)
      metrics.proofSeconds.observe((proven.proof.witnessMs + proven.proof.provingMs) / 1000)
      this.#updateBacklog()
      return proven
    })
    // The chain below awaits it; until then a rejection must not count as unhandled.
    proving.catch(() => {})
    this.#tail = this.#tail.then(async () => {
      if (this.#error !== undefined || this.#stopped) return
      try {
        const proven = await proving
        const { proof } = proven
        logger.info({ batch: batch.batchNumber, witnessMs: Math.round(proof.witnessMs), provingMs: Math.round(proof.provingMs), attempts: proof.attempts }, 'batch proven')
        const result = await submitter.submit({
          header: { batchNumber: batch.batchNumber, timestamp: batch.timestamp, newStateRoot: batch.newStateRoot },
          previous: this.#previous,
          pubdata: batch.pubdata,
          proof: proof.proof,
          publicSignals: proof.publicSignals,
        })
        this.#previous = result.storedBatchInfo
        this.#updateBacklog()
        const landedAfterMs = this.#now() - enqueuedAt
        metrics.batchesLanded.set(Number(batch.batchNumber))
        metrics.cutToL1Seconds.observe(landedAfterMs / 1000)
        if (result.status === 'submitted') {
          metrics.l1Gas.inc(Number(result.gasUsed))
          metrics.l1GasPerBatch.observe(Number(result.gasUsed))
        }
        logger.info(
          { batch: batch.batchNumber, status: result.status, gasUsed: result.status === 'submitted' ? result.gasUsed.toString() : undefined, landedAfterMs: Math.round(landedAfterMs) },
          'batch landed on L1',
        )
        const landed: LandedBatch = { batch, proven, result, provenAfterMs, landedAfterMs }
        for (const listener of this.#listeners) listener(landed)
      } catch (cause) {
        // A shutdown closes the pool under running jobs: the batch stays in the store and is resubmitted on restart.
        if (this.#stopped) return
        this.#error = new SettlementPausedError(batch.batchNumber, cause)
        logger.error({ batch: batch.batchNumber, err: cause }, 'settlement paused')
      }
    })
  }

  /** Nothing more is submitted; a batch whose receipt is awaited still completes. */
  stop(): void {
    this.#stopped = true
  }

  /** Resolves once every batch enqueued so far has landed or settlement paused. */
  idle(): Promise<void> {
    return this.#tail
  }

  #updateBacklog(): void {
    const { metrics, logger } = this.#parameters
    metrics.batchesPersisted.set(Number(this.#lastEnqueued))
    metrics.proofLag.set(Number(this.#lastEnqueued - this.#parameters.previous.batchNumber) - this.#proven)
    const backlog = this.backlog
    metrics.settlementBacklog.set(Number(backlog))
    const paused = backlog >= this.#maxBacklog
    if (paused === this.#intakePaused) return
    this.#intakePaused = paused
    metrics.intakePaused.set(paused ? 1 : 0)
    if (paused) logger.warn({ backlog: backlog.toString(), limit: this.#maxBacklog.toString() }, 'settlement backlog at its limit: new orders paused')
    else logger.info({ backlog: backlog.toString(), limit: this.#maxBacklog.toString() }, 'settlement backlog below its limit: new orders resume')
  }
}
