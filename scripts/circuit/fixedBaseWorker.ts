/**
 * Worker thread of `FixedBasePool`: its own single-threaded bn128 WASM instance and fixed-base tables, answering
 * { id, group, scalars } with { id, points } (affine LEM points, transferred, not copied).
 */
import workerThreads, { parentPort } from 'node:worker_threads'
import { FixedBaseMultiplier, type GroupName } from './fixedBase.ts'
import { loadFfjavascript } from './vendor.ts'

type Request = { id: number; group: GroupName; scalars: Uint8Array }

const port = parentPort
if (port === null) throw new Error('fixedBaseWorker.ts must run as a worker thread')
// ffjavascript's web-worker shim treats any non-main thread as one of its own workers and crashes on the
// missing workerData; this thread only uses the single-threaded curve, so it may claim to be a main thread.
;(workerThreads as { isMainThread: boolean }).isMainThread = true
const { buildBn128 } = await loadFfjavascript()
const curve = await buildBn128(true)
const multipliers = new Map<GroupName, FixedBaseMultiplier>()

port.on('message', (request: Request) => {
  let multiplier = multipliers.get(request.group)
  if (multiplier === undefined) {
    multiplier = FixedBaseMultiplier.create(curve, request.group)
    multipliers.set(request.group, multiplier)
  }
  const points = multiplier.multiply(request.scalars)
  port.postMessage({ id: request.id, points }, [points.buffer as ArrayBuffer])
})
port.postMessage({ ready: true })
