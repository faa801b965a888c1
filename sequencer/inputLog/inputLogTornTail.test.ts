/**
 * Torn tail at the LevelDB level: LevelDB appends each synced batch to its own write-ahead file (`NNNNNN.log`) as one
 * logical record (split into CRC-checked fragments at 32 KiB block boundaries). A crash during a write can leave
 * that file cut at any byte. These tests copy a closed database, cut its `.log` file at every byte offset of the
 * last batch's region, reopen, and check the input log comes back as exactly the records before that batch or all
 * of them, never corrupt and never an error, and the same way for two independent copies.
 */
import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { InputLog, InputLogReceipt } from './inputLog.ts'
import { openInputLog } from './inputLog.ts'
import { sha256 } from './inputLogFormat.ts'

// Hundreds of copies are opened; on tmpfs their fsyncs cost nothing (the cuts are made by hand, not by a crash).
const root = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'zkperp-torn-tail-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function levelLogFile(directory: string): string {
  const logs = readdirSync(directory).filter((name) => name.endsWith('.log') && name !== 'LOG')
  expect(logs).toHaveLength(1)
  return join(directory, logs[0] as string)
}

function payloadOf(index: number, length: number): Uint8Array {
  const payload = new Uint8Array(length)
  for (let offset = 0; offset < length; offset += 32) payload.set(sha256(Uint8Array.of(index, offset & 0xff, offset >> 8)).subarray(0, Math.min(32, length - offset)), offset)
  return payload
}

type Prepared = { directory: string; receipts: InputLogReceipt[]; logFile: string; regionStart: number; regionEnd: number }

/**
 * Writes `before` records one synced batch each, then the records of `lastGroup` together in one group-commit
 * batch, and notes where that last batch starts and ends in LevelDB's `.log` file.
 */
async function prepare(
  name: string,
  before: number,
  lastGroup: number[],
  beforeLength = (index: number) => 40 + index,
): Promise<Prepared> {
  const directory = join(root, name)
  const { log } = await openInputLog(directory)
  const receipts: InputLogReceipt[] = []
  for (let index = 1; index <= before; index++) {
    receipts.push(await log.append(index % 7, payloadOf(index, beforeLength(index))))
  }
  const logFile = levelLogFile(directory)
  const regionStart = statSync(logFile).size
  const group = lastGroup.map((length, offset) => log.append(3, payloadOf(before + offset + 1, length)))
  receipts.push(...(await Promise.all(group)))
  const regionEnd = statSync(logFile).size
  expect(levelLogFile(directory)).toBe(logFile)
  await log.close()
  return { directory, receipts, logFile, regionStart, regionEnd }
}

type Outcome = { headSeq: bigint; headHash: string; records: string; droppedTail: boolean }

async function describeLog(log: InputLog, droppedTail: boolean): Promise<Outcome> {
  const hashes: string[] = []
  await log.replay(1n, (record) => {
    hashes.push(Buffer.from(record.hash).toString('hex'))
  })
  return {
    headSeq: log.head().seq,
    headHash: Buffer.from(log.head().hash).toString('hex'),
    records: hashes.join(','),
    droppedTail,
  }
}

async function openCut(prepared: Prepared, offset: number, copyName: string): Promise<Outcome> {
  const copy = join(root, copyName)
  rmSync(copy, { recursive: true, force: true })
  cpSync(prepared.directory, copy, { recursive: true })
  truncateSync(join(copy, prepared.logFile.slice(prepared.directory.length + 1)), offset)
  const { log, recovered } = await openInputLog(copy, { verify: 'full' })
  const outcome = await describeLog(log, recovered.droppedTail !== undefined)
  await log.close()
  rmSync(copy, { recursive: true, force: true })
  return outcome
}

function expectedOutcome(receipts: InputLogReceipt[], count: number): Outcome {
  const kept = receipts.slice(0, count)
  const head = kept.at(-1)
  return {
    headSeq: BigInt(count),
    headHash: head === undefined ? '00'.repeat(32) : Buffer.from(head.hash).toString('hex'),
    records: kept.map((receipt) => Buffer.from(receipt.hash).toString('hex')).join(','),
    droppedTail: false,
  }
}

async function checkOffsets(prepared: Prepared, offsets: number[], groupSize: number): Promise<void> {
  const total = prepared.receipts.length
  const without = expectedOutcome(prepared.receipts, total - groupSize)
  const withAll = expectedOutcome(prepared.receipts, total)
  for (const offset of offsets) {
    const first = await openCut(prepared, offset, 'cut-a')
    expect(await openCut(prepared, offset, 'cut-b'), `offset ${offset}`).toEqual(first)
    // A cut batch is dropped whole: never part of the group, never a record that fails to decode.
    expect(first, `offset ${offset}`).toEqual(offset < prepared.regionEnd ? without : withAll)
  }
}

function range(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, index) => start + index)
}

describe('torn LevelDB write-ahead file', () => {
  it('behavior: cutting the last record at every byte offset drops exactly that record, deterministically', async () => {
    const prepared = await prepare('single', 12, [90])
    expect(prepared.regionEnd - prepared.regionStart).toBeGreaterThan(90 + 79)
    await checkOffsets(prepared, range(prepared.regionStart, prepared.regionEnd + 1), 1)
  })

  it('behavior: a cut group-commit batch drops the whole group, never part of it', async () => {
    const prepared = await prepare('group', 5, [10, 60, 0, 33, 24])
    await checkOffsets(prepared, range(prepared.regionStart, prepared.regionEnd + 1), 5)
  })

  it('behavior: a record fragmented across 32 KiB blocks is dropped whole at any cut', async () => {
    const prepared = await prepare('fragmented', 3, [70_000])
    const { regionStart, regionEnd } = prepared
    // Every offset around the start, the end and each block boundary (fragment headers), and a stride elsewhere.
    const offsets = new Set<number>(range(regionStart, regionStart + 64))
    for (let boundary = Math.ceil(regionStart / 32768) * 32768; boundary < regionEnd; boundary += 32768) {
      for (const offset of range(boundary - 16, boundary + 16)) offsets.add(offset)
    }
    for (const offset of range(regionEnd - 64, regionEnd + 1)) offsets.add(offset)
    for (let offset = regionStart; offset < regionEnd; offset += 4099) offsets.add(offset)
    await checkOffsets(prepared, [...offsets].sort((left, right) => left - right), 1)
  })

  it('error: a flipped byte in an earlier block of the write-ahead file is a gap, not silent loss', async () => {
    // LevelDB (paranoid_checks off, as classic-level opens it) skips the rest of a 32 KiB block whose CRC fails and
    // goes on with the next block: the journal comes back with a hole, which the input log refuses to start on.
    const prepared = await prepare('bitrot', 100, [1000], () => 1000)
    const copy = join(root, 'bitrot-copy')
    cpSync(prepared.directory, copy, { recursive: true })
    const file = openSync(join(copy, prepared.logFile.slice(prepared.directory.length + 1)), 'r+')
    const byte = Buffer.alloc(1)
    readSync(file, byte, 0, 1, 5000)
    byte[0] = (byte[0] as number) ^ 0x40
    writeSync(file, byte, 0, 1, 5000)
    closeSync(file)
    await expect(openInputLog(copy)).rejects.toMatchObject({ code: 'INPUT_LOG_GAP' })
    // The damage is permanent (LevelDB rewrote what it recovered): every later start stops the same way.
    await expect(openInputLog(copy)).rejects.toMatchObject({ code: 'INPUT_LOG_GAP' })
  })
})
