/**
 * Test support: a real anvil with ZkPerp deployed on the fixture genesis behind the real BatchVerifierTest, the
 * fixture's L1 deposit calls replayed from their own callers (impersonated), and the two proven fixture batches
 * landed with plain viem calls, exactly as an operator would send them. Writes a deployment file (with the full
 * genesis) that the CLI reads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sha256 } from '@noble/hashes/sha2.js'
import { type Address, type Hex, createPublicClient, createTestClient, createWalletClient, http, parseAbi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { circuitConfigs, CIRCUIT_DOMAIN } from '../circuits/configs.ts'
import { derivePublicKey } from '../sdk/crypto/eddsa.ts'
import { exampleGenesis } from '../sdk/protocol/config.ts'
import type { Genesis } from '../sdk/protocol/types.ts'
import { BATCH_SIZES, BATCH_VERIFIER_NAME, readCommittedBatchFixture, type BatchFixture } from '../scripts/circuit/batchPipeline.ts'
import { startAnvil, type StartAnvilReturnType } from '../scripts/chain/anvil.ts'
import { deployZkPerp, readArtifact, type DeployZkPerpReturnType } from '../scripts/chain/deploy.ts'
import type { SolidityProof } from '../scripts/smoke/membershipPipeline.ts'
import { chainFor } from './context.ts'
import { genesisToJson } from './genesisFile.ts'
import { toBytes32 } from './l1History.ts'
import { ZK_PERP_ABI } from './zkPerpAbi.ts'

/** anvil's default accounts 0..2 (public development keys). */
export const ANVIL_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
] as const satisfies readonly Hex[]

export const PRIORITY_DEADLINE_SECONDS = 3n * 24n * 3600n

/** The genesis the fixture batches were proven on (its oracle key is the scenario's, from a public label). */
export function fixtureGenesis(fixture: BatchFixture): Genesis {
  const oracleKey = derivePublicKey(sha256(new TextEncoder().encode('zkperp batch proof fixture oracle')))
  return exampleGenesis({ sizes: BATCH_SIZES, domain: CIRCUIT_DOMAIN, oracleKey, timestamp: fixture.genesis.timestamp })
}

export type TestChain = {
  readonly anvil: StartAnvilReturnType
  readonly deployment: DeployZkPerpReturnType
  readonly deploymentFile: string
  readonly fixture: BatchFixture
  readonly genesis: Genesis
  /** The fixture's L1 deposit calls, in queue order, each from its own (impersonated) caller. */
  queueFixtureDeposits(): Promise<void>
  /** `submitBatch` from the operator; returns the stored batch info the next batch must pass back. */
  submitBatch(last: StoredBatch, batch: { batchNumber: bigint; timestamp: bigint; newStateRoot: bigint; pubdata: Hex; proof: SolidityProof; commitment: bigint }): Promise<StoredBatch>
  /** The deposits, then both proven fixture batches. */
  landFixtureBatches(): Promise<void>
  stop(): Promise<void>
}

export type StoredBatch = { batchNumber: bigint; timestamp: bigint; stateRoot: Hex; commitment: bigint }

export type StartTestChainParameters = {
  /**
   * `real`: the generated BatchVerifierTest. `commitmentDouble`: the forge test double that accepts one configured
   * (commitment, proof tag) pair, i.e. an unsound L1 verifier: what reconstruct and verify exist to catch.
   */
  readonly verifier?: 'real' | 'commitmentDouble'
}

const toAddress = (value: bigint): Address => `0x${value.toString(16).padStart(40, '0')}`

