/**
 * Lands proven batches on L1 strictly in order, once.
 *
 * For each batch: checks it locally (header follows the previous StoredBatchInfo, the proof's public signals are
 * this batch's, the pubdata fits N slots), waits until none of the operator's own transactions is still pending,
 * reads where L1 is (`lastBatchNumber`, `lastBatchHash`) and then:
 * - L1 already has this batch number: confirms it is this batch (stored hash, or its `BatchVerified` event) and
 *   sends nothing. This is what makes a resubmission after a crash a no-op;
 * - the batch is not the next one: BatchOutOfOrderError, nothing sent;
 * - otherwise simulates `submitBatch` (a revert becomes BatchRevertedError with the contract's decoded error, never
 *   retried), estimates gas × margin (GasCapExceededError above the cap), signs once with a nonce it manages, and
 *   broadcasts the same signed bytes until the node has them (a resend is idempotent: same hash), then waits for
 *   the receipt and the confirmations, checking the receipt's block is still canonical. A transaction a reorg
 *   dropped (or one not mined in time) sends it back to the top: wait for pending, read L1, decide again. A mined
 *   revert is decoded too. Transient RPC failures are retried with backoff.
 *
 * The returned StoredBatchInfo comes from the receipt's `BatchVerified` event and is checked against the one
 * computed locally: it is what the next batch passes as `lastBatch`.
 */
import {
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  encodeFunctionData,
  keccak256,
  parseEventLogs,
} from 'viem'
import { BaseError } from '../../sdk/errors.ts'
import { bytesToHex } from '../../sdk/protocol/bytes.ts'
import { trimTrailingNoops } from '../../sdk/protocol/pubdata.ts'
import { PUBDATA_CHUNK_BYTES } from '../../sdk/protocol/types.ts'
import {
  type BatchHeader,
  type Groth16Proof,
  type StoredBatchInfo,
  batchPublicSignals,
  computeBatchCommitment,
  fieldToBytes32,
  hashStoredBatchInfo,
  storedBatchInfoArgument,
  toSolidityProof,
} from './batchProof.ts'
import {
  BatchConflictError,
  BatchInvalidError,
  BatchOutOfOrderError,
  BatchRevertedError,
  GasCapExceededError,
  PendingTransactionsTimeoutError,
  RetriesExhaustedError,
  WrongChainError,
} from './errors.ts'
import { awaitCanonicalReceipt } from './receipts.ts'
import { DEFAULT_RETRY_POLICY, sleep, withRetry, type RetryPolicy } from './retry.ts'
import { zkPerpAbi } from './zkPerpAbi.ts'

/** A proven batch, as plain data (what the prover pool and the batcher hand over). */
export type ProvenBatch = {
  readonly header: BatchHeader
  /** The StoredBatchInfo of batch `header.batchNumber − 1` (genesis: batch 0, commitment 0). */
  readonly previous: StoredBatchInfo
  /** N·32 bytes, or with trailing zero chunks already trimmed (the submitter trims before sending). */
  readonly pubdata: Uint8Array
  /** snarkjs JSON form. */
  readonly proof: Groth16Proof
  /** As snarkjs returned them; must equal `batchPublicSignals` of this batch. */
  readonly publicSignals: readonly string[]
}

export type SubmitBatchReturnType = {
  readonly batchNumber: bigint
  /** What the next batch passes as `previous`. */
  readonly storedBatchInfo: StoredBatchInfo
} & (
  | {
      readonly status: 'submitted'
      readonly transactionHash: Hex
      readonly blockNumber: bigint
      readonly gasUsed: bigint
      readonly gasLimit: bigint
      readonly effectiveGasPrice: bigint
      readonly priorityOpsProcessed: bigint
    }
  /** L1 had this exact batch already: nothing was sent. */
  | { readonly status: 'alreadyOnL1' }
)

export type L1BatchState = {
  readonly lastBatchNumber: bigint
  readonly lastBatchHash: Hex
  readonly blockNumber: bigint
}

