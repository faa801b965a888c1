/**
 * Poseidon on generated WebAssembly: the same steps as `poseidonReference.ts` (circomlibjs `poseidon_opt.js`,
 * sparse partial rounds). One module per width, built on first use, holds three step functions written with
 * `montgomeryEmitter.ts` (lazy reductions, additions folded into the multiplications):
 *
 * - `sbox(out, x, c)`: x⁵ + c;
 * - `mulAdd(out, x, c, e)`: x·c + e, the column update of a partial round;
 * - `dot(out, x₀, c₀, …)`: Σ xᵢ·cᵢ over the width, a row of a matrix;
 *
 * and `permute()`, straight-line calls on fixed slots (buffer swaps are slot renamings done here). It reads the
 * inputs from the I/O area as 4 little-endian 64-bit words each and writes the canonical hash back the same way,
 * so JS pays one call and a few bigint shifts per hash. Bounds on every intermediate value are tracked while
 * generating, so the lazy reductions cannot overflow.
 */
import { FIELD_MODULUS } from './field.ts'
import { type FieldConstant, type FieldLocals, MontgomeryEmitter, montgomeryBound } from './montgomeryEmitter.ts'
import { FULL_ROUNDS, MAX_INPUTS, poseidonConstants } from './poseidonConstants.ts'
import { Code, I32, I64, op } from './wasmAssembler.ts'
import {
  allocateSlots,
  instantiateModule,
  LIMB_BITS,
  LIMBS,
  memoryWords,
  SLOT_BYTES,
  toMontgomery,
  writeLimbs,
} from './wasmField.ts'

const BITS = BigInt(LIMB_BITS)
const MASK = (1n << BITS) - 1n
const R = 1n << (BITS * BigInt(LIMBS))
const WORD_BYTES = 8
const ELEMENT_WORDS = 4
const io = allocateSlots(Math.ceil((MAX_INPUTS * ELEMENT_WORDS * WORD_BYTES) / SLOT_BYTES))
const fieldConstants = allocateSlots(3)
const R2_SLOT = fieldConstants
const ONE_SLOT = fieldConstants + SLOT_BYTES
const ZERO_SLOT = fieldConstants + 2 * SLOT_BYTES
writeLimbs(R2_SLOT, (R * R) % FIELD_MODULUS)
writeLimbs(ONE_SLOT, 1n)
writeLimbs(ZERO_SLOT, 0n)

function writeTable(values: readonly bigint[]): number {
  const base = allocateSlots(values.length)
  values.forEach((value, i) => writeLimbs(base + i * SLOT_BYTES, toMontgomery(value)))
  return base
}

type WidthLayout = {
  t: number
  partialRounds: number
  C: number
  M: number
  P: number
  S: number
}

const permutations = new Map<number, () => void>()

/** The permutation for `inputCount` inputs (1..16), compiled on first use: reads and writes the I/O area. */
export function poseidonPermutation(inputCount: number): () => void {
  let permute = permutations.get(inputCount)
  if (permute === undefined) {
    const constants = poseidonConstants(inputCount)
    permute = buildModule({
      t: constants.width,
      partialRounds: constants.partialRounds,
      C: writeTable(constants.C),
      M: writeTable(constants.M.flat()),
      P: writeTable(constants.P.flat()),
      S: writeTable(constants.S),
    })
    permutations.set(inputCount, permute)
  }
  return permute
}

const slot = (base: number, index: number) => base + index * SLOT_BYTES

// One small function per step, each a single chain of dependent reductions: inlined into one body, independent
// reductions get interleaved by V8's optimizing compiler, which then spills most limbs and runs slower than the
// calls do (measured: a permutation inlined whole ran several times slower than these calls).

/** Declared bound on every variable operand of the step functions; call sites check theirs against it. */
const OPERAND_BOUND = 1n << 260n
const operand = (field: MontgomeryEmitter, parameter: number) => field.loadSlot(parameter, 0, OPERAND_BOUND)
const constantAt = (parameter: number): FieldConstant => ({ pointer: parameter, offset: 0 })
/** A variable operand left in memory for `reduce` to load. */
const operandAt = (parameter: number): FieldConstant => ({ pointer: parameter, offset: 0, bound: OPERAND_BOUND })

/** sbox(out, x, c): out = x⁵ + c. */
function buildSbox(): Code {
  const code = new Code(3)
  const field = new MontgomeryEmitter(code)
  const x = operand(field, 1)
  const x4 = field.square(field.square(x))
  field.storeSlot(0, 0, field.multiply(x4, x, [constantAt(2)]))
  return code
}

