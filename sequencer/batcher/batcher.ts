/**
 * The batcher: takes the sequencer's accepted txs (`drainTxs()`, in seq order), cuts them into batches
 * (batchCut.ts), applies each through the circuit's witness builder (batchBuild.ts), persists it (batchStore.ts,
 * synced) and only then hands it on (`onBatch`, then the `batch` event), strictly in batch order.
 *
 * Per cut batch: build → [fault point `cut`] → persist (sync) → [fault point `persisted`] → hand on.
 * Any failure (a tx no batch can carry, a tx type the circuit cannot prove, a persist or hand-off failure, a broken
 * root chain) pauses the batcher with its typed error: nothing after it is cut, nothing is skipped. Restarting the
 * process (recovery) is the way out once the cause is fixed.
 *
 * Recovery (`openBatcher`): every persisted batch is re-applied from genesis and must reproduce its stored roots and
 * commitment (so its pubdata) exactly; the batcher continues after the last persisted tx. The sequencer, recovered
 * from its input log, re-queues txs: those at or before the last persisted position are compared with the stored
 * ones and dropped, the rest are cut as usual. `rebuildFrom` rebuilds persisted batches in full (witness, proof job)
 * so that batches persisted but not yet handed on (or not yet final on L1) can be handed on again.
 *
 * Snapshot rule for whoever composes the sequencer with the batcher: a sequencer snapshot holds only undrained
 * txs, so take one only while `bufferedTxs === 0` (every drained tx is in a persisted batch); otherwise the txs in
 * the open batch would be lost on a restart from that snapshot.
 */
import { EventEmitter } from 'node:events'
import { BaseError } from '../../sdk/errors.ts'
import type { Genesis } from '../../sdk/protocol/types.ts'
import { applyBatch } from '../../sdk/state/batch.ts'
import { createGenesisState, type ExchangeState } from '../../sdk/state/state.ts'
import { StateTree } from '../../sdk/state/stateTree.ts'
import type { CircuitArtifactPaths } from '../../prover/proofJob.ts'
import { stringifyCanonical } from '../core/canonicalJson.ts'
import type { QueuedTx } from '../core/sequencer.ts'
import { BatchCutter, comparePositions, type CutBatch, type PositionedTx, type TxPosition } from './batchCut.ts'
import { buildBatch, genesisBatchInfo, type BuiltBatch, type StoredBatchInfo } from './batchBuild.ts'
import type { BatchStore, StoredBatchRecord } from './batchStore.ts'
import {
  BatchHandOffFailedError,
  BatchPersistFailedError,
  BatchQueueMismatchError,
  BatchRootChainError,
  BatchStoreCorruptError,
  BatchWitnessFailedError,
  BatcherClosedError,
  BatcherPausedError,
  TxOutOfOrderError,
} from './errors.ts'

/** Where the sequencer's accepted txs come from (the `Sequencer` fits). */
export type TxSource = { drainTxs(): QueuedTx[] }

export type BatcherFaultPoint = 'cut' | 'persisted'

export type BatcherParameters = {
  readonly genesis: Genesis
  /** T of batch 0 (the contract's `genesisTimestamp`): the first batch's T is at least this. */
  readonly genesisTimestamp: bigint
  readonly store: BatchStore
  readonly source: TxSource
  /** The batch circuit for proof jobs: artifact paths, or a circuit id registered with the prover pool. */
  readonly circuit: CircuitArtifactPaths | string
  /** Cut the open batch once its oldest tx has waited this long (wall clock, milliseconds). */
  readonly maxWaitMs: number
  /** Wall clock in milliseconds (default `performance.now`). */
  readonly now?: () => number
  /** Called with each persisted batch, in order, awaited before the next one. */
  readonly onBatch?: (batch: BuiltBatch) => void | Promise<void>
  /** Re-verify signatures while building witnesses (default true). */
  readonly verifySignatures?: boolean
  /** Fault injection for crash tests: called at each persistence point. */
  readonly faultPoint?: (point: BatcherFaultPoint, batchNumber: bigint) => void
}

