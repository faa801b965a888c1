import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EIP1193RequestFn, type PublicClient, createPublicClient, custom, http } from 'viem'
import type { DeployZkPerpReturnType } from '../../scripts/chain/deploy.ts'
import { buildBatchScenario } from '../../scripts/circuit/batchPipeline.ts'
import { bytesToHex } from '../../sdk/protocol/bytes.ts'
import { encodeRecord } from '../../sdk/protocol/pubdata.ts'
import type { DepositTx, Tx } from '../../sdk/protocol/types.ts'
import { ChainWatcher, type ChainWatcherParameters } from './chainWatcher.ts'
import { PriorityOpHandlerError, PriorityQueueDivergedError, PriorityQueueGapError } from './errors.ts'
import { depositRecordOf, type PriorityOperation } from './priorityOps.ts'
import { deployFixtureZkPerp, reorgChain, replayFixtureDeposit, requestForcedWithdrawal, startTestChain, type TestChain } from './testChain.ts'
import { zkPerpAbi } from './zkPerpAbi.ts'

const FAST_RETRY = { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: 5, maxDelayMs: 20 }

describe('ChainWatcher', () => {
  let testChain: TestChain
  /** The deposit txs the two fixture batches carry, in pubdata order. */
  let expectedTxs: Tx[]
  /** One deployment with the fixture's three deposits queued, and the block of each deposit. */
  let deployed: DeployZkPerpReturnType
  let depositBlocks: bigint[]

  beforeAll(async () => {
    testChain = await startTestChain()
    expectedTxs = buildBatchScenario().batches.flatMap((batch) => batch.txs.filter((tx) => tx.type === 'deposit'))
    deployed = await deployFixtureZkPerp(testChain)
    depositBlocks = []
    for (const deposit of testChain.fixture.deposits) depositBlocks.push(await replayFixtureDeposit(testChain, deployed, deposit))
  })
  afterAll(async () => {
    await testChain?.stop()
  })

  function watcher(overrides: Partial<ChainWatcherParameters> & Pick<ChainWatcherParameters, 'onPriorityOperation'>): ChainWatcher {
    return new ChainWatcher({
      client: testChain.publicClient,
      zkPerpAddress: deployed.zkPerp,
      fromBlock: deployed.deploymentBlock,
      nextPriorityIndex: 0n,
      confirmations: 1n,
      retry: FAST_RETRY,
      ...overrides,
    })
  }

  it('behavior: delivers exactly the deposit txs of the fixture batches, in queue order, reproducing the queued records', async () => {
    const received: PriorityOperation[] = []
    const subject = watcher({ onPriorityOperation: (operation) => void received.push(operation) })
    const pass = await subject.pollOnce()
    expect(pass.delivered).toBe(3)
    expect(received.map((operation) => operation.priorityIndex)).toEqual([0n, 1n, 2n])
    expect(received.map((operation) => operation.tx)).toEqual(expectedTxs)
    expect(received.map((operation) => operation.blockNumber)).toEqual(depositBlocks)
    // The record each tx produces is the one L1 hashed into its queue (the fixture's proofs consume these bytes).
    expect(received.map((operation) => bytesToHex(encodeRecord(depositRecordOf(operation.tx as DepositTx))))).toEqual(
      testChain.fixture.deposits.map((deposit) => deposit.record),
    )
    expect(subject.nextPriorityIndex).toBe(3n)
    // A second pass over a chain that did not move delivers nothing.
    expect((await subject.pollOnce()).delivered).toBe(0)
    expect(received).toHaveLength(3)
  })

  it('behavior: a restart from the persisted index delivers the rest once: no duplicate, no gap', async () => {
    const durableLog: PriorityOperation[] = []
    // The first run crashes while handling op 1: op 0 is in the log, op 1 is not.
    const first = watcher({
      onPriorityOperation: (operation) => {
        if (operation.priorityIndex === 1n) throw new Error('simulated crash before the log append')
        durableLog.push(operation)
      },
    })
    const crash = await first.pollOnce().catch((error: unknown) => error)
    expect(crash).toBeInstanceOf(PriorityOpHandlerError)
    expect((crash as PriorityOpHandlerError).priorityIndex).toBe(1n)
    expect(first.nextPriorityIndex).toBe(1n)
    expect(durableLog.map((operation) => operation.priorityIndex)).toEqual([0n])

    // Restart from the deployment block with the index the log implies.
    const second = watcher({ nextPriorityIndex: BigInt(durableLog.length), onPriorityOperation: (operation) => void durableLog.push(operation) })
    await second.pollOnce()
    expect(durableLog.map((operation) => operation.priorityIndex)).toEqual([0n, 1n, 2n])
    expect(durableLog.map((operation) => operation.tx)).toEqual(expectedTxs)

    // Restarting again from the block of the last op the log holds delivers nothing new.
    const third = watcher({ fromBlock: durableLog.at(-1)!.blockNumber, nextPriorityIndex: 3n, onPriorityOperation: (operation) => void durableLog.push(operation) })
    expect((await third.pollOnce()).delivered).toBe(0)
    expect(durableLog).toHaveLength(3)
  })

  it('behavior: reads only blocks at least `confirmations` deep', async () => {
    const received: bigint[] = []
    const latest = await testChain.publicClient.getBlockNumber({ cacheTime: 0 })
    // With the last deposit in block d2, confirmations c sees it once latest − c + 1 ≥ d2.
    const lastDeposit = depositBlocks.at(-1)!
    const confirmations = latest - lastDeposit + 2n
    const subject = watcher({ confirmations, onPriorityOperation: (operation) => void received.push(operation.priorityIndex) })
    await subject.pollOnce()
    expect(received).toEqual([0n, 1n])
    await testChain.testClient.mine({ blocks: 1 })
    await subject.pollOnce()
    expect(received).toEqual([0n, 1n, 2n])
  })

  it('behavior: asks for at most maxBlockRange blocks per eth_getLogs', async () => {
    const ranges: bigint[] = []
    const base = http(testChain.anvil.rpcUrl)({})
    const request: EIP1193RequestFn = async (arguments_) => {
      if (arguments_.method === 'eth_getLogs') {
        const [filter] = arguments_.params as [{ fromBlock: `0x${string}`; toBlock: `0x${string}` }]
        ranges.push(BigInt(filter.toBlock) - BigInt(filter.fromBlock) + 1n)
      }
      return base.request(arguments_ as never)
    }
    const client = createPublicClient({ chain: testChain.chain, transport: custom({ request }) }) as PublicClient
    const received: bigint[] = []
    await watcher({ client, maxBlockRange: 3n, onPriorityOperation: (operation) => void received.push(operation.priorityIndex) }).pollOnce()
    expect(received).toEqual([0n, 1n, 2n])
    expect(ranges.length).toBeGreaterThan(2)
    expect(ranges.every((range) => range >= 1n && range <= 3n)).toBe(true)
  })

  it('behavior: survives failing RPC requests with backoff and delivers each op once', async () => {
    const base = http(testChain.anvil.rpcUrl)({})
    let calls = 0
    // Every third request fails, getLogs included.
    const request: EIP1193RequestFn = async (arguments_) => {
      calls++
      if (calls % 3 === 0) throw new Error(`injected RPC failure on ${arguments_.method}`)
      return base.request(arguments_ as never)
    }
    const client = createPublicClient({ chain: testChain.chain, transport: custom({ request }, { retryCount: 0 }) }) as PublicClient
    const received: bigint[] = []
    const failures: number[] = []
    await watcher({
      client,
      maxBlockRange: 2n,
      onPriorityOperation: (operation) => void received.push(operation.priorityIndex),
      onRpcError: (_error, attempt) => void failures.push(attempt),
    }).pollOnce()
    expect(received).toEqual([0n, 1n, 2n])
    expect(failures.length).toBeGreaterThan(0)
  })

  it('behavior: logs that lag the head (a node that has not indexed its newest block yet) are rescanned, not a divergence', async () => {
    const base = http(testChain.anvil.rpcUrl)({})
    let lagging = 2
    // The first two eth_getLogs answer as if nothing were logged yet, as anvil can at its head.
    const request: EIP1193RequestFn = async (arguments_) => {
      if (arguments_.method === 'eth_getLogs' && lagging > 0) {
        lagging--
        return [] as never
      }
      return base.request(arguments_ as never)
    }
    const client = createPublicClient({ chain: testChain.chain, transport: custom({ request }, { retryCount: 0 }) }) as PublicClient
    const received: bigint[] = []
    const result = await watcher({ client, onPriorityOperation: (operation) => void received.push(operation.priorityIndex) }).pollOnce()
    expect(received).toEqual([0n, 1n, 2n])
    expect(result.delivered).toBe(3)
  })

  it('behavior: start() follows new ops as they are queued, forced withdrawals included, until stop()', async () => {
    const fresh = await deployFixtureZkPerp(testChain)
    const received: PriorityOperation[] = []
    const subject = new ChainWatcher({
      client: testChain.publicClient,
      zkPerpAddress: fresh.zkPerp,
      fromBlock: fresh.deploymentBlock,
      nextPriorityIndex: 0n,
      confirmations: 1n,
      pollIntervalMs: 20,
      retry: FAST_RETRY,
      onPriorityOperation: (operation) => void received.push(operation),
    })
    const running = subject.start()
    const [alice] = testChain.fixture.deposits
    await replayFixtureDeposit(testChain, fresh, alice!)
    await requestForcedWithdrawal(testChain, fresh, alice!.caller, 2n, 123n)
    // Not the owner: still queued, processed as 0 by the state machine.
    await requestForcedWithdrawal(testChain, fresh, 0xbadn, 2n, 5n)
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(3)
    await subject.stop()
    await running
    expect(received.map((operation) => operation.tx)).toEqual([
      expectedTxs[0],
      { type: 'forcedWithdrawal', accountIndex: 2n, requester: alice!.caller, requestedAmount: 123n },
      { type: 'forcedWithdrawal', accountIndex: 2n, requester: 0xbadn, requestedAmount: 5n },
    ])
    expect(received.every((operation) => operation.deadline > 0n)).toBe(true)
  })

  /** A watcher on a fresh ZkPerp with nothing queued yet, recording what it delivers. */
  async function freshWatcher(confirmations: bigint): Promise<{ fresh: DeployZkPerpReturnType; subject: ChainWatcher; received: PriorityOperation[] }> {
    const fresh = await deployFixtureZkPerp(testChain)
    const received: PriorityOperation[] = []
    const subject = watcher({ zkPerpAddress: fresh.zkPerp, fromBlock: fresh.deploymentBlock, confirmations, onPriorityOperation: (operation) => void received.push(operation) })
    return { fresh, subject, received }
  }

  it('reorg: a deposit reorged out before its confirmations is never credited; sent again, it is credited once', async () => {
    const { fresh, subject, received } = await freshWatcher(3n)
    const [alice] = testChain.fixture.deposits
    const first = await replayFixtureDeposit(testChain, fresh, alice!)
    expect((await subject.pollOnce()).delivered).toBe(0)
    await testChain.testClient.mine({ blocks: 1 })
    expect((await subject.pollOnce()).delivered).toBe(0)
    // Two blocks deep (one short of the confirmations): the deposit's block and the one after are replaced.
    await reorgChain(testChain, 2)
    expect(await testChain.publicClient.getBlockNumber({ cacheTime: 0 })).toBe(first + 1n)
    await testChain.testClient.mine({ blocks: 3 })
    expect((await subject.pollOnce()).delivered).toBe(0)
    expect(received).toEqual([])
    expect(await testChain.publicClient.readContract({ address: fresh.zkPerp, abi: zkPerpAbi, functionName: 'priorityTail' })).toBe(0n)

    // The depositor sends it again: credited once, from its new block, as the same tx.
    const again = await replayFixtureDeposit(testChain, fresh, alice!)
    await testChain.testClient.mine({ blocks: 2 })
    await subject.pollOnce()
    await subject.pollOnce()
    expect(received.map((operation) => [operation.priorityIndex, operation.blockNumber])).toEqual([[0n, again]])
    expect(received[0]!.tx).toEqual(expectedTxs[0])
  })

  it('reorg: a credited deposit reorged out (deeper than the confirmations) stops the watcher with a divergence, not a silent double or skip', async () => {
    const { fresh, subject, received } = await freshWatcher(1n)
    const [alice] = testChain.fixture.deposits
    await replayFixtureDeposit(testChain, fresh, alice!)
    expect((await subject.pollOnce()).delivered).toBe(1)
    await reorgChain(testChain, 1)
    await testChain.testClient.mine({ blocks: 1 })
    const error = await subject.pollOnce().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PriorityQueueDivergedError)
    expect((error as PriorityQueueDivergedError).details).toMatchObject({ nextPriorityIndex: 1n, priorityTail: 0n })
    expect(received).toHaveLength(1)
  })

  it('error: a scan starting after an op it never delivered is a gap, not a skip', async () => {
    const received: bigint[] = []
    const subject = watcher({ fromBlock: depositBlocks[1]!, nextPriorityIndex: 0n, onPriorityOperation: (operation) => void received.push(operation.priorityIndex) })
    const error = await subject.pollOnce().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PriorityQueueGapError)
    expect((error as PriorityQueueGapError).details).toMatchObject({ expectedPriorityIndex: 0n, foundPriorityIndex: 1n })
    expect(received).toEqual([])
  })

  it('error: a scan that finds no op while L1 queued some diverges (ops before fromBlock, or a deep reorg)', async () => {
    const latest = await testChain.publicClient.getBlockNumber({ cacheTime: 0 })
    const late = watcher({ fromBlock: latest, nextPriorityIndex: 0n, onPriorityOperation: () => undefined })
    const behind = await late.pollOnce().catch((caught: unknown) => caught)
    expect(behind).toBeInstanceOf(PriorityQueueDivergedError)
    expect((behind as PriorityQueueDivergedError).details).toMatchObject({ nextPriorityIndex: 0n, priorityTail: 3n })

    // The caller claims more ops than L1 ever queued.
    const ahead = await watcher({ nextPriorityIndex: 5n, onPriorityOperation: () => undefined }).pollOnce().catch((caught: unknown) => caught)
    expect(ahead).toBeInstanceOf(PriorityQueueDivergedError)
    expect((ahead as PriorityQueueDivergedError).details).toMatchObject({ nextPriorityIndex: 5n, priorityTail: 3n })
  })
})
