/**
 * The pool against real proofs of the membership circuit (1,224 constraints, ~0.5 s per proof once a worker is
 * warm), with failures injected by `testing/faultyProofWorker.ts` on chosen attempts.
 */
import { readFile } from 'node:fs/promises'
import { Registry } from 'prom-client'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createMembershipVector, toSnarkjsInput } from '../circuits/smoke/membershipCircuit.ts'
import { prepareMembershipArtifacts } from '../scripts/smoke/membershipPipeline.ts'
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
import { InOrderDelivery } from './orderedDelivery.ts'
import type { CircuitArtifactPaths, CircuitInput, ProofJob, ProofResult } from './proofJob.ts'
import { ProverPool, retryDelayMs, type PausedState, type ProverPoolOptions } from './proverPool.ts'
import type { FaultPlan } from './testing/faultyProofWorker.ts'

const FAULTY_WORKER = new URL('./testing/faultyProofWorker.ts', import.meta.url).href
const vector = createMembershipVector()
const input = toSnarkjsInput(vector.input) as CircuitInput
const expectedSignals = [vector.input.root.toString(), vector.input.leaf.toString()]

let circuit: CircuitArtifactPaths
let vkey: Groth16VerificationKey
const pools: ProverPool[] = []

beforeAll(async () => {
  const artifacts = await prepareMembershipArtifacts()
  circuit = { wasmPath: artifacts.circuit.wasmPath, zkeyPath: artifacts.setup.zkeyPath, vkeyPath: artifacts.setup.vkeyPath }
  vkey = JSON.parse(await readFile(artifacts.setup.vkeyPath, 'utf8')) as Groth16VerificationKey
})

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()))
})

function createPool(options: ProverPoolOptions & { faults?: FaultPlan } = {}): ProverPool {
  const { faults, ...rest } = options
  const pool = new ProverPool({
    retry: { baseDelayMs: 20, maxDelayMs: 200 },
    timeoutMs: 30_000,
    ...(faults === undefined ? {} : { workerFilename: FAULTY_WORKER, workerData: { faults } }),
    ...rest,
  })
  pools.push(pool)
  return pool
}

function membershipJob(batchNumber: bigint, jobId = `batch-${batchNumber}`): ProofJob {
  return { jobId, batchNumber, circuit, input, expectedPublicSignals: expectedSignals }
}

/** Every attempt failure the pool reports, in order. */
function recordFailures(pool: ProverPool): ProofAttemptError[] {
  const failures: ProofAttemptError[] = []
  pool.on('attemptFailed', (error) => failures.push(error))
  return failures
}

async function failureCount(pool: ProverPool, kind: ProofFailureKind): Promise<number> {
  const metric = await pool.metrics.failures.get()
  return metric.values.find((value) => value.labels.kind === kind)?.value ?? 0
}

async function independentlyVerifies(result: ProofResult): Promise<boolean> {
  const snarkjs = await loadSnarkjs()
  return snarkjs.groth16.verify(vkey, result.publicSignals, result.proof)
}

