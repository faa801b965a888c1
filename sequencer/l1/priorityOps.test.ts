import { describe, expect, it } from 'vitest'
import type { Hex } from 'viem'
import { readCommittedBatchFixture, type DepositCallFixture } from '../../scripts/circuit/batchPipeline.ts'
import { MAX_WITHDRAWAL_AMOUNT } from '../../sdk/protocol/bounds.ts'
import { PriorityQueueGapError, PriorityRecordMismatchError } from './errors.ts'
import { operationsFrom, priorityOperationsFromLogs, type PriorityLog } from './priorityOps.ts'
import { addressOf } from './testChain.ts'

const fixture = readCommittedBatchFixture()

/** The events ZkPerp emits for a fixture deposit call queued as `priorityIndex` in block 10 + priorityIndex. */
function depositLogs(deposit: DepositCallFixture, priorityIndex: bigint, record: Hex = deposit.record): PriorityLog[] {
  const position = { blockNumber: 10n + priorityIndex, transactionHash: `0x${priorityIndex.toString(16).padStart(64, '0')}` as Hex }
  const queued: PriorityLog = {
    ...position,
    logIndex: 0,
    eventName: 'DepositQueued',
    args: { priorityIndex, accountIndex: Number(deposit.accountIndex), depositor: addressOf(deposit.caller), amount: deposit.amount, deadline: 999n, record },
  }
  if (deposit.call === 'depositTo') return [queued]
  return [
    queued,
    {
      ...position,
      logIndex: 1,
      eventName: 'AccountRegistered',
      args: { accountIndex: Number(deposit.accountIndex), owner: addressOf(deposit.owner), publicKeyX: deposit.publicKeyX, publicKeyY: deposit.publicKeyY, mode: deposit.mode },
    },
  ]
}

function fixtureLogs(): PriorityLog[] {
  return fixture.deposits.flatMap((deposit, index) => depositLogs(deposit, BigInt(index)))
}

function forcedWithdrawalLog(priorityIndex: bigint, amount: bigint): PriorityLog {
  return {
    blockNumber: 10n + priorityIndex,
    logIndex: 0,
    transactionHash: `0x${'f'.repeat(64)}`,
    eventName: 'ForcedWithdrawalRequested',
    args: { priorityIndex, accountIndex: 2, requester: addressOf(0xa11cen), amount, deadline: 999n },
  }
}

/** The record with one byte replaced (byte offset within the record). */
function withByte(record: Hex, offset: number, value: number): Hex {
  const hex = record.slice(2)
  return `0x${hex.slice(0, 2 * offset)}${value.toString(16).padStart(2, '0')}${hex.slice(2 * offset + 2)}`
}

describe('priorityOperationsFromLogs', () => {
  it('behavior: the fixture deposits become txs in queue order, whatever order the logs arrive in', () => {
    const operations = priorityOperationsFromLogs(fixtureLogs().reverse())
    expect(operations.map((operation) => operation.priorityIndex)).toEqual([0n, 1n, 2n])
    const [alice, bob, carol] = fixture.deposits as [DepositCallFixture, DepositCallFixture, DepositCallFixture]
    if (alice.call !== 'depositNewAccount' || bob.call !== 'depositNewAccount' || carol.call !== 'depositTo') throw new Error('fixture shape changed')
    expect(operations.map((operation) => operation.tx)).toEqual([
      { type: 'deposit', accountIndex: 2n, amount: alice.amount, owner: alice.owner, create: { publicKey: { x: alice.publicKeyX, y: alice.publicKeyY }, mode: 0 } },
      { type: 'deposit', accountIndex: 3n, amount: bob.amount, owner: bob.owner, create: { publicKey: { x: bob.publicKeyX, y: bob.publicKeyY }, mode: 1 } },
      { type: 'deposit', accountIndex: 2n, amount: carol.amount, owner: carol.caller },
    ])
  })

  it('behavior: a forced withdrawal request becomes a forcedWithdrawal tx carrying the requested amount', () => {
    const [operation] = priorityOperationsFromLogs([forcedWithdrawalLog(7n, MAX_WITHDRAWAL_AMOUNT)])
    expect(operation?.tx).toEqual({ type: 'forcedWithdrawal', accountIndex: 2n, requester: 0xa11cen, requestedAmount: MAX_WITHDRAWAL_AMOUNT })
  })

  it('error: a record whose amount differs from the event is a mismatch', () => {
    const carol = fixture.deposits[2]!
    // amount[5..12): bump its last byte.
    const logs = depositLogs(carol, 0n, withByte(carol.record, 11, 0x01))
    expect(() => priorityOperationsFromLogs(logs)).toThrow(PriorityRecordMismatchError)
  })

  it('error: a new-account record whose owner differs from AccountRegistered is a mismatch', () => {
    const alice = fixture.deposits[0]!
    const logs = depositLogs(alice, 0n, withByte(alice.record, 31, 0x00))
    expect(() => priorityOperationsFromLogs(logs)).toThrow(/owner differs/)
  })

  it('error: a record with a nonzero unused byte does not decode, and is a mismatch', () => {
    const carol = fixture.deposits[2]!
    const logs = depositLogs(carol, 0n, withByte(carol.record, 1, 0x01))
    const error = (() => {
      try {
        priorityOperationsFromLogs(logs)
      } catch (caught) {
        return caught
      }
    })()
    expect(error).toBeInstanceOf(PriorityRecordMismatchError)
    expect((error as PriorityRecordMismatchError).details.reason).toBe('record does not decode')
  })

  it('error: a new-account deposit without its AccountRegistered, or a registration alone, is a mismatch', () => {
    const [queued, registered] = depositLogs(fixture.deposits[0]!, 0n)
    expect(() => priorityOperationsFromLogs([queued!])).toThrow(/without its AccountRegistered/)
    expect(() => priorityOperationsFromLogs([registered!])).toThrow(/AccountRegistered without a DepositQueued/)
  })

  it('error: a hole in the indices is a gap', () => {
    const logs = [...depositLogs(fixture.deposits[0]!, 0n), ...depositLogs(fixture.deposits[2]!, 2n)]
    expect(() => priorityOperationsFromLogs(logs)).toThrow(PriorityQueueGapError)
  })

  it('error: a requested amount above 2^63 − 1 is a mismatch', () => {
    expect(() => priorityOperationsFromLogs([forcedWithdrawalLog(0n, MAX_WITHDRAWAL_AMOUNT + 1n)])).toThrow(PriorityRecordMismatchError)
  })
})

describe('operationsFrom', () => {
  const operations = priorityOperationsFromLogs(fixtureLogs())

  it('behavior: drops ops already delivered and keeps the rest in order', () => {
    expect(operationsFrom(operations, 0n).map((operation) => operation.priorityIndex)).toEqual([0n, 1n, 2n])
    expect(operationsFrom(operations, 2n).map((operation) => operation.priorityIndex)).toEqual([2n])
    expect(operationsFrom(operations, 3n)).toEqual([])
  })

  it('error: the first op found past the expected index is a gap', () => {
    expect(() => operationsFrom(operations.slice(1), 0n)).toThrow(PriorityQueueGapError)
  })
})
