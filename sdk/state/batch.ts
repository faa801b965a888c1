/**
 * A batch (docs/protocol.md §4, §6, §7): txs applied in order (each accepted or rejected with its typed error),
 * then the end-of-batch credit (fees to account 1, penalties to account 0, each a funding-settling touch), the
 * pubdata of the accepted txs, the old and new state roots and the commitment. Txs whose record would not fit the
 * batch's N chunks are rejected with PUBDATA_CAPACITY_EXCEEDED, and txs that would take the batch past its K
 * distinct accounts (`batchAccounts.ts`) with BATCH_ACCOUNT_CAPACITY_EXCEEDED, without being applied (the
 * sequencer carries them to the next batch). The credit records nothing in the pubdata: replay performs it the same way.
 *
 * `applyBatch` mutates `state` (and `tree`, which must be in sync with `state` on entry).
 * With `witness: true` each accepted tx's leaf writes are recorded (`stateTree.ts`); otherwise the tree is
 * brought up to date once, from the set of touched leaves, when the batch is cut.
 */
import type { BaseError } from '../errors.ts'
import { BatchAccountCapacityError, PubdataCapacityError } from '../protocol/errors.ts'
import { batchCommitment, encodePubdata, recordChunks, type PubdataRecord } from '../protocol/pubdata.ts'
import { FEE_ACCOUNT_INDEX, INSURANCE_FUND_INDEX, type Tx } from '../protocol/types.ts'
import { prepareTx, type PrepareTxReturnType } from './applyTx.ts'
import { admitAccounts, slotAccounts } from './batchAccounts.ts'
import type { StateEvent } from './events.ts'
import type { ExchangeState } from './state.ts'
import { markDirty, StateTree, type AccountReadWitness, type DirtySet, type LeafWitness } from './stateTree.ts'
import { settleAccount } from './touch.ts'
import { commitTxEffect, type StateWrite, type TxContext, type TxEffect } from './txEffect.ts'

export type BatchTxResult =
  | { readonly accepted: true; readonly events: readonly StateEvent[]; readonly pubdata: PubdataRecord }
  | { readonly accepted: false; readonly error: BaseError }

export type TxWitness = {
  /** Index of the tx in the batch input. */
  readonly txIndex: number
  readonly tx: Tx
  readonly record: PubdataRecord
  readonly leaves: readonly LeafWitness[]
  /** A forced withdrawal of an index with no account writes nothing: this is the empty leaf it read, with its path. */
  readonly emptyAccount?: AccountReadWitness
  readonly stateRootAfter: bigint
}

export type ApplyBatchOptions = {
  readonly tree?: StateTree
  readonly witness?: boolean
  /**
   * The rule that validates a tx and computes its effect (default: the reference rules, `prepareTx`). Soundness
   * tests substitute a forged rule to build exactly the witness a cheating prover would, and show the circuit
   * refuses it.
   */
  readonly prepare?: (state: ExchangeState, tx: Tx, context: TxContext) => PrepareTxReturnType
}

export type ApplyBatchReturnType = {
  readonly results: readonly BatchTxResult[]
  readonly records: readonly PubdataRecord[]
  /** Exactly `batchSlots · 32` bytes. */
  readonly pubdata: Uint8Array
  readonly oldStateRoot: bigint
  readonly newStateRoot: bigint
  readonly batchTimestamp: bigint
  readonly commitment: bigint
  readonly credit: { readonly fees: bigint; readonly penalties: bigint; readonly events: readonly StateEvent[] }
  /** With `witness: true`: one entry per accepted tx, then the credit's two account writes. */
  readonly witnesses?: readonly TxWitness[]
  readonly creditWitness?: readonly LeafWitness[]
  readonly tree: StateTree
}

/**
 * The end-of-batch credit as an effect: account 1 += fees, then account 0 += penalties, each after settling its
 * funding. Always both writes, even when zero (the circuit's fixed shape).
 */
