/**
 * The sequencer's durable, hash-chained input log.
 *
 * Every accepted input (order, cancel, oracle price, deposit seen, liquidation request) is appended as an opaque
 * payload tagged with a one-byte kind. It gets the next sequence number and extends a sha256 hash chain, and
 * `append` resolves only after a LevelDB `batch` written with `{ sync: true }` that contains it has completed:
 * the receipt `{ seq, hash }` it returns is what the gateway may acknowledge (and sign).
 *
 * Group commit: appends arriving while a synced write is in flight (or in the same event-loop turn) are written
 * together in the next single synced batch. Exactly one journal batch is in flight at a time, so batches reach
 * the disk in seq order and a crash can only lose a suffix, never leave a gap.
 *
 * Snapshots are opaque state bytes stored with the seq they were taken after and the chain head at that seq.
 * Recovery = latest snapshot + `replay(snapshot.seq + 1n, …)`; replaying from 1 reproduces the same state.
 *
 * The on-disk format is documented in inputLogFormat.ts.
 */
import { Level } from 'level'
import {
  InputLogChainBrokenError,
  InputLogClosedError,
  InputLogDuplicateError,
  InputLogGapError,
  InputLogInvalidInputError,
  InputLogInvalidSnapshotSeqError,
  InputLogRecordCorruptError,
  InputLogSnapshotCorruptError,
  InputLogSnapshotMismatchError,
  InputLogWriteFailedError,
} from './inputLogErrors.ts'
import {
  GENESIS_HASH,
  JOURNAL_PREFIX,
  MAX_PAYLOAD_BYTES,
  MAX_SEQ,
  SNAPSHOT_PREFIX,
  decodeKey,
  decodeRecord,
  decodeSnapshot,
  encodeRecord,
  encodeSnapshot,
  equalBytes,
  journalKey,
  keyRange,
  snapshotKey,
} from './inputLogFormat.ts'
import type { InputLogRecord, InputLogSnapshot } from './inputLogFormat.ts'

export type { InputLogRecord, InputLogSnapshot } from './inputLogFormat.ts'

/** One write in a `batch`. */
export type InputLogDbOperation =
  | { type: 'put'; key: Uint8Array; value: Uint8Array }
  | { type: 'del'; key: Uint8Array }

export type InputLogDbIteratorOptions = {
  gte?: Uint8Array
  lt?: Uint8Array
  lte?: Uint8Array
  reverse?: boolean
  limit?: number
}

export type InputLogDbIterator = {
  nextv(size: number): Promise<Array<[Uint8Array, Uint8Array]>>
  close(): Promise<void>
}

/**
 * The subset of classic-level (keys and values as Uint8Array) the log uses. A `Level` with
 * `{ keyEncoding: 'view', valueEncoding: 'view' }` fits, and so does a sublevel opened with those encodings.
 * `get` must resolve `undefined` for a missing key (abstract-level 2 semantics).
 */
export type InputLogDb = {
  open(): Promise<void>
  close(): Promise<void>
  get(key: Uint8Array): Promise<Uint8Array | undefined>
  batch(operations: InputLogDbOperation[], options: { sync: boolean }): Promise<void>
  iterator(options: InputLogDbIteratorOptions): InputLogDbIterator
}

/** What `append` resolves with once the record is durable: the gateway acknowledges (and signs) this. */
export type InputLogReceipt = { seq: bigint; hash: Uint8Array }

export type DroppedTail = {
  seq: bigint
  /** Why the last record was unreadable. */
  reason: string
  /** The raw stored value, kept for forensics. */
  value: Uint8Array
}

