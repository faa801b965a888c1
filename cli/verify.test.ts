import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepareBatchArtifacts } from '../scripts/circuit/batchPipeline.ts'
import { terminateBn128 } from '../scripts/circuit/vendor.ts'
import { BN254_BASE_MODULUS } from '../scripts/smoke/membershipPipeline.ts'
import type { Groth16VerificationKey } from '../scripts/smoke/snarkjs.ts'
import { connectL1, type L1Context } from './context.ts'
import { type L1History, readL1History } from './l1History.ts'
import { startTestChain, type TestChain } from './testChain.ts'
import { batchPublicSignals, devVerificationKey, missingVerifierConstants, readVerifierCode, verifyBatches } from './verify.ts'

describe('verifyBatches', () => {
  let chain: TestChain
  let l1: L1Context
  let history: L1History
  let vkey: Groth16VerificationKey
  beforeAll(async () => {
    chain = await startTestChain()
    await chain.landFixtureBatches()
    l1 = await connectL1({ deployment: chain.deploymentFile })
    history = await readL1History({ publicClient: l1.publicClient, zkPerp: chain.deployment.zkPerp, fromBlock: chain.deployment.deploymentBlock })
    vkey = (await prepareBatchArtifacts()).vkey
  })
  afterAll(async () => {
    await chain?.stop()
    await terminateBn128()
  })

  it('behavior: accepts every landed batch, with the commitment recomputed from calldata', async () => {
    const checks = await verifyBatches({ batches: history.batches, vkey, batchSlots: chain.genesis.sizes.batchSlots })
    expect(checks.map((check) => [check.batchNumber, check.ok])).toEqual([[1n, true], [2n, true]])
    expect(checks.map((check) => check.commitment)).toEqual(chain.fixture.batches.map((batch) => batch.commitment))
  })

  it('error: a tampered proof is rejected', async () => {
    const [first, second] = history.batches
    const tampered = { ...second!, proof: { ...second!.proof, a: first!.proof.a } }
    const checks = await verifyBatches({ batches: [first!, tampered], vkey, batchSlots: chain.genesis.sizes.batchSlots })
    expect(checks.map((check) => check.ok)).toEqual([true, false])
    expect(checks[1]!.commitmentMatches).toBe(true)
    expect(checks[1]!.proofValid).toBe(false)
  })

  it('error: a tampered verification key rejects both batches', async () => {
    const IC = vkey.IC as string[][]
    const tamperedKey = { ...vkey, IC: [IC[1]!, IC[0]!] }
    const checks = await verifyBatches({ batches: history.batches, vkey: tamperedKey, batchSlots: chain.genesis.sizes.batchSlots })
    expect(checks.map((check) => check.proofValid)).toEqual([false, false])
  })

  it('error: pubdata that is not what landed changes the commitment', async () => {
    const second = history.batches[1]!
    const pubdata = Uint8Array.from(second.pubdata)
    pubdata[pubdata.length - 1] = pubdata[pubdata.length - 1]! ^ 1
    const [check] = await verifyBatches({ batches: [{ ...second, pubdata }], vkey, batchSlots: chain.genesis.sizes.batchSlots })
    expect(check!.commitmentMatches).toBe(false)
    expect(check!.proofValid).toBe(false)
  })

  it('behavior: the dev key is the one the deployed verifier embeds; another key is not', async () => {
    const code = await readVerifierCode(l1.publicClient, chain.deployment.verifier)
    const { vkey: devKey, configName } = await devVerificationKey(chain.genesis.sizes, () => {})
    expect(configName).toBe('test')
    expect(missingVerifierConstants(code, devKey)).toEqual({ missing: 0, total: 2 + 4 * 3 + 2 * 2 })
    // −alpha: same x, the other y; a different key that shares one constant with the real one.
    const [alphaX, alphaY] = devKey.vk_alpha_1 as string[]
    const other = { ...devKey, vk_alpha_1: [alphaX, (BN254_BASE_MODULUS - BigInt(alphaY!)).toString(), '1'] }
    expect(missingVerifierConstants(code, other).missing).toBe(1)
  })

  it('behavior: public signals are the commitment alone', () => {
    expect(batchPublicSignals({ commitment: 42n })).toEqual(['42'])
  })
})
