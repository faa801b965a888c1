/**
 * The durable record of every cut batch: its own LevelDB folder (not a sublevel of the input log), so the log's
 * format, pruning and recovery stay untouched and the batch store can be inspected, backed up or rebuilt apart.
 *
 * One key per batch, `0x42 ‖ batchNumber (u64 big-endian)`, written with `{ sync: true }` before the batch is
 * handed on. The value is the canonical JSON (bigint as `"#<decimal>"`, sequencer/core/canonicalJson.ts) of what
 * rebuilds the batch exactly: its number, T, cut reason and txs with their positions, plus the old and new roots
 * and the commitment, which recovery checks against a re-application (the commitment covers the pubdata, so equal
 * commitments mean byte-identical batches). A time-limit cut depends on the wall clock, so the stored cut, not the
 * queue, is the truth for every batch already cut.
 */
import { Level } from 'level'
import type { Tx } from '../../sdk/protocol/types.ts'
import { parseCanonical, stringifyCanonical } from '../core/canonicalJson.ts'
import type { CutReason, PositionedTx } from './batchCut.ts'
import { BatchStoreCorruptError } from './errors.ts'

export const BATCH_RECORD_VERSION = 1
const BATCH_KEY_PREFIX = 0x42

export type StoredBatchRecord = {
  readonly batchNumber: bigint
  readonly timestamp: bigint
  readonly reason: CutReason
  readonly txs: readonly PositionedTx[]
  readonly oldStateRoot: bigint
  readonly newStateRoot: bigint
  readonly commitment: bigint
}

/** The subset of classic-level the store uses (keys and values as Uint8Array). */
export type BatchStoreDb = {
  open(): Promise<void>
  close(): Promise<void>
  get(key: Uint8Array): Promise<Uint8Array | undefined>
  put(key: Uint8Array, value: Uint8Array, options: { sync: boolean }): Promise<void>
  iterator(options: { gte?: Uint8Array; lt?: Uint8Array; reverse?: boolean; limit?: number }): {
    nextv(size: number): Promise<Array<[Uint8Array, Uint8Array]>>
    close(): Promise<void>
  }
}

export function batchKey(batchNumber: bigint): Uint8Array {
  const key = new Uint8Array(9)
  key[0] = BATCH_KEY_PREFIX
  new DataView(key.buffer).setBigUint64(1, batchNumber)
  return key
}

function decodeKey(key: Uint8Array): bigint {
  if (key.length !== 9 || key[0] !== BATCH_KEY_PREFIX) throw new BatchStoreCorruptError('unexpected key', { key: Buffer.from(key).toString('hex') })
  return new DataView(key.buffer, key.byteOffset, key.byteLength).getBigUint64(1)
}

export function encodeBatchRecord(record: StoredBatchRecord): Uint8Array {
  const body = {
    v: BATCH_RECORD_VERSION,
    batchNumber: record.batchNumber,
    timestamp: record.timestamp,
    reason: record.reason,
    oldStateRoot: record.oldStateRoot,
    newStateRoot: record.newStateRoot,
    commitment: record.commitment,
    txs: record.txs.map(({ seq, index, time, tx }) => ({ seq, index, time, tx })),
  }
  return new TextEncoder().encode(stringifyCanonical(body))
}

const REASONS: readonly CutReason[] = ['full', 'capacity', 'timestamp', 'timeLimit', 'flush']

export function decodeBatchRecord(bytes: Uint8Array): StoredBatchRecord {
  let body: Record<string, unknown>
  try {
    body = parseCanonical(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<string, unknown>
  } catch (cause) {
    throw new BatchStoreCorruptError('record does not decode', {}, cause)
  }
  const bigints = ['batchNumber', 'timestamp', 'oldStateRoot', 'newStateRoot', 'commitment'] as const
  if (body.v !== BATCH_RECORD_VERSION) throw new BatchStoreCorruptError('unknown record version', { version: body.v })
  for (const field of bigints) {
    if (typeof body[field] !== 'bigint') throw new BatchStoreCorruptError(`field ${field} is not an integer`)
  }
  if (!REASONS.includes(body.reason as CutReason)) throw new BatchStoreCorruptError('unknown cut reason', { reason: body.reason })
  if (!Array.isArray(body.txs) || body.txs.length === 0) throw new BatchStoreCorruptError('a batch record needs txs')
  const txs = (body.txs as Record<string, unknown>[]).map((entry) => {
    if (typeof entry.seq !== 'bigint' || typeof entry.time !== 'bigint' || !Number.isSafeInteger(entry.index) || typeof entry.tx !== 'object') {
      throw new BatchStoreCorruptError('malformed tx entry', { batchNumber: body.batchNumber })
    }
    return { seq: entry.seq, index: entry.index as number, time: entry.time, tx: entry.tx as Tx }
  })
  return {
    batchNumber: body.batchNumber as bigint,
    timestamp: body.timestamp as bigint,
    reason: body.reason as CutReason,
    txs,
    oldStateRoot: body.oldStateRoot as bigint,
    newStateRoot: body.newStateRoot as bigint,
    commitment: body.commitment as bigint,
  }
}

export class BatchStore {
  readonly #db: BatchStoreDb
  readonly #ownsDb: boolean

  private constructor(db: BatchStoreDb, ownsDb: boolean) {
    this.#db = db
    this.#ownsDb = ownsDb
  }

  /** Opens the store at a folder (created if missing; the store owns the database) or on a caller's database. */
  static async open(location: string | BatchStoreDb): Promise<BatchStore> {
    const owns = typeof location === 'string'
    const db: BatchStoreDb = owns ? new Level<Uint8Array, Uint8Array>(location, { keyEncoding: 'view', valueEncoding: 'view' }) : location
    await db.open()
    return new BatchStore(db, owns)
  }

  /** Durable before it resolves (`sync: true`). */
  async put(record: StoredBatchRecord): Promise<void> {
    await this.#db.put(batchKey(record.batchNumber), encodeBatchRecord(record), { sync: true })
  }

  async get(batchNumber: bigint): Promise<StoredBatchRecord | undefined> {
    const value = await this.#db.get(batchKey(batchNumber))
    return value === undefined ? undefined : decodeBatchRecord(value)
  }

  /** The raw stored bytes of a batch (tests compare them across restarts). */
  async getBytes(batchNumber: bigint): Promise<Uint8Array | undefined> {
    return this.#db.get(batchKey(batchNumber))
  }

  /** Every stored batch in number order; throws BatchStoreCorruptError unless they are 1, 2, 3, … */
  async *records(): AsyncGenerator<StoredBatchRecord> {
    const iterator = this.#db.iterator({ gte: batchKey(0n), lt: new Uint8Array([BATCH_KEY_PREFIX + 1]) })
    let expected = 1n
    try {
      for (;;) {
        const entries = await iterator.nextv(256)
        if (entries.length === 0) return
        for (const [key, value] of entries) {
          const number = decodeKey(key)
          if (number !== expected) throw new BatchStoreCorruptError('batch numbers are not contiguous from 1', { expected, found: number })
          const record = decodeBatchRecord(value)
          if (record.batchNumber !== number) throw new BatchStoreCorruptError('record number differs from its key', { key: number, record: record.batchNumber })
          expected++
          yield record
        }
      }
    } finally {
      await iterator.close()
    }
  }

  async close(): Promise<void> {
    if (this.#ownsDb) await this.#db.close()
  }
}
