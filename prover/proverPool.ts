/**
 * A pool of piscina worker threads that turn proof jobs into verified Groth16 proofs.
 *
 * - Admission: `submit(job)` either accepts the job and returns a promise of its result, or throws at once
 *   (`ProverQueueFullError` when `maxPending` jobs are unsettled: this is the backpressure, wait on
 *   `whenCapacity()` and submit again; `ProverPausedError`, `ProverClosedError`, `InvalidProofJobError`).
 * - Scheduling: queued jobs start lowest batch number first, at most `workers` at a time (default 1: snarkjs
 *   already spreads one proof over every core, so two parallel provers gain nothing on a small machine).
 * - Verification: the parent checks every worker output (shape, `expectedPublicSignals`, Groth16 verify against the
 *   circuit's vkey) before resolving, so a worker is never trusted.
 * - Failure: an attempt that throws, exits its thread, runs past `timeoutMs` (the thread is terminated) or exceeds
 *   the heap limit (the thread is killed), or whose output fails the checks, is retried after
 *   `min(baseDelayMs · 2^(n−1), maxDelayMs)` (n = consecutive failures of the job; deterministic, no jitter).
 *   After `maxAttempts` consecutive failures the job goes back to the queue and the pool pauses: no attempt
 *   starts and no job is accepted until `resume()`, which retries it with a fresh budget. Nothing is skipped.
 * - Supersession: `cancel(batchNumber)`, or a new job for a batch that has a pending one, settles the old job's
 *   promise with `ProofSupersededError` (aborting its attempt if running); a proof that finishes for a superseded
 *   job is dropped, never delivered.
 * Every returned promise must be handled: supersession and `close()` reject them.
 */
import { EventEmitter } from 'node:events'
import { readFile } from 'node:fs/promises'
import { Piscina } from 'piscina'
import { Registry } from 'prom-client'
import { loadSnarkjs, type Groth16VerificationKey } from '../scripts/smoke/snarkjs.ts'
import {
  InvalidProofJobError,
  ProofAttemptError,
  ProofSupersededError,
  ProverClosedError,
  ProverPausedError,
  ProverQueueFullError,
  type ProofFailureKind,
} from './errors.ts'
import { validateProofJob, workerOutputSchema, type CircuitArtifactPaths, type ProofJob, type ProofResult } from './proofJob.ts'
import type { ProofWorkerTask } from './proofWorker.ts'
import { createProverMetrics, type ProverMetrics } from './proverMetrics.ts'

export type RetryPolicy = {
  /** Consecutive failed attempts of one job before the pool pauses (default 3). */
  readonly maxAttempts: number
  /** Delay before the first retry (default 1,000 ms); it doubles per consecutive failure. */
  readonly baseDelayMs: number
  /** Upper bound of the delay (default 60,000 ms). */
  readonly maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, maxDelayMs: 60_000 }

export type ProverPoolOptions = {
  /** Worker threads, and so attempts running at once (default 1). */
  readonly workers?: number
  /** Accepted, unsettled jobs (queued, running or backing off) beyond which `submit` throws (default 16). */
  readonly maxPending?: number
  /** An attempt running longer is aborted and its worker thread terminated (default 600,000 ms). */
  readonly timeoutMs?: number
  readonly retry?: Partial<RetryPolicy>
  /** V8 old-generation limit of each worker thread, in MB (default 4,096); above it the thread is killed. */
  readonly maxHeapMb?: number
  /** Circuits a job may name by id instead of carrying paths. */
  readonly circuits?: Readonly<Record<string, CircuitArtifactPaths>>
  /** Registry for the pool's metrics (default: a private one, see `metrics`). */
  readonly registry?: Registry
  /** Worker module (default `./proofWorker.ts`); it must default-export `(task: ProofWorkerTask) => WorkerOutput`. */
  readonly workerFilename?: string
  /** Passed to every worker thread as `workerData`. The production worker reads none. */
  readonly workerData?: unknown
}

export type PausedState = {
  readonly status: 'paused'
  readonly jobId: string
  readonly batchNumber: bigint
  /** Consecutive failures that exhausted the budget. */
  readonly attempts: number
  readonly error: ProofAttemptError
}

export type ProverPoolState = { readonly status: 'running' } | PausedState | { readonly status: 'closed' }

export type ProverPoolEvents = {
  /** An attempt failed; `retryInMs` is undefined when the job exhausted its budget (a `paused` event follows). */
  attemptFailed: [error: ProofAttemptError, retryInMs: number | undefined]
  paused: [state: PausedState]
  resumed: []
  superseded: [error: ProofSupersededError]
  delivered: [result: ProofResult]
}

type Outcome = { ok: true; result: ProofResult } | { ok: false; error: ProofAttemptError }

