import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Level } from 'level'
import { afterEach, describe, expect, it } from 'vitest'
import type { InputLogDb, InputLogDbOperation, InputLogRecord } from './inputLog.ts'
import { createInputLogDb, openInputLog } from './inputLog.ts'
import * as errors from './inputLogErrors.ts'
import {
  GENESIS_HASH,
  encodeRecord,
  encodeSnapshot,
  journalKey,
  sha256,
  snapshotKey,
} from './inputLogFormat.ts'

const directories: string[] = []
// tmpfs where there is one: these tests open many databases, and what they check (which writes were asked to
// sync, and what the log holds) does not depend on the disk's fsync.
const temporaryRoot = existsSync('/dev/shm') ? '/dev/shm' : tmpdir()
function temporaryPath(): string {
  const directory = mkdtempSync(join(temporaryRoot, 'zkperp-input-log-'))
  directories.push(directory)
  return directory
}
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true })
})

function payloadOf(index: number): Uint8Array {
  return new TextEncoder().encode(`input-${index}`)
}

async function appendMany(path: string, count: number): Promise<void> {
  const { log } = await openInputLog(path)
  await Promise.all(Array.from({ length: count }, (_, index) => log.append(index % 5, payloadOf(index + 1))))
  await log.close()
}

async function readAll(path: string): Promise<InputLogRecord[]> {
  const { log } = await openInputLog(path)
  const records: InputLogRecord[] = []
  await log.replay(1n, (record) => {
    records.push(record)
  })
  await log.close()
  return records
}

/** Edits the raw database under a closed log. */
async function withRawDb(path: string, edit: (db: Level<Uint8Array, Uint8Array>) => Promise<void>): Promise<void> {
  const db = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
  await db.open()
  try {
    await edit(db)
  } finally {
    await db.close()
  }
}

async function expectOpenError(path: string, code: string): Promise<void> {
  await expect(openInputLog(path)).rejects.toMatchObject({ code })
}

type RecordedEvent =
  | { type: 'batch-start'; batch: number; sync: boolean; keys: string[] }
  | { type: 'batch-end'; batch: number }
  | { type: 'receipt'; seq: bigint }

/** A real LevelDB wrapped to record every batch (with its sync flag) and when it completed. */
function recordingDb(inner: InputLogDb, events: RecordedEvent[], gate?: () => Promise<void>): InputLogDb {
  let batches = 0
  return {
    open: () => inner.open(),
    close: () => inner.close(),
    get: (key) => inner.get(key),
    iterator: (options) => inner.iterator(options),
    async batch(operations: InputLogDbOperation[], options: { sync: boolean }) {
      const batch = batches++
      const keys = operations.map((operation) => Buffer.from(operation.key).toString('hex'))
      events.push({ type: 'batch-start', batch, sync: options.sync, keys })
      await inner.batch(operations, options)
      if (gate !== undefined) await gate()
      events.push({ type: 'batch-end', batch })
    },
  }
}

