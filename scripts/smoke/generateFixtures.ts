/**
 * Regenerates the smoke path's committed artifacts from the circuit source:
 *   contracts/src/verifiers/MembershipVerifier.sol  (the snarkjs verifier of the deterministic dev setup)
 *   contracts/test/fixtures/membership.json          (a fresh proof of the test vector, plus tampered variants)
 *
 *   tsx scripts/smoke/generateFixtures.ts
 *
 * Never hand-edit either file. The smoke tests fail when the committed verifier differs from a fresh one or the
 * committed proof does not verify against the fresh verification key.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { createMembershipVector } from '../../circuits/smoke/membershipCircuit.ts'
import {
  MEMBERSHIP_FIXTURE_PATH,
  MEMBERSHIP_VERIFIER_PATH,
  createMembershipFixture,
  prepareMembershipArtifacts,
  proveMembership,
  serializeMembershipFixture,
} from './membershipPipeline.ts'
import { loadSnarkjs } from './snarkjs.ts'

async function main(): Promise<void> {
  const artifacts = await prepareMembershipArtifacts({ log: (line) => console.log(line) })
  const vector = createMembershipVector()
  const { proof, publicSignals } = await proveMembership(artifacts, vector.input)
  const snarkjs = await loadSnarkjs()
  if (!(await snarkjs.groth16.verify(artifacts.vkey, publicSignals, proof))) throw new Error('fresh membership proof does not verify')

  mkdirSync(dirname(MEMBERSHIP_VERIFIER_PATH), { recursive: true })
  mkdirSync(dirname(MEMBERSHIP_FIXTURE_PATH), { recursive: true })
  writeFileSync(MEMBERSHIP_VERIFIER_PATH, readFileSync(artifacts.setup.verifierPath))
  writeFileSync(MEMBERSHIP_FIXTURE_PATH, serializeMembershipFixture(createMembershipFixture(proof, publicSignals)))
  console.info(`wrote ${MEMBERSHIP_VERIFIER_PATH}\nwrote ${MEMBERSHIP_FIXTURE_PATH}`)
}

await main()
process.exit(0)