/** mulAdd(out, x, c, e): out = x·c + e. */
function buildMulAdd(): Code {
  const code = new Code(4)
  const field = new MontgomeryEmitter(code)
  const x = operand(field, 1)
  const e = operand(field, 3)
  field.storeSlot(0, 0, field.multiply(x, constantAt(2), [e]))
  return code
}

/** dot(out, x₀, c₀, x₁, c₁, …): out = Σ xᵢ·cᵢ over `terms` pairs. */
function buildDot(terms: number): Code {
  const code = new Code(1 + 2 * terms)
  const field = new MontgomeryEmitter(code)
  const products = Array.from({ length: terms }, (_, i) => [operandAt(1 + 2 * i), constantAt(2 + 2 * i)] as const)
  field.storeSlot(0, 0, field.reduce(products))
  return code
}

const STEP = { sbox: 0, mulAdd: 1, dot: 2 } as const

/** Limbs of the 256-bit little-endian words at pointer + offset. */
function emitWordsToLimbs(code: Code, pointer: number, offset: number): FieldLocals {
  const limbs = Array.from({ length: LIMBS }, (_, i) => {
    const low = i * LIMB_BITS
    const word = Math.floor(low / 64)
    const shift = low - word * 64
    code.load(pointer, offset + word * WORD_BYTES).i64(BigInt(shift)).emit(op.i64ShrU)
    if (shift + LIMB_BITS > 64 && word + 1 < ELEMENT_WORDS) {
      code.load(pointer, offset + (word + 1) * WORD_BYTES).i64(BigInt(64 - shift)).emit(op.i64Shl, op.i64Or)
    }
    if (i < LIMBS - 1) code.i64(MASK).emit(op.i64And)
    const local = code.local(I64)
    code.set(local)
    return local
  })
  return { limbs, bound: (1n << 256n) - 1n }
}

/** Store a canonical value (< 2^256, limbs of 29 bits) as 4 little-endian words at pointer + offset. */
function emitLimbsToWords(code: Code, value: FieldLocals, pointer: number, offset: number): void {
  for (let word = 0; word < ELEMENT_WORDS; word++) {
    code.store(pointer, offset + word * WORD_BYTES, () => {
      let first = true
      for (let i = 0; i < LIMBS; i++) {
        const low = i * LIMB_BITS - word * 64
        if (low + LIMB_BITS <= 0 || low >= 64) continue
        code.get(value.limbs[i]!)
        if (low > 0) code.i64(BigInt(low)).emit(op.i64Shl)
        else if (low < 0) code.i64(BigInt(-low)).emit(op.i64ShrU)
        if (!first) code.emit(op.i64Or)
        first = false
      }
    })
  }
}

/** value − r if value ≥ r (value ≤ r, limbs of 29 bits), as fresh locals. */
function emitSubtractModulusIfAbove(code: Code, value: FieldLocals): FieldLocals {
  const difference = value.limbs.map(() => code.local(I64))
  const borrow = code.local(I64)
  for (let j = 0; j < LIMBS; j++) {
    code.get(value.limbs[j]!).i64((FIELD_MODULUS >> (BITS * BigInt(j))) & MASK).emit(op.i64Sub)
    if (j > 0) code.get(borrow).emit(op.i64Add)
    code.set(difference[j]!)
    code.get(difference[j]!).i64(BITS).emit(op.i64ShrS).set(borrow)
    code.get(difference[j]!).i64(MASK).emit(op.i64And).set(difference[j]!)
  }
  const limbs = value.limbs.map((limb, j) => {
    const local = code.local(I64)
    code.get(limb).get(difference[j]!).get(borrow).i64(0n).emit(op.i64LtS, op.select).set(local)
    return local
  })
  return { limbs, bound: FIELD_MODULUS - 1n }
}

/** Generation-time bookkeeping of the state: which slot holds each word and a bound on its value. */
type Word = { slot: number; bound: bigint }

function checkOperand(word: Word): Word {
  if (word.bound > OPERAND_BOUND) throw new RangeError(`poseidon operand bound ${word.bound} above 2^260`)
  return word
}