type PendingJob = {
  readonly job: ProofJob
  readonly circuit: CircuitArtifactPaths
  readonly resolve: (result: ProofResult) => void
  readonly reject: (error: Error) => void
  /** Attempts started, over the job's life. */
  attempts: number
  /** Consecutive failures since the job was accepted or the pool resumed. */
  failureStreak: number
  phase: 'queued' | 'running' | 'backoff'
  controller: AbortController | undefined
  timedOut: boolean
  retryTimer: NodeJS.Timeout | undefined
  settled: boolean
}

/** The delay before retry number `failureStreak` (1-based): exponential, capped, deterministic. */
export function retryDelayMs(policy: RetryPolicy, failureStreak: number): number {
  return Math.min(policy.baseDelayMs * 2 ** Math.max(0, failureStreak - 1), policy.maxDelayMs)
}

const DEFAULT_WORKER = new URL('./proofWorker.ts', import.meta.url).href

export class ProverPool extends EventEmitter<ProverPoolEvents> {
  readonly metrics: ProverMetrics
  readonly registry: Registry
  readonly #piscina: Piscina
  readonly #workers: number
  readonly #maxPending: number
  readonly #timeoutMs: number
  readonly #retry: RetryPolicy
  readonly #circuits: Readonly<Record<string, CircuitArtifactPaths>>
  /** Every unsettled job, by batch number (at most one per batch). */
  readonly #pending = new Map<bigint, PendingJob>()
  readonly #jobIds = new Set<string>()
  /** Jobs ready to start, lowest batch number first. */
  #queue: PendingJob[] = []
  #running = 0
  #state: ProverPoolState = { status: 'running' }
  #capacityWaiters: Array<() => void> = []
  readonly #vkeys = new Map<string, Promise<Groth16VerificationKey>>()