export type RecoveredInputLog = {
  /** Last durable record (`{ seq: 0n, hash: 32 zero bytes }` for an empty log). */
  head: InputLogReceipt
  /** Latest snapshot, state included; replay from `snapshot.seq + 1n` to restore. */
  snapshot: InputLogSnapshot | undefined
  /** First journal record still stored (1n unless pruned; `head.seq + 1n` when the journal is empty). */
  firstSeq: bigint
  /** Seq from which contiguity and the hash chain were verified at open. */
  verifiedFromSeq: bigint
  /** Number of records whose hash and link were verified at open. */
  verifiedRecords: number
  /**
   * A final record that did not decode or failed its own hash: dropped (and deleted, with a synced write). Never
   * acknowledged: a record is acknowledged only after its synced write completed.
   */
  droppedTail: DroppedTail | undefined
}

export type OpenInputLogOptions = {
  /**
   * `'snapshot'` (default) verifies contiguity and the chain from the latest snapshot (or genesis) to the head;
   * `'full'` verifies every stored record.
   */
  verify?: 'snapshot' | 'full'
  /** Delete journal records up to a snapshot's seq in the snapshot's own batch. Default false: keep them. */
  pruneJournal?: boolean
  /** How many snapshots to keep; older ones are deleted in the newest one's batch. Default 2, at least 1. */
  retainSnapshots?: number
  /** Most records in one group-commit batch. Default 4096. */
  maxGroupRecords?: number
}

export type OpenInputLogReturnType = { log: InputLog; recovered: RecoveredInputLog }

/** Opens a LevelDB database for the log at `path` (created if missing). */
export function createInputLogDb(path: string): InputLogDb {
  return new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
}

/**
 * Opens the log and recovers it: verifies seq contiguity and the hash chain from the latest snapshot (or genesis),
 * drops an undecodable final record, and throws a typed error for a gap, a duplicate, a broken link, a corrupt
 * record before the tail, or a snapshot that disagrees with the journal.
 *
 * `location` is a directory path (the log owns and closes the database) or an `InputLogDb` the caller owns.
 */
export async function openInputLog(
  location: string | InputLogDb,
  options: OpenInputLogOptions = {},
): Promise<OpenInputLogReturnType> {
  const ownsDb = typeof location === 'string'
  const db = typeof location === 'string' ? createInputLogDb(location) : location
  await db.open()
  try {
    const state = await recover(db, options.verify ?? 'snapshot')
    const log = new InputLog(db, ownsDb, state, {
      pruneJournal: options.pruneJournal ?? false,
      retainSnapshots: Math.max(1, options.retainSnapshots ?? 2),
      maxGroupRecords: Math.max(1, options.maxGroupRecords ?? 4096),
    })
    return { log, recovered: state.recovered }
  } catch (error) {
    if (ownsDb) await db.close()
    throw error
  }
}

type RecoveredState = {
  recovered: RecoveredInputLog
  snapshotSeqs: bigint[]
}

