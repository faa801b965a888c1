import { BaseError } from '../../sdk/errors.ts'

/**
 * Errors of the node (the process that composes gateway, batcher, prover pool, L1 watcher and submitter). Each one
 * stops the part it names: nothing is skipped, a person looks, a restart resumes from the durable logs.
 */

/**
 * The chain watcher delivered a priority op whose index is not the next one the input log expects: the log and L1
 * disagree (a deposit logged that L1 never queued, or a scan that started after an unlogged op).
 */
export class PriorityIndexMismatchError extends BaseError {
  static readonly code = 'NODE_PRIORITY_INDEX_MISMATCH' as const
  override readonly name = 'Node.PriorityIndexMismatchError'
  constructor(expected: bigint, delivered: bigint) {
    super(PriorityIndexMismatchError.code, `the chain watcher delivered priority op ${delivered}, the input log expects ${expected}`, {
      details: { expected, delivered },
    })
  }
}

/** A priority op the state machine refused: no batch can carry it, so L1's queue cannot advance past it. */
export class PriorityOpRefusedError extends BaseError {
  static readonly code = 'NODE_PRIORITY_OP_REFUSED' as const
  override readonly name = 'Node.PriorityOpRefusedError'
  constructor(priorityIndex: bigint, txType: string, rejection: unknown) {
    super(PriorityOpRefusedError.code, `priority op ${priorityIndex} (${txType}) was refused by the state machine`, {
      details: { priorityIndex, txType, rejection },
    })
  }
}

/** L1 holds a batch the local batch store does not: this node is not the one that proved L1's state. */
export class L1AheadOfStoreError extends BaseError {
  static readonly code = 'NODE_L1_AHEAD_OF_STORE' as const
  override readonly name = 'Node.L1AheadOfStoreError'
  constructor(lastBatchOnL1: bigint, lastBatchInStore: bigint) {
    super(L1AheadOfStoreError.code, `L1 has batch ${lastBatchOnL1}, the batch store ends at ${lastBatchInStore}`, {
      details: { lastBatchOnL1, lastBatchInStore },
    })
  }
}

/** Proving or landing a batch failed past every retry: settlement is paused at that batch, nothing after it lands. */
export class SettlementPausedError extends BaseError {
  static readonly code = 'NODE_SETTLEMENT_PAUSED' as const
  override readonly name = 'Node.SettlementPausedError'
  constructor(batchNumber: bigint, cause: unknown) {
    super(SettlementPausedError.code, `settlement paused at batch ${batchNumber}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      details: { batchNumber, cause: cause instanceof BaseError ? cause.code : undefined },
      cause,
    })
  }
}

/**
 * New orders are refused while too many persisted batches wait for L1 (proving or landing has fallen behind):
 * accepting more would only widen the gap between what traders were told and what L1 holds. Cancels, withdrawals,
 * transfers and L1 operations still go through. Retry once the backlog is below the limit.
 */
export class SettlementBacklogError extends BaseError {
  static readonly code = 'SETTLEMENT_BACKLOG' as const
  override readonly name = 'Node.SettlementBacklogError'
  constructor(readonly backlog: bigint, readonly limit: bigint) {
    super(SettlementBacklogError.code, `${backlog} batches wait for L1 (limit ${limit}): new orders are paused`, {
      details: { backlog, limit },
    })
  }
}
