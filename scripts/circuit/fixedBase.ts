import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { FIELD_BYTES } from './field.ts'
import type { Bn128Curve, ThreadManager } from './vendor.ts'

/**
 * Multiplies a group generator by many known scalars: the whole cost of a dev setup.
 *
 * A table holds d·2^(8w)·G for each of 32 byte windows w and each byte value d (8,192 affine points), so k·G is
 * at most 32 mixed additions, against ~254 doublings and ~127 additions for a generic scalar multiplication.
 * The additions run on ffjavascript's bn128 WASM exports directly, on the main thread's instance; results are
 * converted to affine in one batch (one field inversion per chunk) and come out in ffjavascript's internal
 * representation (little-endian Montgomery, "LEM"), the form zkey and ptau files store.
 */
export type GroupName = 'G1' | 'G2'

const WINDOWS = 32
const DIGITS = 256
const CHUNK_POINTS = 4096

type GroupLayout = {
  prefix: 'g1m' | 'g2m'
  /** Affine point bytes (x, y). */
  affineBytes: number
  /** Jacobian point bytes (x, y, z). */
  jacobianBytes: number
  generatorPointer: number
}

function layoutOf(curve: Bn128Curve, group: GroupName): GroupLayout {
  const coordinate = curve[group].F.n8
  const tm = curve.tm as ThreadManager & { pG1gen: number; pG2gen: number }
  return {
    prefix: group === 'G1' ? 'g1m' : 'g2m',
    affineBytes: coordinate * 2,
    jacobianBytes: coordinate * 3,
    generatorPointer: group === 'G1' ? tm.pG1gen : tm.pG2gen,
  }
}

/**
 * Runs `work` with `bytes` of scratch WASM memory at a fresh pointer, growing the memory when needed, and
 * releases it afterwards. Synchronous on purpose: ffjavascript's own synchronous operations share this bump
 * allocator, so nothing else may run while the scratch is held.
 */
function withScratch<T>(tm: ThreadManager, bytes: number, work: (pointer: number) => T): T {
  const saved = tm.u32[0] ?? 0
  const pointer = (saved + 63) & ~63
  const end = pointer + bytes
  // The WASM batch functions (batchToAffine's batch inversion) allocate their temporaries above the free
  // pointer, so keep as much again free beyond the scratch.
  const needed = end + Math.max(bytes, 1 << 22)
  const available = tm.memory.buffer.byteLength
  if (needed > available) {
    tm.memory.grow(Math.ceil((needed - available) / 65536))
    tm.u8 = new Uint8Array(tm.memory.buffer)
    tm.u32 = new Uint32Array(tm.memory.buffer)
  }
  tm.u32[0] = end
  try {
    return work(pointer)
  } finally {
    tm.u32[0] = saved
  }
}

function exportsOf(curve: Bn128Curve, prefix: string): Record<string, (...args: number[]) => number> {
  const all = curve.tm.instance.exports
  const pick = (name: string): ((...args: number[]) => number) => {
    const fn = all[`${prefix}_${name}`]
    if (fn === undefined) throw new Error(`ffjavascript export ${prefix}_${name} is missing`)
    return fn
  }
  return {
    add: pick('add'),
    addMixed: pick('addMixed'),
    double: pick('double'),
    copy: pick('copy'),
    zero: pick('zero'),
    batchToAffine: pick('batchToAffine'),
  }
}

export class FixedBaseMultiplier {
  readonly group: GroupName
  readonly affineBytes: number
  private readonly curve: Bn128Curve
  private readonly layout: GroupLayout
  private readonly table: Uint8Array

  private constructor(curve: Bn128Curve, group: GroupName, layout: GroupLayout, table: Uint8Array) {
    this.curve = curve
    this.group = group
    this.layout = layout
    this.affineBytes = layout.affineBytes
    this.table = table
  }