async function recover(db: InputLogDb, verify: 'snapshot' | 'full'): Promise<RecoveredState> {
  const snapshotSeqs = await readKeys(db, SNAPSHOT_PREFIX)
  const latestSeq = snapshotSeqs.at(-1)
  const snapshot = latestSeq === undefined ? undefined : await readSnapshot(db, latestSeq)
  const firstStored = await firstJournalSeq(db)

  // Where verification starts and what the first verified record must link to (undefined: trust its prevHash).
  let expected: bigint
  let prevHash: Uint8Array | undefined
  if (snapshot === undefined) {
    if (firstStored !== undefined && firstStored !== 1n) throw new InputLogGapError(1n, firstStored)
    expected = 1n
    prevHash = GENESIS_HASH
  } else if (firstStored === undefined || firstStored > snapshot.seq) {
    // Journal pruned through the snapshot: it must continue right after it, linked to the snapshot's head.
    expected = snapshot.seq + 1n
    prevHash = snapshot.hash
  } else if (verify === 'full') {
    expected = firstStored
    prevHash = firstStored === 1n ? GENESIS_HASH : undefined
  } else {
    expected = snapshot.seq
    prevHash = undefined
  }
  const verifiedFromSeq = expected

  let verifiedRecords = 0
  let failed: { seq: bigint; reason: string; value: Uint8Array } | undefined
  const iterator = db.iterator({ gte: journalKey(expected), lt: keyRange(JOURNAL_PREFIX).lt })
  try {
    for (;;) {
      const entries = await iterator.nextv(1024)
      if (entries.length === 0) break
      for (const [key, value] of entries) {
        // A record that failed to decode is tolerated only as the very last one.
        if (failed !== undefined) throw new InputLogRecordCorruptError(failed.seq, failed.reason)
        const keySeq = decodeKey(JOURNAL_PREFIX, key)
        if (keySeq === undefined) throw new InputLogRecordCorruptError(undefined, 'malformed journal key')
        if (keySeq !== expected) throw new InputLogGapError(expected, keySeq)
        const decoded = decodeRecord(value)
        if (!decoded.ok) {
          failed = { seq: keySeq, reason: decoded.reason, value }
          continue
        }
        const record = decoded.value
        checkRecordSeq(keySeq, record.seq)
        if (prevHash !== undefined && !equalBytes(record.prevHash, prevHash)) {
          throw new InputLogChainBrokenError(record.seq, prevHash, record.prevHash)
        }
        if (snapshot !== undefined && record.seq === snapshot.seq && !equalBytes(record.hash, snapshot.hash)) {
          throw new InputLogSnapshotMismatchError(snapshot.seq, 'snapshot head differs from the journal record', {
            snapshotHash: snapshot.hash,
            journalHash: record.hash,
          })
        }
        prevHash = record.hash
        expected = record.seq + 1n
        verifiedRecords++
      }
    }
  } finally {
    await iterator.close()
  }

  let droppedTail: DroppedTail | undefined
  if (failed !== undefined) {
    if (snapshot !== undefined && failed.seq <= snapshot.seq) {
      throw new InputLogRecordCorruptError(failed.seq, `${failed.reason} (record is covered by a snapshot)`)
    }
    droppedTail = { seq: failed.seq, reason: failed.reason, value: failed.value }
    await db.batch([{ type: 'del', key: journalKey(failed.seq) }], { sync: true })
  }

  const headSeq = expected - 1n
  if (snapshot !== undefined && snapshot.seq > headSeq) {
    throw new InputLogSnapshotMismatchError(snapshot.seq, 'snapshot lies beyond the journal head', { headSeq })
  }
  // With nothing verified, the head is the snapshot's (pruned journal) or genesis.
  const headHash = prevHash ?? GENESIS_HASH
  return {
    snapshotSeqs,
    recovered: {
      head: { seq: headSeq, hash: headHash },
      snapshot,
      firstSeq: firstStored !== undefined && firstStored <= headSeq ? firstStored : headSeq + 1n,
      verifiedFromSeq,
      verifiedRecords,
      droppedTail,
    },
  }
}

function checkRecordSeq(keySeq: bigint, recordSeq: bigint): void {
  if (recordSeq === keySeq) return
  if (recordSeq < keySeq) throw new InputLogDuplicateError(keySeq, recordSeq)
  throw new InputLogRecordCorruptError(keySeq, `record says seq ${recordSeq}`)
}

async function readKeys(db: InputLogDb, prefix: number): Promise<bigint[]> {
  const seqs: bigint[] = []
  const iterator = db.iterator(keyRange(prefix))
  try {
    for (;;) {
      const entries = await iterator.nextv(1024)
      if (entries.length === 0) return seqs
      for (const [key] of entries) {
        const seq = decodeKey(prefix, key)
        if (seq === undefined) throw new InputLogSnapshotCorruptError(undefined, 'malformed snapshot key')
        seqs.push(seq)
      }
    }
  } finally {
    await iterator.close()
  }
}

