import { BaseError } from '../../sdk/errors.ts'

/**
 * Rejections only the sequencer core can judge (the sdk state machine and the matching engine have their own).
 * A rejected input is an event carrying one of these; the core throws only when an invariant breaks.
 */

/** A log payload did not decode: wrong version, field, type or trailing data. Never produced by our own encoder. */
export class InputPayloadInvalidError extends BaseError {
  static readonly code = 'INPUT_PAYLOAD_INVALID' as const
  override readonly name = 'Sequencer.InputPayloadInvalidError'
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(InputPayloadInvalidError.code, `input payload invalid: ${reason}`, { details: { reason, ...details } })
  }
}

/** The market index names no market of this exchange. */
export class UnknownMarketError extends BaseError {
  static readonly code = 'UNKNOWN_MARKET' as const
  override readonly name = 'Sequencer.UnknownMarketError'
  constructor(readonly market: number, readonly markets: number) {
    super(UnknownMarketError.code, 'no such market', { details: { market, markets } })
  }
}

/**
 * The order's storage id is not above every id this account already used in its slot (signed orders the sequencer
 * has accepted count even if they never filled): a replay, or a reused storage id.
 */
export class StorageIdNotFreshError extends BaseError {
  static readonly code = 'STORAGE_ID_NOT_FRESH' as const
  override readonly name = 'Sequencer.StorageIdNotFreshError'
  constructor(readonly accountIndex: bigint, readonly storageId: bigint, readonly highestUsed: bigint) {
    super(StorageIdNotFreshError.code, 'storage id already used in its slot', {
      details: { accountIndex, storageId, highestUsed },
    })
  }
}

/** The same (account, clientOrderId) was used before for a different order. */
export class ClientOrderIdReusedError extends BaseError {
  static readonly code = 'CLIENT_ORDER_ID_REUSED' as const
  override readonly name = 'Sequencer.ClientOrderIdReusedError'
  constructor(readonly accountIndex: bigint, readonly clientOrderId: string, readonly firstSeq: bigint) {
    super(ClientOrderIdReusedError.code, 'client order id already used for another order', {
      details: { accountIndex, clientOrderId, firstSeq },
    })
  }
}

/** A cancel names an order that is not live. */
export class OrderNotLiveError extends BaseError {
  static readonly code = 'ORDER_NOT_LIVE' as const
  override readonly name = 'Sequencer.OrderNotLiveError'
  constructor(readonly accountIndex: bigint, readonly storageId: bigint) {
    super(OrderNotLiveError.code, 'no live order with this storage id', { details: { accountIndex, storageId } })
  }
}

/**
 * A liquidation names a maker order that is not live in the book exactly as the sequencer accepted it (same signed
 * fields and signature), or has less than the liquidation size left: a liquidation consumes resting liquidity like
 * a fill, never a cancelled, used or forged order.
 */
export class LiquidationMakerNotLiveError extends BaseError {
  static readonly code = 'LIQUIDATION_MAKER_NOT_LIVE' as const
  override readonly name = 'Sequencer.LiquidationMakerNotLiveError'
  constructor(readonly makerIndex: bigint, readonly storageId: bigint, readonly size: bigint, readonly remaining: bigint | undefined) {
    super(LiquidationMakerNotLiveError.code, 'liquidation maker order is not live with enough size', {
      details: { makerIndex, storageId, size, remaining },
    })
  }
}

/** A snapshot did not decode or does not fit this exchange's genesis. */
export class SequencerSnapshotInvalidError extends BaseError {
  static readonly code = 'SEQUENCER_SNAPSHOT_INVALID' as const
  override readonly name = 'Sequencer.SnapshotInvalidError'
  constructor(reason: string, cause?: unknown) {
    super(SequencerSnapshotInvalidError.code, `sequencer snapshot invalid: ${reason}`, { details: { reason }, cause })
  }
}

/** Inputs must be applied in log order, each exactly once. */
export class SequenceOutOfOrderError extends BaseError {
  static readonly code = 'SEQUENCE_OUT_OF_ORDER' as const
  override readonly name = 'Sequencer.SequenceOutOfOrderError'
  constructor(readonly expected: bigint, readonly received: bigint) {
    super(SequenceOutOfOrderError.code, 'input applied out of log order', { details: { expected, received } })
  }
}

/** A fill the pre-trade check admitted was refused by the state machine: a bug, never a normal outcome. */
export class FillNotProvableError extends BaseError {
  static readonly code = 'FILL_NOT_PROVABLE' as const
  override readonly name = 'Sequencer.FillNotProvableError'
  constructor(details: Record<string, unknown>, cause?: unknown) {
    super(FillNotProvableError.code, 'an emitted fill was not admitted by the state machine', { details, cause })
  }
}

/**
 * The state machine accepted a withdraw or transfer whose storage id is not above an id the core already accepted
 * in its slot: a broken invariant (the slot check itself failed), never an outcome.
 */
export class SpendSlotInvariantError extends BaseError {
  static readonly code = 'SPEND_SLOT_INVARIANT' as const
  override readonly name = 'Sequencer.SpendSlotInvariantError'
  constructor(readonly accountIndex: bigint, readonly storageId: bigint, readonly highestAccepted: bigint) {
    super(SpendSlotInvariantError.code, 'a spend passed the slot check below an accepted storage id', {
      details: { accountIndex, storageId, highestAccepted },
    })
  }
}
