import { BaseError } from '../../sdk/errors.ts'

/**
 * Errors of the batcher. Each one stops it (the batcher pauses; it never skips a tx or a batch): they mean an
 * invariant broke or the circuit cannot prove what the sequencer accepted, and a person must look.
 */

/**
 * A queued tx is rejected by the state machine even as the first tx of a batch (at T = max(last batch T, its own
 * input time)): the sequencer accepted something no batch can carry.
 */
export class TxUnbatchableError extends BaseError {
  static readonly code = 'BATCH_TX_UNBATCHABLE' as const
  override readonly name = 'Batcher.TxUnbatchableError'
  constructor(seq: bigint, index: number, batchTimestamp: bigint, cause: BaseError) {
    super(TxUnbatchableError.code, `queued tx ${seq}/${index} is rejected as the first tx of a batch at T = ${batchTimestamp} (${cause.code})`, {
      details: { seq, index, batchTimestamp, rejection: cause.code, rejectionDetails: cause.details },
      cause,
    })
  }
}

/** Building the witness of a cut batch failed for another reason (a state-machine/witness disagreement). */
export class BatchWitnessFailedError extends BaseError {
  static readonly code = 'BATCH_WITNESS_FAILED' as const
  override readonly name = 'Batcher.BatchWitnessFailedError'
  constructor(batchNumber: bigint, cause: unknown) {
    super(BatchWitnessFailedError.code, `batch ${batchNumber}: the witness could not be built`, {
      details: { batchNumber, reason: cause instanceof BaseError ? cause.code : String(cause) },
      cause,
    })
  }
}

/** Queued txs arrived out of order: a position at or before one already taken. */
export class TxOutOfOrderError extends BaseError {
  static readonly code = 'BATCH_TX_OUT_OF_ORDER' as const
  override readonly name = 'Batcher.TxOutOfOrderError'
  constructor(previousSeq: bigint, seq: bigint) {
    super(TxOutOfOrderError.code, `queued tx seq ${seq} after seq ${previousSeq}`, { details: { previousSeq, seq } })
  }
}

/** The batch store does not agree with itself or with the state it rebuilds (a gap, or another root). */
export class BatchStoreCorruptError extends BaseError {
  static readonly code = 'BATCH_STORE_CORRUPT' as const
  override readonly name = 'Batcher.BatchStoreCorruptError'
  constructor(reason: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(BatchStoreCorruptError.code, `batch store corrupt: ${reason}`, { details: { reason, ...details }, cause })
  }
}

/**
 * After recovery the sequencer's queue does not continue where the persisted batches end: a tx already batched
 * differs from the replayed one, or txs between the last batch and the queue are missing (a sequencer snapshot was
 * taken while the batcher held drained, unpersisted txs).
 */
export class BatchQueueMismatchError extends BaseError {
  static readonly code = 'BATCH_QUEUE_MISMATCH' as const
  override readonly name = 'Batcher.BatchQueueMismatchError'
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(BatchQueueMismatchError.code, `queue does not continue the persisted batches: ${reason}`, { details: { reason, ...details } })
  }
}

/** The batcher is paused by an earlier error; nothing is cut until it is restarted. */
export class BatcherPausedError extends BaseError {
  static readonly code = 'BATCHER_PAUSED' as const
  override readonly name = 'Batcher.BatcherPausedError'
  constructor(cause: BaseError) {
    super(BatcherPausedError.code, `batcher is paused: ${cause.code}`, { details: { pausedBy: cause.code }, cause })
  }
}

/** The batcher was closed. */
export class BatcherClosedError extends BaseError {
  static readonly code = 'BATCHER_CLOSED' as const
  override readonly name = 'Batcher.BatcherClosedError'
  constructor() {
    super(BatcherClosedError.code, 'batcher is closed')
  }
}

/** A built batch does not start from the root the previous batch ended at (cutter and witness builder disagree). */
export class BatchRootChainError extends BaseError {
  static readonly code = 'BATCH_ROOT_CHAIN_BROKEN' as const
  override readonly name = 'Batcher.BatchRootChainError'
  constructor(batchNumber: bigint, expectedOldRoot: bigint, oldRoot: bigint) {
    super(BatchRootChainError.code, `batch ${batchNumber} starts from another root than the previous batch ended at`, {
      details: { batchNumber, expectedOldRoot, oldRoot },
    })
  }
}

/** Writing a cut batch to the store failed: it was not handed on. */
export class BatchPersistFailedError extends BaseError {
  static readonly code = 'BATCH_PERSIST_FAILED' as const
  override readonly name = 'Batcher.BatchPersistFailedError'
  constructor(batchNumber: bigint, cause: unknown) {
    super(BatchPersistFailedError.code, `batch ${batchNumber} could not be persisted`, { details: { batchNumber }, cause })
  }
}

/** The consumer of built batches threw; the batch is persisted and is handed on again after a restart. */
export class BatchHandOffFailedError extends BaseError {
  static readonly code = 'BATCH_HAND_OFF_FAILED' as const
  override readonly name = 'Batcher.BatchHandOffFailedError'
  constructor(batchNumber: bigint, cause: unknown) {
    super(BatchHandOffFailedError.code, `batch ${batchNumber}: the consumer failed`, { details: { batchNumber }, cause })
  }
}