export type OpenBatcherParameters = BatcherParameters & {
  /** Rebuild persisted batches from this number on in full (to hand them on again). Default: none. */
  readonly rebuildFrom?: bigint
}

export type BatcherRecovery = {
  /** Persisted batches re-applied. */
  readonly batches: number
  /** Milliseconds spent re-applying them. */
  readonly ms: number
}

export type OpenBatcherReturnType = { batcher: Batcher; rebuilt: BuiltBatch[]; recovery: BatcherRecovery }

export type BatcherStatus = { readonly status: 'running' } | { readonly status: 'paused'; readonly error: BaseError } | { readonly status: 'closed' }

export type BatcherEvents = { batch: [batch: BuiltBatch]; paused: [error: BaseError] }

function positionKey(position: TxPosition): string {
  return `${position.seq}:${position.index}`
}

function asBaseError(error: unknown, wrap: (cause: unknown) => BaseError): BaseError {
  return error instanceof BaseError ? error : wrap(error)
}

export class Batcher extends EventEmitter<BatcherEvents> {
  readonly #parameters: BatcherParameters
  readonly #cutter: BatchCutter
  readonly #now: () => number
  #status: BatcherStatus = { status: 'running' }
  #lastInfo: StoredBatchInfo
  /** Position of the last tx drained from the source (to rank txs within a seq). */
  #lastDrained: TxPosition | undefined
  /** Last tx in a persisted batch, and the persisted txs by position (compared with a replayed queue, then freed). */
  #lastPersisted: TxPosition | undefined
  #persistedTxs: Map<string, string> | undefined
  #openSince: number | undefined
  #chain: Promise<unknown> = Promise.resolve()
  #timer: NodeJS.Timeout | undefined

