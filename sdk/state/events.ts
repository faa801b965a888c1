/**
 * What an accepted tx did, as plain data for the sequencer's streams (fills, funding, liquidations, …). Events are
 * derived from the same values that enter the state; they never feed back into it.
 */
export type FundingSettledEvent = {
  readonly type: 'fundingSettled'
  readonly accountIndex: bigint
  /** Paid by the account (negative: received). */
  readonly payment: bigint
}

export type DepositedEvent = {
  readonly type: 'deposited'
  readonly accountIndex: bigint
  readonly amount: bigint
  readonly created: boolean
}

export type FilledEvent = {
  readonly type: 'filled'
  readonly market: number
  readonly takerIndex: bigint
  readonly makerIndex: bigint
  readonly takerIsBuy: boolean
  readonly size: bigint
  readonly price: bigint
  readonly takerFee: bigint
  readonly makerFee: bigint
}

export type WithdrawnEvent = {
  readonly type: 'withdrawn'
  readonly accountIndex: bigint
  readonly amount: bigint
  readonly to: bigint
}

export type ForcedWithdrawnEvent = {
  readonly type: 'forcedWithdrawn'
  readonly accountIndex: bigint
  readonly requester: bigint
  readonly requestedAmount: bigint
  readonly withdrawn: bigint
}

export type TransferredEvent = {
  readonly type: 'transferred'
  readonly fromIndex: bigint
  readonly toIndex: bigint
  readonly amount: bigint
  readonly created: boolean
}

export type OracleUpdatedEvent = {
  readonly type: 'oracleUpdated'
  readonly market: number
  readonly price: bigint
  readonly timestamp: bigint
}

export type FundingUpdatedEvent = {
  readonly type: 'fundingUpdated'
  readonly market: number
  readonly ratePpm: bigint
  readonly timestamp: bigint
  readonly fundingIndex: bigint
}

export type LiquidatedEvent = {
  readonly type: 'liquidated'
  readonly accountIndex: bigint
  readonly makerIndex: bigint
  readonly market: number
  readonly size: bigint
  readonly price: bigint
  readonly full: boolean
  readonly penalty: bigint
  readonly makerFee: bigint
}

export type BackstoppedEvent = {
  readonly type: 'backstopped'
  readonly accountIndex: bigint
  /** Position sizes taken over by the insurance fund, one per market. */
  readonly sizes: readonly bigint[]
  /** Collateral (possibly negative) moved to the insurance fund after the takeover. */
  readonly collateralMoved: bigint
}

export type DeleveragedEvent = {
  readonly type: 'deleveraged'
  readonly market: number
  readonly counterpartyIndex: bigint
  readonly size: bigint
  readonly price: bigint
  /** Collateral the counterparty paid toward the insurance fund's deficit. */
  readonly cover: bigint
}

export type BatchCreditedEvent = {
  readonly type: 'batchCredited'
  readonly fees: bigint
  readonly penalties: bigint
}

export type StateEvent =
  | FundingSettledEvent
  | DepositedEvent
  | FilledEvent
  | WithdrawnEvent
  | ForcedWithdrawnEvent
  | TransferredEvent
  | OracleUpdatedEvent
  | FundingUpdatedEvent
  | LiquidatedEvent
  | BackstoppedEvent
  | DeleveragedEvent
  | BatchCreditedEvent