async function readSnapshot(db: InputLogDb, seq: bigint): Promise<InputLogSnapshot> {
  const value = await db.get(snapshotKey(seq))
  if (value === undefined) throw new InputLogSnapshotCorruptError(seq, 'snapshot vanished')
  const decoded = decodeSnapshot(value)
  if (!decoded.ok) throw new InputLogSnapshotCorruptError(seq, decoded.reason)
  if (decoded.value.seq !== seq) throw new InputLogSnapshotCorruptError(seq, `snapshot says seq ${decoded.value.seq}`)
  return decoded.value
}

async function firstJournalSeq(db: InputLogDb): Promise<bigint | undefined> {
  const iterator = db.iterator({ ...keyRange(JOURNAL_PREFIX), limit: 1 })
  try {
    const [entry] = await iterator.nextv(1)
    if (entry === undefined) return undefined
    const seq = decodeKey(JOURNAL_PREFIX, entry[0])
    if (seq === undefined) throw new InputLogRecordCorruptError(undefined, 'malformed journal key')
    return seq
  } finally {
    await iterator.close()
  }
}

type PendingAppend = {
  seq: bigint
  hash: Uint8Array
  value: Uint8Array
  resolve: (receipt: InputLogReceipt) => void
  reject: (error: unknown) => void
}

type InputLogSettings = { pruneJournal: boolean; retainSnapshots: number; maxGroupRecords: number }

export type ReplayReturnType = { fromSeq: bigint; toSeq: bigint; count: number }

export class InputLog {
  readonly #db: InputLogDb
  readonly #ownsDb: boolean
  readonly #settings: InputLogSettings
  /** Last record written with sync and completed. */
  #durableHead: InputLogReceipt
  /** Last record assigned a seq (durable or pending). */
  #tip: InputLogReceipt
  #firstSeq: bigint
  #snapshotSeqs: bigint[]
  #pending: PendingAppend[] = []
  #flushScheduled = false
  #flushing: Promise<void> | undefined
  #snapshotChain: Promise<unknown> = Promise.resolve()
  #failure: InputLogWriteFailedError | undefined
  #closed = false

  constructor(db: InputLogDb, ownsDb: boolean, state: RecoveredState, settings: InputLogSettings) {
    this.#db = db
    this.#ownsDb = ownsDb
    this.#settings = settings
    this.#durableHead = state.recovered.head
    this.#tip = state.recovered.head
    this.#firstSeq = state.recovered.firstSeq
    this.#snapshotSeqs = state.snapshotSeqs
  }

  /** The last durable record: `{ seq, hash }` is the chain head to sign. */
  head(): InputLogReceipt {
    return this.#durableHead
  }

  /** First journal record still stored (moves forward when pruning). */
  firstSeq(): bigint {
    return this.#firstSeq
  }

