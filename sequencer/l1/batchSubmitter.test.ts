import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type EIP1193RequestFn, type Hex, type PublicClient, createPublicClient, createWalletClient, custom, http, parseEventLogs } from 'viem'
import type { DeployZkPerpReturnType } from '../../scripts/chain/deploy.ts'
import type { BatchFixtureEntry } from '../../scripts/circuit/batchPipeline.ts'
import { hexToBytes } from '../../sdk/protocol/bytes.ts'
import { computeBatchCommitment, fromSolidityProof, hashStoredBatchInfo, type StoredBatchInfo } from './batchProof.ts'
import { BatchSubmitter, type BatchSubmitterParameters, type ProvenBatch } from './batchSubmitter.ts'
import { BatchConflictError, BatchInvalidError, BatchOutOfOrderError, BatchRevertedError, GasCapExceededError } from './errors.ts'
import { deployFixtureZkPerp, reorgChain, replayFixtureDeposit, startTestChain, type TestChain } from './testChain.ts'
import { zkPerpAbi } from './zkPerpAbi.ts'

const FAST_RETRY = { maxAttempts: 6, baseDelayMs: 5, maxDelayMs: 20 }

describe('BatchSubmitter', () => {
  let testChain: TestChain
  let genesisInfo: StoredBatchInfo

  beforeAll(async () => {
    testChain = await startTestChain()
    genesisInfo = { batchNumber: 0n, timestamp: testChain.fixture.genesis.timestamp, stateRoot: testChain.fixture.genesis.stateRoot, commitment: 0n }
  })
  afterAll(async () => {
    await testChain?.stop()
  })

  /** A fresh ZkPerp with the fixture's deposits queued. */
  async function deployWithDeposits(): Promise<DeployZkPerpReturnType> {
    const deployed = await deployFixtureZkPerp(testChain)
    for (const deposit of testChain.fixture.deposits) await replayFixtureDeposit(testChain, deployed, deposit)
    return deployed
  }

  function entry(batchNumber: 1 | 2): BatchFixtureEntry {
    return testChain.fixture.batches[batchNumber - 1]!
  }

  /** The fixture batch as the prover pool hands it over: snarkjs proof form, full padded pubdata. */
  function provenBatch(batchNumber: 1 | 2, previous: StoredBatchInfo): ProvenBatch {
    const batch = entry(batchNumber)
    return {
      header: { batchNumber: batch.batchNumber, timestamp: batch.timestamp, newStateRoot: batch.newStateRoot },
      previous,
      pubdata: hexToBytes(batch.paddedPubdata),
      proof: fromSolidityProof(batch.proof),
      publicSignals: [batch.commitment.toString()],
    }
  }

  function storedInfo(batchNumber: 1 | 2): StoredBatchInfo {
    const batch = entry(batchNumber)
    return { batchNumber: batch.batchNumber, timestamp: batch.timestamp, stateRoot: batch.newStateRoot, commitment: batch.commitment }
  }

  function submitter(deployed: DeployZkPerpReturnType, overrides: Partial<BatchSubmitterParameters> = {}): BatchSubmitter {
    return new BatchSubmitter({
      publicClient: testChain.publicClient,
      walletClient: createWalletClient({ account: testChain.operator, chain: testChain.chain, transport: http(testChain.anvil.rpcUrl) }),
      zkPerpAddress: deployed.zkPerp,
      batchSlots: Number(testChain.fixture.sizes.batchSlots),
      fromBlock: deployed.deploymentBlock,
      retry: FAST_RETRY,
      ...overrides,
    })
  }

  async function operatorNonce(): Promise<number> {
    return testChain.publicClient.getTransactionCount({ address: testChain.operator.address, blockTag: 'pending' })
  }

  it('behavior: lands both real fixture batches in order; roots land, BatchVerified emitted, gas reported', async () => {
    const deployed = await deployWithDeposits()
    const subject = submitter(deployed)
    const first = await subject.submit(provenBatch(1, genesisInfo))
    expect(first.status).toBe('submitted')
    expect(first.storedBatchInfo).toEqual(storedInfo(1))
    if (first.status !== 'submitted') throw new Error('unreachable')
    expect(first.priorityOpsProcessed).toBe(2n)

    // The next batch chains on the info the submitter produced.
    const second = await subject.submit(provenBatch(2, first.storedBatchInfo))
    expect(second.status).toBe('submitted')
    expect(second.storedBatchInfo).toEqual(storedInfo(2))
    if (second.status !== 'submitted') throw new Error('unreachable')
    expect(second.priorityOpsProcessed).toBe(1n)

    const l1 = await subject.readL1BatchState()
    expect(l1.lastBatchNumber).toBe(2n)
    expect(l1.lastBatchHash).toBe(hashStoredBatchInfo(storedInfo(2)))
    const receipt = await testChain.publicClient.getTransactionReceipt({ hash: second.transactionHash })
    const [verified] = parseEventLogs({ abi: zkPerpAbi, eventName: 'BatchVerified', logs: receipt.logs })
    expect(verified?.args.newStateRoot).toBe(`0x${entry(2).newStateRoot.toString(16).padStart(64, '0')}`)
    for (const landed of [first, second]) {
      expect(landed.gasUsed).toBeGreaterThan(200_000n)
      expect(landed.gasLimit).toBeGreaterThan(landed.gasUsed)
    }
    process.stdout.write(`[l1] submitBatch gas used: batch 1 ${first.gasUsed} (limit ${first.gasLimit}), batch 2 ${second.gasUsed} (limit ${second.gasLimit})\n`)
  })

  it('behavior: resubmitting landed batches after a restart is a no-op (nothing sent)', async () => {
    const deployed = await deployWithDeposits()
    const landed = await submitter(deployed).submit(provenBatch(1, genesisInfo))
    await submitter(deployed).submit(provenBatch(2, landed.storedBatchInfo))
    const nonce = await operatorNonce()

    // A new process knows nothing but its own persisted batches.
    const restarted = submitter(deployed)
    const again1 = await restarted.submit(provenBatch(1, genesisInfo))
    const again2 = await restarted.submit(provenBatch(2, storedInfo(1)))
    expect(again1).toEqual({ batchNumber: 1n, storedBatchInfo: storedInfo(1), status: 'alreadyOnL1' })
    expect(again2).toEqual({ batchNumber: 2n, storedBatchInfo: storedInfo(2), status: 'alreadyOnL1' })
    expect(await operatorNonce()).toBe(nonce)
  })

  it('behavior: a batch broadcast just before a crash, still pending on restart, lands exactly once', async () => {
    const deployed = await deployWithDeposits()
    const nonceBefore = await operatorNonce()
    await testChain.testClient.setAutomine(false)
    try {
      // The "crashed" run broadcasts and gives up waiting for the receipt.
      const crashed = submitter(deployed, { receiptTimeoutMs: 200, pendingTimeoutMs: 200, retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } })
      await expect(crashed.submit(provenBatch(1, genesisInfo))).rejects.toThrow()
      expect(await operatorNonce()).toBe(nonceBefore + 1)

      // The restarted run must wait for that transaction instead of sending a second one.
      const restarted = submitter(deployed)
      const resubmission = restarted.submit(provenBatch(1, genesisInfo))
      await new Promise((resolve) => setTimeout(resolve, 300))
      await testChain.testClient.mine({ blocks: 1 })
      const result = await resubmission
      expect(result.status).toBe('alreadyOnL1')
      expect(await operatorNonce()).toBe(nonceBefore + 1)
    } finally {
      await testChain.testClient.setAutomine(true)
    }
    expect((await submitter(deployed).readL1BatchState()).lastBatchNumber).toBe(1n)
  })

  it('reorg: a batch transaction reorged out before its confirmations is sent again and lands once', async () => {
    const deployed = await deployWithDeposits()
    const { publicClient, testClient } = testChain
    const subject = submitter(deployed, { confirmations: 3 })
    const sentFrom = await publicClient.getBlockNumber({ cacheTime: 0 })
    const landing = subject.submit(provenBatch(1, genesisInfo))
    const first = await operatorTransactionAfter(sentFrom)
    // Let the submitter see the first receipt (1 confirmation of 3) before the reorg takes its block.
    await new Promise((resolve) => setTimeout(resolve, 400))
    await reorgChain(testChain, 1)
    await expect(publicClient.getTransactionReceipt({ hash: first })).rejects.toThrow()
    // Blocks keep coming, so the submission can reach its confirmations.
    const miner = setInterval(() => void testClient.mine({ blocks: 1 }).catch(() => undefined), 100)
    try {
      const result = await landing
      expect(result.status).toBe('submitted')
      if (result.status !== 'submitted') return
      // What the submitter reports is on the canonical chain, and L1 holds batch 1 once.
      const block = await publicClient.getBlock({ blockNumber: result.blockNumber })
      expect(block.transactions).toContain(result.transactionHash)
      expect((await subject.readL1BatchState()).lastBatchNumber).toBe(1n)
      const verified = await publicClient.getContractEvents({ address: deployed.zkPerp, abi: zkPerpAbi, eventName: 'BatchVerified', fromBlock: deployed.deploymentBlock, strict: true })
      expect(verified.map((log) => log.args.batchNumber)).toEqual([1n])
    } finally {
      clearInterval(miner)
    }
  })

  /** The hash of the first transaction the operator gets mined after block `after`. */
  async function operatorTransactionAfter(after: bigint): Promise<Hex> {
    for (;;) {
      const head = await testChain.publicClient.getBlockNumber({ cacheTime: 0 })
      for (let number = after + 1n; number <= head; number++) {
        const block = await testChain.publicClient.getBlock({ blockNumber: number, includeTransactions: true })
        const sent = block.transactions.find((transaction) => transaction.from.toLowerCase() === testChain.operator.address.toLowerCase())
        if (sent !== undefined) return sent.hash
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  it('behavior: transient RPC failures are retried; the batch lands once', async () => {
    const deployed = await deployWithDeposits()
    const base = http(testChain.anvil.rpcUrl)({})
    let calls = 0
    const request: EIP1193RequestFn = async (arguments_) => {
      calls++
      if (calls % 3 === 0) throw new Error(`injected RPC failure on ${arguments_.method}`)
      return base.request(arguments_ as never)
    }
    const transport = custom({ request }, { retryCount: 0 })
    const retries: string[] = []
    const flaky = submitter(deployed, {
      publicClient: createPublicClient({ chain: testChain.chain, transport, pollingInterval: 50 }) as PublicClient,
      walletClient: createWalletClient({ account: testChain.operator, chain: testChain.chain, transport }),
      onRetry: (operation) => void retries.push(operation),
    })
    const nonce = await operatorNonce()
    const result = await flaky.submit(provenBatch(1, genesisInfo))
    expect(result.status).toBe('submitted')
    expect(await operatorNonce()).toBe(nonce + 1)
    expect(retries.length).toBeGreaterThan(0)
    expect((await submitter(deployed).readL1BatchState()).lastBatchNumber).toBe(1n)
  })

  it('error: a tampered proof is a typed revert (InvalidProof), decoded from the contract, nothing sent', async () => {
    const deployed = await deployWithDeposits()
    const honest = provenBatch(1, genesisInfo)
    const [ax, ay] = honest.proof.pi_a
    // Negating A keeps it on the curve: only the pairing check can tell.
    const p = 21888242871839275222246405745257275088696311157297823662689037894645226208583n
    const tampered: ProvenBatch = { ...honest, proof: { ...honest.proof, pi_a: [ax, (p - BigInt(ay)).toString(), '1'] } }
    const nonce = await operatorNonce()
    const error = await submitter(deployed).submit(tampered).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BatchRevertedError)
    expect((error as BatchRevertedError).errorName).toBe('InvalidProof')
    expect((error as BatchRevertedError).stage).toBe('simulation')
    expect(await operatorNonce()).toBe(nonce)
  })

  it('error: out-of-order submission is refused before sending', async () => {
    const deployed = await deployWithDeposits()
    const nonce = await operatorNonce()
    const error = await submitter(deployed).submit(provenBatch(2, storedInfo(1))).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BatchOutOfOrderError)
    expect((error as BatchOutOfOrderError).details).toMatchObject({ batchNumber: 2n, lastBatchNumberOnL1: 0n })
    expect(await operatorNonce()).toBe(nonce)
  })

  it('error: a proof whose public signals are another batch\'s is refused before sending', async () => {
    const deployed = await deployFixtureZkPerp(testChain)
    const batch = { ...provenBatch(1, genesisInfo), publicSignals: [entry(2).commitment.toString()] }
    await expect(submitter(deployed).submit(batch)).rejects.toBeInstanceOf(BatchInvalidError)
  })

  it('error: a previous StoredBatchInfo that is not L1\'s last batch is refused before sending', async () => {
    const deployed = await deployWithDeposits()
    const wrongPrevious = { ...genesisInfo, timestamp: genesisInfo.timestamp - 1n }
    const batch = { ...provenBatch(1, wrongPrevious), publicSignals: [entry(1).commitment.toString()] }
    const error = await submitter(deployed).submit(batch).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(BatchInvalidError)
    expect(String((error as BatchInvalidError).details.reason)).toMatch(/previous StoredBatchInfo/)
  })

  it('error: L1 holding a different batch under a landed number is a conflict, not a skip', async () => {
    const deployed = await deployWithDeposits()
    const landed = await submitter(deployed).submit(provenBatch(1, genesisInfo))
    await submitter(deployed).submit(provenBatch(2, landed.storedBatchInfo))
    // Same numbers, another root (public signals recomputed to pass the local check): a sequencer that diverged.
    for (const [batchNumber, previous] of [[1, genesisInfo], [2, storedInfo(1)]] as const) {
      const honest = provenBatch(batchNumber, previous)
      const header = { ...honest.header, newStateRoot: honest.header.newStateRoot + 1n }
      const commitment = computeBatchCommitment({ previous, header, pubdata: honest.pubdata, batchSlots: Number(testChain.fixture.sizes.batchSlots) })
      const error = await submitter(deployed).submit({ ...honest, header, publicSignals: [commitment.toString()] }).catch((caught: unknown) => caught)
      expect(error, `batch ${batchNumber}`).toBeInstanceOf(BatchConflictError)
    }
  })

  it('error: a gas limit above the cap is refused before sending', async () => {
    const deployed = await deployWithDeposits()
    const error = await submitter(deployed, { gasCap: 100_000n }).submit(provenBatch(1, genesisInfo)).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(GasCapExceededError)
  })
})
