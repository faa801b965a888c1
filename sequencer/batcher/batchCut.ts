/**
 * The cut rule: which queued txs form the next batch, and its timestamp T (docs/protocol.md §6, "Cutting
 * batches"). Pure: no clock, no I/O; the same txs offered in the same order give the same batches.
 *
 * The sequencer checked each tx at its own input time; the circuit checks every tx of a batch against one T.
 * Rule: T = max(previous batch's T, the largest input time among the batch's txs), and a tx is admitted to the
 * open batch only if the whole batch, re-applied with it at the new T, is still accepted by the state machine and
 * its records fit the N slots. Otherwise the batch is cut before it and it opens the next one. Validity is decided
 * by applying (the sdk's `prepareTx`/`commitTxEffect` and end-of-batch credit, signatures already verified by the
 * gateway), never by guessing which checks depend on T.
 *
 * A batch is cut when:
 * - `full`: its records use all N slots;
 * - `capacity`: the next tx's record does not fit the slots left (a 2-chunk record is never split), or it would
 *   take the batch past the K distinct accounts the circuit's account cache holds (`sdk/state/batchAccounts.ts`);
 * - `timestamp`: admitting the next tx would raise T so that a tx of the batch (or the new one) is rejected,
 *   e.g. an order expiring between two input times;
 * - `timeLimit` / `flush`: the caller asks (the oldest tx waited too long, or shutdown).
 * Unused slots are noops (the pubdata encoder pads with zero chunks).
 */
import type { BaseError } from '../../sdk/errors.ts'
import { recordChunks } from '../../sdk/protocol/pubdata.ts'
import type { Domain, Tx } from '../../sdk/protocol/types.ts'
import { prepareTx } from '../../sdk/state/applyTx.ts'
import { prepareBatchCredit } from '../../sdk/state/batch.ts'
import { admitAccounts, slotAccounts } from '../../sdk/state/batchAccounts.ts'
import { cloneState, type ExchangeState } from '../../sdk/state/state.ts'
import { commitTxEffect, type TxContext } from '../../sdk/state/txEffect.ts'
import { TxOutOfOrderError, TxUnbatchableError } from './errors.ts'

/** Where a queued tx sits in the sequencer's output: its input's seq, and its rank among that input's txs. */
export type TxPosition = { readonly seq: bigint; readonly index: number }

/** A queued tx with its position; `time` is the input time the sequencer checked it at. */
export type PositionedTx = { readonly seq: bigint; readonly index: number; readonly time: bigint; readonly tx: Tx }

export type CutReason = 'full' | 'capacity' | 'timestamp' | 'timeLimit' | 'flush'

/**
 * How a tx raises T. `latestInput`: to its input time (T = the largest input time in the batch). `earliestValid`:
 * only to the timestamp the tx itself carries (oracle and funding updates need `timestamp ≤ T`); every other check
 * on T (`T ≤ expiry`, oracle age) only gets easier as T gets lower, so T stays as low as the batch allows.
 */
export type TimestampRule = 'latestInput' | 'earliestValid'

/** The least T the tx asks for under the rule. */
export function txTimeFloor(queued: PositionedTx, rule: TimestampRule): bigint {
  if (rule === 'latestInput') return queued.time
  switch (queued.tx.type) {
    case 'oracleUpdate':
    case 'fundingUpdate':
      return queued.tx.timestamp
    default:
      return 0n
  }
}

export type CutBatch = {
  readonly batchNumber: bigint
  /** T: max(previous T, largest input time of the txs). */
  readonly timestamp: bigint
  readonly txs: readonly PositionedTx[]
  readonly reason: CutReason
  /** Slots used by records (the rest are noops). */
  readonly chunks: number
  /** The state before the batch (a private copy the caller may hand to the witness builder). */
  readonly stateBefore: ExchangeState
}

export type BatchCutterParameters = {
  /** The state after the last cut batch (credit included). Copied: the caller's object is not touched. */
  readonly state: ExchangeState
  readonly domain: Domain
  /** T of the last cut batch, or the genesis timestamp (the contract needs T ≥ the last batch's T). */
  readonly lastTimestamp: bigint
  readonly nextBatchNumber: bigint
  /** Position of the last tx already in a batch (txs at or before it are refused as out of order). */
  readonly lastPosition?: TxPosition
  /** Default `latestInput`. */
  readonly timestampRule?: TimestampRule
}

export function comparePositions(a: TxPosition, b: TxPosition): number {
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1
  return a.index - b.index
}

type Trial = { ok: true; state: ExchangeState; chunks: number; accounts: Set<bigint> } | { ok: false; error: BaseError | 'capacity' }

export class BatchCutter {
  readonly #domain: Domain
  readonly #capacity: number
  readonly #accountCapacity: number
  readonly #rule: TimestampRule
  /** State at the start of the open batch. */
  #base: ExchangeState
  /** `#base` with the open batch's txs applied at `#timestamp` (no credit yet). */
  #working: ExchangeState
  #open: PositionedTx[] = []
  #chunks = 0
  /** Distinct accounts the open batch's slots touch. */
  #accounts = new Set<bigint>()
  #timestamp: bigint
  #nextBatchNumber: bigint
  #lastPosition: TxPosition | undefined