  /**
   * Appends one input. The seq and hash are assigned now, in call order; the promise resolves after the synced
   * batch holding this record (and whatever else arrived with it) has completed.
   */
  append(kind: number, payload: Uint8Array): Promise<InputLogReceipt> {
    if (this.#closed) return Promise.reject(new InputLogClosedError())
    if (this.#failure !== undefined) return Promise.reject(this.#failure)
    if (!Number.isInteger(kind) || kind < 0 || kind > 255) {
      return Promise.reject(new InputLogInvalidInputError('kind must be an integer in 0..255', { kind }))
    }
    if (!(payload instanceof Uint8Array)) return Promise.reject(new InputLogInvalidInputError('payload must be bytes'))
    if (payload.length > MAX_PAYLOAD_BYTES) {
      return Promise.reject(
        new InputLogInvalidInputError('payload too large', { length: payload.length, max: MAX_PAYLOAD_BYTES }),
      )
    }
    const seq = this.#tip.seq + 1n
    if (seq > MAX_SEQ) return Promise.reject(new InputLogInvalidInputError('seq space exhausted'))
    const { value, hash } = encodeRecord({ seq, kind, payload, prevHash: this.#tip.hash })
    this.#tip = { seq, hash }
    return new Promise<InputLogReceipt>((resolve, reject) => {
      this.#pending.push({ seq, hash, value, resolve, reject })
      this.#scheduleFlush()
    })
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#flushing !== undefined) return
    this.#flushScheduled = true
    // setImmediate, not a microtask: every append made in this event-loop turn joins the first batch.
    setImmediate(() => {
      this.#flushScheduled = false
      this.#flushing = this.#flush().finally(() => {
        this.#flushing = undefined
        if (this.#pending.length > 0) this.#scheduleFlush()
      })
    })
  }

  async #flush(): Promise<void> {
    while (this.#pending.length > 0) {
      if (this.#failure !== undefined) {
        for (const entry of this.#pending.splice(0)) entry.reject(this.#failure)
        return
      }
      const group = this.#pending.splice(0, this.#settings.maxGroupRecords)
      const operations: InputLogDbOperation[] = group.map((entry) => ({
        type: 'put',
        key: journalKey(entry.seq),
        value: entry.value,
      }))
      try {
        await this.#db.batch(operations, { sync: true })
      } catch (cause) {
        const first = group[0] as PendingAppend
        const last = group[group.length - 1] as PendingAppend
        this.#failure = new InputLogWriteFailedError(first.seq, last.seq, cause)
        for (const entry of group) entry.reject(this.#failure)
        continue
      }
      const last = group[group.length - 1] as PendingAppend
      this.#durableHead = { seq: last.seq, hash: last.hash }
      for (const entry of group) entry.resolve({ seq: entry.seq, hash: entry.hash })
    }
  }

  /**
   * Stores `state`, the result of applying records 1..seq, with the chain head at `seq`, in one synced batch
   * (which also prunes the journal through `seq` if enabled, and deletes snapshots beyond `retainSnapshots`).
   * `seq` must be durable and after the latest snapshot. Snapshot writes are serialised.
   */
  writeSnapshot(seq: bigint, state: Uint8Array): Promise<InputLogSnapshot> {
    const result = this.#snapshotChain.then(() => this.#writeSnapshot(seq, state))
    this.#snapshotChain = result.catch(() => undefined)
    return result
  }

  async #writeSnapshot(seq: bigint, state: Uint8Array): Promise<InputLogSnapshot> {
    if (this.#closed) throw new InputLogClosedError()
    if (this.#failure !== undefined) throw this.#failure
    const latest = this.#snapshotSeqs.at(-1)
    if (seq < 1n) throw new InputLogInvalidSnapshotSeqError(seq, 'seq must be at least 1')
    if (seq > this.#durableHead.seq) {
      throw new InputLogInvalidSnapshotSeqError(seq, 'seq is not durable yet', { headSeq: this.#durableHead.seq })
    }
    if (latest !== undefined && seq <= latest) {
      throw new InputLogInvalidSnapshotSeqError(seq, 'seq is not after the latest snapshot', { latestSeq: latest })
    }
    if (seq < this.#firstSeq) {
      throw new InputLogInvalidSnapshotSeqError(seq, 'record was pruned', { firstSeq: this.#firstSeq })
    }
    const hash = seq === this.#durableHead.seq ? this.#durableHead.hash : await this.#readRecord(seq).then((r) => r.hash)
    const snapshot: InputLogSnapshot = { seq, hash, state: state.slice() }
    const operations: InputLogDbOperation[] = [{ type: 'put', key: snapshotKey(seq), value: encodeSnapshot(snapshot) }]
    const snapshotSeqs = [...this.#snapshotSeqs, seq]
    const dropped = snapshotSeqs.splice(0, Math.max(0, snapshotSeqs.length - this.#settings.retainSnapshots))
    for (const old of dropped) operations.push({ type: 'del', key: snapshotKey(old) })
    // Journal records 1..seq are contiguous, so their keys are known without a scan.
    const prunedThrough = this.#settings.pruneJournal ? seq : this.#firstSeq - 1n
    for (let old = this.#firstSeq; old <= prunedThrough; old++) operations.push({ type: 'del', key: journalKey(old) })
    await this.#db.batch(operations, { sync: true })
    this.#snapshotSeqs = snapshotSeqs
    this.#firstSeq = prunedThrough + 1n
    return snapshot
  }

  async #readRecord(seq: bigint): Promise<InputLogRecord> {
    const value = await this.#db.get(journalKey(seq))
    if (value === undefined) throw new InputLogGapError(seq, seq + 1n)
    const decoded = decodeRecord(value)
    if (!decoded.ok) throw new InputLogRecordCorruptError(seq, decoded.reason)
    checkRecordSeq(seq, decoded.value.seq)
    return decoded.value
  }

  /** The latest snapshot with its state, or undefined. */
  async latestSnapshot(): Promise<InputLogSnapshot | undefined> {
    await this.#snapshotChain
    const seq = this.#snapshotSeqs.at(-1)
    return seq === undefined ? undefined : readSnapshot(this.#db, seq)
  }

  /**
   * Streams durable records `fromSeq..toSeq` (default: the durable head when called) in order, verifying each
   * record's hash, contiguity and link to the one before. Records pruned away cannot be read (INPUT_LOG_GAP).
   */
  async *records(parameters: { fromSeq?: bigint; toSeq?: bigint } = {}): AsyncGenerator<InputLogRecord> {
    const fromSeq = parameters.fromSeq ?? this.#firstSeq
    const toSeq = parameters.toSeq ?? this.#durableHead.seq
    if (fromSeq < 1n) throw new InputLogInvalidInputError('fromSeq must be at least 1', { fromSeq })
    if (toSeq < fromSeq) return
    let expected = fromSeq
    let prevHash: Uint8Array | undefined = fromSeq === 1n ? GENESIS_HASH : undefined
    const iterator = this.#db.iterator({ gte: journalKey(fromSeq), lte: journalKey(toSeq) })
    try {
      for (;;) {
        const entries = await iterator.nextv(1024)
        if (entries.length === 0) break
        for (const [key, value] of entries) {
          const keySeq = decodeKey(JOURNAL_PREFIX, key)
          if (keySeq === undefined) throw new InputLogRecordCorruptError(undefined, 'malformed journal key')
          if (keySeq !== expected) throw new InputLogGapError(expected, keySeq)
          const decoded = decodeRecord(value)
          if (!decoded.ok) throw new InputLogRecordCorruptError(keySeq, decoded.reason)
          const record = decoded.value
          checkRecordSeq(keySeq, record.seq)
          if (prevHash !== undefined && !equalBytes(prevHash, record.prevHash)) {
            throw new InputLogChainBrokenError(record.seq, prevHash, record.prevHash)
          }
          prevHash = record.hash
          expected++
          yield record
        }
      }
    } finally {
      await iterator.close()
    }
    if (expected !== toSeq + 1n) throw new InputLogGapError(expected, toSeq + 1n)
  }

  /** Feeds durable records from `fromSeq` to the current durable head to `handler`, in order, one at a time. */
  async replay(
    fromSeq: bigint,
    handler: (record: InputLogRecord) => void | Promise<void>,
  ): Promise<ReplayReturnType> {
    const toSeq = this.#durableHead.seq
    let count = 0
    for await (const record of this.records({ fromSeq, toSeq })) {
      await handler(record)
      count++
    }
    return { fromSeq, toSeq, count }
  }

  /**
   * Stops taking appends, waits for pending appends and snapshots to be written, then closes the database if
   * the log opened it.
   */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    while (this.#flushScheduled || this.#flushing !== undefined) {
      if (this.#flushing !== undefined) await this.#flushing
      else await new Promise((resolve) => setImmediate(resolve))
    }
    await this.#snapshotChain
    if (this.#ownsDb) await this.#db.close()
  }
}