  constructor(
    parameters: BatcherParameters,
    recovered: { state: ExchangeState; lastInfo: StoredBatchInfo; lastPosition: TxPosition | undefined; persistedTxs: Map<string, string> | undefined },
  ) {
    super()
    this.#parameters = parameters
    this.#now = parameters.now ?? (() => performance.now())
    this.#lastInfo = recovered.lastInfo
    this.#lastPersisted = recovered.lastPosition
    this.#persistedTxs = recovered.persistedTxs
    this.#cutter = new BatchCutter({
      state: recovered.state,
      domain: parameters.genesis.domain,
      lastTimestamp: recovered.lastInfo.timestamp,
      nextBatchNumber: recovered.lastInfo.batchNumber + 1n,
      ...(recovered.lastPosition === undefined ? {} : { lastPosition: recovered.lastPosition }),
    })
  }

  get status(): BatcherStatus {
    return this.#status
  }

  /** What L1 will store for the last persisted batch (genesis: batch 0). */
  get lastBatchInfo(): StoredBatchInfo {
    return this.#lastInfo
  }

  /** Drained txs not yet in a persisted batch (the open batch). */
  get bufferedTxs(): number {
    return this.#cutter.open.length
  }

  /** Position of the last tx in a persisted batch. */
  get lastBatchedPosition(): TxPosition | undefined {
    return this.#lastPersisted
  }

  /** Drain the source, cut what is due (full, capacity, timestamp, time limit), persist and hand on. */
  poll(): Promise<BuiltBatch[]> {
    return this.#exclusive(() => this.#poll(false))
  }

  /** As `poll`, then cut the open batch whatever its age (shutdown). */
  flush(): Promise<BuiltBatch[]> {
    return this.#exclusive(() => this.#poll(true))
  }

  /** Poll every `intervalMs` until `close()`; failures show as `status` and the `paused` event. */
  start(intervalMs: number): void {
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => {
      if (this.#status.status === 'running') this.poll().catch(() => {})
    }, intervalMs)
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer)
    this.#timer = undefined
    await this.#chain.catch(() => {})
    this.#status = { status: 'closed' }
  }

  #exclusive<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(run, run)
    this.#chain = next.catch(() => {})
    return next
  }

  #pause(error: BaseError): never {
    if (this.#status.status === 'running') {
      this.#status = { status: 'paused', error }
      this.emit('paused', error)
    }
    throw error
  }

  async #poll(flush: boolean): Promise<BuiltBatch[]> {
    if (this.#status.status === 'closed') throw new BatcherClosedError()
    if (this.#status.status === 'paused') throw new BatcherPausedError(this.#status.error)
    const built: BuiltBatch[] = []
    for (const queued of this.#parameters.source.drainTxs()) {
      let cuts: CutBatch[]
      try {
        const positioned = this.#position(queued)
        if (this.#alreadyBatched(positioned)) continue
        if (this.#cutter.open.length === 0) this.#openSince = this.#now()
        cuts = this.#cutter.offer(positioned)
        // The tx that closed a batch may have opened the next one: it starts waiting now.
        if (cuts.length > 0 && this.#cutter.open.length > 0) this.#openSince = this.#now()
      } catch (error) {
        this.#pause(asBaseError(error, (cause) => new BatchWitnessFailedError(this.#cutter.nextBatchNumber, cause)))
      }
      for (const cut of cuts) built.push(await this.#process(cut))
    }
    const due = flush || (this.#openSince !== undefined && this.#cutter.open.length > 0 && this.#now() - this.#openSince >= this.#parameters.maxWaitMs)
    if (due) {
      const cut = this.#cutter.cutNow(flush ? 'flush' : 'timeLimit')
      if (cut !== undefined) built.push(await this.#process(cut))
    }
    return built
  }

  #position(queued: QueuedTx): PositionedTx {
    const last = this.#lastDrained
    if (last !== undefined && queued.seq < last.seq) throw new TxOutOfOrderError(last.seq, queued.seq)
    const index = last !== undefined && queued.seq === last.seq ? last.index + 1 : 0
    this.#lastDrained = { seq: queued.seq, index }
    return { seq: queued.seq, index, time: queued.time, tx: queued.tx }
  }

  /** A replayed tx already in a persisted batch: check it is the same tx, and drop it. */
  #alreadyBatched(positioned: PositionedTx): boolean {
    const last = this.#lastPersisted
    if (last === undefined || comparePositions(positioned, last) > 0) {
      this.#persistedTxs = undefined
      return false
    }
    const stored = this.#persistedTxs?.get(positionKey(positioned))
    const replayed = stringifyCanonical({ time: positioned.time, tx: positioned.tx })
    if (stored === undefined) {
      throw new BatchQueueMismatchError('a replayed tx at or before the last batched position is in no persisted batch', { seq: positioned.seq, index: positioned.index })
    }
    if (stored !== replayed) throw new BatchQueueMismatchError('a replayed tx differs from the persisted one', { seq: positioned.seq, index: positioned.index })
    return true
  }

  async #process(cut: CutBatch): Promise<BuiltBatch> {
    const { batchNumber } = cut
    let batch: BuiltBatch
    try {
      batch = buildBatch(cut, cut.stateBefore, {
        domain: this.#parameters.genesis.domain,
        circuit: this.#parameters.circuit,
        ...(this.#parameters.verifySignatures === undefined ? {} : { verifySignatures: this.#parameters.verifySignatures }),
      }).batch
      if (batch.oldStateRoot !== this.#lastInfo.stateRoot) throw new BatchRootChainError(batchNumber, this.#lastInfo.stateRoot, batch.oldStateRoot)
    } catch (error) {
      this.#pause(asBaseError(error, (cause) => new BatchWitnessFailedError(batchNumber, cause)))
    }
    this.#parameters.faultPoint?.('cut', batchNumber)
    try {
      await this.#parameters.store.put(toStoredRecord(batch))
    } catch (error) {
      this.#pause(new BatchPersistFailedError(batchNumber, error))
    }
    this.#parameters.faultPoint?.('persisted', batchNumber)
    this.#lastInfo = batch.storedBatchInfo
    this.#lastPersisted = batch.last
    if (this.#cutter.open.length === 0) this.#openSince = undefined
    try {
      await this.#parameters.onBatch?.(batch)
    } catch (error) {
      this.#pause(new BatchHandOffFailedError(batchNumber, error))
    }
    this.emit('batch', batch)
    return batch
  }
}

export function toStoredRecord(batch: BuiltBatch): StoredBatchRecord {
  return {
    batchNumber: batch.batchNumber,
    timestamp: batch.timestamp,
    reason: batch.reason,
    txs: batch.txs,
    oldStateRoot: batch.oldStateRoot,
    newStateRoot: batch.newStateRoot,
    commitment: batch.commitment,
  }
}

function requireEqual(record: StoredBatchRecord, what: string, stored: bigint, rebuilt: bigint): void {
  if (stored !== rebuilt) throw new BatchStoreCorruptError(`batch ${record.batchNumber}: re-applied ${what} differs from the stored one`, { batchNumber: record.batchNumber, stored, rebuilt })
}

/**
 * Opens the batcher on its store: re-applies every persisted batch from genesis (each must reproduce its stored
 * roots and commitment), then continues after the last persisted tx. Throws BatchStoreCorruptError otherwise.
 */
export async function openBatcher(parameters: OpenBatcherParameters): Promise<OpenBatcherReturnType> {
  const started = performance.now()
  const { genesis, store, rebuildFrom } = parameters
  let state = createGenesisState(genesis)
  let tree: StateTree | undefined = StateTree.fromState(state)
  let lastInfo = genesisBatchInfo(tree.stateRoot(state), parameters.genesisTimestamp)
  let lastPosition: TxPosition | undefined
  const persistedTxs = new Map<string, string>()
  const rebuilt: BuiltBatch[] = []
  let count = 0
  for await (const record of store.records()) {
    if (record.timestamp < lastInfo.timestamp) {
      throw new BatchStoreCorruptError(`batch ${record.batchNumber}: T before the previous batch's`, { timestamp: record.timestamp, previous: lastInfo.timestamp })
    }
    requireEqual(record, 'old state root', record.oldStateRoot, lastInfo.stateRoot)
    for (const queued of record.txs) {
      if (lastPosition !== undefined && comparePositions(queued, lastPosition) <= 0) {
        throw new BatchStoreCorruptError(`batch ${record.batchNumber}: tx positions do not increase`, { seq: queued.seq, index: queued.index })
      }
      lastPosition = { seq: queued.seq, index: queued.index }
      persistedTxs.set(positionKey(queued), stringifyCanonical({ time: queued.time, tx: queued.tx }))
    }
    if (rebuildFrom !== undefined && record.batchNumber >= rebuildFrom) {
      let built: ReturnType<typeof buildBatch>
      try {
        built = buildBatch(record, state, {
          domain: genesis.domain,
          circuit: parameters.circuit,
          ...(parameters.verifySignatures === undefined ? {} : { verifySignatures: parameters.verifySignatures }),
        })
      } catch (cause) {
        throw new BatchStoreCorruptError(`batch ${record.batchNumber} does not rebuild`, { batchNumber: record.batchNumber }, cause)
      }
      requireEqual(record, 'new state root', record.newStateRoot, built.batch.newStateRoot)
      requireEqual(record, 'commitment', record.commitment, built.batch.commitment)
      rebuilt.push(built.batch)
      state = built.stateAfter
      tree = undefined
    } else {
      tree ??= StateTree.fromState(state)
      const context = { batchTimestamp: record.timestamp, domain: genesis.domain, signaturesVerified: true }
      const result = applyBatch(state, record.txs.map((queued) => queued.tx), context, { tree })
      const rejected = result.results.findIndex((outcome) => !outcome.accepted)
      if (rejected !== -1) throw new BatchStoreCorruptError(`batch ${record.batchNumber}: tx ${rejected} is rejected on re-application`, { batchNumber: record.batchNumber, txIndex: rejected })
      requireEqual(record, 'new state root', record.newStateRoot, result.newStateRoot)
      requireEqual(record, 'commitment', record.commitment, result.commitment)
    }
    lastInfo = { batchNumber: record.batchNumber, timestamp: record.timestamp, stateRoot: record.newStateRoot, commitment: record.commitment }
    count++
  }
  const batcher = new Batcher(parameters, { state, lastInfo, lastPosition, persistedTxs: count === 0 ? undefined : persistedTxs })
  return { batcher, rebuilt, recovery: { batches: count, ms: performance.now() - started } }
}