describe('openInputLog', () => {
  it('default: appends get consecutive seqs and extend the hash chain; reopening restores the head', async () => {
    const path = temporaryPath()
    const { log, recovered } = await openInputLog(path)
    expect(recovered.head).toEqual({ seq: 0n, hash: GENESIS_HASH })
    expect(recovered.snapshot).toBeUndefined()
    const first = await log.append(1, payloadOf(1))
    const second = await log.append(2, payloadOf(2))
    expect(first.seq).toBe(1n)
    expect(second.seq).toBe(2n)
    expect(first.hash).toEqual(encodeRecord({ seq: 1n, kind: 1, payload: payloadOf(1), prevHash: GENESIS_HASH }).hash)
    expect(second.hash).toEqual(encodeRecord({ seq: 2n, kind: 2, payload: payloadOf(2), prevHash: first.hash }).hash)
    expect(log.head()).toEqual(second)
    await log.close()

    const reopened = await openInputLog(path)
    expect(reopened.recovered.head).toEqual(second)
    expect(reopened.recovered.droppedTail).toBeUndefined()
    expect(reopened.recovered.verifiedRecords).toBe(2)
    const third = await reopened.log.append(3, payloadOf(3))
    expect(third.seq).toBe(3n)
    await reopened.log.close()
    expect((await readAll(path)).map((record) => [record.seq, record.kind])).toEqual([
      [1n, 1],
      [2n, 2],
      [3n, 3],
    ])
  })

  it('behavior: concurrent appends take seqs in call order and share synced batches (group commit)', async () => {
    const path = temporaryPath()
    const events: RecordedEvent[] = []
    const { log } = await openInputLog(recordingDb(createInputLogDb(path), events))
    const receipts = await Promise.all(Array.from({ length: 500 }, (_, index) => log.append(0, payloadOf(index))))
    expect(receipts.map((receipt) => receipt.seq)).toEqual(Array.from({ length: 500 }, (_, index) => BigInt(index + 1)))
    const batches = events.filter((event) => event.type === 'batch-start')
    expect(batches.length).toBeLessThan(10)
    await log.close()
    await createInputLogDb(path).close()
  })

  it('behavior: every receipt is returned only after the sync: true batch holding it completed', async () => {
    const path = temporaryPath()
    const events: RecordedEvent[] = []
    const inner = createInputLogDb(path)
    const { log } = await openInputLog(recordingDb(inner, events))
    // Waves of concurrent appenders, each appending again as soon as its receipt arrives.
    const appender = async (worker: number) => {
      for (let round = 0; round < 20; round++) {
        const receipt = await log.append(worker % 256, payloadOf(worker * 1000 + round))
        events.push({ type: 'receipt', seq: receipt.seq })
      }
    }
    await Promise.all(Array.from({ length: 16 }, (_, worker) => appender(worker)))
    await log.close()
    await inner.close()

    const completed = new Set<number>()
    const durableKeys = new Set<string>()
    const keysByBatch = new Map<number, { sync: boolean; keys: string[] }>()
    let receipts = 0
    for (const event of events) {
      if (event.type === 'batch-start') keysByBatch.set(event.batch, event)
      if (event.type === 'batch-end') {
        completed.add(event.batch)
        const batch = keysByBatch.get(event.batch)
        if (batch?.sync === true) for (const key of batch.keys) durableKeys.add(key)
      }
      if (event.type === 'receipt') {
        receipts++
        expect(durableKeys.has(Buffer.from(journalKey(event.seq)).toString('hex'))).toBe(true)
      }
    }
    expect(receipts).toBe(320)
    expect([...keysByBatch.values()].every((batch) => batch.sync)).toBe(true)
    expect(keysByBatch.size).toBeLessThan(320)
  })

  it('behavior: no receipt resolves while the synced write is still in flight', async () => {
    const path = temporaryPath()
    const events: RecordedEvent[] = []
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const inner = createInputLogDb(path)
    const { log } = await openInputLog(recordingDb(inner, events, () => held))
    let resolved = 0
    const pending = Array.from({ length: 8 }, (_, index) =>
      log.append(0, payloadOf(index)).then((receipt) => {
        resolved++
        return receipt
      }),
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(events.some((event) => event.type === 'batch-start')).toBe(true)
    expect(resolved).toBe(0)
    expect(log.head().seq).toBe(0n)
    release()
    await Promise.all(pending)
    expect(resolved).toBe(8)
    expect(log.head().seq).toBe(8n)
    await log.close()
    await inner.close()
  })

  it('error: a failed synced write rejects its appends and every later one', async () => {
    const path = temporaryPath()
    const inner = createInputLogDb(path)
    let failNext = false
    const db: InputLogDb = {
      open: () => inner.open(),
      close: () => inner.close(),
      get: (key) => inner.get(key),
      iterator: (options) => inner.iterator(options),
      batch: (operations, options) =>
        failNext ? Promise.reject(new Error('disk full')) : inner.batch(operations, options),
    }
    const { log } = await openInputLog(db)
    await log.append(0, payloadOf(1))
    failNext = true
    const failed = await Promise.allSettled([log.append(0, payloadOf(2)), log.append(0, payloadOf(3))])
    expect(failed.map((result) => result.status)).toEqual(['rejected', 'rejected'])
    expect(failed[0]).toMatchObject({ reason: { code: 'INPUT_LOG_WRITE_FAILED' } })
    failNext = false
    await expect(log.append(0, payloadOf(4))).rejects.toMatchObject({ code: 'INPUT_LOG_WRITE_FAILED' })
    expect(log.head().seq).toBe(1n)
    await log.close()
    await inner.close()
    expect((await readAll(path)).map((record) => record.seq)).toEqual([1n])
  })

  it('error: invalid kind or payload, and appends after close', async () => {
    const { log } = await openInputLog(temporaryPath())
    for (const kind of [-1, 256, 1.5, Number.NaN]) {
      await expect(log.append(kind, payloadOf(1))).rejects.toMatchObject({ code: 'INPUT_LOG_INVALID_INPUT' })
    }
    await expect(log.append(0, 'text' as unknown as Uint8Array)).rejects.toMatchObject({
      code: 'INPUT_LOG_INVALID_INPUT',
    })
    expect((await log.append(255, new Uint8Array())).seq).toBe(1n)
    await log.close()
    await expect(log.append(0, payloadOf(1))).rejects.toMatchObject({ code: 'INPUT_LOG_CLOSED' })
  })

  it('behavior: close waits for pending appends', async () => {
    const path = temporaryPath()
    const { log } = await openInputLog(path)
    const pending = Array.from({ length: 50 }, (_, index) => log.append(0, payloadOf(index)))
    await log.close()
    expect((await Promise.all(pending)).at(-1)?.seq).toBe(50n)
    expect((await readAll(path)).length).toBe(50)
  })

  it('behavior: works on a sublevel of a shared database', async () => {
    const path = temporaryPath()
    const root = new Level<Uint8Array, Uint8Array>(path, { keyEncoding: 'view', valueEncoding: 'view' })
    const sublevel = root.sublevel<Uint8Array, Uint8Array>('input', { keyEncoding: 'view', valueEncoding: 'view' })
    const { log } = await openInputLog(sublevel)
    await log.append(0, payloadOf(1))
    await root.put(Uint8Array.of(0x6a), Uint8Array.of(1)) // another component's key outside the sublevel
    await log.close()
    const reopened = await openInputLog(sublevel)
    expect(reopened.recovered.head.seq).toBe(1n)
    await reopened.log.close()
    await root.close()
  })
})

describe('InputLog.writeSnapshot', () => {
  it('default: stores state with the chain head; reopen returns it and replay continues after it', async () => {
    const path = temporaryPath()
    const { log } = await openInputLog(path)
    const receipts = await Promise.all(Array.from({ length: 10 }, (_, index) => log.append(0, payloadOf(index + 1))))
    const snapshot = await log.writeSnapshot(6n, Uint8Array.of(6, 6))
    expect(snapshot).toEqual({ seq: 6n, hash: receipts[5]?.hash, state: Uint8Array.of(6, 6) })
    expect(await log.latestSnapshot()).toEqual(snapshot)
    await log.close()

    const { log: reopened, recovered } = await openInputLog(path)
    expect(recovered.snapshot).toEqual(snapshot)
    expect(recovered.verifiedFromSeq).toBe(6n)
    const seqs: bigint[] = []
    await reopened.replay(7n, (record) => {
      seqs.push(record.seq)
    })
    expect(seqs).toEqual([7n, 8n, 9n, 10n])
    await reopened.close()
  })

  it('behavior: pruning deletes journal records through the snapshot in the same batch; recovery still works', async () => {
    const path = temporaryPath()
    const { log } = await openInputLog(path, { pruneJournal: true, retainSnapshots: 1 })
    for (let index = 1; index <= 12; index++) await log.append(0, payloadOf(index))
    await log.writeSnapshot(4n, Uint8Array.of(4))
    await log.writeSnapshot(9n, Uint8Array.of(9))
    expect(log.firstSeq()).toBe(10n)
    await log.close()

    const { log: reopened, recovered } = await openInputLog(path, { pruneJournal: true })
    expect(recovered.firstSeq).toBe(10n)
    expect(recovered.snapshot?.seq).toBe(9n)
    expect(recovered.head.seq).toBe(12n)
    const records: bigint[] = []
    for await (const record of reopened.records()) records.push(record.seq)
    expect(records).toEqual([10n, 11n, 12n])
    await expect(reopened.replay(1n, () => {})).rejects.toMatchObject({ code: 'INPUT_LOG_GAP' })
    await reopened.close()
    await withRawDb(path, async (db) => {
      expect(await db.get(snapshotKey(4n))).toBeUndefined()
      expect(await db.get(journalKey(9n))).toBeUndefined()
    })
  })

  it('behavior: keeps retainSnapshots snapshots and the whole journal by default', async () => {
    const path = temporaryPath()
    const { log } = await openInputLog(path)
    for (let index = 1; index <= 5; index++) {
      await log.append(0, payloadOf(index))
      await log.writeSnapshot(BigInt(index), Uint8Array.of(index))
    }
    await log.close()
    await withRawDb(path, async (db) => {
      const snapshots = await db.keys({ gte: snapshotKey(0n), lte: snapshotKey(99n) }).all()
      expect(snapshots.map((key) => key[8])).toEqual([4, 5])
    })
    expect((await readAll(path)).length).toBe(5)
  })

  it('error: seq not durable, not after the latest snapshot, or zero', async () => {
    const { log } = await openInputLog(temporaryPath())
    await log.append(0, payloadOf(1))
    await log.append(0, payloadOf(2))
    await expect(log.writeSnapshot(3n, new Uint8Array())).rejects.toMatchObject({
      code: 'INPUT_LOG_INVALID_SNAPSHOT_SEQ',
    })
    await expect(log.writeSnapshot(0n, new Uint8Array())).rejects.toMatchObject({
      code: 'INPUT_LOG_INVALID_SNAPSHOT_SEQ',
    })
    await log.writeSnapshot(2n, new Uint8Array())
    await expect(log.writeSnapshot(1n, new Uint8Array())).rejects.toMatchObject({
      code: 'INPUT_LOG_INVALID_SNAPSHOT_SEQ',
    })
    await log.close()
  })
})

describe('recovery', () => {
  it('error: a missing record in the middle is a gap', async () => {
    const path = temporaryPath()
    await appendMany(path, 10)
    await withRawDb(path, (db) => db.del(journalKey(5n)))
    await expectOpenError(path, 'INPUT_LOG_GAP')
  })

  it('error: a journal that does not start at 1 without a snapshot is a gap', async () => {
    const path = temporaryPath()
    await appendMany(path, 3)
    await withRawDb(path, (db) => db.del(journalKey(1n)))
    await expectOpenError(path, 'INPUT_LOG_GAP')
  })

  it('error: a record stored again under the next seq is a duplicate', async () => {
    const path = temporaryPath()
    await appendMany(path, 10)
    await withRawDb(path, async (db) => {
      await db.put(journalKey(6n), await db.get(journalKey(5n)))
    })
    await expectOpenError(path, 'INPUT_LOG_DUPLICATE')
  })

  it('error: the last record duplicated at the tail is a duplicate, not a torn tail', async () => {
    const path = temporaryPath()
    await appendMany(path, 4)
    await withRawDb(path, async (db) => {
      await db.put(journalKey(5n), await db.get(journalKey(4n)))
    })
    await expectOpenError(path, 'INPUT_LOG_DUPLICATE')
  })

  it('error: a well-formed record linking to the wrong hash breaks the chain, even at the tail', async () => {
    for (const target of [5n, 10n]) {
      const path = temporaryPath()
      await appendMany(path, 10)
      await withRawDb(path, (db) =>
        db.put(journalKey(target), encodeRecord({ seq: target, kind: 0, payload: payloadOf(99), prevHash: sha256(Uint8Array.of(1)) }).value),
      )
      await expect(openInputLog(path)).rejects.toMatchObject({
        code: 'INPUT_LOG_CHAIN_BROKEN',
        details: { seq: target },
      })
    }
  })

  it('error: a record that does not decode before the tail is corrupt', async () => {
    const path = temporaryPath()
    await appendMany(path, 10)
    await withRawDb(path, async (db) => {
      const value = await db.get(journalKey(9n))
      await db.put(journalKey(9n), value.subarray(0, value.length - 1))
    })
    await expect(openInputLog(path)).rejects.toMatchObject({ code: 'INPUT_LOG_RECORD_CORRUPT', details: { seq: 9n } })
  })

  it('behavior: a tail record cut at every byte length is dropped, deleted, and its seq reused', async () => {
    const path = temporaryPath()
    await appendMany(path, 6)
    const records = await readAll(path)
    let fullValue = new Uint8Array()
    await withRawDb(path, async (db) => {
      fullValue = (await db.get(journalKey(6n))).slice()
    })
    for (let cut = 0; cut < fullValue.length; cut++) {
      await withRawDb(path, (db) => db.put(journalKey(6n), fullValue.subarray(0, cut)))
      const first = await openInputLog(path)
      expect(first.recovered.droppedTail).toMatchObject({ seq: 6n, value: fullValue.subarray(0, cut) })
      expect(first.recovered.head).toEqual({ seq: 5n, hash: records[4]?.hash })
      await first.log.close()
      // Dropped means deleted: a second open finds a clean log ending at 5.
      const second = await openInputLog(path)
      expect(second.recovered.droppedTail).toBeUndefined()
      expect(second.recovered.head.seq).toBe(5n)
      await second.log.close()
    }
    // The seq is reused by the next append, and the chain continues from record 5.
    const { log } = await openInputLog(path)
    expect(await log.append(5 % 5, payloadOf(6))).toEqual({ seq: 6n, hash: records[5]?.hash })
    await log.close()
  })

  it('behavior: a bit flip in the tail record is dropped; a snapshot covering it is an error', async () => {
    const path = temporaryPath()
    await appendMany(path, 4)
    await withRawDb(path, async (db) => {
      const value = (await db.get(journalKey(4n))).slice()
      value[50] = (value[50] as number) ^ 1
      await db.put(journalKey(4n), value)
      await db.put(snapshotKey(4n), encodeSnapshot({ seq: 4n, hash: new Uint8Array(32), state: new Uint8Array() }))
    })
    await expectOpenError(path, 'INPUT_LOG_RECORD_CORRUPT')
    await withRawDb(path, (db) => db.del(snapshotKey(4n)))
    const { log, recovered } = await openInputLog(path)
    expect(recovered.droppedTail?.reason).toBe('hash does not match content')
    await log.close()
  })

  it('error: a snapshot whose head hash differs from the journal', async () => {
    const path = temporaryPath()
    await appendMany(path, 4)
    await withRawDb(path, (db) =>
      db.put(snapshotKey(3n), encodeSnapshot({ seq: 3n, hash: sha256(Uint8Array.of(3)), state: Uint8Array.of(3) })),
    )
    await expectOpenError(path, 'INPUT_LOG_SNAPSHOT_MISMATCH')
  })

  it('error: a snapshot beyond the journal head', async () => {
    const path = temporaryPath()
    await appendMany(path, 4)
    await withRawDb(path, (db) =>
      db.put(snapshotKey(7n), encodeSnapshot({ seq: 7n, hash: sha256(Uint8Array.of(7)), state: Uint8Array.of(7) })),
    )
    await expectOpenError(path, 'INPUT_LOG_SNAPSHOT_MISMATCH')
  })

  it('error: a corrupt snapshot', async () => {
    const path = temporaryPath()
    await appendMany(path, 4)
    await withRawDb(path, (db) => db.put(snapshotKey(2n), Uint8Array.of(1, 2, 3)))
    await expectOpenError(path, 'INPUT_LOG_SNAPSHOT_CORRUPT')
  })

  it('behavior: verify full checks records before the snapshot too', async () => {
    const path = temporaryPath()
    const { log } = await openInputLog(path)
    for (let index = 1; index <= 8; index++) await log.append(0, payloadOf(index))
    await log.writeSnapshot(6n, Uint8Array.of(6))
    await log.close()
    await withRawDb(path, (db) => db.del(journalKey(2n)))
    // From the snapshot, records 1..5 are not looked at; a full verification finds the gap.
    const fromSnapshot = await openInputLog(path)
    expect(fromSnapshot.recovered.verifiedRecords).toBe(3)
    await fromSnapshot.log.close()
    await expect(openInputLog(path, { verify: 'full' })).rejects.toMatchObject({ code: 'INPUT_LOG_GAP' })
  })
})

describe('InputLog.replay', () => {
  it('behavior: replaying twice gives byte-identical records', async () => {
    const path = temporaryPath()
    await appendMany(path, 300)
    const encode = (records: InputLogRecord[]) =>
      Buffer.concat(records.flatMap((record) => [record.prevHash, Uint8Array.of(record.kind), record.payload, record.hash]))
    const first = encode(await readAll(path))
    const second = encode(await readAll(path))
    expect(first.equals(second)).toBe(true)
    expect(first.length).toBeGreaterThan(300 * 64)
  })

  it('error: a record changed under an open log fails verification during replay', async () => {
    const path = temporaryPath()
    const inner = createInputLogDb(path)
    const { log } = await openInputLog(inner)
    for (let index = 1; index <= 5; index++) await log.append(0, payloadOf(index))
    await inner.batch(
      [{ type: 'put', key: journalKey(3n), value: encodeRecord({ seq: 3n, kind: 0, payload: payloadOf(9), prevHash: GENESIS_HASH }).value }],
      { sync: true },
    )
    await expect(log.replay(1n, () => {})).rejects.toMatchObject({ code: 'INPUT_LOG_CHAIN_BROKEN' })
    await log.close()
    await inner.close()
  })
})

describe('input log errors', () => {
  it('behavior: codes are unique', () => {
    const codes = Object.values(errors).map((errorClass) => errorClass.code)
    expect(new Set(codes).size).toBe(codes.length)
    expect(codes.every((code) => code.startsWith('INPUT_LOG_'))).toBe(true)
  })
})
