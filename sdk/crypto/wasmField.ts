/**
 * F_r arithmetic in WebAssembly, generated and compiled synchronously at load (no binary in the repo, no async
 * start-up). Elements live in the module's memory as 9 little-endian 29-bit limbs, one per i64 (72 bytes), in
 * Montgomery form with R = 2^261. Multiplication is operand-scanning Montgomery with lazy carries: 29-bit limbs
 * leave 6 bits of headroom per i64, so the 81 + 81 products accumulate without carry handling except for the one
 * limb that is shifted out per round.
 *
 * Callers address elements by byte offset ("slots") from `allocateSlots`. Every exported operation reads its inputs
 * fully before writing `out`, so out may alias an input. Inputs must be reduced (< r); outputs are.
 */
import { FIELD_MODULUS } from './field.ts'
import { Code, encodeModule, I32, I64, type ModuleFunction, op } from './wasmAssembler.ts'

export const LIMBS = 9
export const LIMB_BITS = 29
export const SLOT_BYTES = LIMBS * 8
const MASK = (1n << 29n) - 1n
const R_BITS = BigInt(LIMBS * LIMB_BITS)
const R = 1n << R_BITS
const R_MOD = R % FIELD_MODULUS
const R2_MOD = (R * R) % FIELD_MODULUS

function limbsOf(value: bigint): bigint[] {
  return Array.from({ length: LIMBS }, (_, i) => (value >> BigInt(i * LIMB_BITS)) & MASK)
}

const P_LIMBS = limbsOf(FIELD_MODULUS)
/** −r⁻¹ mod 2^29 */
const MU = (() => {
  const modulus = 1n << 29n
  let inverse = 1n
  for (let i = 0; i < 29; i++) inverse = (inverse * (2n - ((FIELD_MODULUS * inverse) % modulus))) % modulus
  return (modulus - (((inverse % modulus) + modulus) % modulus)) % modulus
})()

/** Final reduction shared by add and mul: limbs in `t` (carried, 29 bits) → out, minus r once if ≥ r. */
function emitConditionalSubtract(code: Code, out: number, t: number[]): void {
  const d = t.map(() => code.local(I64))
  const borrow = code.local(I64)
  for (let j = 0; j < LIMBS; j++) {
    code.get(t[j]!).i64(P_LIMBS[j]!).emit(op.i64Sub)
    if (j > 0) code.get(borrow).emit(op.i64Add)
    code.set(d[j]!)
    code.get(d[j]!).i64(29n).emit(op.i64ShrS).set(borrow)
    code.get(d[j]!).i64(MASK).emit(op.i64And).set(d[j]!)
  }
  // borrow < 0: t < r, keep t; else keep t − r.
  for (let j = 0; j < LIMBS; j++) {
    code.store(out, j * 8, () => {
      code.get(t[j]!).get(d[j]!).get(borrow).i64(0n).emit(op.i64LtS, op.select)
    })
  }
}

function buildMul(): Code {
  const code = new Code(3) // out, a, b
  const [out, a, b] = [0, 1, 2]
  const bl = Array.from({ length: LIMBS }, () => code.local(I64))
  let t = Array.from({ length: LIMBS }, () => code.local(I64))
  const ai = code.local(I64)
  const q = code.local(I64)
  for (let j = 0; j < LIMBS; j++) code.load(b, j * 8).set(bl[j]!)
  for (let i = 0; i < LIMBS; i++) {
    code.load(a, i * 8).set(ai)
    for (let j = 0; j < LIMBS; j++) {
      if (i === 0) code.get(ai).get(bl[j]!).emit(op.i64Mul).set(t[j]!)
      else code.get(t[j]!).get(ai).get(bl[j]!).emit(op.i64Mul, op.i64Add).set(t[j]!)
    }
    code.get(t[0]!).i64(MU).emit(op.i64Mul).i64(MASK).emit(op.i64And).set(q)
    for (let j = 0; j < LIMBS; j++) {
      code.get(t[j]!).get(q).i64(P_LIMBS[j]!).emit(op.i64Mul, op.i64Add).set(t[j]!)
    }
    // t0 is now divisible by 2^29: shift the limbs down by one, carrying t0 >> 29 into the new t0.
    code.get(t[1]!).get(t[0]!).i64(29n).emit(op.i64ShrU, op.i64Add).set(t[1]!)
    const freed = t[0]!
    t = [...t.slice(1), freed]
    code.i64(0n).set(freed)
  }
  for (let j = 0; j < LIMBS - 1; j++) {
    code.get(t[j + 1]!).get(t[j]!).i64(29n).emit(op.i64ShrU, op.i64Add).set(t[j + 1]!)
    code.get(t[j]!).i64(MASK).emit(op.i64And).set(t[j]!)
  }
  emitConditionalSubtract(code, out, t)
  return code
}

