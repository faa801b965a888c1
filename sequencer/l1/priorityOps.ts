/**
 * L1 priority ops → the sdk txs a batch must carry (docs/protocol.md §5.1, §5.5, §8). Pure: takes the decoded
 * ZkPerp events of a block range and returns one `PriorityOperation` per queued op, in queue order, or throws a typed
 * error when the events do not add up. Nothing is skipped silently.
 *
 * - `DepositQueued` carries the exact pubdata record L1 queued (`keccak256(record)` is the queue entry). The tx is
 *   decoded from it, checked against the event's own fields (and, for a new account, against the
 *   `AccountRegistered` event of the same transaction), and re-encoded: the bytes must equal the record, so the
 *   batch built from this tx carries exactly what the contract will check.
 * - `ForcedWithdrawalRequested` becomes a forced-withdrawal tx; its record's `withdrawn` is the state machine's to
 *   decide, and the queue hash covers `account ‖ requester ‖ requestedAmount`, which the tx carries unchanged.
 */
import type { Hex } from 'viem'
import { MAX_WITHDRAWAL_AMOUNT } from '../../sdk/protocol/bounds.ts'
import { hexToBytes } from '../../sdk/protocol/bytes.ts'
import { decodePubdata, encodeRecord, type PubdataRecord } from '../../sdk/protocol/pubdata.ts'
import type { DepositTx, ForcedWithdrawalTx } from '../../sdk/protocol/types.ts'
import { PriorityQueueGapError, PriorityRecordMismatchError } from './errors.ts'

/** Where an event sits on chain: the total order of the queue is (blockNumber, logIndex). */
export type LogPosition = {
  readonly blockNumber: bigint
  readonly logIndex: number
  readonly transactionHash: Hex
}

export type DepositQueuedLog = LogPosition & {
  readonly eventName: 'DepositQueued'
  readonly args: {
    readonly priorityIndex: bigint
    readonly accountIndex: number
    readonly depositor: Hex
    readonly amount: bigint
    readonly deadline: bigint
    readonly record: Hex
  }
}

export type AccountRegisteredLog = LogPosition & {
  readonly eventName: 'AccountRegistered'
  readonly args: {
    readonly accountIndex: number
    readonly owner: Hex
    readonly publicKeyX: bigint
    readonly publicKeyY: bigint
    readonly mode: bigint
  }
}

export type ForcedWithdrawalRequestedLog = LogPosition & {
  readonly eventName: 'ForcedWithdrawalRequested'
  readonly args: {
    readonly priorityIndex: bigint
    readonly accountIndex: number
    readonly requester: Hex
    readonly amount: bigint
    readonly deadline: bigint
  }
}

export type PriorityLog = DepositQueuedLog | AccountRegisteredLog | ForcedWithdrawalRequestedLog

/** One queued L1 op, as the tx the sequencer must put in a batch, with where it came from. */
export type PriorityOperation = LogPosition & {
  readonly priorityIndex: bigint
  readonly tx: DepositTx | ForcedWithdrawalTx
  /** Unix seconds by which a batch must have processed it, or anyone can activate exodus. */
  readonly deadline: bigint
}

/** The pubdata record a deposit tx produces (as the state machine's `prepareDeposit` writes it). */
export function depositRecordOf(tx: DepositTx): PubdataRecord {
  if (tx.create === undefined) return { type: 'deposit', accountIndex: tx.accountIndex, amount: tx.amount, depositor: tx.owner }
  return { type: 'depositNew', accountIndex: tx.accountIndex, amount: tx.amount, owner: tx.owner, mode: tx.create.mode, publicKey: tx.create.publicKey }
}

function comparePosition(a: LogPosition, b: LogPosition): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1
  return a.logIndex - b.logIndex
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index])
}

function registrationKey(transactionHash: Hex, accountIndex: number): string {
  return `${transactionHash.toLowerCase()}:${accountIndex}`
}

