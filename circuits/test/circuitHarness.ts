/**
 * Test helper for circuits: compile a template through `buildCircuit` (content-hash cache), compute a witness with
 * snarkjs, check it against the r1cs, and edit it. A prover controls every witness value, so soundness tests edit
 * the witness (not only the input) and expect the constraint check to fail.
 *
 * `accepts(input)` is false when the witness calculator's own assertions fail (circom checks `===` while computing)
 * or when the computed witness does not satisfy the r1cs.
 */
import { buildCircuit, type BuiltCircuit, type CircuitSpec } from '../../scripts/circuit/buildCircuit.ts'
import { loadSnarkjs, type MemoryFile, type Snarkjs } from '../../scripts/smoke/snarkjs.ts'
import { editWitnessValues, findWitnessIndex, readWitnessValues } from '../../scripts/smoke/witnessFile.ts'

export type CircuitInput = Record<string, unknown>

export type TestCircuit = {
  readonly built: BuiltCircuit
  calculateWitness(input: CircuitInput): Promise<Uint8Array>
  satisfies(witness: Uint8Array): Promise<boolean>
  accepts(input: CircuitInput): Promise<boolean>
  /** The value of the one signal whose .sym name matches `pattern`. */
  read(witness: Uint8Array, pattern: RegExp): bigint
  /** A copy of the witness with the signals matching each pattern set to the value (field element). */
  edit(witness: Uint8Array, edits: readonly (readonly [RegExp, bigint])[]): Uint8Array
}

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} }

/** Field elements (bigint, negative allowed) as decimal strings, recursively, as snarkjs takes them. */
export function toCircuitInput(value: unknown): unknown {
  if (typeof value === 'bigint') return (((value % BN254_R) + BN254_R) % BN254_R).toString()
  if (typeof value === 'number') return value.toString()
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (Array.isArray(value)) return value.map(toCircuitInput)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toCircuitInput(item)]))
  }
  return value
}

export const BN254_R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n

export async function loadTestCircuit(spec: CircuitSpec): Promise<TestCircuit> {
  const snarkjs: Snarkjs = await loadSnarkjs()
  const built = await buildCircuit(spec, { log: () => {} })
  const calculateWitness = async (input: CircuitInput): Promise<Uint8Array> => {
    const witness: MemoryFile = { type: 'mem' }
    await snarkjs.wtns.calculate(toCircuitInput(input) as CircuitInput, built.wasmPath, witness)
    if (witness.data === undefined) throw new Error('snarkjs wrote no witness')
    return witness.data
  }
  const satisfies = (witness: Uint8Array): Promise<boolean> => snarkjs.wtns.check(built.r1csPath, { type: 'mem', data: witness }, silent)
  return {
    built,
    calculateWitness,
    satisfies,
    async accepts(input) {
      let witness: Uint8Array
      try {
        witness = await calculateWitness(input)
      } catch {
        return false
      }
      return satisfies(witness)
    },
    read(witness, pattern) {
      const values = readWitnessValues(witness)
      return values[findWitnessIndex(built.symPath, pattern)]!
    },
    edit(witness, edits) {
      return editWitnessValues(
        witness,
        edits.map(([pattern, value]) => [findWitnessIndex(built.symPath, pattern), ((value % BN254_R) + BN254_R) % BN254_R] as const),
      )
    },
  }
}

/** A spec for a library template compiled on its own (gadget tests). */
export function gadgetSpec(template: string, params: readonly number[], publicSignals: readonly string[] = []): CircuitSpec {
  return {
    name: `gadget-${template}-${params.join('-') || 'none'}`,
    file: `circuits/lib/${template}.circom`,
    template,
    params,
    publicSignals,
    optimization: 'O2',
  }
}