  /** Builds the 32 x 256 window table for the group's generator (~8k additions, milliseconds). */
  static create(curve: Bn128Curve, group: GroupName): FixedBaseMultiplier {
    const layout = layoutOf(curve, group)
    const wasm = exportsOf(curve, layout.prefix)
    const { affineBytes: affine, jacobianBytes: jacobian } = layout
    const tableBytes = WINDOWS * DIGITS * affine
    const table = withScratch(curve.tm, WINDOWS * DIGITS * jacobian + tableBytes + 2 * jacobian, (base) => {
      const jacobianTable = base
      const affineTable = base + WINDOWS * DIGITS * jacobian
      const windowBase = affineTable + tableBytes
      const accumulator = windowBase + jacobian
      wasm.copy?.(layout.generatorPointer, windowBase)
      for (let window = 0; window < WINDOWS; window++) {
        wasm.zero?.(accumulator)
        for (let digit = 0; digit < DIGITS; digit++) {
          wasm.copy?.(accumulator, jacobianTable + (window * DIGITS + digit) * jacobian)
          wasm.add?.(accumulator, windowBase, accumulator)
        }
        // accumulator is now 256 · windowBase: the next window's base.
        wasm.copy?.(accumulator, windowBase)
      }
      wasm.batchToAffine?.(jacobianTable, WINDOWS * DIGITS, affineTable)
      return curve.tm.u8.slice(affineTable, affineTable + tableBytes)
    })
    return new FixedBaseMultiplier(curve, group, layout, table)
  }

  /**
   * k_i·G for each 32-byte little-endian scalar k_i (normal form, < 2^256) in `scalars`, as consecutive affine
   * LEM points. A zero scalar gives the point at infinity, encoded (0, 0) as ffjavascript encodes it.
   */
  multiply(scalars: Uint8Array): Uint8Array {
    const count = scalars.byteLength / FIELD_BYTES
    const output = new Uint8Array(count * this.affineBytes)
    for (let start = 0; start < count; start += CHUNK_POINTS) {
      const end = Math.min(count, start + CHUNK_POINTS)
      output.set(this.multiplyChunk(scalars.subarray(start * FIELD_BYTES, end * FIELD_BYTES)), start * this.affineBytes)
    }
    return output
  }

  /** `multiply` in chunks, yielding to the event loop between them so progress can render. */
  async multiplyWithProgress(scalars: Uint8Array, onChunk: (done: number) => void): Promise<Uint8Array> {
    const count = scalars.byteLength / FIELD_BYTES
    const output = new Uint8Array(count * this.affineBytes)
    for (let start = 0; start < count; start += CHUNK_POINTS) {
      const end = Math.min(count, start + CHUNK_POINTS)
      output.set(this.multiplyChunk(scalars.subarray(start * FIELD_BYTES, end * FIELD_BYTES)), start * this.affineBytes)
      onChunk(end - start)
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    return output
  }

  private multiplyChunk(scalars: Uint8Array): Uint8Array {
    const count = scalars.byteLength / FIELD_BYTES
    const { affineBytes: affine, jacobianBytes: jacobian } = this.layout
    const wasm = exportsOf(this.curve, this.layout.prefix)
    const addMixed = wasm.addMixed as (a: number, b: number, out: number) => number
    const zero = wasm.zero as (out: number) => number
    const tableBytes = this.table.byteLength
    return withScratch(this.curve.tm, tableBytes + count * (jacobian + affine), (base) => {
      const table = base
      const jacobianOut = base + tableBytes
      const affineOut = jacobianOut + count * jacobian
      this.curve.tm.u8.set(this.table, table)
      for (let index = 0; index < count; index++) {
        const point = jacobianOut + index * jacobian
        zero(point)
        const scalarOffset = index * FIELD_BYTES
        for (let window = 0; window < WINDOWS; window++) {
          const digit = scalars[scalarOffset + window] ?? 0
          if (digit !== 0) addMixed(point, table + (window * DIGITS + digit) * affine, point)
        }
      }
      wasm.batchToAffine?.(jacobianOut, count, affineOut)
      return this.curve.tm.u8.slice(affineOut, affineOut + count * affine)
    })
  }
}

/**
 * The worker is TypeScript: whatever runner started this process (tsx, vitest), the worker registers tsx's
 * loader itself, then imports fixedBaseWorker.ts.
 */
const WORKER_BOOTSTRAP = `import(${JSON.stringify(tsxEsmApiUrl())})
  .then(({ register }) => { register(); return import(${JSON.stringify(new URL('./fixedBaseWorker.ts', import.meta.url).href)}) })`

/** tsx's ESM register API, resolved through its package exports (`require.resolve` would give the CJS build). */
function tsxEsmApiUrl(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> }
  const entry = manifest.exports['./esm/api']?.import.default
  if (entry === undefined) throw new Error('tsx has no ./esm/api export')
  return pathToFileURL(join(dirname(manifestPath), entry)).href
}

