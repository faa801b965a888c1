/**
 * Typed errors of the L1 side (chain watcher, batch submitter, withdrawals). Every code starts with `L1_` so it
 * cannot collide with a state-machine or gateway code. Transient RPC failures are retried and never surface as one
 * of these; each of these means "stop and look": a queue that does not add up, a batch L1 refused, or a caller
 * asking for something out of order.
 */
import { BaseError } from '../../sdk/errors.ts'

// ---------------------------------------------------------------- chain watcher

/** The next priority op L1 emitted is not the one the caller expects next (a hole in the queue we saw). */
export class PriorityQueueGapError extends BaseError {
  static readonly code = 'L1_PRIORITY_QUEUE_GAP' as const
  override readonly name = 'L1.PriorityQueueGapError'
  constructor(readonly expectedPriorityIndex: bigint, readonly foundPriorityIndex: bigint, readonly blockNumber: bigint) {
    super(PriorityQueueGapError.code, 'priority op out of sequence: an index was never seen', {
      details: { expectedPriorityIndex, foundPriorityIndex, blockNumber },
    })
  }
}

/** A priority-op event does not reproduce the record L1 queued (or its events disagree with each other). */
export class PriorityRecordMismatchError extends BaseError {
  static readonly code = 'L1_PRIORITY_RECORD_MISMATCH' as const
  override readonly name = 'L1.PriorityRecordMismatchError'
  constructor(readonly priorityIndex: bigint | undefined, reason: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(PriorityRecordMismatchError.code, `priority op ${priorityIndex ?? "?"} does not match what L1 queued: ${reason}`, {
      details: { priorityIndex, reason, ...details },
      cause,
    })
  }
}

/**
 * After a scan, the contract's queue length at the scanned head differs from the next index expected: ops were
 * queued that the scan never saw (it started after them), or the caller counts ops L1 no longer has (a reorg deeper
 * than the confirmation depth, or another chain).
 */
export class PriorityQueueDivergedError extends BaseError {
  static readonly code = 'L1_PRIORITY_QUEUE_DIVERGED' as const
  override readonly name = 'L1.PriorityQueueDivergedError'
  constructor(readonly nextPriorityIndex: bigint, readonly priorityTail: bigint, readonly blockNumber: bigint) {
    super(PriorityQueueDivergedError.code, 'L1 queue length differs from the ops seen', {
      details: { nextPriorityIndex, priorityTail, blockNumber },
    })
  }
}

/** The caller's priority-op handler threw: the op was not delivered, and the watcher stopped at it. */
export class PriorityOpHandlerError extends BaseError {
  static readonly code = 'L1_PRIORITY_OP_HANDLER_FAILED' as const
  override readonly name = 'L1.PriorityOpHandlerError'
  constructor(readonly priorityIndex: bigint, cause: unknown) {
    super(PriorityOpHandlerError.code, 'the priority-op handler failed; the watcher stopped before this op', {
      details: { priorityIndex },
      cause,
    })
  }
}

// ---------------------------------------------------------------- batch submitter

/** The submitter was asked for a batch that does not follow what L1 has (a batch would be skipped). */
export class BatchOutOfOrderError extends BaseError {
  static readonly code = 'L1_BATCH_OUT_OF_ORDER' as const
  override readonly name = 'L1.BatchOutOfOrderError'
  constructor(readonly batchNumber: bigint, readonly lastBatchNumberOnL1: bigint) {
    super(BatchOutOfOrderError.code, 'batch does not follow the last batch on L1', {
      details: { batchNumber, lastBatchNumberOnL1, expectedBatchNumber: lastBatchNumberOnL1 + 1n },
    })
  }
}

/** The batch's data is inconsistent before anything is sent (previous info, header, public signals). */
export class BatchInvalidError extends BaseError {
  static readonly code = 'L1_BATCH_INVALID' as const
  override readonly name = 'L1.BatchInvalidError'
  constructor(readonly batchNumber: bigint, reason: string, details: Record<string, unknown> = {}) {
    super(BatchInvalidError.code, `batch ${batchNumber} refused before sending: ${reason}`, {
      details: { batchNumber, reason, ...details },
    })
  }
}

/** L1 already holds a batch with this number, and it is not this batch: the sequencer and L1 have diverged. */
export class BatchConflictError extends BaseError {
  static readonly code = 'L1_BATCH_CONFLICT' as const
  override readonly name = 'L1.BatchConflictError'
  constructor(readonly batchNumber: bigint, details: Record<string, unknown>) {
    super(BatchConflictError.code, 'L1 holds a different batch under this number', { details: { batchNumber, ...details } })
  }
}