export type BatchSubmitterParameters = {
  readonly publicClient: PublicClient
  /** The operator's wallet: its account signs, its chain id must be the RPC's. */
  readonly walletClient: WalletClient<Transport, Chain, Account>
  readonly zkPerpAddress: Address
  /** N of the deployed contract (pubdata is padded to N·32 bytes for the commitment). */
  readonly batchSlots: number
  /** ZkPerp's deployment block: where the search for an already landed batch's event starts. */
  readonly fromBlock: bigint
  /** Blocks the receipt must be under before a batch counts as landed (1 = mined). Default 1. */
  readonly confirmations?: number
  /** Gas limit = estimate × gasMarginBps / 10,000. Default 12,000 (+20 %). */
  readonly gasMarginBps?: bigint
  /** Refuse to send above this gas limit. Default 3,000,000. */
  readonly gasCap?: bigint
  /** Backoff for transient RPC failures. Default 8 attempts, 250 ms doubling to 30 s. */
  readonly retry?: RetryPolicy
  /** How long to wait for the operator's earlier transactions to be mined before deciding anything. Default 120 s. */
  readonly pendingTimeoutMs?: number
  /** How long to wait for the receipt and its confirmations before deciding again from L1. Default 120 s. */
  readonly receiptTimeoutMs?: number
  /** Most blocks per `eth_getLogs` when looking up a landed batch. Default 2,000. */
  readonly maxBlockRange?: bigint
  /** Each transient failure before its backoff (logs, metrics). */
  readonly onRetry?: (operation: string, error: unknown, attempt: number, delayMs: number) => void
}

/** True for an error that says nothing about the batch: the RPC timed out, dropped, or answered garbage. */
export function isTransientRpcError(error: unknown): boolean {
  if (error instanceof BaseError) return false
  if (error instanceof ViemBaseError) {
    const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError || (cause instanceof ViemBaseError && cause.name === 'ExecutionRevertedError'))
    if (reverted !== null && reverted !== undefined && reverted !== error) return false
    if (error instanceof ContractFunctionRevertedError || error.name === 'ExecutionRevertedError') return false
  }
  return true
}

/** A rejection handler that turns viem's "not found" answers into `value` and rethrows anything else. */

/** The contract's custom error in a viem error chain: name and values, or undefined when there is no revert data. */
export function decodeRevert(error: unknown): { errorName: string | undefined; errorArgs: readonly unknown[] } | undefined {
  if (!(error instanceof ViemBaseError)) return undefined
  const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError)
  if (reverted instanceof ContractFunctionRevertedError) {
    return { errorName: reverted.data?.errorName ?? reverted.reason, errorArgs: reverted.data?.args ?? [] }
  }
  const withData = error.walk((cause) => typeof (cause as { data?: unknown }).data === 'string') as { data?: string } | null
  if (withData?.data !== undefined && withData.data.startsWith('0x') && withData.data.length >= 10) {
    try {
      const decoded = decodeErrorResult({ abi: zkPerpAbi, data: withData.data as Hex })
      return { errorName: decoded.errorName, errorArgs: decoded.args ?? [] }
    } catch {
      return { errorName: undefined, errorArgs: [withData.data] }
    }
  }
  if (error.walk((cause) => cause instanceof ViemBaseError && cause.name === 'ExecutionRevertedError') !== null) return { errorName: undefined, errorArgs: [] }
  return undefined
}

export class BatchSubmitter {
  readonly #parameters: BatchSubmitterParameters
  #nonce: number | undefined
  #chainChecked = false

  constructor(parameters: BatchSubmitterParameters) {
    if (!Number.isInteger(parameters.batchSlots) || parameters.batchSlots < 1) throw new RangeError('batchSlots must be a positive integer')
    this.#parameters = parameters
  }

  get operator(): Address {
    return this.#parameters.walletClient.account.address
  }