  constructor(parameters: BatchCutterParameters) {
    this.#domain = parameters.domain
    this.#capacity = parameters.state.sizes.batchSlots
    this.#accountCapacity = parameters.state.sizes.batchAccounts
    this.#rule = parameters.timestampRule ?? 'latestInput'
    this.#base = cloneState(parameters.state)
    this.#working = cloneState(parameters.state)
    this.#timestamp = parameters.lastTimestamp
    this.#nextBatchNumber = parameters.nextBatchNumber
    this.#lastPosition = parameters.lastPosition
  }

  /** Txs of the open (not yet cut) batch, in order. */
  get open(): readonly PositionedTx[] {
    return this.#open
  }

  /** The number the next cut batch gets. */
  get nextBatchNumber(): bigint {
    return this.#nextBatchNumber
  }

  /** Position of the last tx offered (in the open batch or already cut). */
  get lastPosition(): TxPosition | undefined {
    return this.#lastPosition
  }

  #context(batchTimestamp: bigint): TxContext {
    return { batchTimestamp, domain: this.#domain, signaturesVerified: true }
  }

  /** Apply `txs` to a copy of `base` at `batchTimestamp`; stops at the first rejection or overflow. */
  #run(txs: readonly PositionedTx[], batchTimestamp: bigint, onto?: { state: ExchangeState; chunks: number; accounts: Set<bigint> }): Trial {
    const state = onto?.state ?? cloneState(this.#base)
    let chunks = onto?.chunks ?? 0
    const accounts = onto?.accounts ?? new Set<bigint>()
    const context = this.#context(batchTimestamp)
    for (const { tx } of txs) {
      const prepared = prepareTx(state, tx, context)
      if (!prepared.accepted) return { ok: false, error: prepared.error }
      const needed = recordChunks(prepared.effect.pubdata)
      if (chunks + needed > this.#capacity) return { ok: false, error: 'capacity' }
      if (!admitAccounts(accounts, slotAccounts(tx, prepared.effect), this.#accountCapacity).admitted) return { ok: false, error: 'capacity' }
      chunks += needed
      commitTxEffect(state, prepared.effect)
    }
    return { ok: true, state, chunks, accounts }
  }

  /**
   * Offer the next queued tx. Returns the batches this closes: the open batch cut before the tx (`capacity` or
   * `timestamp`), and/or a batch the tx itself filled (`full`). Throws TxUnbatchableError when the tx is rejected
   * even as the first tx of a batch, TxOutOfOrderError when it does not come after the last one offered.
   */
  offer(queued: PositionedTx): CutBatch[] {
    if (this.#lastPosition !== undefined && comparePositions(queued, this.#lastPosition) <= 0) {
      throw new TxOutOfOrderError(this.#lastPosition.seq, queued.seq)
    }
    const cut: CutBatch[] = []
    const floor = txTimeFloor(queued, this.#rule)
    let trial = this.#try(queued, floor)
    if (!trial.ok) {
      if (this.#open.length === 0) {
        const at = floor > this.#timestamp ? floor : this.#timestamp
        if (trial.error === 'capacity') throw new Error(`unreachable: one tx exceeds ${this.#capacity} slots or ${this.#accountCapacity} accounts`)
        throw new TxUnbatchableError(queued.seq, queued.index, at, trial.error)
      }
      cut.push(this.#cut(trial.error === 'capacity' ? 'capacity' : 'timestamp'))
      trial = this.#try(queued, floor)
      if (!trial.ok) {
        if (trial.error === 'capacity') throw new Error(`unreachable: one tx exceeds ${this.#capacity} slots or ${this.#accountCapacity} accounts`)
        throw new TxUnbatchableError(queued.seq, queued.index, this.#timestamp > floor ? this.#timestamp : floor, trial.error)
      }
    }
    this.#working = trial.state
    this.#chunks = trial.chunks
    this.#accounts = trial.accounts
    this.#open.push(queued)
    if (floor > this.#timestamp) this.#timestamp = floor
    this.#lastPosition = { seq: queued.seq, index: queued.index }
    if (this.#chunks === this.#capacity) cut.push(this.#cut('full'))
    return cut
  }

  #try(queued: PositionedTx, floor: bigint): Trial {
    if (floor > this.#timestamp) {
      // T rises: every tx of the open batch is re-judged at the new T.
      return this.#run([...this.#open, queued], floor)
    }
    // T unchanged: the open batch stays valid; only the new tx is judged, on a copy of the working state.
    return this.#run([queued], this.#timestamp, { state: cloneState(this.#working), chunks: this.#chunks, accounts: new Set(this.#accounts) })
  }

  /** Cut the open batch now (time limit or shutdown); undefined when it is empty. */
  cutNow(reason: 'timeLimit' | 'flush'): CutBatch | undefined {
    if (this.#open.length === 0) return undefined
    return this.#cut(reason)
  }

  #cut(reason: CutReason): CutBatch {
    const batch: CutBatch = {
      batchNumber: this.#nextBatchNumber,
      timestamp: this.#timestamp,
      txs: this.#open,
      reason,
      chunks: this.#chunks,
      stateBefore: this.#base,
    }
    // The next batch starts from this one's end state, after the end-of-batch credit.
    const next = this.#working
    commitTxEffect(next, prepareBatchCredit(next))
    this.#base = next
    this.#working = cloneState(next)
    this.#open = []
    this.#chunks = 0
    this.#accounts = new Set()
    this.#nextBatchNumber += 1n
    return batch
  }
}