type WorkerReply = { id: number; points: Uint8Array } | { ready: true }

/**
 * Spreads fixed-base multiplications over the cores: the main thread takes one share, and each of
 * `availableParallelism() − 1` worker threads (own WASM instance, own tables) takes another.
 */
export class FixedBasePool {
  private readonly curve: Bn128Curve
  private readonly workerCount: number
  private workers: Promise<Worker[]> | undefined
  private readonly local = new Map<GroupName, FixedBaseMultiplier>()
  private readonly pending = new Map<number, (points: Uint8Array) => void>()
  private nextId = 0

  private constructor(curve: Bn128Curve, workerCount: number) {
    this.curve = curve
    this.workerCount = workerCount
  }

  /** Workers start on the first multiplication large enough to split (~1 s each to load), not here. */
  static async create(curve: Bn128Curve, workerCount = Math.max(0, availableParallelism() - 1)): Promise<FixedBasePool> {
    return new FixedBasePool(curve, workerCount)
  }

  private startWorkers(): Promise<Worker[]> {
    this.workers ??= Promise.all(
      Array.from({ length: this.workerCount }, async () => {
        const worker = new Worker(WORKER_BOOTSTRAP, { eval: true })
        await new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve())
          worker.once('error', reject)
        })
        worker.on('message', (reply: WorkerReply) => {
          if ('id' in reply) {
            this.pending.get(reply.id)?.(reply.points)
            this.pending.delete(reply.id)
          }
        })
        return worker
      }),
    )
    return this.workers
  }

  private localMultiplier(group: GroupName): FixedBaseMultiplier {
    let multiplier = this.local.get(group)
    if (multiplier === undefined) {
      multiplier = FixedBaseMultiplier.create(this.curve, group)
      this.local.set(group, multiplier)
    }
    return multiplier
  }

  /** Same result as `FixedBaseMultiplier.multiply`, computed in parallel shares. */
  async multiply(group: GroupName, scalars: Uint8Array, onProgress: (done: number) => void = () => {}): Promise<Uint8Array> {
    const count = scalars.byteLength / FIELD_BYTES
    const local = this.localMultiplier(group)
    if (count < 4 * CHUNK_POINTS || this.workerCount === 0) return local.multiplyWithProgress(scalars, onProgress)
    const workers = await this.startWorkers()
    const perShare = Math.ceil(count / (workers.length + 1))
    const output = new Uint8Array(count * local.affineBytes)
    const remote = workers.map((worker, index) => {
      const start = Math.min(count, (index + 1) * perShare)
      const end = Math.min(count, start + perShare)
      const id = this.nextId++
      return new Promise<void>((resolve) => {
        this.pending.set(id, (points) => {
          output.set(points, start * local.affineBytes)
          onProgress(end - start)
          resolve()
        })
        worker.postMessage({ id, group, scalars: scalars.slice(start * FIELD_BYTES, end * FIELD_BYTES) })
      })
    })
    const mine = await local.multiplyWithProgress(scalars.subarray(0, Math.min(count, perShare) * FIELD_BYTES), onProgress)
    output.set(mine, 0)
    await Promise.all(remote)
    return output
  }

  async close(): Promise<void> {
    const workers = await (this.workers ?? Promise.resolve([]))
    await Promise.all(workers.map((worker) => worker.terminate()))
  }
}
