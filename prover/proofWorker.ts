/**
 * Piscina worker: one Groth16 proof per task (witness from circom's wasm, then snarkjs `groth16.prove`). It does
 * not verify: the pool checks every proof against the vkey in the parent, so a worker (local or, later, remote)
 * never has to be trusted. The worker keeps snarkjs and its bn128 curve loaded between tasks.
 */
import workerThreads from 'node:worker_threads'
import type { CircuitInput, WorkerOutput } from './proofJob.ts'
import { loadSnarkjs, type MemoryFile } from '../scripts/smoke/snarkjs.ts'

// snarkjs 0.7.6 (through web-worker) reads `threads.workerData` when it loads inside a worker thread and fails with
// "Cannot destructure property 'mod' of 'threads.workerData'"; claiming the main thread before loading it avoids
// that. It must run before the first `loadSnarkjs()`, which imports snarkjs lazily.
;(workerThreads as { isMainThread: boolean }).isMainThread = true

/** What the pool posts to a worker for one attempt: the job with its circuit resolved to paths. */
export type ProofWorkerTask = {
  readonly jobId: string
  readonly batchNumber: bigint
  readonly attempt: number
  readonly wasmPath: string
  readonly zkeyPath: string
  readonly input: CircuitInput
}

/** Witness generation then proving, each timed. */
export async function proveTask(task: ProofWorkerTask): Promise<WorkerOutput> {
  const snarkjs = await loadSnarkjs()
  const started = performance.now()
  const witness: MemoryFile = { type: 'mem' }
  await snarkjs.wtns.calculate(task.input as Record<string, unknown>, task.wasmPath, witness)
  const witnessDone = performance.now()
  const { proof, publicSignals } = await snarkjs.groth16.prove(task.zkeyPath, witness)
  return { proof, publicSignals, witnessMs: witnessDone - started, provingMs: performance.now() - witnessDone }
}

export default proveTask
