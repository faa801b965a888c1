/**
 * A real Groth16 proof of BatchStateTransition at the `test` size, end to end in TS: the deterministic two-batch
 * scenario (scripts/circuit/batchPipeline.ts) proves and verifies against the dev key, tampered public inputs and
 * proofs fail, and the committed verifier and fixture (scripts/circuit/generateBatchFixtures.ts) are exactly what
 * the current circuit and sdk produce, so a stale artifact fails here before forge uses it.
 *
 * One prove per run (batch 2: oracle update, trade, top-up); batch 1's committed proof is checked by verification.
 */
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  BATCH_FIXTURE_PATH,
  BATCH_SIZES,
  BATCH_VERIFIER_PATH,
  buildBatchScenario,
  createBatchFixture,
  prepareBatchArtifacts,
  proveBatch,
  readCommittedBatchFixture,
  serializeBatchFixture,
  verifyBatchProof,
  type BatchArtifacts,
  type BatchFixture,
  type BatchScenario,
  type ProveBatchReturnType,
} from '../scripts/circuit/batchPipeline.ts'
import { BN254_BASE_MODULUS, decodeSolidityProof } from '../scripts/smoke/membershipPipeline.ts'
import type { Groth16Proof } from '../scripts/smoke/snarkjs.ts'
import { bytesToHex, hexToBytes } from '../sdk/protocol/bytes.ts'
import { encodeRecord, padPubdata } from '../sdk/protocol/pubdata.ts'

let artifacts: BatchArtifacts
let scenario: BatchScenario
let committed: BatchFixture
let fresh: ProveBatchReturnType

beforeAll(async () => {
  artifacts = await prepareBatchArtifacts()
  scenario = buildBatchScenario()
  committed = readCommittedBatchFixture()
  fresh = await proveBatch(artifacts, scenario.batches[1].witness)
  console.info(`batch_test (${artifacts.circuit.constraints} constraints): witness + prove ${fresh.seconds} s`)
}, 900_000)

function negateA(proof: Groth16Proof): Groth16Proof {
  const [x, y, z] = proof.pi_a
  return { ...proof, pi_a: [x, (BN254_BASE_MODULUS - BigInt(y)).toString(), z] }
}

describe('batch proof (test size)', () => {
  it('default: the circuit has one public signal, the commitment, and the fresh proof carries the batch\'s', () => {
    expect(artifacts.circuit.publicInputs).toBe(1)
    expect(fresh.publicSignals).toEqual([scenario.batches[1].witness.result.commitment.toString()])
  })

  it('behavior: the fresh proof of the trade batch verifies in TS', async () => {
    const batch = scenario.batches[1]
    expect(batch.witness.result.records.map((record) => record.type)).toEqual(['oracleUpdate', 'trade', 'deposit', 'noop'])
    expect(batch.witness.result.credit.fees).toBeGreaterThan(0n)
    expect(await verifyBatchProof(artifacts.vkey, batch.witness.result.commitment, fresh.proof)).toBe(true)
  })

  it('error: a tampered public input or proof fails verification', async () => {
    const [first, second] = scenario.batches
    const commitment = second.witness.result.commitment
    expect(await verifyBatchProof(artifacts.vkey, commitment + 1n, fresh.proof)).toBe(false)
    expect(await verifyBatchProof(artifacts.vkey, commitment ^ (1n << 200n), fresh.proof)).toBe(false)
    expect(await verifyBatchProof(artifacts.vkey, first.witness.result.commitment, fresh.proof)).toBe(false)
    expect(await verifyBatchProof(artifacts.vkey, commitment, negateA(fresh.proof))).toBe(false)
  })

  it('behavior: the committed verifier equals a freshly generated one', () => {
    const committedSource = readFileSync(BATCH_VERIFIER_PATH, 'utf8')
    expect(committedSource).toContain('contract BatchVerifierTest {')
    expect(committedSource).toBe(readFileSync(artifacts.setup.verifierPath, 'utf8'))
  })

  it('behavior: the committed fixture is the sdk scenario (sizes, genesis, deposits, headers, pubdata, commitments)', () => {
    // Proofs are randomised: rebuild the fixture around the committed proofs and compare everything else byte for byte.
    const rebuilt = createBatchFixture(scenario, committed.batches.map((batch) => decodeSolidityProof(batch.proof)))
    expect(readFileSync(BATCH_FIXTURE_PATH, 'utf8')).toBe(serializeBatchFixture(rebuilt))
    expect(serializeBatchFixture(committed)).toBe(serializeBatchFixture(rebuilt))
    expect(committed.sizes.batchSlots).toBe(BigInt(BATCH_SIZES.batchSlots))
  })

  it('behavior: each committed proof verifies against the fresh verification key', async () => {
    expect(committed.batches).toHaveLength(2)
    for (const batch of committed.batches) {
      expect(await verifyBatchProof(artifacts.vkey, batch.commitment, decodeSolidityProof(batch.proof))).toBe(true)
    }
  })

  it('behavior: the L1 deposit records are the proven pubdata\'s priority records, and trimmed pubdata pads back', () => {
    const records = scenario.batches.flatMap((batch) => batch.deposits)
    expect(records.map((entry) => entry.call)).toEqual(['depositNewAccount', 'depositNewAccount', 'depositTo'])
    for (const entry of records) expect(bytesToHex(entry.recordBytes)).toBe(bytesToHex(encodeRecord(entry.record)))
    committed.deposits.forEach((deposit, i) => expect(deposit.record).toBe(bytesToHex(records[i]!.recordBytes)))
    for (const batch of committed.batches) {
      expect(bytesToHex(padPubdata(hexToBytes(batch.pubdata), BATCH_SIZES.batchSlots))).toBe(batch.paddedPubdata)
    }
    expect(hexToBytes(committed.batches[1]!.pubdata).length).toBeLessThan(32 * BATCH_SIZES.batchSlots)
  })
})
