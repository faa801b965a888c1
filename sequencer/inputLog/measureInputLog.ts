/**
 * Measures the input log with group commit: appends/s and append→receipt latency (p50, p99) for 1, 16 and 256
 * concurrent appenders, each appending a 128-byte payload again as soon as its previous receipt arrives (as a
 * gateway connection would). Also prints records per synced batch and a raw synced LevelDB `put` for reference.
 *
 *   node --import tsx sequencer/inputLog/measureInputLog.ts [--seconds 2] [--payload 128]
 *
 * Figures depend on the disk's fsync latency and on what else the machine is running.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { InputLogDb } from './inputLog.ts'
import { createInputLogDb, openInputLog } from './inputLog.ts'

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '2' }, payload: { type: 'string', default: '128' } },
})
const seconds = Number(values.seconds)
const payloadBytes = Number(values.payload)

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN
}

async function measureRawSyncedPut(directory: string): Promise<number[]> {
  const db = createInputLogDb(join(directory, 'raw'))
  await db.open()
  const latencies: number[] = []
  const value = new Uint8Array(payloadBytes + 79)
  const deadline = performance.now() + seconds * 500
  for (let index = 0; performance.now() < deadline; index++) {
    const start = performance.now()
    await db.batch([{ type: 'put', key: Uint8Array.of(index >> 24, index >> 16, index >> 8, index), value }], { sync: true })
    latencies.push(performance.now() - start)
  }
  await db.close()
  return latencies.sort((left, right) => left - right)
}

async function measure(directory: string, appenders: number) {
  const inner = createInputLogDb(join(directory, `log-${appenders}`))
  let batches = 0
  let batchedRecords = 0
  const db: InputLogDb = {
    open: () => inner.open(),
    close: () => inner.close(),
    get: (key) => inner.get(key),
    iterator: (options) => inner.iterator(options),
    batch: (operations, options) => {
      batches++
      batchedRecords += operations.length
      return inner.batch(operations, options)
    },
  }
  const { log } = await openInputLog(db)
  const payload = new Uint8Array(payloadBytes).fill(7)
  const latencies: number[] = []
  const deadline = performance.now() + seconds * 1000
  const started = performance.now()
  const appender = async () => {
    while (performance.now() < deadline) {
      const start = performance.now()
      await log.append(1, payload)
      latencies.push(performance.now() - start)
    }
  }
  await Promise.all(Array.from({ length: appenders }, appender))
  const elapsed = (performance.now() - started) / 1000
  await log.close()
  await inner.close()
  latencies.sort((left, right) => left - right)
  return {
    appenders,
    appendsPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    recordsPerBatch: batchedRecords / batches,
  }
}

const directory = mkdtempSync(join(tmpdir(), 'zkperp-measure-input-log-'))
try {
  const raw = await measureRawSyncedPut(directory)
  console.log(
    `raw synced LevelDB batch (1 record): ${raw.length} writes, p50 ${percentile(raw, 0.5).toFixed(3)} ms, ` +
      `p99 ${percentile(raw, 0.99).toFixed(3)} ms`,
  )
  console.log(`input log, ${payloadBytes}-byte payloads, ${seconds} s per row, group commit:`)
  console.log('appenders  appends/s   p50 ms   p99 ms   records/batch')
  for (const appenders of [1, 16, 256]) {
    const row = await measure(directory, appenders)
    console.log(
      `${String(row.appenders).padStart(9)}  ${String(row.appendsPerSecond).padStart(9)}  ` +
        `${row.p50Ms.toFixed(3).padStart(7)}  ${row.p99Ms.toFixed(3).padStart(7)}  ${row.recordsPerBatch.toFixed(1).padStart(14)}`,
    )
  }
} finally {
  rmSync(directory, { recursive: true, force: true })
}