/**
 * Separated Montgomery: the full product is accumulated in 18 lazy columns first, then reduced once. Column k holds
 * at most 18 products below 2^58, and the result stays below r · (1 + r/R) < 2r, so one conditional subtraction
 * finishes it.
 */
function emitReduceColumns(code: Code, out: number, c: number[]): void {
  const q = code.local(I64)
  for (let i = 0; i < LIMBS; i++) {
    code.get(c[i]!).i64(MU).emit(op.i64Mul).i64(MASK).emit(op.i64And).set(q)
    for (let j = 0; j < LIMBS; j++) {
      code.get(c[i + j]!).get(q).i64(P_LIMBS[j]!).emit(op.i64Mul, op.i64Add).set(c[i + j]!)
    }
    code.get(c[i + 1]!).get(c[i]!).i64(29n).emit(op.i64ShrU, op.i64Add).set(c[i + 1]!)
  }
  const t = c.slice(LIMBS, 2 * LIMBS)
  for (let j = 0; j < LIMBS - 1; j++) {
    code.get(t[j + 1]!).get(t[j]!).i64(29n).emit(op.i64ShrU, op.i64Add).set(t[j + 1]!)
    code.get(t[j]!).i64(MASK).emit(op.i64And).set(t[j]!)
  }
  emitConditionalSubtract(code, out, t)
}

/** out = a² with the 36 cross products computed once and doubled (45 products instead of 81). */
function buildSquare(): Code {
  const code = new Code(2)
  const c = Array.from({ length: 2 * LIMBS }, () => code.local(I64))
  const al = Array.from({ length: LIMBS }, () => code.local(I64))
  const doubled = Array.from({ length: LIMBS }, () => code.local(I64))
  for (let j = 0; j < LIMBS; j++) {
    code.load(1, j * 8).set(al[j]!)
    code.get(al[j]!).get(al[j]!).emit(op.i64Add).set(doubled[j]!)
  }
  const started = new Array<boolean>(2 * LIMBS).fill(false)
  const accumulate = (column: number, left: number, right: number) => {
    if (started[column]) code.get(c[column]!).get(left).get(right).emit(op.i64Mul, op.i64Add)
    else code.get(left).get(right).emit(op.i64Mul)
    code.set(c[column]!)
    started[column] = true
  }
  for (let i = 0; i < LIMBS; i++) {
    accumulate(2 * i, al[i]!, al[i]!)
    for (let j = i + 1; j < LIMBS; j++) accumulate(i + j, al[i]!, doubled[j]!)
  }
  code.i64(0n).set(c[2 * LIMBS - 1]!)
  emitReduceColumns(code, 0, c)
  return code
}

function buildAdd(): Code {
  const code = new Code(3)
  const [out, a, b] = [0, 1, 2]
  const t = Array.from({ length: LIMBS }, () => code.local(I64))
  for (let j = 0; j < LIMBS; j++) {
    code.load(a, j * 8).load(b, j * 8).emit(op.i64Add)
    if (j > 0) code.get(t[j - 1]!).i64(29n).emit(op.i64ShrU, op.i64Add)
    code.set(t[j]!)
    if (j > 0) code.get(t[j - 1]!).i64(MASK).emit(op.i64And).set(t[j - 1]!)
  }
  emitConditionalSubtract(code, out, t)
  return code
}

/** a − b: subtract limb-wise with signed borrows; if negative, add r back. */
function buildSub(): Code {
  const code = new Code(3)
  const [out, a, b] = [0, 1, 2]
  const d = Array.from({ length: LIMBS }, () => code.local(I64))
  const e = Array.from({ length: LIMBS }, () => code.local(I64))
  const borrow = code.local(I64)
  const carry = code.local(I64)
  for (let j = 0; j < LIMBS; j++) {
    code.load(a, j * 8).load(b, j * 8).emit(op.i64Sub)
    if (j > 0) code.get(borrow).emit(op.i64Add)
    code.set(d[j]!)
    code.get(d[j]!).i64(29n).emit(op.i64ShrS).set(borrow)
    code.get(d[j]!).i64(MASK).emit(op.i64And).set(d[j]!)
  }
  for (let j = 0; j < LIMBS; j++) {
    code.get(d[j]!).i64(P_LIMBS[j]!).emit(op.i64Add)
    if (j > 0) code.get(carry).emit(op.i64Add)
    code.set(e[j]!)
    code.get(e[j]!).i64(29n).emit(op.i64ShrU).set(carry)
    code.get(e[j]!).i64(MASK).emit(op.i64And).set(e[j]!)
  }
  for (let j = 0; j < LIMBS; j++) {
    code.store(out, j * 8, () => {
      code.get(e[j]!).get(d[j]!).get(borrow).i64(0n).emit(op.i64LtS, op.select)
    })
  }
  return code
}

// ---------------------------------------------------------------------------------------------------------------
// Instantiation (synchronous) and the JS face.

