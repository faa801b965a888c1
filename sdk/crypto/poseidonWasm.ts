/**
 * Poseidon on the WebAssembly field kernel: the same steps as `poseidonReference.ts` (circomlibjs
 * `poseidon_opt.js`, sparse partial rounds), with the constants for each width written into kernel memory in
 * Montgomery form on first use.
 */
import { FULL_ROUNDS, poseidonConstants } from './poseidonConstants.ts'
import {
  allocateSlots,
  Code,
  copy,
  instantiateKernel,
  KERNEL,
  load,
  MAX_DOT_TERMS,
  SLOT_BYTES,
  store,
} from './wasmField.ts'

const dotIndex = (terms: number) => KERNEL[`dot${terms}` as 'dot2' | 'dot3' | 'dot4' | 'dot5' | 'dot6']

type WidthTables = {
  permute: () => void
  t: number
  partialRounds: number
  C: number
  M: number
  P: number
  S: number
}

const MAX_WIDTH = 17
const tables = new Map<number, WidthTables>()
const stateA = allocateSlots(MAX_WIDTH)
const stateB = allocateSlots(MAX_WIDTH)
const extra = allocateSlots(3)
const zero = allocateSlots(1)
store(zero, 0n)
const writeZero = (slot: number) => copy(slot, zero)

function writeTable(values: readonly bigint[]): number {
  const base = allocateSlots(values.length)
  values.forEach((value, i) => store(base + i * SLOT_BYTES, value))
  return base
}

function tablesFor(inputCount: number): WidthTables {
  const cached = tables.get(inputCount)
  if (cached !== undefined) return cached
  const constants = poseidonConstants(inputCount)
  const layout = {
    t: constants.width,
    partialRounds: constants.partialRounds,
    C: writeTable(constants.C),
    M: writeTable(constants.M.flat()),
    P: writeTable(constants.P.flat()),
    S: writeTable(constants.S),
  }
  const created: WidthTables = { ...layout, permute: buildPermutation(layout) }
  tables.set(inputCount, created)
  return created
}

/**
 * The whole permutation for one width as straight-line WebAssembly: every step is a kernel call on fixed slots
 * (state, constants), so one JS→Wasm crossing per hash. Buffer swaps and the partial-round accumulator are slot
 * renamings done here, at generation time.
 */
function buildPermutation(tablesOfWidth: Omit<WidthTables, 'permute'>): () => void {
  const { t, partialRounds, C, M, P, S } = tablesOfWidth
  const code = new Code(0)
  const slot = (base: number, index: number) => base + index * SLOT_BYTES
  const mulTo = (out: number, a: number, b: number) => code.call3(KERNEL.mul, out, a, b)
  const addTo = (out: number, a: number, b: number) => code.call3(KERNEL.add, out, a, b)
  let state = Array.from({ length: t }, (_, i) => slot(stateA, i))
  let spare = Array.from({ length: t }, (_, i) => slot(stateB, i))
  let accumulator = slot(extra, 0)
  const square = slot(extra, 1)
  const product = slot(extra, 2)
  const pow5 = (s: number) => {
    code.callOperands(KERNEL.square, [square, s])
    code.callOperands(KERNEL.square, [square, square])
    mulTo(s, s, square)
  }
  /** out = Σ pairs, one reduction per chunk of ≤ MAX_DOT_TERMS products. */
  const dotTo = (out: number, pairs: [number, number][]) => {
    for (let start = 0; start < pairs.length; start += MAX_DOT_TERMS) {
      const chunk = pairs.slice(start, start + MAX_DOT_TERMS)
      if (chunk.length === 1 && pairs.length === 1) {
        mulTo(out, chunk[0]![0], chunk[0]![1])
        return
      }
      const target = start === 0 ? out : product
      if (chunk.length === 1) mulTo(target, chunk[0]![0], chunk[0]![1])
      else code.callOperands(dotIndex(chunk.length), [target, ...chunk.flat()])
      if (start > 0) addTo(out, out, product)
    }
  }
  const mix = (matrix: number) => {
    for (let i = 0; i < t; i++) {
      dotTo(
        spare[i]!,
        state.map((value, j): [number, number] => [slot(matrix, j * t + i), value]),
      )
    }
    ;[state, spare] = [spare, state]
  }
  const fullRound = (constantsOffset: number | undefined, matrix: number) => {
    for (let i = 0; i < t; i++) {
      pow5(state[i]!)
      if (constantsOffset !== undefined) addTo(state[i]!, state[i]!, slot(C, constantsOffset + i))
    }
    mix(matrix)
  }
  // The caller has written [0, inputs…] into stateA; add the first round constants.
  for (let i = 0; i < t; i++) addTo(state[i]!, state[i]!, slot(C, i))
  const halfFull = FULL_ROUNDS / 2
  for (let round = 0; round < halfFull - 1; round++) fullRound((round + 1) * t, M)
  fullRound(halfFull * t, P)
  for (let round = 0; round < partialRounds; round++) {
    pow5(state[0]!)
    addTo(state[0]!, state[0]!, slot(C, (halfFull + 1) * t + round))
    const row = (2 * t - 1) * round
    dotTo(
      accumulator,
      state.map((value, j): [number, number] => [slot(S, row + j), value]),
    )
    for (let k = 1; k < t; k++) {
      mulTo(product, state[0]!, slot(S, row + t + k - 1))
      addTo(state[k]!, state[k]!, product)
    }
    ;[state[0], accumulator] = [accumulator, state[0]!]
  }
  const lastConstants = (halfFull + 1) * t + partialRounds
  for (let round = 0; round < halfFull - 1; round++) fullRound(lastConstants + round * t, M)
  fullRound(undefined, M)
  // Leave the output where the caller reads it.
  if (state[0] !== slot(stateA, 0)) addTo(slot(stateA, 0), state[0]!, zero)
  return instantiateKernel([{ name: 'permute', code }])['permute'] as () => void
}

/** Inputs must be 1..16 reduced field elements (checked by `poseidon`). */
export function poseidonWasm(inputs: readonly bigint[]): bigint {
  const { t, permute } = tablesFor(inputs.length)
  writeZero(stateA)
  for (let i = 1; i < t; i++) store(stateA + i * SLOT_BYTES, inputs[i - 1]!)
  permute()
  return load(stateA)
}
