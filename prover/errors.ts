/** The prover pool's typed errors. */
import { BaseError } from '../sdk/errors.ts'

/** How one proving attempt failed. */
export type ProofFailureKind =
  /** The worker threw (witness generation or proving failed, or the worker code threw). */
  | 'error'
  /** The worker thread exited (process.exit inside the worker, or a crash). */
  | 'exit'
  /** The attempt ran past the pool's timeout; the worker thread was terminated. */
  | 'timeout'
  /** The worker thread hit its heap limit and was killed. */
  | 'oom'
  /** The worker's output is not a proof and public signals. */
  | 'malformed'
  /** The public signals differ from the job's `expectedPublicSignals`. */
  | 'publicSignals'
  /** The proof does not verify against the circuit's vkey (or the vkey could not be read). */
  | 'verify'

export const PROOF_FAILURE_KINDS = ['error', 'exit', 'timeout', 'oom', 'malformed', 'publicSignals', 'verify'] as const satisfies readonly ProofFailureKind[]

/** One failed attempt. The pool retries it; it reaches callers in `attemptFailed` and `paused` events. */
export class ProofAttemptError extends BaseError {
  static readonly code = 'PROOF_ATTEMPT_FAILED' as const
  override readonly name = 'Prover.ProofAttemptError'
  constructor(
    readonly kind: ProofFailureKind,
    readonly jobId: string,
    readonly batchNumber: bigint,
    readonly attempt: number,
    reason: string,
    cause?: unknown,
  ) {
    super(ProofAttemptError.code, `proof attempt ${attempt} of job ${jobId} (batch ${batchNumber}) failed: ${kind}: ${reason}`, {
      details: { kind, jobId, batchNumber, attempt, reason },
      cause,
    })
  }
}

/** `submit` while the pool holds its maximum of pending jobs: wait for `whenCapacity()` and submit again. */
export class ProverQueueFullError extends BaseError {
  static readonly code = 'PROVER_QUEUE_FULL' as const
  override readonly name = 'Prover.ProverQueueFullError'
  constructor(readonly jobId: string, readonly maxPending: number) {
    super(ProverQueueFullError.code, `prover queue full (${maxPending} pending): job ${jobId} not accepted`, {
      details: { jobId, maxPending },
    })
  }
}

/** `submit` while the pool is paused after repeated failures: nothing new is taken until `resume()`. */
export class ProverPausedError extends BaseError {
  static readonly code = 'PROVER_PAUSED' as const
  override readonly name = 'Prover.ProverPausedError'
  constructor(readonly jobId: string, readonly pausedOn: { jobId: string; batchNumber: bigint }) {
    super(ProverPausedError.code, `prover paused on batch ${pausedOn.batchNumber}: job ${jobId} not accepted`, {
      details: { jobId, pausedOnJobId: pausedOn.jobId, pausedOnBatchNumber: pausedOn.batchNumber },
    })
  }
}

/** `submit` after `close()`, or a pending job when the pool closed. */
export class ProverClosedError extends BaseError {
  static readonly code = 'PROVER_CLOSED' as const
  override readonly name = 'Prover.ProverClosedError'
  constructor(readonly jobId: string) {
    super(ProverClosedError.code, `prover pool closed: job ${jobId} not proven`, { details: { jobId } })
  }
}

/** The job's proof was dropped: the batch was cancelled, or a newer job for the same batch replaced it. */
export class ProofSupersededError extends BaseError {
  static readonly code = 'PROOF_SUPERSEDED' as const
  override readonly name = 'Prover.ProofSupersededError'
  constructor(
    readonly jobId: string,
    readonly batchNumber: bigint,
    readonly reason: 'cancelled' | 'replaced',
    readonly replacedBy?: string,
  ) {
    super(ProofSupersededError.code, `job ${jobId} for batch ${batchNumber} superseded (${reason})`, {
      details: { jobId, batchNumber, reason, ...(replacedBy === undefined ? {} : { replacedBy }) },
    })
  }
}

/** A job that does not have the wire shape, names an unknown circuit, or reuses a pending job's id. */
export class InvalidProofJobError extends BaseError {
  static readonly code = 'PROOF_JOB_INVALID' as const
  override readonly name = 'Prover.InvalidProofJobError'
  constructor(readonly jobId: unknown, reason: string, cause?: unknown) {
    super(InvalidProofJobError.code, `invalid proof job ${String(jobId)}: ${reason}`, { details: { jobId, reason }, cause })
  }
}

/** The in-order delivery helper got a result for a batch it already delivered. */
export class DuplicateProofError extends BaseError {
  static readonly code = 'PROOF_DUPLICATE' as const
  override readonly name = 'Prover.DuplicateProofError'
  constructor(readonly batchNumber: bigint, readonly jobId: string) {
    super(DuplicateProofError.code, `batch ${batchNumber} already has a proof (job ${jobId} dropped)`, { details: { batchNumber, jobId } })
  }
}