type WasmMemory = { buffer: ArrayBuffer; grow(pages: number): number }
type WasmApi = {
  Memory: new (descriptor: { initial: number }) => WasmMemory
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}
type Op3 = (out: number, a: number, b: number) => void

const PAGES = 256 // 16 MiB: room for the fixed-base tables and Poseidon constants
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
const memory = new wasm.Memory({ initial: PAGES })

/** Function indices of the kernel inside every module built by `instantiateKernel`. */
export const KERNEL = { mul: 0, add: 1, sub: 2, square: 3 } as const

/**
 * Compile a module holding the kernel (mul, add, sub at the indices of KERNEL) plus `extra` parameterless
 * functions that call it, all over the shared memory. Calls stay inside one module, so they are cheap.
 */
export function instantiateKernel(
  extra: readonly { name: string; code: Code; pointerParams?: number }[],
): Record<string, unknown> {
  const functions = [
    { name: 'mul', code: buildMul(), params: [I32, I32, I32] },
    { name: 'add', code: buildAdd(), params: [I32, I32, I32] },
    { name: 'sub', code: buildSub(), params: [I32, I32, I32] },
    { name: 'square', code: buildSquare(), params: [I32, I32] },
    ...extra.map(({ name, code, pointerParams }) => ({
      name,
      code,
      params: Array.from({ length: pointerParams ?? 0 }, () => I32),
    })),
  ]
  return instantiateModule(functions)
}

/** Compile `functions` (indices in order) into a module over the shared memory, without the kernel. */
export function instantiateModule(functions: readonly ModuleFunction[]): Record<string, unknown> {
  return new wasm.Instance(new wasm.Module(encodeModule(functions, PAGES)), { env: { memory } }).exports
}

const instance = { exports: instantiateKernel([]) }

/** out = a·b (Montgomery). */
export const mul = instance.exports['mul'] as Op3
/** out = a + b mod r. */
export const add = instance.exports['add'] as Op3
/** out = a − b mod r. */
export const sub = instance.exports['sub'] as Op3
/** out = a². */
export const square = instance.exports['square'] as (out: number, a: number) => void

const view = new BigUint64Array(memory.buffer)
let nextFree = 64 // byte 0..63 reserved

/** Reserve `count` consecutive slots; returns the byte offset of the first. Never freed: allocate at load time. */
export function allocateSlots(count: number): number {
  const offset = nextFree
  nextFree += count * SLOT_BYTES
  if (nextFree > PAGES * 65536) throw new RangeError('wasm field memory exhausted')
  return offset
}

const scratch = allocateSlots(3)
const R2_SLOT = allocateSlots(1)
const ONE_PLAIN_SLOT = allocateSlots(1)
writePlain(R2_SLOT, R2_MOD)
writePlain(ONE_PLAIN_SLOT, 1n)

/** The shared memory as 64-bit words: word i is at byte offset 8·i. */
export const memoryWords = view

/** Write `value` (< 2^261) as 9 limbs into `slot`, as it is: no conversion to Montgomery form. */
export function writeLimbs(slot: number, value: bigint): void {
  writePlain(slot, value)
}

/** The value the 9 limbs in `slot` hold, as they are (any limb size). */
export function readLimbs(slot: number): bigint {
  const base = slot >> 3
  let value = 0n
  for (let j = LIMBS - 1; j >= 0; j--) value = (value << 29n) + view[base + j]!
  return value
}

function writePlain(slot: number, value: bigint): void {
  const base = slot >> 3
  let rest = value
  for (let j = 0; j < LIMBS; j++, rest >>= 29n) view[base + j] = rest & MASK
}

function readPlain(slot: number): bigint {
  const base = slot >> 3
  let value = 0n
  for (let j = LIMBS - 1; j >= 0; j--) value = (value << 29n) | view[base + j]!
  return value
}

/** Write a reduced field element into `slot` in Montgomery form. */
export function store(slot: number, value: bigint): void {
  writePlain(slot, value)
  mul(slot, slot, R2_SLOT)
}

/** Read the field element in `slot` (Montgomery form) as a bigint in [0, r). */
export function load(slot: number): bigint {
  mul(scratch, slot, ONE_PLAIN_SLOT)
  return readPlain(scratch)
}

/** Copy a slot. */
export function copy(out: number, from: number): void {
  view.copyWithin(out >> 3, from >> 3, (from >> 3) + LIMBS)
}

/** Montgomery form of a constant, for writing tables directly (value·R mod r). */
export function toMontgomery(value: bigint): bigint {
  return (value * R_MOD) % FIELD_MODULUS
}

export function isZeroSlot(slot: number): boolean {
  const base = slot >> 3
  for (let j = 0; j < LIMBS; j++) if (view[base + j] !== 0n) return false
  return true
}

export function slotsEqual(a: number, b: number): boolean {
  const baseA = a >> 3
  const baseB = b >> 3
  for (let j = 0; j < LIMBS; j++) if (view[baseA + j] !== view[baseB + j]) return false
  return true
}
