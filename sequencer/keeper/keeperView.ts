/**
 * What the keeper reads and how it writes, as plain functions: the live exchange state and book of the sequencer
 * it runs beside (read-only), and `append`, the same log path the gateway uses for a trusted input (stamp → input
 * log → core apply), answering with the events the core produced for it.
 */
import type { FundingUpdateTx, SignedOrder } from '../../sdk/protocol/types.ts'
import type { ExchangeState } from '../../sdk/state/state.ts'
import type { RiskTx } from '../core/inputCodec.ts'
import type { Sequencer, SequencerEvent } from '../core/sequencer.ts'
import type { DepthLevel, Side } from '../matching/types.ts'

/** A resting order with its signed fields: what a liquidation can be closed against. */
export type RestingMakerOrder = { readonly order: SignedOrder; readonly remaining: bigint }

export type KeeperView = {
  /** The live state; never mutated by the keeper. */
  readonly state: ExchangeState
  /** Seq of the last input the core applied: a change means prices, fills or funding may have moved. */
  readonly lastSeq: bigint
  /** Aggregated levels of one side, best first. */
  depth(market: number, side: Side): readonly DepthLevel[]
  /** Resting orders of one side in priority order: best price first, then oldest first. */
  restingOrders(market: number, side: Side): RestingMakerOrder[]
}

/** An input the keeper appends: the gateway stamps its time. */
export type KeeperInput = { readonly kind: 'fundingUpdate'; readonly tx: FundingUpdateTx } | { readonly kind: 'liquidation'; readonly tx: RiskTx }

export type AppendInput = (input: KeeperInput) => Promise<{ readonly events: readonly SequencerEvent[] }>

/** The view of an in-process sequencer core. */
export function sequencerView(sequencer: Sequencer): KeeperView {
  return {
    get state() {
      return sequencer.state
    },
    get lastSeq() {
      return sequencer.lastSeq
    },
    depth: (market, side) => sequencer.engine(market).depth(side),
    restingOrders(market, side) {
      const book = sequencer.engine(market).snapshot()
      const orders = book.orders.filter((order) => order.side === side)
      // Snapshot orders come in acceptance order; a stable sort by price keeps time priority within a level.
      orders.sort((a, b) => (a.price === b.price ? 0 : (side === 'buy' ? a.price > b.price : a.price < b.price) ? -1 : 1))
      const out: RestingMakerOrder[] = []
      for (const resting of orders) {
        const live = sequencer.liveOrder(BigInt(resting.account), resting.orderId)
        if (live !== undefined) out.push({ order: live.order, remaining: live.remaining })
      }
      return out
    },
  }
}

/** How the core answered an appended input: applied, or refused with the state machine's code. */
export function appendOutcome(events: readonly SequencerEvent[]): { applied: true } | { applied: false; code: string; details: Readonly<Record<string, unknown>> } {
  for (const event of events) {
    if (event.type === 'txApplied') return { applied: true }
    if (event.type === 'txRejected') return { applied: false, code: event.code, details: event.details }
  }
  return { applied: false, code: 'NO_OUTCOME', details: {} }
}
