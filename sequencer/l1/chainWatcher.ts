/**
 * Follows ZkPerp's priority queue on L1 and hands each queued op to the sequencer as the sdk tx a batch must carry,
 * strictly in priority-index order and exactly once across restarts.
 *
 * Exactly once: the caller owns durability. It derives `nextPriorityIndex` from its own log (one past the last op it
 * durably accepted) and gives a block to scan from (the deployment block, or the block of the last op it accepted);
 * the watcher rescans from there, drops ops below `nextPriorityIndex`, and delivers the rest one at a time, moving
 * on only once the handler's promise resolves. A handler that throws stops the watcher at that op.
 *
 * Never a skip: the ops found must be consecutive from `nextPriorityIndex` (PriorityQueueGapError), each must
 * reproduce the record L1 queued (PriorityRecordMismatchError), and after each pass the contract's `priorityTail` at
 * the scanned head must equal the next index expected (PriorityQueueDivergedError: a scan that started too late, or a
 * reorg deeper than the confirmation depth).
 *
 * Reorgs: only blocks at least `confirmations` deep are read (1 = the latest block). Polling, with at most
 * `maxBlockRange` blocks per `eth_getLogs`; RPC failures are retried with backoff for as long as the watcher runs.
 */
import type { Address, PublicClient } from 'viem'
import { BaseError } from '../../sdk/errors.ts'
import { PriorityOpHandlerError, PriorityQueueDivergedError } from './errors.ts'
import { operationsFrom, priorityOperationsFromLogs, type PriorityLog, type PriorityOperation } from './priorityOps.ts'
import { sleep, withRetry, type RetryPolicy } from './retry.ts'
import { zkPerpAbi } from './zkPerpAbi.ts'

export type { PriorityOperation } from './priorityOps.ts'

const priorityEvents = zkPerpAbi.filter(
  (item) => item.type === 'event' && (item.name === 'DepositQueued' || item.name === 'AccountRegistered' || item.name === 'ForcedWithdrawalRequested'),
)

export type ChainWatcherParameters = {
  readonly client: PublicClient
  readonly zkPerpAddress: Address
  /** First block to scan: ZkPerp's deployment block, or the block of the last op the caller accepted. */
  readonly fromBlock: bigint
  /** The first priority index not yet in the caller's durable log. */
  readonly nextPriorityIndex: bigint
  /** Blocks an event must be under (1 = in the latest block). Default 2. */
  readonly confirmations?: bigint
  /** Most blocks per `eth_getLogs`. Default 2,000. */
  readonly maxBlockRange?: bigint
  /** Wait between passes once caught up. Default 1,000 ms. */
  readonly pollIntervalMs?: number
  /** Backoff for RPC failures. Default: 250 ms doubling to 30 s, forever. */
  readonly retry?: RetryPolicy
  /** Receives each op once, in order; the next op waits for its promise. Throwing stops the watcher. */
  readonly onPriorityOperation: (operation: PriorityOperation) => void | Promise<void>
  /** Each transient RPC failure, before its backoff (logs, metrics). */
  readonly onRpcError?: (error: unknown, attempt: number, delayMs: number) => void
}

export type PollReturnType = {
  /** Ops handed to the handler in this pass. */
  readonly delivered: number
  /** Highest block scanned (the confirmed head), or undefined if the chain has no confirmed block past the cursor. */
  readonly scannedThroughBlock: bigint | undefined
}

/** Rescans of a pass whose logs showed fewer ops than `priorityTail` before it is a divergence, and their spacing. */
const DIVERGENCE_RESCANS = 4
const DIVERGENCE_RESCAN_DELAY_MS = 100

const DEFAULT_WATCHER_RETRY: RetryPolicy = { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: 250, maxDelayMs: 30_000 }

export class ChainWatcher {
  readonly #parameters: ChainWatcherParameters
  readonly #confirmations: bigint
  readonly #maxBlockRange: bigint
  #nextPriorityIndex: bigint
  /** Next block to scan. */
  #cursor: bigint
  #abort: AbortController | undefined
  #running: Promise<void> | undefined

  constructor(parameters: ChainWatcherParameters) {
    const confirmations = parameters.confirmations ?? 2n
    const maxBlockRange = parameters.maxBlockRange ?? 2_000n
    if (confirmations < 1n) throw new RangeError('confirmations must be at least 1')
    if (maxBlockRange < 1n) throw new RangeError('maxBlockRange must be at least 1')
    if (parameters.nextPriorityIndex < 0n || parameters.fromBlock < 0n) throw new RangeError('nextPriorityIndex and fromBlock must be ≥ 0')
    this.#parameters = parameters
    this.#confirmations = confirmations
    this.#maxBlockRange = maxBlockRange
    this.#nextPriorityIndex = parameters.nextPriorityIndex
    this.#cursor = parameters.fromBlock
  }

  /** The index of the next op the handler will receive. */
  get nextPriorityIndex(): bigint {
    return this.#nextPriorityIndex
  }