  /** Where L1 is: the last proven batch and its stored hash, read at one block. */
  async readL1BatchState(): Promise<L1BatchState> {
    const { publicClient, zkPerpAddress } = this.#parameters
    const blockNumber = await this.#rpc('getBlockNumber', () => publicClient.getBlockNumber({ cacheTime: 0 }))
    const [lastBatchNumber, lastBatchHash] = await this.#rpc('readBatchState', () =>
      Promise.all([
        publicClient.readContract({ address: zkPerpAddress, abi: zkPerpAbi, functionName: 'lastBatchNumber', blockNumber }),
        publicClient.readContract({ address: zkPerpAddress, abi: zkPerpAbi, functionName: 'lastBatchHash', blockNumber }),
      ]),
    )
    return { lastBatchNumber, lastBatchHash, blockNumber }
  }

  /** Lands `batch` (or confirms L1 already has it). See the module comment for the order of checks. */
  async submit(batch: ProvenBatch): Promise<SubmitBatchReturnType> {
    const { header, previous } = batch
    const batchNumber = header.batchNumber
    const commitment = this.#checkLocally(batch)
    const storedBatchInfo: StoredBatchInfo = { batchNumber, timestamp: header.timestamp, stateRoot: header.newStateRoot, commitment }
    await this.#checkChain()

    for (;;) {
      await this.#settlePendingTransactions()
      const l1 = await this.readL1BatchState()
      if (batchNumber <= l1.lastBatchNumber) {
        await this.#confirmLanded(storedBatchInfo, l1)
        return { batchNumber, storedBatchInfo, status: 'alreadyOnL1' }
      }
      if (batchNumber !== l1.lastBatchNumber + 1n) throw new BatchOutOfOrderError(batchNumber, l1.lastBatchNumber)
      const previousHash = hashStoredBatchInfo(previous)
      if (previousHash !== l1.lastBatchHash) {
        throw new BatchInvalidError(batchNumber, 'previous StoredBatchInfo is not the last batch on L1', { previousHash, lastBatchHash: l1.lastBatchHash })
      }
      const landed = await this.#send(batch, storedBatchInfo)
      // undefined: our nonce was taken by a transaction we did not sign here; re-read L1 and decide again.
      if (landed !== undefined) return landed
    }
  }

  /** Local checks before anything touches L1; returns the batch commitment. */
  #checkLocally(batch: ProvenBatch): bigint {
    const { header, previous, pubdata } = batch
    const batchNumber = header.batchNumber
    if (header.batchNumber !== previous.batchNumber + 1n) {
      throw new BatchInvalidError(batchNumber, 'header does not follow the previous batch', { previousBatchNumber: previous.batchNumber })
    }
    if (header.timestamp < previous.timestamp) {
      throw new BatchInvalidError(batchNumber, 'timestamp before the previous batch', { timestamp: header.timestamp, previousTimestamp: previous.timestamp })
    }
    const maxBytes = this.#parameters.batchSlots * PUBDATA_CHUNK_BYTES
    if (pubdata.length % PUBDATA_CHUNK_BYTES !== 0 || pubdata.length > maxBytes) {
      throw new BatchInvalidError(batchNumber, 'pubdata is not whole chunks within N slots', { length: pubdata.length, maxBytes })
    }
    const commitment = computeBatchCommitment({ previous, header, pubdata, batchSlots: this.#parameters.batchSlots })
    const expected = batchPublicSignals({ commitment })
    const actual = batch.publicSignals
    if (actual.length !== expected.length || actual.some((signal, index) => signal !== expected[index])) {
      throw new BatchInvalidError(batchNumber, 'the proof is not for this batch (public signals differ)', { publicSignals: actual, expected })
    }
    return commitment
  }

  async #checkChain(): Promise<void> {
    if (this.#chainChecked) return
    const expected = this.#parameters.walletClient.chain.id
    const actual = await this.#rpc('getChainId', () => this.#parameters.publicClient.getChainId())
    if (actual !== expected) throw new WrongChainError(expected, actual)
    this.#chainChecked = true
  }

  /**
   * Waits until every transaction the operator has sent is mined (pending nonce = mined nonce), so a batch a crashed
   * run already broadcast lands (or fails) before this run decides whether to send it. Then adopts the mined nonce.
   */
  async #settlePendingTransactions(): Promise<void> {
    const { publicClient } = this.#parameters
    const address = this.operator
    const timeoutMs = this.#parameters.pendingTimeoutMs ?? 120_000
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const [mined, pending] = await this.#rpc('getTransactionCount', () =>
        Promise.all([
          publicClient.getTransactionCount({ address, blockTag: 'latest' }),
          publicClient.getTransactionCount({ address, blockTag: 'pending' }),
        ]),
      )
      if (pending <= mined) {
        this.#nonce = mined
        return
      }
      if (performance.now() > deadline) throw new PendingTransactionsTimeoutError(address, mined, pending, timeoutMs)
      await sleep(Math.min(1_000, Math.max(50, publicClient.pollingInterval)))
    }
  }

  /** L1's batch `info.batchNumber` must be exactly `info` (same root, timestamp and commitment). */
  async #confirmLanded(info: StoredBatchInfo, l1: L1BatchState): Promise<void> {
    if (info.batchNumber === l1.lastBatchNumber) {
      const hash = hashStoredBatchInfo(info)
      if (hash !== l1.lastBatchHash) throw new BatchConflictError(info.batchNumber, { storedHash: l1.lastBatchHash, localHash: hash })
      return
    }
    const { publicClient, zkPerpAddress } = this.#parameters
    const range = this.#parameters.maxBlockRange ?? 2_000n
    for (let fromBlock = this.#parameters.fromBlock; fromBlock <= l1.blockNumber; fromBlock += range) {
      const toBlock = fromBlock + range - 1n < l1.blockNumber ? fromBlock + range - 1n : l1.blockNumber
      const logs = await this.#rpc('getLogs', () =>
        publicClient.getLogs({
          address: zkPerpAddress,
          event: zkPerpAbi.find((item) => item.type === 'event' && item.name === 'BatchVerified') as Extract<(typeof zkPerpAbi)[number], { name: 'BatchVerified' }>,
          args: { batchNumber: info.batchNumber },
          fromBlock,
          toBlock,
          strict: true,
        }),
      )
      const log = logs[0]
      if (log === undefined) continue
      const onL1 = { stateRoot: log.args.newStateRoot, timestamp: log.args.timestamp, commitment: log.args.commitment }
      if (onL1.stateRoot !== fieldToBytes32(info.stateRoot) || onL1.timestamp !== info.timestamp || onL1.commitment !== info.commitment) {
        throw new BatchConflictError(info.batchNumber, { onL1, local: storedBatchInfoArgument(info) })
      }
      return
    }
    throw new BatchConflictError(info.batchNumber, { reason: 'no BatchVerified event for a batch number L1 has passed', fromBlock: this.#parameters.fromBlock })
  }

  /** Simulate, estimate, sign once, broadcast, wait. Undefined if the nonce turned out to be taken by another tx. */
  async #send(batch: ProvenBatch, storedBatchInfo: StoredBatchInfo): Promise<SubmitBatchReturnType | undefined> {
    const { publicClient, walletClient, zkPerpAddress } = this.#parameters
    const batchNumber = batch.header.batchNumber
    const account = walletClient.account
    const args = [
      storedBatchInfoArgument(batch.previous),
      { batchNumber, timestamp: batch.header.timestamp, newStateRoot: fieldToBytes32(batch.header.newStateRoot) },
      bytesToHex(trimTrailingNoops(batch.pubdata)),
      toSolidityProof(batch.proof),
    ] as const
    const data = encodeFunctionData({ abi: zkPerpAbi, functionName: 'submitBatch', args })

    // A revert here is a verdict on the batch: decoded, never retried.
    const estimate = await this.#rpc('estimateGas', async () => {
      try {
        await publicClient.simulateContract({ address: zkPerpAddress, abi: zkPerpAbi, functionName: 'submitBatch', args, account })
        return await publicClient.estimateGas({ account, to: zkPerpAddress, data })
      } catch (error) {
        const revert = decodeRevert(error)
        if (revert !== undefined) throw new BatchRevertedError(batchNumber, revert.errorName, revert.errorArgs, 'simulation', {}, error)
        throw error
      }
    })
    const gasLimit = (estimate * (this.#parameters.gasMarginBps ?? 12_000n)) / 10_000n
    const gasCap = this.#parameters.gasCap ?? 3_000_000n
    if (gasLimit > gasCap) throw new GasCapExceededError(batchNumber, gasLimit, gasCap)

    const nonce = this.#nonce ?? (await this.#rpc('getTransactionCount', () => publicClient.getTransactionCount({ address: account.address, blockTag: 'latest' })))
    const request = await this.#rpc('prepareTransactionRequest', () =>
      walletClient.prepareTransactionRequest({ account, chain: walletClient.chain, to: zkPerpAddress, data, gas: gasLimit, nonce }),
    )
    // Signing checks the RPC's chain id (a request), so it is retried like any other call.
    const serializedTransaction = await this.#rpc('signTransaction', () => walletClient.signTransaction(request as never))
    const hash = keccak256(serializedTransaction)

    const broadcast = await this.#rpc('sendRawTransaction', async () => {
      try {
        await walletClient.sendRawTransaction({ serializedTransaction })
        return 'sent' as const
      } catch (error) {
        // A resend of bytes the node already has ("already known"), or of a tx already mined ("nonce too low"):
        // ours if the node knows this hash; otherwise the nonce went to another transaction.
        const known = await publicClient.getTransaction({ hash }).then(() => true, () => false)
        if (known) return 'sent' as const
        if (/nonce too low|nonce.*already used|replacement transaction underpriced/i.test(String((error as Error).message))) return 'nonceTaken' as const
        throw error
      }
    })
    if (broadcast === 'nonceTaken') {
      this.#nonce = undefined
      return undefined
    }
    this.#nonce = nonce + 1

    const receipt = await this.#awaitCanonicalReceipt(hash)
    // Dropped (a reorg took its block and the node did not keep it) or not mined in time: decide again from L1.
    if (receipt === undefined) {
      this.#nonce = undefined
      return undefined
    }
    if (receipt.status !== 'success') {
      // Replay the call on the state it ran against to learn why.
      let revert: ReturnType<typeof decodeRevert>
      try {
        await publicClient.simulateContract({ address: zkPerpAddress, abi: zkPerpAbi, functionName: 'submitBatch', args, account, blockNumber: receipt.blockNumber - 1n, gas: gasLimit })
      } catch (error) {
        revert = decodeRevert(error)
      }
      throw new BatchRevertedError(batchNumber, revert?.errorName, revert?.errorArgs ?? [], 'receipt', { transactionHash: hash, gasUsed: receipt.gasUsed, gasLimit })
    }
    const [verified] = parseEventLogs({ abi: zkPerpAbi, eventName: 'BatchVerified', logs: receipt.logs, strict: true })
    if (verified === undefined || verified.args.batchNumber !== batchNumber) {
      throw new BatchConflictError(batchNumber, { reason: 'receipt has no BatchVerified for this batch', transactionHash: hash })
    }
    const fromReceipt: StoredBatchInfo = {
      batchNumber: verified.args.batchNumber,
      timestamp: verified.args.timestamp,
      stateRoot: BigInt(verified.args.newStateRoot),
      commitment: verified.args.commitment,
    }
    if (hashStoredBatchInfo(fromReceipt) !== hashStoredBatchInfo(storedBatchInfo)) {
      throw new BatchConflictError(batchNumber, { reason: 'BatchVerified differs from the batch sent', onL1: storedBatchInfoArgument(fromReceipt), local: storedBatchInfoArgument(storedBatchInfo) })
    }
    return {
      batchNumber,
      storedBatchInfo: fromReceipt,
      status: 'submitted',
      transactionHash: hash,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      gasLimit,
      effectiveGasPrice: receipt.effectiveGasPrice,
      priorityOpsProcessed: verified.args.priorityOpsProcessed,
    }
  }

  /** The receipt once final enough; undefined when the transaction was dropped or the wait timed out (re-decide from L1). */
  async #awaitCanonicalReceipt(hash: Hex): Promise<TransactionReceipt | undefined> {
    const waited = await awaitCanonicalReceipt({
      publicClient: this.#parameters.publicClient,
      hash,
      confirmations: this.#parameters.confirmations ?? 1,
      timeoutMs: this.#parameters.receiptTimeoutMs ?? 120_000,
      rpc: (operation, call) => this.#rpc(operation, call),
    })
    return waited.status === 'confirmed' ? waited.receipt : undefined
  }

  #rpc<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const onRetry = this.#parameters.onRetry
    const policy = this.#parameters.retry ?? DEFAULT_RETRY_POLICY
    return withRetry(call, {
      policy,
      isTransient: isTransientRpcError,
      ...(onRetry === undefined ? {} : { onRetry: (error: unknown, attempt: number, delayMs: number) => onRetry(operation, error, attempt, delayMs) }),
    }).catch((error: unknown) => {
      throw isTransientRpcError(error) ? new RetriesExhaustedError(operation, policy.maxAttempts, error) : error
    })
  }
}
