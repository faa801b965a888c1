/**
 * Differential test of the batch circuit against the state machine (test size): seeded random batches mixing every
 * tx type (circuits/test/randomBatches.ts) are accepted by the circuit with the state machine's new root and
 * commitment, and every candidate the state machine refused is refused by the witness builder before any proving.
 * The seed is fixed so the run (and the tx types it covers: all of them with seed 4) is the same on every machine.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { TX_TYPE_CODE } from '../sdk/protocol/types.ts'
import { circuitConfigs } from './configs.ts'
import { loadTestCircuit, type TestCircuit } from './test/circuitHarness.ts'
import { RandomBatches } from './test/randomBatches.ts'
import { BatchTxRejectedError, buildBatchWitness } from './witness/batchWitness.ts'
import { testContext } from '../sdk/state/testFixtures.ts'

const SEED = 4
const BATCHES = 14

let circuit: TestCircuit

beforeAll(async () => {
  circuit = await loadTestCircuit(circuitConfigs.test!)
}, 900_000)

describe('BatchStateTransition: random batches against the state machine', () => {
  it('behavior: every random batch proves with the state machine\'s roots and commitment; every refused tx is refused before proving', async () => {
    const batches = new RandomBatches(SEED)
    const proven = new Map<string, number>()
    let refusedChecked = 0
    for (let n = 0; n < BATCHES; n++) {
      const before = batches.state
      const { witness, refused } = batches.next()
      const computed = await circuit.calculateWitness(witness.input)
      expect(await circuit.satisfies(computed)).toBe(true)
      expect(circuit.read(computed, /^main\.commitment$/)).toBe(witness.result.commitment)
      for (const record of witness.result.records) proven.set(record.type, (proven.get(record.type) ?? 0) + 1)
      for (const tx of refused.slice(0, 3)) {
        expect(() => buildBatchWitness(before, [tx], testContext(witness.result.batchTimestamp))).toThrow(BatchTxRejectedError)
        refusedChecked++
      }
    }
    console.log(`[fuzz] ${BATCHES} random batches proven: ${JSON.stringify(Object.fromEntries(proven))}; ${refusedChecked} refused txs checked`)
    // The seed covers every record type but padding.
    const types = Object.keys(TX_TYPE_CODE).filter((type) => type !== 'noop')
    expect(types.filter((type) => !proven.has(type))).toEqual([])
    expect(refusedChecked).toBeGreaterThan(10)
  }, 900_000)
})