  /** The next block the watcher will scan. */
  get nextBlock(): bigint {
    return this.#cursor
  }

  /**
   * One pass: scans every confirmed block past the cursor in bounded ranges and delivers the ops found. Typed
   * errors (gap, mismatch, divergence, handler failure) are thrown; RPC failures are retried per the policy.
   */
  async pollOnce(signal?: AbortSignal): Promise<PollReturnType> {
    const { client } = this.#parameters
    const latest = await this.#rpc(() => client.getBlockNumber({ cacheTime: 0 }), signal)
    const confirmedHead = latest - this.#confirmations + 1n
    if (confirmedHead < this.#cursor) return { delivered: 0, scannedThroughBlock: undefined }
    const passStart = this.#cursor
    let delivered = 0
    for (let attempt = 1; ; attempt++) {
      delivered += await this.#scanThrough(confirmedHead, signal)
      if (signal?.aborted === true) return { delivered, scannedThroughBlock: this.#cursor - 1n }
      // Everything L1 queued up to the scanned head must have been seen: a later `fromBlock` than the op at
      // `nextPriorityIndex`, or a reorg past the confirmation depth, shows up here rather than as a silent skip.
      const tail = await this.#rpc(
        () => client.readContract({ address: this.#parameters.zkPerpAddress, abi: zkPerpAbi, functionName: 'priorityTail', blockNumber: confirmedHead }),
        signal,
      )
      if (tail === this.#nextPriorityIndex) return { delivered, scannedThroughBlock: confirmedHead }
      // A node can answer for a block whose logs it has not indexed yet (anvil does, at the chain head): when L1
      // shows more ops than the logs did, rescan the pass (ops already delivered are dropped) before calling it a
      // divergence. Fewer ops on L1 than delivered is a reorg: no rescan can fix that.
      if (tail < this.#nextPriorityIndex || attempt >= DIVERGENCE_RESCANS) throw new PriorityQueueDivergedError(this.#nextPriorityIndex, tail, confirmedHead)
      this.#cursor = passStart
      await sleep(DIVERGENCE_RESCAN_DELAY_MS * attempt, signal)
    }
  }

  /** Scans from the cursor through `head` in bounded ranges, delivering the new ops; returns how many. */
  async #scanThrough(confirmedHead: bigint, signal: AbortSignal | undefined): Promise<number> {
    const { client, zkPerpAddress } = this.#parameters
    let delivered = 0
    while (this.#cursor <= confirmedHead) {
      if (signal?.aborted === true) return delivered
      const fromBlock = this.#cursor
      const toBlock = fromBlock + this.#maxBlockRange - 1n < confirmedHead ? fromBlock + this.#maxBlockRange - 1n : confirmedHead
      const logs = await this.#rpc(
        () => client.getLogs({ address: zkPerpAddress, events: priorityEvents, fromBlock, toBlock, strict: true }),
        signal,
      )
      const operations = operationsFrom(priorityOperationsFromLogs(logs as unknown as PriorityLog[]), this.#nextPriorityIndex)
      for (const operation of operations) {
        try {
          await this.#parameters.onPriorityOperation(operation)
        } catch (error) {
          throw new PriorityOpHandlerError(operation.priorityIndex, error)
        }
        this.#nextPriorityIndex = operation.priorityIndex + 1n
        delivered++
      }
      this.#cursor = toBlock + 1n
    }
    return delivered
  }

  /**
   * Polls until `stop()`. The promise resolves on stop and rejects with the typed error that stopped the watcher.
   * Calling it again while running returns the same promise.
   */
  start(): Promise<void> {
    if (this.#running !== undefined) return this.#running
    const abort = new AbortController()
    this.#abort = abort
    this.#running = (async () => {
      while (!abort.signal.aborted) {
        try {
          await this.pollOnce(abort.signal)
        } catch (error) {
          // An RPC error rethrown because we were stopping mid-backoff is not a failure of the watcher.
          if (abort.signal.aborted && !(error instanceof BaseError)) return
          throw error
        }
        await sleep(this.#parameters.pollIntervalMs ?? 1_000, abort.signal)
      }
    })()
    return this.#running
  }

  /** Stops after the op being delivered (if any); resolves when the loop has ended. Never rejects. */
  async stop(): Promise<void> {
    this.#abort?.abort()
    const running = this.#running
    this.#running = undefined
    this.#abort = undefined
    await running?.catch(() => undefined)
  }

  #rpc<T>(call: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return withRetry(call, {
      policy: this.#parameters.retry ?? DEFAULT_WATCHER_RETRY,
      // Our own typed errors are verdicts; everything else from the client is the RPC failing.
      isTransient: (error) => !(error instanceof BaseError),
      ...(this.#parameters.onRpcError === undefined ? {} : { onRetry: this.#parameters.onRpcError }),
      ...(signal === undefined ? {} : { signal }),
    })
  }
}