function depositOperation(log: DepositQueuedLog, registration: AccountRegisteredLog | undefined): PriorityOperation {
  const { priorityIndex, accountIndex, depositor, amount, deadline, record } = log.args
  const fail = (reason: string, details: Record<string, unknown> = {}, cause?: unknown): never => {
    throw new PriorityRecordMismatchError(priorityIndex, reason, { record, transactionHash: log.transactionHash, ...details }, cause)
  }
  const recordBytes = hexToBytes(record)
  if (recordBytes.length !== 32 && recordBytes.length !== 64) fail('record is not one or two chunks', { length: recordBytes.length })
  let records: PubdataRecord[] = []
  try {
    records = decodePubdata(recordBytes)
  } catch (cause) {
    fail('record does not decode', {}, cause)
  }
  const decoded = records[0]
  if (records.length !== 1 || decoded === undefined) fail('record is not exactly one record', { records: records.length })
  if (decoded!.type !== 'deposit' && decoded!.type !== 'depositNew') fail('record is not a deposit', { type: decoded!.type })
  const base = decoded as Extract<PubdataRecord, { type: 'deposit' | 'depositNew' }>
  if (base.accountIndex !== BigInt(accountIndex)) fail('record account differs from the event', { recordAccount: base.accountIndex, accountIndex })
  if (base.amount !== amount) fail('record amount differs from the event', { recordAmount: base.amount, amount })

  let tx: DepositTx
  if (base.type === 'deposit') {
    if (registration !== undefined) fail('a top-up registered an account', { registration: registration.args })
    if (base.depositor !== BigInt(depositor)) fail('record depositor differs from the event', { recordDepositor: base.depositor, depositor })
    tx = { type: 'deposit', accountIndex: base.accountIndex, amount: base.amount, owner: base.depositor }
  } else {
    if (registration === undefined) fail('new-account deposit without its AccountRegistered event')
    const registered = registration!.args
    const publicKey = { x: registered.publicKeyX, y: registered.publicKeyY }
    if (base.owner !== BigInt(registered.owner)) fail('record owner differs from AccountRegistered', { recordOwner: base.owner, owner: registered.owner })
    if (BigInt(base.mode) !== registered.mode) fail('record mode differs from AccountRegistered', { recordMode: base.mode, mode: registered.mode })
    if (base.publicKey.x !== publicKey.x || base.publicKey.y !== publicKey.y) {
      fail('record key differs from AccountRegistered', { recordKey: base.publicKey, publicKey })
    }
    tx = { type: 'deposit', accountIndex: base.accountIndex, amount: base.amount, owner: base.owner, create: { publicKey, mode: base.mode } }
  }
  // The tx must reproduce the queued record byte for byte: that is what the contract hashes against its queue.
  let rebuilt: Uint8Array = new Uint8Array()
  try {
    rebuilt = encodeRecord(depositRecordOf(tx))
  } catch (cause) {
    fail('tx does not encode', {}, cause)
  }
  if (!bytesEqual(rebuilt, recordBytes)) fail('tx does not reproduce the queued record')
  return { priorityIndex, tx, deadline, blockNumber: log.blockNumber, logIndex: log.logIndex, transactionHash: log.transactionHash }
}

function forcedWithdrawalOperation(log: ForcedWithdrawalRequestedLog): PriorityOperation {
  const { priorityIndex, accountIndex, requester, amount, deadline } = log.args
  // The contract refuses larger requests; a larger one here means the event was not ZkPerp's.
  if (amount < 0n || amount > MAX_WITHDRAWAL_AMOUNT) {
    throw new PriorityRecordMismatchError(priorityIndex, 'requested amount above 2^63 − 1', { amount, transactionHash: log.transactionHash })
  }
  const tx: ForcedWithdrawalTx = { type: 'forcedWithdrawal', accountIndex: BigInt(accountIndex), requester: BigInt(requester), requestedAmount: amount }
  return { priorityIndex, tx, deadline, blockNumber: log.blockNumber, logIndex: log.logIndex, transactionHash: log.transactionHash }
}

/**
 * Every priority op in `logs` (a whole block range, so a deposit and its registration are both present), in queue
 * order. Throws PriorityRecordMismatchError when an event does not reproduce its record or events disagree, and
 * PriorityQueueGapError when the indices found are not consecutive.
 */
export function priorityOperationsFromLogs(logs: readonly PriorityLog[]): PriorityOperation[] {
  const sorted = [...logs].sort(comparePosition)
  const registrations = new Map<string, AccountRegisteredLog>()
  for (const log of sorted) {
    if (log.eventName !== 'AccountRegistered') continue
    const key = registrationKey(log.transactionHash, log.args.accountIndex)
    if (registrations.has(key)) {
      throw new PriorityRecordMismatchError(undefined, 'account registered twice in one transaction', { accountIndex: log.args.accountIndex, transactionHash: log.transactionHash })
    }
    registrations.set(key, log)
  }
  const operations: PriorityOperation[] = []
  for (const log of sorted) {
    if (log.eventName === 'AccountRegistered') continue
    if (log.eventName === 'ForcedWithdrawalRequested') {
      operations.push(forcedWithdrawalOperation(log))
      continue
    }
    const key = registrationKey(log.transactionHash, log.args.accountIndex)
    const registration = registrations.get(key)
    registrations.delete(key)
    operations.push(depositOperation(log, registration))
  }
  const orphan = registrations.values().next()
  if (orphan.done !== true) {
    throw new PriorityRecordMismatchError(undefined, 'AccountRegistered without a DepositQueued in its transaction', {
      accountIndex: orphan.value.args.accountIndex,
      transactionHash: orphan.value.transactionHash,
    })
  }
  for (let index = 1; index < operations.length; index++) {
    const previous = operations[index - 1]!
    const current = operations[index]!
    if (current.priorityIndex !== previous.priorityIndex + 1n) {
      throw new PriorityQueueGapError(previous.priorityIndex + 1n, current.priorityIndex, current.blockNumber)
    }
  }
  return operations
}

/**
 * The ops at or after `nextPriorityIndex`, checking that the first of them is exactly `nextPriorityIndex` (ops
 * before it were delivered already: a restart rescans them and drops them here).
 */
export function operationsFrom(operations: readonly PriorityOperation[], nextPriorityIndex: bigint): PriorityOperation[] {
  const pending = operations.filter((operation) => operation.priorityIndex >= nextPriorityIndex)
  const first = pending[0]
  if (first !== undefined && first.priorityIndex !== nextPriorityIndex) {
    throw new PriorityQueueGapError(nextPriorityIndex, first.priorityIndex, first.blockNumber)
  }
  return pending
}