function buildModule(layout: WidthLayout): () => void {
  const { t, partialRounds, C, M, P, S } = layout
  const p = FIELD_MODULUS
  const code = new Code(0)
  const field = new MontgomeryEmitter(code)
  const [absolute, inputs] = [0, 1].map(() => code.local(I32)) as [number, number]
  code.i32(0).set(absolute).i32(io).set(inputs)
  const at = (address: number): FieldConstant => ({ pointer: absolute, offset: address })
  const call = (step: number, ...addresses: number[]) => {
    for (const address of addresses) code.i32(address)
    code.emit(op.call, step)
  }
  // Two banks of t slots plus one: the mix writes the other bank, then the banks swap roles.
  const pool = allocateSlots(2 * t + 1)
  let words: Word[] = Array.from({ length: t }, (_, i) => ({ slot: slot(pool, i), bound: 0n }))
  let spare = Array.from({ length: t }, (_, i) => slot(pool, t + i))
  let extra = slot(pool, 2 * t)

  // state = [0, inputs…] + C[0..t): word 0 is C[0] itself; an input enters Montgomery form as input·R²/R with
  // its constant folded into that multiplication.
  for (let j = 0; j < LIMBS; j++) code.store(absolute, words[0]!.slot + j * 8, () => code.load(absolute, C + j * 8))
  words[0]!.bound = p - 1n
  for (let i = 1; i < t; i++) {
    const input = emitWordsToLimbs(code, inputs, (i - 1) * ELEMENT_WORDS * WORD_BYTES)
    const word = field.multiply(input, { ...at(R2_SLOT), bound: p - 1n }, [at(slot(C, i))])
    field.storeSlot(absolute, words[i]!.slot, word)
    words[i]!.bound = word.bound
  }

  const sbox = (word: Word, constant: number): bigint => {
    const x = checkOperand(word).bound
    const x2 = montgomeryBound([x * x], [])
    const x4 = montgomeryBound([x2 * x2], [])
    call(STEP.sbox, word.slot, word.slot, constant)
    return montgomeryBound([x4 * x], [p - 1n])
  }
  const fullRound = (constants: number | undefined, matrix: number) => {
    words.forEach((word, i) => {
      word.bound = sbox(word, constants === undefined ? ZERO_SLOT : slot(C, constants + i))
    })
    const mixed = spare.map((target, i) => {
      call(STEP.dot, target, ...words.flatMap((word, j) => [checkOperand(word).slot, slot(matrix, j * t + i)]))
      return { slot: target, bound: montgomeryBound(words.map((word) => word.bound * (p - 1n)), []) }
    })
    spare = words.map((word) => word.slot)
    words = mixed
  }
  const half = FULL_ROUNDS / 2
  for (let round = 0; round < half - 1; round++) fullRound((round + 1) * t, M)
  fullRound(half * t, P)
  for (let round = 0; round < partialRounds; round++) {
    const first = words[0]!
    first.bound = sbox(first, slot(C, (half + 1) * t + round))
    const row = (2 * t - 1) * round
    // new word 0 = row · state (reads the words before the column update below)
    call(STEP.dot, extra, ...words.flatMap((word, j) => [checkOperand(word).slot, slot(S, row + j)]))
    const next = { slot: extra, bound: montgomeryBound(words.map((word) => word.bound * (p - 1n)), []) }
    for (let k = 1; k < t; k++) {
      const word = checkOperand(words[k]!)
      call(STEP.mulAdd, word.slot, first.slot, slot(S, row + t + k - 1), word.slot)
      word.bound = montgomeryBound([first.bound * (p - 1n)], [word.bound])
    }
    extra = first.slot
    words[0] = next
  }
  const lastConstants = (half + 1) * t + partialRounds
  for (let round = 0; round < half - 1; round++) fullRound(lastConstants + round * t, M)
  fullRound(undefined, M)

  // Out of Montgomery form (·1 / R) lands in [0, r]; one conditional subtraction makes it canonical.
  const result = field.multiply(field.loadSlot(absolute, words[0]!.slot, words[0]!.bound), { ...at(ONE_SLOT), bound: 1n })
  if (result.bound > p) throw new RangeError('poseidon output bound above r')
  emitLimbsToWords(code, emitSubtractModulusIfAbove(code, result), inputs, 0)

  const exports = instantiateModule([
    { name: 'sbox', code: buildSbox(), params: [I32, I32, I32] },
    { name: 'mulAdd', code: buildMulAdd(), params: [I32, I32, I32, I32] },
    { name: 'dot', code: buildDot(t), params: new Array<number>(1 + 2 * t).fill(I32) },
    { name: 'permute', code, params: [] },
  ])
  return exports['permute'] as () => void
}

const words = memoryWords
const ioWord = io / WORD_BYTES

/** Inputs must be 1..16 field elements (checked by `poseidon`). */
export function poseidonWasm(inputs: readonly bigint[]): bigint {
  const permute = poseidonPermutation(inputs.length)
  for (let i = 0, w = ioWord; i < inputs.length; i++, w += ELEMENT_WORDS) {
    const value = inputs[i]!
    words[w] = BigInt.asUintN(64, value)
    words[w + 1] = BigInt.asUintN(64, value >> 64n)
    words[w + 2] = BigInt.asUintN(64, value >> 128n)
    words[w + 3] = value >> 192n
  }
  permute()
  return (words[ioWord + 3]! << 192n) | (words[ioWord + 2]! << 128n) | (words[ioWord + 1]! << 64n) | words[ioWord]!
}
