import { describe, expect, it } from 'vitest'
import { FIELD_MODULUS as p } from './field.ts'
import { type FieldConstant, type FieldLocals, MontgomeryEmitter, montgomeryBound } from './montgomeryEmitter.ts'
import { randomFieldElements } from './testRandom.ts'
import { Code, I32 } from './wasmAssembler.ts'
import { allocateSlots, instantiateModule, readLimbs, SLOT_BYTES, writeLimbs } from './wasmField.ts'

const R = 1n << 261n
/** R⁻¹ mod p: 2^−261 */
const R_INVERSE = (() => {
  let [a, m, x0, x1] = [R % p, p, 0n, 1n]
  while (a > 1n) {
    const quotient = a / m
    ;[a, m] = [m, a - quotient * m]
    ;[x0, x1] = [x1 - quotient * x0, x0]
  }
  return ((x1 % p) + p) % p
})()

/** The largest values the Poseidon step functions accept: every limb of a variable full. */
const VARIABLE_BOUND = 1n << 260n
const OPERANDS = 8
const base = allocateSlots(OPERANDS + 4)
const operandSlot = (i: number) => base + i * SLOT_BYTES
const outSlot = (i: number) => base + (OPERANDS + i) * SLOT_BYTES

/**
 * One function over the operands in memory (variables 0..3 below 2^260, constants 4..7 below r) computing:
 * out0 = v0·v1, out1 = v0² + v2, out2 = Σ v_i·c_i + v3 + c7 over 8 products (more than one reduction holds),
 * out3 = v1·c4 + v3.
 */
function buildExercise(): { run: () => void; bounds: bigint[] } {
  const code = new Code(1)
  const field = new MontgomeryEmitter(code)
  const variables: FieldLocals[] = [0, 1, 2, 3].map((i) => field.loadSlot(0, i * SLOT_BYTES, VARIABLE_BOUND - 1n))
  const constants: FieldConstant[] = [4, 5, 6, 7].map((i) => ({ pointer: 0, offset: i * SLOT_BYTES }))
  const [v0, v1, v2, v3] = variables as [FieldLocals, FieldLocals, FieldLocals, FieldLocals]
  const out0 = field.multiply(v0, v1)
  const out1 = field.square(v0, [v2])
  const products = [...variables, ...variables].map((v, i) => [v, constants[i % 4]!] as const)
  const out2 = field.reduce(products, [v3, constants[3]!])
  const out3 = field.multiply(v1, constants[0]!, [v3])
  const outs = [out0, out1, out2, out3]
  outs.forEach((value, i) => field.storeSlot(0, (OPERANDS + i) * SLOT_BYTES, value))
  const run = instantiateModule([{ name: 'run', code, params: [I32] }])['run'] as (pointer: number) => void
  return { run: () => run(base), bounds: outs.map((value) => value.bound) }
}

const exercise = buildExercise()

function check(variables: readonly bigint[], constants: readonly bigint[]): void {
  variables.forEach((value, i) => writeLimbs(operandSlot(i), value))
  constants.forEach((value, i) => writeLimbs(operandSlot(4 + i), value))
  exercise.run()
  const [v0, v1, v2, v3] = variables as [bigint, bigint, bigint, bigint]
  const [c0] = constants as [bigint]
  let dot = 0n
  for (let i = 0; i < 8; i++) dot += variables[i % 4]! * constants[i % 4]!
  const expected = [
    (v0 * v1 * R_INVERSE) % p,
    (v0 * v0 * R_INVERSE + v2) % p,
    (dot * R_INVERSE + v3 + constants[3]!) % p,
    (v1 * c0 * R_INVERSE + v3) % p,
  ]
  expected.forEach((value, i) => {
    const got = readLimbs(outSlot(i))
    expect(got % p, `output ${i}`).toBe(value)
    expect(got).toBeLessThanOrEqual(exercise.bounds[i]!)
  })
}

describe('MontgomeryEmitter', () => {
  it('default: products, squares, dots and folded additions equal bigint arithmetic', () => {
    const values = randomFieldElements(8 * 500, 'montgomery-emitter')
    for (let i = 0; i < values.length; i += 8) {
      // variables anywhere below 2^260 (lazy reductions leave values above r), constants below r
      const variables = values.slice(i, i + 4).map((value, j) => (value * (1n << BigInt(j + 3))) % VARIABLE_BOUND)
      check(variables, values.slice(i + 4, i + 8))
    }
  })

  it('behavior: the largest operands stay exact (worst-case column sums)', () => {
    const top = VARIABLE_BOUND - 1n
    check([top, top, top, top], [p - 1n, p - 1n, p - 1n, p - 1n])
    check([0n, 0n, 0n, 0n], [0n, 0n, 0n, 0n])
    check([top, 0n, 1n, top], [1n, p - 1n, 0n, p - 1n])
  })

  it('error: a result that might not fit 9 limbs is refused while generating', () => {
    expect(() => montgomeryBound([R * R], [])).toThrow(RangeError)
    expect(() => montgomeryBound([], [R])).toThrow(RangeError)
    const field = new MontgomeryEmitter(new Code(1))
    const huge = field.loadSlot(0, 0, R - 1n)
    expect(() => field.square(huge)).toThrow(RangeError)
  })
})