/** ZkPerp reverted (in simulation or on chain) with a decoded custom error. Never retried blindly. */
export class BatchRevertedError extends BaseError {
  static readonly code = 'L1_BATCH_REVERTED' as const
  override readonly name = 'L1.BatchRevertedError'
  constructor(
    readonly batchNumber: bigint,
    /** The contract's custom error name (`InvalidProof`, `StoredBatchMismatch`, …), or undefined if undecodable. */
    readonly errorName: string | undefined,
    readonly errorArgs: readonly unknown[],
    readonly stage: 'simulation' | 'receipt',
    details: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(BatchRevertedError.code, `submitBatch(${batchNumber}) reverted: ${errorName ?? 'unknown reason'}`, {
      details: { batchNumber, errorName, errorArgs, stage, ...details },
      cause,
    })
  }
}

/** The gas estimate times the margin exceeds the configured cap: something is wrong with the batch or the chain. */
export class GasCapExceededError extends BaseError {
  static readonly code = 'L1_GAS_CAP_EXCEEDED' as const
  override readonly name = 'L1.GasCapExceededError'
  constructor(readonly batchNumber: bigint, readonly gasLimit: bigint, readonly gasCap: bigint) {
    super(GasCapExceededError.code, 'estimated gas above the cap', { details: { batchNumber, gasLimit, gasCap } })
  }
}

/** The RPC is on another chain than the one configured. */
export class WrongChainError extends BaseError {
  static readonly code = 'L1_WRONG_CHAIN' as const
  override readonly name = 'L1.WrongChainError'
  constructor(readonly expectedChainId: number, readonly actualChainId: number) {
    super(WrongChainError.code, 'RPC chain id differs from the configured chain', { details: { expectedChainId, actualChainId } })
  }
}

/** Our own earlier transactions stayed pending past the timeout; sending more could duplicate a submission. */
export class PendingTransactionsTimeoutError extends BaseError {
  static readonly code = 'L1_PENDING_TRANSACTIONS_TIMEOUT' as const
  override readonly name = 'L1.PendingTransactionsTimeoutError'
  constructor(readonly address: string, readonly minedNonce: number, readonly pendingNonce: number, readonly timeoutMs: number) {
    super(PendingTransactionsTimeoutError.code, 'operator transactions still pending', {
      details: { address, minedNonce, pendingNonce, timeoutMs },
    })
  }
}

/** A transient failure outlasted the retry budget. */
export class RetriesExhaustedError extends BaseError {
  static readonly code = 'L1_RETRIES_EXHAUSTED' as const
  override readonly name = 'L1.RetriesExhaustedError'
  constructor(readonly operation: string, readonly attempts: number, cause: unknown) {
    super(RetriesExhaustedError.code, `${operation} failed ${attempts} times`, { details: { operation, attempts }, cause })
  }
}

// ---------------------------------------------------------------- withdrawals

/** `withdraw` was called for an owner with no pending balance. */
export class NothingToWithdrawError extends BaseError {
  static readonly code = 'L1_NOTHING_TO_WITHDRAW' as const
  override readonly name = 'L1.NothingToWithdrawError'
  constructor(readonly owner: string) {
    super(NothingToWithdrawError.code, 'no pending balance to withdraw', { details: { owner } })
  }
}

/** The `withdraw` transaction was mined but reverted (or paid nothing). */
export class WithdrawalFailedError extends BaseError {
  static readonly code = 'L1_WITHDRAWAL_FAILED' as const
  override readonly name = 'L1.WithdrawalFailedError'
  constructor(readonly owner: string, readonly transactionHash: string) {
    super(WithdrawalFailedError.code, 'withdraw transaction failed', { details: { owner, transactionHash } })
  }
}

/**
 * A transaction we sent did not reach its confirmations: a reorg dropped it (`dropped`: it will not land as sent;
 * nothing happened, so sending again is safe), or it was still pending or shallow when the wait ran out (`timeout`:
 * it may still land; look before sending again).
 */
export class TransactionUnconfirmedError extends BaseError {
  static readonly code = 'L1_TRANSACTION_UNCONFIRMED' as const
  override readonly name = 'L1.TransactionUnconfirmedError'
  constructor(readonly action: string, readonly reason: 'dropped' | 'timeout', readonly transactionHash: string) {
    const advice = reason === 'dropped' ? 'dropped from the chain (a reorg?); nothing happened, run it again' : 'not confirmed in time; it may still land, check before running it again'
    super(TransactionUnconfirmedError.code, `${action} transaction ${advice}`, { details: { action, reason, transactionHash } })
  }
}