describe('ProverPool', () => {
  it('default: proves a job into a verified proof of its public signals', async () => {
    const registry = new Registry()
    const pool = createPool({ registry, circuits: { membership: circuit } })
    const result = await pool.submit(membershipJob(1n))
    expect(result).toMatchObject({ jobId: 'batch-1', batchNumber: 1n, publicSignals: expectedSignals, attempts: 1, verified: true })
    expect(await independentlyVerifies(result)).toBe(true)
    // The same job by circuit id, on the now warm worker.
    const byId = await pool.submit({ jobId: 'by-id', batchNumber: 2n, circuit: 'membership', input })
    expect(byId.publicSignals).toEqual(expectedSignals)
    const text = await registry.metrics()
    expect(text).toMatch(/zkperp_prover_proofs_delivered_total 2/)
    expect(text).toMatch(/zkperp_prover_proof_seconds_count\{stage="proving"\} 2/)
    expect(text).toMatch(/zkperp_prover_queue_depth 0/)
    console.log(`membership proof on a warm worker: witness ${byId.witnessMs.toFixed(0)} ms, proving ${byId.provingMs.toFixed(0)} ms`)
  })

  it('behavior: several jobs in flight finish out of order and are delivered in batch order', async () => {
    // Batch 1 is slowest, so with two workers batch 2 (and then 3, 4) finish first.
    const pool = createPool({ workers: 2, faults: { 'batch-1': { 1: { delayMs: 2_500 } } } })
    let maxInFlight = 0
    const finished: bigint[] = []
    pool.on('delivered', (result) => finished.push(result.batchNumber))
    const delivered: bigint[] = []
    const inOrder = new InOrderDelivery<ProofResult>({ nextBatchNumber: 1n, deliver: (result) => delivered.push(result.batchNumber) })
    const jobs = [1n, 2n, 3n, 4n].map((batchNumber) => pool.submit(membershipJob(batchNumber)).then((result) => inOrder.push(result)))
    const sampler = setInterval(async () => {
      maxInFlight = Math.max(maxInFlight, (await pool.metrics.inFlight.get()).values[0]?.value ?? 0)
    }, 10)
    await Promise.all(jobs)
    clearInterval(sampler)
    expect(maxInFlight).toBe(2)
    expect(finished[0]).not.toBe(1n)
    expect(finished.at(-1)).toBe(1n)
    expect(delivered).toEqual([1n, 2n, 3n, 4n])
  })

  it('behavior: a worker that throws, exits or runs out of memory gets its job retried', async () => {
    const pool = createPool({
      maxHeapMb: 256,
      faults: { 'batch-1': { 1: 'throw' }, 'batch-2': { 1: 'exit', 2: 'throw' }, 'batch-3': { 1: 'oom' } },
    })
    const failures = recordFailures(pool)
    const results = await Promise.all([1n, 2n, 3n].map((batchNumber) => pool.submit(membershipJob(batchNumber))))
    expect(results.map((result) => result.attempts)).toEqual([2, 3, 2])
    for (const result of results) expect(await independentlyVerifies(result)).toBe(true)
    // Per job in attempt order (jobs interleave: one backs off while the next proves).
    const byJob = failures.map((failure) => [failure.jobId, failure.attempt, failure.kind]).sort((a, b) => String(a).localeCompare(String(b)))
    expect(byJob).toEqual([
      ['batch-1', 1, 'error'],
      ['batch-2', 1, 'exit'],
      ['batch-2', 2, 'error'],
      ['batch-3', 1, 'oom'],
    ])
    expect(await failureCount(pool, 'exit')).toBe(1)
    expect(await failureCount(pool, 'oom')).toBe(1)
    expect(await failureCount(pool, 'error')).toBe(2)
  })

  it('behavior: a hung worker is terminated at the timeout and the job retried', async () => {
    const timeoutMs = 6_000
    const pool = createPool({ timeoutMs, faults: { 'batch-1': { 1: 'hang' } } })
    const failures = recordFailures(pool)
    const started = performance.now()
    const result = await pool.submit(membershipJob(1n))
    expect(performance.now() - started).toBeGreaterThanOrEqual(timeoutMs)
    expect(result.attempts).toBe(2)
    expect(failures.map((failure) => failure.kind)).toEqual(['timeout'])
    expect(await failureCount(pool, 'timeout')).toBe(1)
  })

  it('behavior: retries back off exponentially up to the cap', async () => {
    const policy = { maxAttempts: 9, baseDelayMs: 100, maxDelayMs: 1_000 }
    expect([1, 2, 3, 4, 5, 6].map((streak) => retryDelayMs(policy, streak))).toEqual([100, 200, 400, 800, 1_000, 1_000])
    const pool = createPool({
      retry: { maxAttempts: 4, baseDelayMs: 150, maxDelayMs: 10_000 },
      faults: { 'batch-1': { 1: 'throw', 2: 'throw', 3: 'throw' } },
    })
    const delays: Array<number | undefined> = []
    pool.on('attemptFailed', (_, retryInMs) => delays.push(retryInMs))
    const started = performance.now()
    const result = await pool.submit(membershipJob(1n))
    expect(result.attempts).toBe(4)
    expect(delays).toEqual([150, 300, 600])
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_050)
  })

  it('behavior: repeated failure pauses the pool; nothing is skipped after resume', async () => {
    const pool = createPool({ retry: { maxAttempts: 2 }, faults: { 'batch-2': { 1: 'throw', 2: 'exit' } } })
    const pauses: PausedState[] = []
    pool.on('paused', (state) => pauses.push(state))
    const delivered: bigint[] = []
    const inOrder = new InOrderDelivery<ProofResult>({ nextBatchNumber: 1n, deliver: (result) => delivered.push(result.batchNumber) })
    const results = [1n, 2n, 3n].map((batchNumber) => pool.submit(membershipJob(batchNumber)).then((result) => (inOrder.push(result), result)))
    await new Promise<void>((resolve) => pool.once('paused', () => resolve()))

    expect(pool.state).toMatchObject({ status: 'paused', jobId: 'batch-2', batchNumber: 2n, attempts: 2 })
    expect((pool.state as PausedState).error.kind).toBe('exit')
    expect((await pool.metrics.paused.get()).values[0]?.value).toBe(1)
    expect(() => pool.submit(membershipJob(4n))).toThrow(ProverPausedError)
    // While paused no attempt runs, batch 2 stays pending and nothing after it is delivered in order.
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    expect((await pool.metrics.inFlight.get()).values[0]?.value).toBe(0)
    expect(pool.pending).toBeGreaterThanOrEqual(1)
    expect(delivered).toEqual([1n])

    pool.resume()
    expect(pool.state.status).toBe('running')
    const settled = await Promise.all(results)
    expect(settled.map((result) => result.batchNumber)).toEqual([1n, 2n, 3n])
    expect(settled[1]?.attempts).toBe(3)
    expect(delivered).toEqual([1n, 2n, 3n])
    expect(pauses).toHaveLength(1)
    expect((await pool.metrics.paused.get()).values[0]?.value).toBe(0)
    // Taking jobs again.
    expect((await pool.submit(membershipJob(4n))).verified).toBe(true)
  })

  it('error: a corrupted proof or tampered public signals never reach the submitter', async () => {
    const pool = createPool({
      faults: { 'batch-1': { 1: 'corruptProof' }, 'batch-2': { 1: 'tamperSignals' }, 'unchecked-3': { 1: 'tamperSignals' } },
    })
    const failures = recordFailures(pool)
    const first = await pool.submit(membershipJob(1n))
    const second = await pool.submit(membershipJob(2n))
    // Without expected signals the tampered signals are still caught, by the Groth16 check.
    const third = await pool.submit({ jobId: 'unchecked-3', batchNumber: 3n, circuit, input })
    for (const result of [first, second, third]) {
      expect(result.attempts).toBe(2)
      expect(result.publicSignals).toEqual(expectedSignals)
      expect(await independentlyVerifies(result)).toBe(true)
    }
    expect(failures.map((failure) => [failure.jobId, failure.kind])).toEqual([
      ['batch-1', 'verify'],
      ['batch-2', 'publicSignals'],
      ['unchecked-3', 'verify'],
    ])
  })

  it('error: a proof of other public signals than expected pauses the pool (retries cannot fix it)', async () => {
    const pool = createPool({ retry: { maxAttempts: 2 } })
    const wrong = [expectedSignals[0]!, (vector.input.leaf + 1n).toString()]
    const pending = pool.submit({ ...membershipJob(1n), expectedPublicSignals: wrong })
    const paused = await new Promise<PausedState>((resolve) => pool.once('paused', resolve))
    expect(paused.error.kind).toBe('publicSignals')
    expect(paused.batchNumber).toBe(1n)
    const rejected = expect(pending).rejects.toThrow(ProverClosedError)
    await pool.close()
    await rejected
  })

  it('behavior: a cancelled or replaced job is dropped, never delivered', async () => {
    const pool = createPool({
      faults: { 'stale-1': { 1: 'hang' }, 'stale-2': { 1: { delayMs: 1_500 } } },
    })
    const delivered: string[] = []
    pool.on('delivered', (result) => delivered.push(result.jobId))

    // Cancelled while its attempt runs (hung): the worker is terminated, the promise rejects.
    const cancelled = pool.submit(membershipJob(1n, 'stale-1'))
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(pool.cancel(1n)).toBe(true)
    await expect(cancelled).rejects.toMatchObject({ code: ProofSupersededError.code, reason: 'cancelled' })
    expect(pool.cancel(1n)).toBe(false)

    // Replaced by a newer job for the same batch while the old one is proving: only the new proof is delivered.
    const stale = pool.submit(membershipJob(2n, 'stale-2'))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const fresh = pool.submit(membershipJob(2n, 'fresh-2'))
    await expect(stale).rejects.toMatchObject({ code: ProofSupersededError.code, reason: 'replaced', replacedBy: 'fresh-2' })
    expect((await fresh).jobId).toBe('fresh-2')
    // Long enough for the stale attempt's delayed proof to have finished had its worker survived.
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    expect(delivered).toEqual(['fresh-2'])
    const superseded = await pool.metrics.superseded.get()
    expect(superseded.values.map((value) => [value.labels.reason, value.value]).sort()).toEqual([
      ['cancelled', 1],
      ['replaced', 1],
    ])
  })

  it('behavior: a full queue refuses jobs until capacity frees up', async () => {
    const pool = createPool({ maxPending: 2, faults: { 'batch-1': { 1: { delayMs: 1_000 } } } })
    const first = pool.submit(membershipJob(1n))
    const second = pool.submit(membershipJob(2n))
    expect(() => pool.submit(membershipJob(3n))).toThrow(ProverQueueFullError)
    expect((await pool.metrics.queueDepth.get()).values[0]?.value).toBe(2)
    // Replacing a pending batch does not need room.
    const replacement = pool.submit(membershipJob(2n, 'batch-2-rebuilt'))
    await expect(second).rejects.toThrow(ProofSupersededError)
    let woke = false
    const capacity = pool.whenCapacity().then(() => (woke = true))
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(woke).toBe(false)
    await first
    await capacity
    const third = pool.submit(membershipJob(3n))
    expect((await Promise.all([replacement, third])).map((result) => result.jobId)).toEqual(['batch-2-rebuilt', 'batch-3'])
  })

  it('error: malformed jobs, unknown circuits and duplicate ids are refused at submit', async () => {
    const pool = createPool()
    expect(() => pool.submit({ ...membershipJob(1n), input: { leaf: 5 } as unknown as CircuitInput })).toThrow(InvalidProofJobError)
    expect(() => pool.submit({ ...membershipJob(1n), circuit: 'nope' })).toThrow(InvalidProofJobError)
    const first = pool.submit(membershipJob(1n, 'same-id'))
    expect(() => pool.submit(membershipJob(2n, 'same-id'))).toThrow(InvalidProofJobError)
    await first
    await pool.close()
    expect(() => pool.submit(membershipJob(3n))).toThrow(ProverClosedError)
  })
})
