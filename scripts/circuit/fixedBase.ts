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
