/**
 * What the L1-only tools exist for: an L1 whose verifier accepts what it should not. ZkPerp is deployed behind the
 * forge test double that accepts one configured (commitment, proof tag) pair, so the test can land a batch whose
 * header claims a root its pubdata does not lead to, with a real proof of another statement.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createWalletClient, getAddress, hexToBytes, http, parseAbi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { batchCommitment } from '../sdk/protocol/pubdata.ts'
import { connectL1 } from './context.ts'
import { ReconstructionMismatchError } from './errors.ts'
import { toBytes32 } from './l1History.ts'
import { reconstruct } from './reconstruct.ts'
import { ANVIL_KEYS, startTestChain, type StoredBatch, type TestChain } from './testChain.ts'
import { runCli } from './zkperp.ts'

async function cli(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, { stdout: (text) => { stdout += text }, stderr: (text) => { stderr += text }, env: {} })
  return { code, stdout, stderr }
}

describe('reconstruct and verify against an unsound L1 verifier', () => {
  let chain: TestChain | undefined
  afterEach(async () => {
    await chain?.stop()
    chain = undefined
  })

  /** Lands the fixture's first batch claiming `newStateRoot`, with the double told to accept exactly it. */
  async function landFirstBatchClaiming(testChain: TestChain, newStateRoot: bigint): Promise<bigint> {
    const honest = testChain.fixture.batches[0]!
    const commitment = batchCommitment({ oldStateRoot: honest.oldStateRoot, newStateRoot, batchTimestamp: honest.timestamp, pubdata: hexToBytes(honest.paddedPubdata) })
    const operator = createWalletClient({ account: privateKeyToAccount(ANVIL_KEYS[0]), chain: (await connectL1({ deployment: testChain.deploymentFile })).chain, transport: http(testChain.anvil.rpcUrl) })
    const l1 = await connectL1({ deployment: testChain.deploymentFile })
    const hash = await operator.writeContract({ address: testChain.deployment.verifier, abi: parseAbi(['function expect(uint256 commitment, uint256 proofTag)']), functionName: 'expect', args: [commitment, honest.proof.a[0]] })
    await l1.publicClient.waitForTransactionReceipt({ hash })
    await testChain.queueFixtureDeposits()
    const genesis: StoredBatch = { batchNumber: 0n, timestamp: testChain.fixture.genesis.timestamp, stateRoot: toBytes32(testChain.fixture.genesis.stateRoot), commitment: 0n }
    await testChain.submitBatch(genesis, { ...honest, newStateRoot, commitment })
    return commitment
  }

  it('error: a batch whose pubdata does not lead to its claimed root is named by reconstruct, and its proof fails verify', async () => {
    chain = await startTestChain({ verifier: 'commitmentDouble' })
    const honestRoot = chain.fixture.batches[0]!.newStateRoot
    const forgedRoot = honestRoot + 1n
    await landFirstBatchClaiming(chain, forgedRoot)

    const l1 = await connectL1({ deployment: chain.deploymentFile })
    const error = await reconstruct({ publicClient: l1.publicClient, zkPerp: chain.deployment.zkPerp, fromBlock: chain.deployment.deploymentBlock, genesis: chain.genesis }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ReconstructionMismatchError)
    expect((error as ReconstructionMismatchError).details).toEqual({ batchNumber: 1n, reconstructedRoot: honestRoot, onChainRoot: forgedRoot })

    const reconstructed = await cli(['--deployment', chain.deploymentFile, 'reconstruct'])
    expect(reconstructed.code).toBe(1)
    expect(reconstructed.stderr).toBe(`zkperp: CLI_RECONSTRUCTION_MISMATCH: after batch 1 the replayed state root is ${honestRoot}, L1 says ${forgedRoot}\n`)

    const verified = await cli(['--deployment', chain.deploymentFile, '--json', 'verify'])
    expect(verified.code).toBe(1)
    expect(verified.stderr).toBe('zkperp: CLI_BATCH_VERIFICATION_FAILED: batch proof check failed for batch(es) 1\n')
    const report = (JSON.parse(verified.stdout) as { error: { details: { report: { commitmentMatches: boolean; proofValid: boolean }[] } } }).error.details.report
    // The contract and the tool agree on the commitment; only the Groth16 check exposes the batch.
    expect(report).toEqual([expect.objectContaining({ batchNumber: '1', commitmentMatches: true, proofValid: false, ok: false })])
  })

  it('error: honest batches behind a verifier that does not embed the key are verified, and the key mismatch is reported', async () => {
    chain = await startTestChain({ verifier: 'commitmentDouble' })
    await landFirstBatchClaiming(chain, chain.fixture.batches[0]!.newStateRoot)
    expect((await cli(['--deployment', chain.deploymentFile, 'reconstruct'])).code).toBe(0)
    const verified = await cli(['--deployment', chain.deploymentFile, 'verify'])
    expect(verified.code).toBe(1)
    expect(verified.stderr).toMatch(new RegExp(`^zkperp: CLI_VKEY_MISMATCH: the verification key is not the deployed verifier's: 18 of 18 constants absent from ${getAddress(chain.deployment.verifier)}'s code\\n$`))
  })
})