export function prepareBatchCredit(state: ExchangeState): TxEffect {
  const events: StateEvent[] = []
  const writes: StateWrite[] = []
  const credits: [bigint, bigint][] = [
    [FEE_ACCOUNT_INDEX, state.batchFees],
    [INSURANCE_FUND_INDEX, state.batchPenalties],
  ]
  for (const [accountIndex, amount] of credits) {
    const settled = settleAccount(state.accounts.get(accountIndex)!, accountIndex, state.markets, events)
    writes.push({ kind: 'account', accountIndex, account: { ...settled, collateral: settled.collateral + amount }, created: false })
  }
  events.push({ type: 'batchCredited', fees: state.batchFees, penalties: state.batchPenalties })
  return { writes, fee: -state.batchFees, penalty: -state.batchPenalties, events, pubdata: { type: 'noop' } }
}

export function applyBatch(
  state: ExchangeState,
  txs: readonly Tx[],
  context: TxContext,
  options: ApplyBatchOptions = {},
): ApplyBatchReturnType {
  const tree = options.tree ?? StateTree.fromState(state)
  const recordWitness = options.witness === true
  const prepare = options.prepare ?? prepareTx
  const oldStateRoot = tree.stateRoot(state)
  const dirty: DirtySet = new Map()
  const results: BatchTxResult[] = []
  const records: PubdataRecord[] = []
  const witnesses: TxWitness[] = []
  let chunks = 0
  const capacity = state.sizes.batchSlots
  const accounts = new Set<bigint>()
  txs.forEach((tx, txIndex) => {
    const prepared = prepare(state, tx, context)
    if (!prepared.accepted) {
      results.push(prepared)
      return
    }
    const { effect } = prepared
    const needed = recordChunks(effect.pubdata)
    if (chunks + needed > capacity) {
      results.push({ accepted: false, error: new PubdataCapacityError(chunks + needed, capacity) })
      return
    }
    const admission = admitAccounts(accounts, slotAccounts(tx, effect), state.sizes.batchAccounts)
    if (!admission.admitted) {
      results.push({ accepted: false, error: new BatchAccountCapacityError(admission.count, state.sizes.batchAccounts) })
      return
    }
    chunks += needed
    if (recordWitness) {
      const emptyAccount = tx.type === 'forcedWithdrawal' && effect.writes.length === 0 ? tree.accountRead(tx.accountIndex) : undefined
      const leaves = tree.recordEffect(state, effect)
      commitTxEffect(state, effect)
      witnesses.push({ txIndex, tx, record: effect.pubdata, leaves, ...(emptyAccount === undefined ? {} : { emptyAccount }), stateRootAfter: tree.stateRoot(state) })
    } else {
      markDirty(dirty, effect)
      commitTxEffect(state, effect)
    }
    records.push(effect.pubdata)
    results.push({ accepted: true, events: effect.events, pubdata: effect.pubdata })
  })

  const fees = state.batchFees
  const penalties = state.batchPenalties
  const creditEffect = prepareBatchCredit(state)
  let creditWitness: LeafWitness[] | undefined
  if (recordWitness) creditWitness = tree.recordEffect(state, creditEffect)
  else markDirty(dirty, creditEffect)
  commitTxEffect(state, creditEffect)
  if (!recordWitness) tree.sync(state, dirty)

  const pubdata = encodePubdata(records, capacity)
  const newStateRoot = tree.stateRoot(state)
  const commitment = batchCommitment({ oldStateRoot, newStateRoot, batchTimestamp: context.batchTimestamp, pubdata })
  return {
    results,
    records,
    pubdata,
    oldStateRoot,
    newStateRoot,
    batchTimestamp: context.batchTimestamp,
    commitment,
    credit: { fees, penalties, events: creditEffect.events },
    ...(recordWitness ? { witnesses, creditWitness: creditWitness! } : {}),
    tree,
  }
}
