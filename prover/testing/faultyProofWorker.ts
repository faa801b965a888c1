/**
 * TEST ONLY: the production proof worker behind a fault plan. The pool's tests start a pool with
 * `workerFilename` set to this file and `workerData: { faults }`; attempt `n` of job `jobId` then misbehaves as
 * `faults[jobId][n]` says, and every other attempt proves for real. The production worker has no such hooks.
 */
import { workerData } from 'node:worker_threads'
import type { WorkerOutput } from '../proofJob.ts'
import { proveTask, type ProofWorkerTask } from '../proofWorker.ts'

export type WorkerFault =
  /** Throw before proving. */
  | 'throw'
  /** `process.exit(3)` (ends the worker thread). */
  | 'exit'
  /** Spin forever without yielding: only terminating the thread stops it. */
  | 'hang'
  /** Allocate until the thread's heap limit kills it. */
  | 'oom'
  /** Prove, then negate pi_a (still a curve point): a well-formed proof that must not verify. */
  | 'corruptProof'
  /** Prove, then add 1 to the first public signal. */
  | 'tamperSignals'
  /** Sleep this many ms, then prove. */
  | { delayMs: number }

/** jobId → attempt number (1-based) → fault. */
export type FaultPlan = Readonly<Record<string, Readonly<Record<number, WorkerFault>>>>

/** BN254 base field modulus: negating a G1 point negates its y coordinate modulo it. */
const BASE_MODULUS = 21888242871839275222246405745257275088696311157297823662689037894645226208583n

const plan: FaultPlan = (workerData as { faults?: FaultPlan } | undefined)?.faults ?? {}

export default async function faultyProve(task: ProofWorkerTask): Promise<WorkerOutput> {
  const fault = plan[task.jobId]?.[task.attempt]
  if (fault === 'throw') throw new Error(`injected failure: job ${task.jobId} attempt ${task.attempt}`)
  if (fault === 'exit') process.exit(3)
  if (fault === 'hang') for (;;);
  if (fault === 'oom') {
    const hoard: number[][] = []
    for (;;) hoard.push(Array.from({ length: 1 << 16 }, (_, index) => index * 1.5))
  }
  if (typeof fault === 'object') await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
  const output = await proveTask(task)
  if (fault === 'corruptProof') {
    const [x, y, z] = output.proof.pi_a
    return { ...output, proof: { ...output.proof, pi_a: [x, (BASE_MODULUS - BigInt(y)).toString(), z] } }
  }
  if (fault === 'tamperSignals') {
    const [first, ...rest] = output.publicSignals
    return { ...output, publicSignals: [(BigInt(first ?? '0') + 1n).toString(), ...rest] }
  }
  return output
}
