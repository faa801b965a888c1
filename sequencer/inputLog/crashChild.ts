/**
 * Child process for inputLogCrash.test.ts: runs the crash workload and reports on stdout, one line per event.
 * stdout to a pipe is synchronous on Linux, so an `ack` line is in the pipe before the next statement runs and
 * survives a SIGKILL. Spawned as `node --import tsx sequencer/inputLog/crashChild.ts` with:
 *   INPUT_LOG_PATH, CRASH_SEED, CRASH_TOTAL, CRASH_CONCURRENCY, CRASH_SNAPSHOT_EVERY,
 *   CRASH_POINT (one of CRASH_POINTS, or unset) and CRASH_AT (seq).
 */
import { CRASH_POINTS, runWorkload } from './crashWorkload.ts'
import type { CrashPoint } from './crashWorkload.ts'

function required(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`missing ${name}`)
  return value
}

const point = process.env['CRASH_POINT']
if (point !== undefined && point !== '' && !(CRASH_POINTS as readonly string[]).includes(point)) {
  throw new Error(`unknown CRASH_POINT ${point}`)
}

await runWorkload({
  path: required('INPUT_LOG_PATH'),
  seed: Number(required('CRASH_SEED')),
  total: BigInt(required('CRASH_TOTAL')),
  concurrency: Number(required('CRASH_CONCURRENCY')),
  snapshotEvery: BigInt(required('CRASH_SNAPSHOT_EVERY')),
  crash:
    point === undefined || point === ''
      ? undefined
      : { point: point as CrashPoint, seq: BigInt(required('CRASH_AT')) },
  emit: (line) => {
    process.stdout.write(`${line}\n`)
  },
  stop: (mode) => {
    // freeze: the process stops right here, as if the kill landed on this line.
    if (mode === 'freeze') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
    // hang: only this path waits; writes already in flight may still complete before the kill lands. The timer
    // keeps the event loop alive (an empty loop would end the process with "unfinished top-level await").
    setInterval(() => {}, 1000)
    return new Promise<never>(() => {})
  },
})
