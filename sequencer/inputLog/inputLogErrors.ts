import { BaseError } from '../../sdk/errors.ts'

/** Two journal records are not consecutive: a sequence number is missing. Startup must stop. */
export class InputLogGapError extends BaseError {
  static readonly code = 'INPUT_LOG_GAP' as const
  override readonly name = 'InputLog.InputLogGapError'
  constructor(readonly expectedSeq: bigint, readonly foundSeq: bigint) {
    super(InputLogGapError.code, 'input log has a sequence gap', { details: { expectedSeq, foundSeq } })
  }
}

/** A record stored under one sequence number repeats an earlier sequence number. Startup must stop. */
export class InputLogDuplicateError extends BaseError {
  static readonly code = 'INPUT_LOG_DUPLICATE' as const
  override readonly name = 'InputLog.InputLogDuplicateError'
  constructor(readonly keySeq: bigint, readonly recordSeq: bigint) {
    super(InputLogDuplicateError.code, 'input log repeats a sequence number', { details: { keySeq, recordSeq } })
  }
}

/** A record's prevHash is not the hash of the record before it. Startup must stop. */
export class InputLogChainBrokenError extends BaseError {
  static readonly code = 'INPUT_LOG_CHAIN_BROKEN' as const
  override readonly name = 'InputLog.InputLogChainBrokenError'
  constructor(readonly seq: bigint, readonly expectedPrevHash: Uint8Array, readonly foundPrevHash: Uint8Array) {
    super(InputLogChainBrokenError.code, 'input log hash chain is broken', {
      details: { seq, expectedPrevHash, foundPrevHash },
    })
  }
}

/** A record that is not the last one (or a malformed key) does not decode or fails its hash. */
export class InputLogRecordCorruptError extends BaseError {
  static readonly code = 'INPUT_LOG_RECORD_CORRUPT' as const
  override readonly name = 'InputLog.InputLogRecordCorruptError'
  constructor(readonly seq: bigint | undefined, readonly reason: string) {
    super(InputLogRecordCorruptError.code, `input log record is corrupt: ${reason}`, { details: { seq, reason } })
  }
}

/** A stored snapshot does not decode or fails its checksum. */
export class InputLogSnapshotCorruptError extends BaseError {
  static readonly code = 'INPUT_LOG_SNAPSHOT_CORRUPT' as const
  override readonly name = 'InputLog.InputLogSnapshotCorruptError'
  constructor(readonly seq: bigint | undefined, readonly reason: string) {
    super(InputLogSnapshotCorruptError.code, `input log snapshot is corrupt: ${reason}`, { details: { seq, reason } })
  }
}

/** The latest snapshot does not agree with the journal: its head hash differs, or it lies beyond the journal. */
export class InputLogSnapshotMismatchError extends BaseError {
  static readonly code = 'INPUT_LOG_SNAPSHOT_MISMATCH' as const
  override readonly name = 'InputLog.InputLogSnapshotMismatchError'
  constructor(readonly seq: bigint, readonly reason: string, details: Record<string, unknown> = {}) {
    super(InputLogSnapshotMismatchError.code, `input log snapshot does not match the journal: ${reason}`, {
      details: { seq, reason, ...details },
    })
  }
}

/** `append` was called with a kind outside 0..255 or a payload that is not bytes or is too large. */
export class InputLogInvalidInputError extends BaseError {
  static readonly code = 'INPUT_LOG_INVALID_INPUT' as const
  override readonly name = 'InputLog.InputLogInvalidInputError'
  constructor(readonly reason: string, details: Record<string, unknown> = {}) {
    super(InputLogInvalidInputError.code, `invalid input log append: ${reason}`, { details: { reason, ...details } })
  }
}

/** `writeSnapshot` was asked for a seq that is not durable yet, already pruned, or not after the latest snapshot. */
export class InputLogInvalidSnapshotSeqError extends BaseError {
  static readonly code = 'INPUT_LOG_INVALID_SNAPSHOT_SEQ' as const
  override readonly name = 'InputLog.InputLogInvalidSnapshotSeqError'
  constructor(readonly seq: bigint, readonly reason: string, details: Record<string, unknown> = {}) {
    super(InputLogInvalidSnapshotSeqError.code, `cannot snapshot at this seq: ${reason}`, {
      details: { seq, reason, ...details },
    })
  }
}

/** The log was closed; no more appends or snapshots. */
export class InputLogClosedError extends BaseError {
  static readonly code = 'INPUT_LOG_CLOSED' as const
  override readonly name = 'InputLog.InputLogClosedError'
  constructor() {
    super(InputLogClosedError.code, 'input log is closed')
  }
}

/**
 * A synced journal write failed. What reached the disk is unknown (LevelDB keeps a batch whole or drops it), so
 * the log refuses every later append; the process must restart and recover.
 */
export class InputLogWriteFailedError extends BaseError {
  static readonly code = 'INPUT_LOG_WRITE_FAILED' as const
  override readonly name = 'InputLog.InputLogWriteFailedError'
  constructor(readonly firstSeq: bigint, readonly lastSeq: bigint, cause: unknown) {
    super(InputLogWriteFailedError.code, 'input log write failed; restart and recover', {
      details: { firstSeq, lastSeq },
      cause,
    })
  }
}
