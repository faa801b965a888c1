/**
 * Rebuild the state from genesis and the batches' pubdata alone (docs/protocol.md §6): what lets anyone reconstruct
 * every account leaf from L1 calldata and reach the proven root. Each record is turned back into the tx it came
 * from, with what the proof already established filled in (signatures skipped, orders sized so their slot accepts
 * the fill, expiries at the maximum), and run through the same `prepareTx`/`commitTxEffect` as the sequencer, so
 * replay cannot drift from the state machine. A record the state machine rejects means the pubdata is not a valid
 * history: `ReplayRejectedError`.
 */
import { BaseError } from '../errors.ts'
import { MAX_SIZE, MAX_TIMESTAMP } from '../protocol/bounds.ts'
import { bytesToHex } from '../protocol/bytes.ts'
import { decodePubdata, encodeRecord, padPubdata, type PubdataRecord } from '../protocol/pubdata.ts'
import type { Domain, Genesis, SignedOrder, Tx } from '../protocol/types.ts'
import { prepareTx } from './applyTx.ts'
import { prepareBatchCredit } from './batch.ts'
import { createGenesisState, type ExchangeState } from './state.ts'
import { StateTree } from './stateTree.ts'
import { commitTxEffect, type TxContext } from './txEffect.ts'

export class ReplayRejectedError extends BaseError {
  static readonly code = 'REPLAY_RECORD_REJECTED' as const
  override readonly name = 'State.ReplayRejectedError'
  constructor(
    readonly batchIndex: number,
    readonly recordIndex: number,
    readonly recordType: string,
    cause: BaseError,
  ) {
    super(ReplayRejectedError.code, `batch ${batchIndex} record ${recordIndex} (${recordType}) is not a valid transition`, {
      details: { batchIndex, recordIndex, recordType, reason: cause.code },
      cause,
    })
  }
}

/**
 * The state machine accepted the tx a record stands for, but its own record differs from the one in the pubdata
 * (e.g. a forced withdrawal whose `withdrawn` is not what the state allows): the pubdata is not a valid history.
 */
export class ReplayRecordMismatchError extends BaseError {
  static readonly code = 'REPLAY_RECORD_MISMATCH' as const
  override readonly name = 'State.ReplayRecordMismatchError'
  constructor(
    readonly batchIndex: number,
    readonly recordIndex: number,
    readonly recordType: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(ReplayRecordMismatchError.code, `batch ${batchIndex} record ${recordIndex} (${recordType}) differs from the state machine's`, {
      details: { batchIndex, recordIndex, recordType, expected, actual },
    })
  }
}

export type ReplayBatch = {
  /** The batch header's timestamp (L1 calldata). */
  readonly batchTimestamp: bigint
  /** The batch's pubdata (trimmed or padded). */
  readonly pubdata: Uint8Array
}

const NO_SIGNATURE = { R8: { x: 0n, y: 1n }, S: 0n } as const

function replayOrder(accountIndex: bigint, market: number, isBuy: boolean, price: bigint, storageId: bigint): SignedOrder {
  return {
    accountIndex,
    market,
    isBuy,
    reduceOnly: false,
    size: MAX_SIZE,
    limitPrice: price,
    storageId,
    expiry: MAX_TIMESTAMP,
    signature: NO_SIGNATURE,
  }
}

/** The tx a record stands for, given the state just before it. `undefined` for a noop chunk. */
export function txFromRecord(state: ExchangeState, record: PubdataRecord): Tx | undefined {
  switch (record.type) {
    case 'noop':
      return undefined
    case 'deposit':
      return { type: 'deposit', accountIndex: record.accountIndex, amount: record.amount, owner: record.depositor }
    case 'depositNew':
      return {
        type: 'deposit',
        accountIndex: record.accountIndex,
        amount: record.amount,
        owner: record.owner,
        create: { publicKey: record.publicKey, mode: record.mode },
      }
    case 'trade':
      return {
        type: 'trade',
        taker: replayOrder(record.takerIndex, record.market, record.takerIsBuy, record.price, record.takerStorageId),
        maker: replayOrder(record.makerIndex, record.market, !record.takerIsBuy, record.price, record.makerStorageId),
        size: record.size,
        price: record.price,
      }
    case 'withdraw':
      return { ...record, validUntil: MAX_TIMESTAMP, signature: NO_SIGNATURE }
    case 'forcedWithdrawal':
      // The state machine recomputes `withdrawn` from the request; replayBatch checks it matches the record.
      return {
        type: 'forcedWithdrawal',
        accountIndex: record.accountIndex,
        requester: record.requester,
        requestedAmount: record.requestedAmount,
      }
    case 'transfer':
      return { ...record, validUntil: MAX_TIMESTAMP, signature: NO_SIGNATURE }
    case 'oracleUpdate':
      return { ...record, signature: NO_SIGNATURE }
    case 'fundingUpdate':
      return { ...record }
    case 'liquidation': {
      // The maker takes the other side of the close: it buys when the liquidated position is long.
      const position = state.accounts.get(record.accountIndex)?.positions[record.market]?.size ?? 0n
      return {
        type: 'liquidation',
        accountIndex: record.accountIndex,
        market: record.market,
        maker: replayOrder(record.makerIndex, record.market, position > 0n, record.price, record.makerStorageId),
        size: record.size,
        price: record.price,
        full: record.full,
      }
    }
    case 'backstop':
      return { type: 'backstop', accountIndex: record.accountIndex }
    case 'autoDeleverage':
      return { ...record }
  }
}

/**
 * Apply one batch's pubdata to `state` (mutated), including the end-of-batch credit. Trimmed calldata is padded to
 * the batch size first (§6: a trimmed trailing zero chunk may be a record's second chunk). Each record the state
 * machine re-derives must equal the record in the pubdata byte for byte.
 */
export function replayBatch(state: ExchangeState, batch: ReplayBatch, domain: Domain, batchIndex = 0): void {
  const context: TxContext = { batchTimestamp: batch.batchTimestamp, domain, signaturesVerified: true }
  decodePubdata(padPubdata(batch.pubdata, state.sizes.batchSlots)).forEach((record, recordIndex) => {
    const tx = txFromRecord(state, record)
    if (tx === undefined) return
    const prepared = prepareTx(state, tx, context)
    if (!prepared.accepted) throw new ReplayRejectedError(batchIndex, recordIndex, record.type, prepared.error)
    const expected = bytesToHex(encodeRecord(record))
    const actual = bytesToHex(encodeRecord(prepared.effect.pubdata))
    if (actual !== expected) throw new ReplayRecordMismatchError(batchIndex, recordIndex, record.type, expected, actual)
    commitTxEffect(state, prepared.effect)
  })
  commitTxEffect(state, prepareBatchCredit(state))
}

export type ReplayPubdataReturnType = { state: ExchangeState; tree: StateTree; stateRoot: bigint }

/** Genesis, then every batch in order; returns the rebuilt state and its root. */
export function replayPubdata(genesis: Genesis, batches: readonly ReplayBatch[]): ReplayPubdataReturnType {
  const state = createGenesisState(genesis)
  batches.forEach((batch, batchIndex) => replayBatch(state, batch, genesis.domain, batchIndex))
  const tree = StateTree.fromState(state)
  return { state, tree, stateRoot: tree.stateRoot(state) }
}
