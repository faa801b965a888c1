/**
 * The plain-data outcome of validating one tx against a state, before anything is written: the leaf writes in the
 * order the circuit performs them, the fee and penalty for the batch accumulators, the events and the pubdata
 * record. `commitTxEffect` applies it. Splitting validate from commit is what lets a rejected tx leave the state
 * untouched, and lets `stateTree.ts` read every old leaf and path before the write.
 */
import type { PubdataRecord } from '../protocol/pubdata.ts'
import type { Account, Domain, MarketState, OrderSlot } from '../protocol/types.ts'
import type { StateEvent } from './events.ts'
import type { ExchangeState } from './state.ts'

export type TxContext = {
  /** The batch header's timestamp `T` (unix seconds). */
  readonly batchTimestamp: bigint
  /** The signing domain (chain id, rollup address). */
  readonly domain: Domain
  /**
   * Only the sequencer's hot path sets this, after the gateway verified every signature of the tx. The default
   * (absent or false) verifies them here: the reference state machine must reject bad signatures.
   */
  readonly signaturesVerified?: boolean
}

/**
 * One leaf-level write. Order slots are written before the account leaf that commits to their root.
 * An `account` write carries the whole new account; its `orderSlots` map is the account's live map (slot writes
 * of the same tx are applied to it on commit), or a fresh empty map for a created account.
 */
export type StateWrite =
  | {
      readonly kind: 'orderSlot'
      readonly accountIndex: bigint
      readonly slotIndex: bigint
      readonly slot: OrderSlot
    }
  | { readonly kind: 'account'; readonly accountIndex: bigint; readonly account: Account; readonly created: boolean }
  | { readonly kind: 'market'; readonly market: number; readonly marketState: MarketState }

export type TxEffect = {
  readonly writes: readonly StateWrite[]
  /** Added to the batch fee accumulator. */
  readonly fee: bigint
  /** Added to the batch penalty accumulator. */
  readonly penalty: bigint
  readonly events: readonly StateEvent[]
  readonly pubdata: PubdataRecord
}

/** Write a validated effect into `state` (mutates it). */
export function commitTxEffect(state: ExchangeState, effect: TxEffect): void {
  for (const write of effect.writes) {
    switch (write.kind) {
      case 'orderSlot':
        state.accounts.get(write.accountIndex)!.orderSlots.set(write.slotIndex, write.slot)
        break
      case 'account':
        state.accounts.set(write.accountIndex, write.account)
        if (write.created && write.accountIndex === state.nextAccountIndex) state.nextAccountIndex += 1n
        break
      case 'market':
        state.markets[write.market] = write.marketState
        break
    }
  }
  state.batchFees += effect.fee
  state.batchPenalties += effect.penalty
}
