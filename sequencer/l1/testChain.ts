/**
 * Test support for the L1 tests: a fresh anvil, ZkPerp deployed on the committed two-batch fixture's genesis with the
 * real generated `BatchVerifierTest`, and the fixture's deposit calls replayed from the fixture's own L1 addresses
 * (anvil impersonation), so the queue holds exactly the records the fixture's real proofs consume.
 */
import {
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TestClient,
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  parseAbi,
} from 'viem'
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'
import { startAnvil, type StartAnvilReturnType } from '../../scripts/chain/anvil.ts'
import { deployZkPerp, type DeployZkPerpReturnType } from '../../scripts/chain/deploy.ts'
import { BATCH_VERIFIER_NAME, readCommittedBatchFixture, type BatchFixture, type DepositCallFixture } from '../../scripts/circuit/batchPipeline.ts'
import { zkPerpAbi } from './zkPerpAbi.ts'

import { chainFor } from './chain.ts'
/** anvil's default accounts 0 and 1 (public test keys). */
export const DEPLOYER_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
export const OPERATOR_KEY: Hex = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'

export const tokenAbi = parseAbi([
  'function mint(address to, uint256 amount)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function balanceOf(address owner) view returns (uint256)',
])

export type TestChain = {
  readonly anvil: StartAnvilReturnType
  readonly chain: Chain
  readonly publicClient: PublicClient
  readonly testClient: TestClient
  readonly operator: PrivateKeyAccount
  readonly fixture: BatchFixture
  stop(): Promise<void>
}

export async function startTestChain(): Promise<TestChain> {
  const anvil = await startAnvil()
  const chain = chainFor(anvil.rpcUrl, 31337)
  const publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl), pollingInterval: 50 }) as PublicClient
  const testClient = createTestClient({ chain, mode: 'anvil', transport: http(anvil.rpcUrl) }) as unknown as TestClient
  return { anvil, chain, publicClient, testClient, operator: privateKeyToAccount(OPERATOR_KEY), fixture: readCommittedBatchFixture(), stop: () => anvil.stop() }
}

export type DeployFixtureZkPerpParameters = {
  readonly priorityDeadlineSeconds?: bigint
}

/** A fresh ZkPerp on the fixture's sizes and genesis, verified by the real generated verifier. */
export async function deployFixtureZkPerp(testChain: TestChain, parameters: DeployFixtureZkPerpParameters = {}): Promise<DeployZkPerpReturnType> {
  const { fixture } = testChain
  return deployZkPerp({
    rpcUrl: testChain.anvil.rpcUrl,
    deployerPrivateKey: DEPLOYER_KEY,
    operator: testChain.operator.address,
    sizes: { accountDepth: Number(fixture.sizes.accountDepth), markets: Number(fixture.sizes.markets), batchSlots: Number(fixture.sizes.batchSlots) },
    genesis: fixture.genesis,
    verifier: { artifact: BATCH_VERIFIER_NAME },
    ...(parameters.priorityDeadlineSeconds === undefined ? {} : { priorityDeadlineSeconds: parameters.priorityDeadlineSeconds }),
  })
}

export function addressOf(value: bigint): Address {
  return `0x${value.toString(16).padStart(40, '0')}`
}

/** Sends a call as `from` (impersonated, funded with gas money) and waits for its receipt; returns the block. */
async function sendAs(testChain: TestChain, from: Address, to: Address, abi: typeof zkPerpAbi | typeof tokenAbi, functionName: string, args: readonly unknown[]): Promise<bigint> {
  const wallet = createWalletClient({ chain: testChain.chain, transport: http(testChain.anvil.rpcUrl) })
  const hash = await wallet.writeContract({ account: from, address: to, abi, functionName, args } as never)
  const receipt = await testChain.publicClient.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success') throw new Error(`${functionName} as ${from} reverted (${hash})`)
  return receipt.blockNumber
}

/** Funds and impersonates an L1 address so tests can send from it. */
export async function impersonate(testChain: TestChain, address: Address): Promise<void> {
  await testChain.testClient.impersonateAccount({ address })
  await testChain.testClient.setBalance({ address, value: 10n ** 20n })
}

/** Replays one fixture deposit call from its own caller: mint, approve, deposit. Returns the deposit's block. */
export async function replayFixtureDeposit(testChain: TestChain, deployed: DeployZkPerpReturnType, deposit: DepositCallFixture): Promise<bigint> {
  const caller = addressOf(deposit.caller)
  await impersonate(testChain, caller)
  await sendAs(testChain, caller, deployed.token, tokenAbi, 'mint', [caller, deposit.amount])
  await sendAs(testChain, caller, deployed.token, tokenAbi, 'approve', [deployed.zkPerp, deposit.amount])
  if (deposit.call === 'depositTo') return sendAs(testChain, caller, deployed.zkPerp, zkPerpAbi, 'depositTo', [Number(deposit.accountIndex), deposit.amount])
  return sendAs(testChain, caller, deployed.zkPerp, zkPerpAbi, 'depositNewAccount', [
    addressOf(deposit.owner),
    deposit.publicKeyX,
    deposit.publicKeyY,
    deposit.mode,
    deposit.amount,
  ])
}

/** Queues a forced withdrawal from `requester` (impersonated). Returns its block. */
export async function requestForcedWithdrawal(testChain: TestChain, deployed: DeployZkPerpReturnType, requester: bigint, accountIndex: bigint, amount: bigint): Promise<bigint> {
  const from = addressOf(requester)
  await impersonate(testChain, from)
  return sendAs(testChain, from, deployed.zkPerp, zkPerpAbi, 'requestForcedWithdrawal', [Number(accountIndex), amount])
}

/**
 * A reorg: anvil drops the last `depth` blocks with their transactions (they do not return to the pool) and mines
 * as many empty blocks in their place, so the head number is unchanged and the block hashes are new.
 */
export async function reorgChain(testChain: TestChain, depth: number): Promise<void> {
  const request = testChain.publicClient.request as (request: { method: string; params: unknown[] }) => Promise<unknown>
  await request({ method: 'anvil_reorg', params: [depth, []] })
}