  constructor(options: ProverPoolOptions = {}) {
    super()
    this.#workers = options.workers ?? 1
    this.#maxPending = options.maxPending ?? 16
    this.#timeoutMs = options.timeoutMs ?? 600_000
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry }
    this.#circuits = options.circuits ?? {}
    if (!Number.isInteger(this.#workers) || this.#workers < 1) throw new RangeError(`workers must be a positive integer, got ${this.#workers}`)
    if (!Number.isInteger(this.#maxPending) || this.#maxPending < 1) throw new RangeError(`maxPending must be a positive integer, got ${this.#maxPending}`)
    if (!Number.isInteger(this.#retry.maxAttempts) || this.#retry.maxAttempts < 1) throw new RangeError('retry.maxAttempts must be a positive integer')
    this.registry = options.registry ?? new Registry()
    this.metrics = createProverMetrics(this.registry)
    this.#piscina = new Piscina({
      filename: options.workerFilename ?? DEFAULT_WORKER,
      minThreads: this.#workers,
      maxThreads: this.#workers,
      // Workers load TypeScript through tsx, whatever runner started this process.
      execArgv: [...process.execArgv.filter((arg) => !arg.startsWith('--input-type')), '--import', 'tsx'],
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 4_096 },
      workerData: options.workerData,
    })
    // A thread that dies between tasks is replaced by piscina; with no task to fail there is nothing to report,
    // and an unhandled 'error' event would crash the process.
    this.#piscina.on('error', () => {})
  }

  get state(): ProverPoolState {
    return this.#state
  }

  /** Jobs accepted and not yet settled. */
  get pending(): number {
    return this.#pending.size
  }

  /**
   * Accepts a job and returns its verified proof, or throws at once if the job is not accepted (see the module
   * comment). The promise rejects only with `ProofSupersededError` or `ProverClosedError`: failed attempts are
   * retried, and repeated failure pauses the pool with the job still pending.
   */
  submit(job: ProofJob): Promise<ProofResult> {
    if (this.#state.status === 'closed') throw new ProverClosedError(job.jobId)
    if (this.#state.status === 'paused') throw new ProverPausedError(job.jobId, this.#state)
    try {
      validateProofJob(job)
    } catch (error) {
      throw new InvalidProofJobError(job.jobId, 'not a plain-data job with decimal-string input', error)
    }
    const circuit = typeof job.circuit === 'string' ? this.#circuits[job.circuit] : job.circuit
    if (circuit === undefined) throw new InvalidProofJobError(job.jobId, `unknown circuit id ${String(job.circuit)}`)
    if (this.#jobIds.has(job.jobId)) throw new InvalidProofJobError(job.jobId, 'a pending job has this id')
    const replaced = this.#pending.get(job.batchNumber)
    if (this.#pending.size - (replaced === undefined ? 0 : 1) >= this.#maxPending) throw new ProverQueueFullError(job.jobId, this.#maxPending)
    if (replaced !== undefined) this.#supersede(replaced, 'replaced', job.jobId)

    return new Promise<ProofResult>((resolve, reject) => {
      const entry: PendingJob = {
        job,
        circuit,
        resolve,
        reject,
        attempts: 0,
        failureStreak: 0,
        phase: 'queued',
        controller: undefined,
        timedOut: false,
        retryTimer: undefined,
        settled: false,
      }
      this.#pending.set(job.batchNumber, entry)
      this.#jobIds.add(job.jobId)
      this.metrics.queueDepth.set(this.#pending.size)
      this.#enqueue(entry)
      this.#pump()
    })
  }

  /** Resolves once `submit` would not throw `ProverQueueFullError` (or the pool closed). */
  whenCapacity(): Promise<void> {
    if (this.#pending.size < this.#maxPending || this.#state.status === 'closed') return Promise.resolve()
    return new Promise((resolve) => this.#capacityWaiters.push(resolve))
  }

  /** Drops the pending job of a batch (its promise rejects with `ProofSupersededError`); false if there is none. */
  cancel(batchNumber: bigint): boolean {
    const entry = this.#pending.get(batchNumber)
    if (entry === undefined) return false
    this.#supersede(entry, 'cancelled', undefined)
    return true
  }

  /** Leaves the paused state: every pending job gets a fresh attempt budget and the queue restarts. */
  resume(): void {
    if (this.#state.status !== 'paused') return
    this.#state = { status: 'running' }
    for (const entry of this.#pending.values()) entry.failureStreak = 0
    this.metrics.paused.set(0)
    this.emit('resumed')
    this.#pump()
  }

  /** Rejects every pending job with `ProverClosedError`, terminates running attempts and the worker threads. */
  async close(): Promise<void> {
    if (this.#state.status === 'closed') return
    this.#state = { status: 'closed' }
    this.metrics.paused.set(0)
    for (const entry of [...this.#pending.values()]) {
      this.#stop(entry)
      this.#settle(entry)
      entry.reject(new ProverClosedError(entry.job.jobId))
    }
    this.#queue = []
    await this.#piscina.destroy()
  }

  #enqueue(entry: PendingJob): void {
    entry.phase = 'queued'
    const index = this.#queue.findIndex((queued) => queued.job.batchNumber > entry.job.batchNumber)
    if (index === -1) this.#queue.push(entry)
    else this.#queue.splice(index, 0, entry)
  }

  #pump(): void {
    while (this.#state.status === 'running' && this.#running < this.#workers) {
      const entry = this.#queue.shift()
      if (entry === undefined) return
      void this.#runAttempt(entry)
    }
  }

  async #runAttempt(entry: PendingJob): Promise<void> {
    entry.attempts++
    entry.phase = 'running'
    entry.timedOut = false
    const controller = new AbortController()
    entry.controller = controller
    this.#running++
    this.metrics.inFlight.set(this.#running)
    const attempt = entry.attempts
    const task: ProofWorkerTask = {
      jobId: entry.job.jobId,
      batchNumber: entry.job.batchNumber,
      attempt,
      wasmPath: entry.circuit.wasmPath,
      zkeyPath: entry.circuit.zkeyPath,
      input: entry.job.input,
    }
    const timer = setTimeout(() => {
      entry.timedOut = true
      controller.abort(new Error(`attempt ran past ${this.#timeoutMs} ms`))
    }, this.#timeoutMs)
    let outcome: Outcome
    try {
      const output: unknown = await this.#piscina.run(task, { signal: controller.signal })
      clearTimeout(timer)
      outcome = await this.#check(entry, attempt, output)
    } catch (error) {
      outcome = { ok: false, error: this.#classify(entry, attempt, error) }
    } finally {
      clearTimeout(timer)
      entry.controller = undefined
      this.#running--
      this.metrics.inFlight.set(this.#running)
    }
    // Superseded or closed while running: whatever came back is dropped.
    if (!entry.settled) {
      if (outcome.ok) this.#deliver(entry, outcome.result)
      else this.#onFailure(entry, outcome.error)
    }
    this.#pump()
  }

  /** The parent's checks of a worker's output: shape, expected public signals, Groth16 verify against the vkey. */
  async #check(entry: PendingJob, attempt: number, output: unknown): Promise<Outcome> {
    const { job } = entry
    const fail = (kind: ProofFailureKind, reason: string, cause?: unknown): Outcome => ({
      ok: false,
      error: new ProofAttemptError(kind, job.jobId, job.batchNumber, attempt, reason, cause),
    })
    const parsed = workerOutputSchema.safeParse(output)
    if (!parsed.success) return fail('malformed', 'worker output is not { proof, publicSignals, witnessMs, provingMs }', parsed.error)
    const { proof, publicSignals, witnessMs, provingMs } = parsed.data
    const expected = job.expectedPublicSignals
    if (expected !== undefined && (expected.length !== publicSignals.length || expected.some((signal, index) => signal !== publicSignals[index]))) {
      return fail('publicSignals', `public signals [${publicSignals.join(', ')}] differ from the expected [${expected.join(', ')}]`)
    }
    const started = performance.now()
    let verified: boolean
    try {
      const vkey = await this.#loadVkey(entry.circuit.vkeyPath)
      const snarkjs = await loadSnarkjs()
      verified = await snarkjs.groth16.verify(vkey, publicSignals, proof)
    } catch (error) {
      return fail('verify', `verification threw: ${error instanceof Error ? error.message : String(error)}`, error)
    }
    if (!verified) return fail('verify', `proof does not verify against ${entry.circuit.vkeyPath}`)
    const verifyMs = performance.now() - started
    this.metrics.proofSeconds.observe({ stage: 'witness' }, witnessMs / 1000)
    this.metrics.proofSeconds.observe({ stage: 'proving' }, provingMs / 1000)
    this.metrics.proofSeconds.observe({ stage: 'total' }, (witnessMs + provingMs + verifyMs) / 1000)
    return {
      ok: true,
      result: { jobId: job.jobId, batchNumber: job.batchNumber, proof, publicSignals, witnessMs, provingMs, attempts: attempt, verified: true },
    }
  }

  #classify(entry: PendingJob, attempt: number, error: unknown): ProofAttemptError {
    const { jobId, batchNumber } = entry.job
    const message = error instanceof Error ? error.message : String(error)
    const code = (error as { code?: unknown } | null)?.code
    let kind: ProofFailureKind = 'error'
    if (entry.timedOut) kind = 'timeout'
    else if (code === 'ERR_WORKER_OUT_OF_MEMORY') kind = 'oom'
    else if (message.startsWith('worker exited with code')) kind = 'exit'
    return new ProofAttemptError(kind, jobId, batchNumber, attempt, message, error)
  }

  #onFailure(entry: PendingJob, error: ProofAttemptError): void {
    this.metrics.failures.inc({ kind: error.kind })
    entry.failureStreak++
    if (entry.failureStreak >= this.#retry.maxAttempts) {
      // Never skipped: the job waits at its place in the queue for `resume()`.
      this.#enqueue(entry)
      this.emit('attemptFailed', error, undefined)
      if (this.#state.status === 'running') {
        const paused: PausedState = {
          status: 'paused',
          jobId: entry.job.jobId,
          batchNumber: entry.job.batchNumber,
          attempts: entry.failureStreak,
          error,
        }
        this.#state = paused
        this.metrics.paused.set(1)
        this.emit('paused', paused)
      }
      return
    }
    const delay = retryDelayMs(this.#retry, entry.failureStreak)
    entry.phase = 'backoff'
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined
      this.#enqueue(entry)
      this.#pump()
    }, delay)
    this.emit('attemptFailed', error, delay)
  }

  #deliver(entry: PendingJob, result: ProofResult): void {
    this.#settle(entry)
    this.metrics.delivered.inc()
    entry.resolve(result)
    this.emit('delivered', result)
  }

  #supersede(entry: PendingJob, reason: 'cancelled' | 'replaced', replacedBy: string | undefined): void {
    this.#stop(entry)
    this.#settle(entry)
    const error = new ProofSupersededError(entry.job.jobId, entry.job.batchNumber, reason, replacedBy)
    this.metrics.superseded.inc({ reason })
    entry.reject(error)
    this.emit('superseded', error)
  }

  /** Takes a job out of the queue, its backoff timer and its worker (a running attempt's thread is terminated). */
  #stop(entry: PendingJob): void {
    this.#queue = this.#queue.filter((queued) => queued !== entry)
    if (entry.retryTimer !== undefined) clearTimeout(entry.retryTimer)
    entry.retryTimer = undefined
    entry.controller?.abort(new Error('superseded'))
  }

  #settle(entry: PendingJob): void {
    entry.settled = true
    if (this.#pending.get(entry.job.batchNumber) === entry) this.#pending.delete(entry.job.batchNumber)
    this.#jobIds.delete(entry.job.jobId)
    this.metrics.queueDepth.set(this.#pending.size)
    if (this.#pending.size < this.#maxPending || this.#state.status === 'closed') {
      const waiters = this.#capacityWaiters
      this.#capacityWaiters = []
      for (const wake of waiters) wake()
    }
  }

  #loadVkey(path: string): Promise<Groth16VerificationKey> {
    let vkey = this.#vkeys.get(path)
    if (vkey === undefined) {
      vkey = readFile(path, 'utf8').then((text) => JSON.parse(text) as Groth16VerificationKey)
      // A failed read is not cached: the next attempt reads again.
      vkey.catch(() => this.#vkeys.delete(path))
      this.#vkeys.set(path, vkey)
    }
    return vkey
  }
}
