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

export const LIMBS = 9
export const LIMB_BITS = 29
export const SLOT_BYTES = LIMBS * 8
const MASK = (1n << 29n) - 1n
const R_BITS = BigInt(LIMBS * LIMB_BITS)
const R = 1n << R_BITS
const R_MOD = R % FIELD_MODULUS
const R2_MOD = (R * R) % FIELD_MODULUS

// ---------------------------------------------------------------------------------------------------------------
// A minimal WebAssembly binary emitter: just what the field kernel needs.

function uleb(value: number | bigint): number[] {
  let rest = BigInt(value)
  const out: number[] = []
  do {
    let byte = Number(rest & 0x7fn)
    rest >>= 7n
    if (rest !== 0n) byte |= 0x80
    out.push(byte)
  } while (rest !== 0n)
  return out
}

function sleb(value: number | bigint): number[] {
  let rest = BigInt(value)
  const out: number[] = []
  for (;;) {
    const byte = Number(rest & 0x7fn)
    rest >>= 7n
    const signBit = (byte & 0x40) !== 0
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

const I32 = 0x7f
const I64 = 0x7e
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  call: 0x10,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i64Load: 0x29,
  i64Store: 0x37,
  i32Const: 0x41,
  i64Const: 0x42,
  i64Eqz: 0x50,
  i64LtS: 0x53,
  i32Add: 0x6a,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64And: 0x83,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
} as const

/** An absolute address, or [parameter index, byte offset] for an address relative to a pointer parameter. */
export type Operand = number | readonly [number, number]

/** Function body builder over numbered locals (parameters first). */
export class Code {
  readonly bytes: number[] = []
  private readonly extraLocals: number[] = []
  constructor(private readonly paramCount: number) {}
  local(type: number): number {
    this.extraLocals.push(type)
    return this.paramCount + this.extraLocals.length - 1
  }
  get(index: number): this {
    this.bytes.push(op.localGet, ...uleb(index))
    return this
  }
  set(index: number): this {
    this.bytes.push(op.localSet, ...uleb(index))
    return this
  }
  i64(value: bigint): this {
    this.bytes.push(op.i64Const, ...sleb(value))
    return this
  }
  i32(value: number): this {
    this.bytes.push(op.i32Const, ...sleb(value))
    return this
  }
  load(pointer: number, offset: number): this {
    this.get(pointer)
    this.bytes.push(op.i64Load, 3, ...uleb(offset))
    return this
  }
  /** Store the value computed by `value` at pointer + offset. */
  store(pointer: number, offset: number, value: () => void): this {
    this.get(pointer)
    value()
    this.bytes.push(op.i64Store, 3, ...uleb(offset))
    return this
  }
  /** call function `index` with three i32 immediates (out, a, b): the shape of every kernel operation. */
  call3(index: number, out: number, a: number, b: number): this {
    this.i32(out).i32(a).i32(b)
    this.bytes.push(op.call, ...uleb(index))
    return this
  }
  /**
   * call function `index` with three i32 operands, each either an absolute address or (param, byte offset):
   * the address in parameter `param` plus `offset`.
   */
  callOperands(index: number, operands: readonly Operand[]): this {
    for (const operand of operands) {
      if (typeof operand === 'number') this.i32(operand)
      else {
        this.get(operand[0])
        if (operand[1] !== 0) this.i32(operand[1]).emit(op.i32Add)
      }
    }
    this.bytes.push(op.call, ...uleb(index))
    return this
  }
  emit(...opcodes: number[]): this {
    this.bytes.push(...opcodes)
    return this
  }
  encode(): number[] {
    const groups: number[] = []
    let count = 0
    for (let i = 0; i < this.extraLocals.length; i++) {
      if (i > 0 && this.extraLocals[i] === this.extraLocals[i - 1]) {
        groups[groups.length - 2]! += 1
        continue
      }
      groups.push(1, this.extraLocals[i]!)
      count++
    }
    const compressed: number[] = []
    for (let i = 0; i < groups.length; i += 2) compressed.push(...uleb(groups[i]!), groups[i + 1]!)
    const body = [...uleb(count), ...compressed, ...this.bytes, op.end]
    return [...uleb(body.length), ...body]
  }
}

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
 * Separated Montgomery: the full product (or a sum of products) is accumulated in 18 lazy columns first, then
 * reduced once. Column k holds at most 9·terms + 9 products below 2^58, so up to 6 terms fit in an i64 (63 · 2^58
 * < 2^64), and the result stays below r · (1 + 6r/R) < 2r, so one conditional subtraction finishes it.
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

/** out = Σ_k a_k·b_k for `terms` pairs (parameters: out, a_0, b_0, a_1, b_1, …), one reduction. */
function buildDot(terms: number): Code {
  const code = new Code(1 + 2 * terms)
  const c = Array.from({ length: 2 * LIMBS }, () => code.local(I64))
  const al = Array.from({ length: LIMBS }, () => code.local(I64))
  const bl = Array.from({ length: LIMBS }, () => code.local(I64))
  const started = new Array<boolean>(2 * LIMBS).fill(false)
  for (let k = 0; k < terms; k++) {
    for (let j = 0; j < LIMBS; j++) code.load(1 + 2 * k, j * 8).set(al[j]!)
    for (let j = 0; j < LIMBS; j++) code.load(2 + 2 * k, j * 8).set(bl[j]!)
    for (let i = 0; i < LIMBS; i++) {
      for (let j = 0; j < LIMBS; j++) {
        if (started[i + j]) code.get(c[i + j]!).get(al[i]!).get(bl[j]!).emit(op.i64Mul, op.i64Add)
        else code.get(al[i]!).get(bl[j]!).emit(op.i64Mul)
        code.set(c[i + j]!)
        started[i + j] = true
      }
    }
  }
  code.i64(0n).set(c[2 * LIMBS - 1]!)
  emitReduceColumns(code, 0, c)
  return code
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

type Section = [id: number, content: number[]]

function encodeModule(functions: { name: string; code: Code; params: number[] }[], pages: number): Uint8Array {
  const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()]
  const name = (text: string) => [...uleb(text.length), ...new TextEncoder().encode(text)]
  const types = functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params, 0])
  const sections: Section[] = [
    [1, vector(types)],
    [2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(pages)]])],
    [3, vector(functions.map((_, i) => uleb(i)))],
    [7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))],
    [10, vector(functions.map((f) => f.code.encode()))],
  ]
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
  for (const [id, content] of sections) bytes.push(id, ...uleb(content.length), ...content)
  return Uint8Array.from(bytes)
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
export const KERNEL = { mul: 0, add: 1, sub: 2, square: 3, dot2: 4, dot3: 5, dot4: 6, dot5: 7, dot6: 8 } as const
/** The widest `dot`: more terms would overflow the lazy columns. */
export const MAX_DOT_TERMS = 6

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
    ...[2, 3, 4, 5, 6].map((terms) => ({
      name: `dot${terms}`,
      code: buildDot(terms),
      params: Array.from({ length: 1 + 2 * terms }, () => I32),
    })),
    ...extra.map(({ name, code, pointerParams }) => ({
      name,
      code,
      params: Array.from({ length: pointerParams ?? 0 }, () => I32),
    })),
  ]
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
/** out = Σ a_k·b_k over 2..6 pairs: `dot(out, a0, b0, a1, b1, …)`. */
export function dot(out: number, ...pairs: number[]): void {
  ;(instance.exports[`dot${pairs.length / 2}`] as (...pointers: number[]) => void)(out, ...pairs)
}

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