export async function startTestChain(parameters: StartTestChainParameters = {}): Promise<TestChain> {
  if (circuitConfigs.test === undefined) throw new Error('test circuit config missing')
  const fixture = readCommittedBatchFixture()
  const genesis = fixtureGenesis(fixture)
  const anvil = await startAnvil()
  const directory = mkdtempSync(join(tmpdir(), 'zkperp-cli-'))
  try {
    const operator = privateKeyToAccount(ANVIL_KEYS[0])
    const chain = chainFor(anvil.rpcUrl, 31337)
    const transport = http(anvil.rpcUrl)
    const publicClient = createPublicClient({ chain, transport })
    const operatorWallet = createWalletClient({ account: operator, chain, transport })
    let verifier: { artifact: string } | { address: Address } = { artifact: BATCH_VERIFIER_NAME }
    if (parameters.verifier === 'commitmentDouble') {
      const artifact = readArtifact('CommitmentCheckingVerifierDouble', 'BatchVerifierDoubles.sol')
      const hash = await operatorWallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode })
      const address = (await publicClient.waitForTransactionReceipt({ hash })).contractAddress
      if (address === null || address === undefined) throw new Error('verifier double deployment failed')
      verifier = { address }
    }
    const deployment = await deployZkPerp({
      rpcUrl: anvil.rpcUrl,
      deployerPrivateKey: ANVIL_KEYS[0],
      operator: operator.address,
      sizes: BATCH_SIZES,
      genesis: { stateRoot: fixture.genesis.stateRoot, timestamp: fixture.genesis.timestamp },
      verifier,
      priorityDeadlineSeconds: PRIORITY_DEADLINE_SECONDS,
    })
    const deploymentFile = join(directory, 'deployment.json')
    writeFileSync(
      deploymentFile,
      `${JSON.stringify({ rpcUrl: anvil.rpcUrl, chainId: 31337, genesis: genesisToJson(genesis), deployment }, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`,
    )
    const testClient = createTestClient({ chain, transport, mode: 'anvil' })
    const token = parseAbi(['function mint(address to, uint256 amount)', 'function approve(address spender, uint256 amount) returns (bool)'])

    const queueFixtureDeposits = async (): Promise<void> => {
      for (const call of fixture.deposits) {
        const caller = toAddress(call.caller)
        await testClient.impersonateAccount({ address: caller })
        await testClient.setBalance({ address: caller, value: 10n ** 18n })
        const wallet = createWalletClient({ account: caller, chain, transport })
        const wait = async (hash: Hex) => {
          const receipt = await publicClient.waitForTransactionReceipt({ hash })
          if (receipt.status !== 'success') throw new Error(`fixture call reverted: ${hash}`)
        }
        await wait(await wallet.writeContract({ address: deployment.token, abi: token, functionName: 'mint', args: [caller, call.amount] }))
        await wait(await wallet.writeContract({ address: deployment.token, abi: token, functionName: 'approve', args: [deployment.zkPerp, call.amount] }))
        if (call.call === 'depositNewAccount') {
          await wait(await wallet.writeContract({
            address: deployment.zkPerp,
            abi: ZK_PERP_ABI,
            functionName: 'depositNewAccount',
            args: [toAddress(call.owner), call.publicKeyX, call.publicKeyY, call.mode, call.amount],
          }))
        } else {
          await wait(await wallet.writeContract({ address: deployment.zkPerp, abi: ZK_PERP_ABI, functionName: 'depositTo', args: [Number(call.accountIndex), call.amount] }))
        }
        await testClient.stopImpersonatingAccount({ address: caller })
      }
    }

    const submitBatch: TestChain['submitBatch'] = async (last, batch) => {
      const hash = await operatorWallet.writeContract({
        address: deployment.zkPerp,
        abi: ZK_PERP_ABI,
        functionName: 'submitBatch',
        args: [last, { batchNumber: batch.batchNumber, timestamp: batch.timestamp, newStateRoot: toBytes32(batch.newStateRoot) }, batch.pubdata, batch.proof],
        // Explicit gas: estimation of a pairing check that fails can come out too low (TOOLCHAIN.md).
        gas: 3_000_000n,
      })
      const receipt = await publicClient.waitForTransactionReceipt({ hash })
      if (receipt.status !== 'success') throw new Error(`submitBatch ${batch.batchNumber} reverted`)
      return { batchNumber: batch.batchNumber, timestamp: batch.timestamp, stateRoot: toBytes32(batch.newStateRoot), commitment: batch.commitment }
    }

    const landFixtureBatches = async (): Promise<void> => {
      await queueFixtureDeposits()
      let last: StoredBatch = { batchNumber: 0n, timestamp: fixture.genesis.timestamp, stateRoot: toBytes32(fixture.genesis.stateRoot), commitment: 0n }
      for (const batch of fixture.batches) last = await submitBatch(last, batch)
    }

    return {
      anvil,
      deployment,
      deploymentFile,
      fixture,
      genesis,
      queueFixtureDeposits,
      submitBatch,
      landFixtureBatches,
      async stop() {
        await anvil.stop()
        rmSync(directory, { recursive: true, force: true })
      },
    }
  } catch (error) {
    await anvil.stop()
    rmSync(directory, { recursive: true, force: true })
    throw error
  }
}
