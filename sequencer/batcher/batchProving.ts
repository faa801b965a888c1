/**
 * The proving step: each built batch goes to the prover pool as its `ProofJob` (circuit input as decimal strings,
 * expected public signals from `batchPublicSignals`). The pool checks the public signals and verifies the proof
 * against the circuit's vkey before it resolves, so a `ProvenBatch` always carries a verified proof. Backpressure:
 * when the pool is full, the next submission waits for capacity; nothing is dropped.
 */
import type { ProofResult } from '../../prover/proofJob.ts'
import { ProverQueueFullError } from '../../prover/errors.ts'
import type { ProverPool } from '../../prover/proverPool.ts'
import type { BuiltBatch } from './batchBuild.ts'

export type ProvenBatch = { readonly batch: BuiltBatch; readonly proof: ProofResult }

/**
 * Submits the batch's proof job (waiting for capacity while the pool is full) and resolves with its verified
 * proof. Rejects with the pool's typed errors (paused, closed, superseded).
 */
export async function proveBatch(pool: ProverPool, batch: BuiltBatch): Promise<ProvenBatch> {
  for (;;) {
    try {
      const proof = await pool.submit(batch.proofJob)
      return { batch, proof }
    } catch (error) {
      if (!(error instanceof ProverQueueFullError)) throw error
      await pool.whenCapacity()
    }
  }
}
