import { BaseError } from '../../sdk/errors.ts'

/** Typed rejections of the gateway: each reaches the client as `{ code, message, details }`. */

export class MessageNotJsonError extends BaseError {
  static readonly code = 'MESSAGE_NOT_JSON' as const
  override readonly name = 'Gateway.MessageNotJsonError'
  constructor(readonly position: number | undefined, reason: string) {
    super(MessageNotJsonError.code, 'message is not valid JSON', { details: { position, reason } })
  }
}

export class MessageTooDeepError extends BaseError {
  static readonly code = 'MESSAGE_TOO_DEEP' as const
  override readonly name = 'Gateway.MessageTooDeepError'
  constructor(readonly maxDepth: number) {
    super(MessageTooDeepError.code, 'message nests too deeply', { details: { maxDepth } })
  }
}

export class DuplicateKeyError extends BaseError {
  static readonly code = 'DUPLICATE_KEY' as const
  override readonly name = 'Gateway.DuplicateKeyError'
  constructor(readonly key: string) {
    super(DuplicateKeyError.code, 'an object repeats a key', { details: { key } })
  }
}

export type SchemaIssue = { path: string; code: string; message: string }

export class SchemaInvalidError extends BaseError {
  static readonly code = 'SCHEMA_INVALID' as const
  override readonly name = 'Gateway.SchemaInvalidError'
  constructor(readonly issues: readonly SchemaIssue[]) {
    super(SchemaInvalidError.code, 'message does not match the schema', { details: { issues } })
  }
}

export class RateLimitedError extends BaseError {
  static readonly code = 'RATE_LIMITED' as const
  override readonly name = 'Gateway.RateLimitedError'
  constructor(readonly key: string, readonly ratePerSecond: number, readonly burst: number, readonly retryAfterMs: number) {
    super(RateLimitedError.code, 'rate limit exceeded', { details: { key, ratePerSecond, burst, retryAfterMs } })
  }
}

/** The same signed order is already being sequenced (a replay while the first copy is in flight). */
export class OrderInFlightError extends BaseError {
  static readonly code = 'ORDER_IN_FLIGHT' as const
  override readonly name = 'Gateway.OrderInFlightError'
  constructor(readonly accountIndex: bigint, readonly storageId: bigint) {
    super(OrderInFlightError.code, 'this order is already being sequenced', { details: { accountIndex, storageId } })
  }
}

export class UnknownStreamError extends BaseError {
  static readonly code = 'UNKNOWN_STREAM' as const
  override readonly name = 'Gateway.UnknownStreamError'
  constructor(readonly stream: string) {
    super(UnknownStreamError.code, 'no such stream', { details: { stream } })
  }
}

/** The input log failed a write: the gateway stops accepting inputs (nothing unacknowledged is lost). */
export class SequencerUnavailableError extends BaseError {
  static readonly code = 'SEQUENCER_UNAVAILABLE' as const
  override readonly name = 'Gateway.SequencerUnavailableError'
  constructor(reason: string, cause?: unknown) {
    super(SequencerUnavailableError.code, 'the sequencer cannot take inputs now', { details: { reason }, cause })
  }
}

export class NotFoundError extends BaseError {
  static readonly code = 'NOT_FOUND' as const
  override readonly name = 'Gateway.NotFoundError'
  constructor(readonly path: string) {
    super(NotFoundError.code, 'no such resource', { details: { path } })
  }
}

/**
 * A withdraw or transfer with this (account, storage id) is already being sequenced: the same signed message sent
 * again while the first copy is in flight, or an order using the same storage id.
 */
export class StorageIdInFlightError extends BaseError {
  static readonly code = 'STORAGE_ID_IN_FLIGHT' as const
  override readonly name = 'Gateway.StorageIdInFlightError'
  constructor(readonly accountIndex: bigint, readonly storageId: bigint) {
    super(StorageIdInFlightError.code, 'a request with this storage id is already being sequenced', { details: { accountIndex, storageId } })
  }
}
