/**
 * Regenerates the committed artifacts of the real batch proof from the circuit source and the sdk:
 *   contracts/src/verifiers/BatchVerifierTest.sol  (the snarkjs verifier of the `test` batch circuit's dev setup)
 *   contracts/test/fixtures/batchTest.json         (the two-batch scenario: genesis, L1 deposit calls, headers,
 *                                                   trimmed pubdata, commitments and fresh proofs)
 *
 *   tsx scripts/circuit/generateBatchFixtures.ts
 *
 * Never hand-edit either file. circuits/batchProof.test.ts fails when the committed verifier differs from a fresh
 * one, the committed scenario differs from the sdk's, or a committed proof does not verify against the fresh key.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  BATCH_FIXTURE_PATH,
  BATCH_VERIFIER_PATH,
  buildBatchScenario,
  createBatchFixture,
  prepareBatchArtifacts,
  proveBatch,
  serializeBatchFixture,
  verifyBatchProof,
} from './batchPipeline.ts'
import type { Groth16Proof } from '../smoke/snarkjs.ts'

async function main(): Promise<void> {
  const artifacts = await prepareBatchArtifacts({ log: (line) => console.log(line) })
  console.info(`circuit ${artifacts.circuit.spec.name}: ${artifacts.circuit.constraints} constraints (${artifacts.circuit.cached ? 'cached' : `compiled in ${artifacts.circuit.seconds} s`}); setup ${artifacts.setup.cached ? 'cached' : `${artifacts.setup.seconds} s`}`)
  const scenario = buildBatchScenario()
  const proofs: Groth16Proof[] = []
  for (const batch of scenario.batches) {
    const { proof, seconds } = await proveBatch(artifacts, batch.witness)
    const started = performance.now()
    const valid = await verifyBatchProof(artifacts.vkey, batch.witness.result.commitment, proof)
    const verifySeconds = Math.round(performance.now() - started) / 1000
    if (!valid) throw new Error(`fresh proof of batch ${batch.batchNumber} does not verify`)
    console.info(`batch ${batch.batchNumber}: witness + prove ${seconds} s, verify ${verifySeconds} s`)
    proofs.push(proof)
  }

  mkdirSync(dirname(BATCH_VERIFIER_PATH), { recursive: true })
  mkdirSync(dirname(BATCH_FIXTURE_PATH), { recursive: true })
  writeFileSync(BATCH_VERIFIER_PATH, readFileSync(artifacts.setup.verifierPath))
  writeFileSync(BATCH_FIXTURE_PATH, serializeBatchFixture(createBatchFixture(scenario, proofs)))
  console.info(`wrote ${BATCH_VERIFIER_PATH}\nwrote ${BATCH_FIXTURE_PATH}`)
}

await main()
process.exit(0)
