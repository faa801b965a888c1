/**
 * The rollup's history read from L1 alone: the genesis event, then every `BatchVerified` event with the
 * `submitBatch` calldata of its transaction decoded (header, pubdata, proof). Nothing here trusts the operator:
 * batch numbers must run 1, 2, 3, …, each batch's `lastBatch` must be the previous one, and each decoded header
 * must say what its event says.
 */
import { type Address, type Chain, type ContractEventName, type GetContractEventsParameters, type Hex, type PublicClient, type Transport, decodeFunctionData, hexToBytes } from 'viem'
import type { SolidityProof } from '../scripts/smoke/membershipPipeline.ts'
import { L1HistoryError } from './errors.ts'
import { ZK_PERP_ABI } from './zkPerpAbi.ts'

export type StoredBatchInfo = {
  readonly batchNumber: bigint
  readonly timestamp: bigint
  readonly stateRoot: bigint
  readonly commitment: bigint
}

export type GenesisInfo = StoredBatchInfo & { readonly blockNumber: bigint }

export type LandedBatch = {
  readonly batchNumber: bigint
  readonly timestamp: bigint
  readonly oldStateRoot: bigint
  readonly newStateRoot: bigint
  /** The pubdata exactly as sent (trailing zero chunks may be trimmed). */
  readonly pubdata: Uint8Array
  readonly proof: SolidityProof
  /** The commitment the contract computed and emitted. */
  readonly commitment: bigint
  readonly priorityOpsProcessed: bigint
  readonly transactionHash: Hex
  readonly blockNumber: bigint
}

export type L1History = {
  readonly genesis: GenesisInfo
  readonly batches: readonly LandedBatch[]
  /** What the contract stores for the last proven batch (genesis when none landed): `exit` passes it back. */
  readonly lastBatch: StoredBatchInfo
}

/** Blocks per `eth_getLogs` request: public RPC nodes cap the range (10k is the common limit). */
export const LOG_BLOCK_RANGE = 10_000n

export type ScanRange = {
  readonly publicClient: PublicClient<Transport, Chain>
  readonly zkPerp: Address
  readonly fromBlock: bigint
  /** Default: the latest block. */
  readonly toBlock?: bigint
  /** Blocks per request (default LOG_BLOCK_RANGE). */
  readonly blockRange?: bigint
}

/** One ZkPerp event over [fromBlock, toBlock], in chain order, fetched in LOG_BLOCK_RANGE windows. */
export async function scanEvents<const Name extends ContractEventName<typeof ZK_PERP_ABI>>(
  { publicClient, zkPerp, fromBlock, toBlock, blockRange = LOG_BLOCK_RANGE }: ScanRange,
  eventName: Name,
  args?: GetContractEventsParameters<typeof ZK_PERP_ABI, Name>['args'],
) {
  const last = toBlock ?? (await publicClient.getBlockNumber({ cacheTime: 0 }))
  const logs = []
  for (let start = fromBlock; start <= last; start += blockRange) {
    const end = start + blockRange - 1n < last ? start + blockRange - 1n : last
    logs.push(...(await publicClient.getContractEvents({ address: zkPerp, abi: ZK_PERP_ABI, eventName, fromBlock: start, toBlock: end, strict: true, ...(args === undefined ? {} : { args }) } as GetContractEventsParameters<typeof ZK_PERP_ABI, Name, true>)))
  }
  return logs
}

export type ReadL1HistoryParameters = {
  readonly publicClient: PublicClient<Transport, Chain>
  readonly zkPerp: Address
  /** First block to scan (the deployment block). */
  readonly fromBlock: bigint
}

/** Genesis and every landed batch, in order, checked for continuity. */
export async function readL1History({ publicClient, zkPerp, fromBlock }: ReadL1HistoryParameters): Promise<L1History> {
  const toBlock = await publicClient.getBlockNumber({ cacheTime: 0 })
  const range = { publicClient, zkPerp, fromBlock, toBlock }
  const [genesisLogs, batchLogs] = await Promise.all([scanEvents(range, 'GenesisInitialized'), scanEvents(range, 'BatchVerified')])
  const genesisLog = genesisLogs[0]
  if (genesisLog === undefined) {
    throw new L1HistoryError('no GenesisInitialized event: is this a ZkPerp contract, and is the deployment block right?', { zkPerp, fromBlock })
  }
  const genesis: GenesisInfo = {
    batchNumber: 0n,
    timestamp: genesisLog.args.timestamp,
    stateRoot: BigInt(genesisLog.args.stateRoot),
    commitment: 0n,
    blockNumber: genesisLog.blockNumber,
  }

  const batches: LandedBatch[] = []
  let previous: StoredBatchInfo = genesis
  for (const log of batchLogs) {
    const expectedNumber = previous.batchNumber + 1n
    if (log.args.batchNumber !== expectedNumber) {
      throw new L1HistoryError('batch numbers are not contiguous', { expected: expectedNumber, found: log.args.batchNumber })
    }
    const transaction = await publicClient.getTransaction({ hash: log.transactionHash })
    let decoded
    try {
      decoded = decodeFunctionData({ abi: ZK_PERP_ABI, data: transaction.input })
    } catch (cause) {
      throw new L1HistoryError('a BatchVerified transaction is not a direct submitBatch call', { batchNumber: log.args.batchNumber, transactionHash: log.transactionHash }, cause)
    }
    if (decoded.functionName !== 'submitBatch' || transaction.to?.toLowerCase() !== zkPerp.toLowerCase()) {
      throw new L1HistoryError('a BatchVerified transaction is not a direct submitBatch call', {
        batchNumber: log.args.batchNumber,
        transactionHash: log.transactionHash,
        functionName: decoded.functionName,
      })
    }
    const [lastBatch, header, pubdata, proof] = decoded.args
    const suppliedLast: StoredBatchInfo = {
      batchNumber: lastBatch.batchNumber,
      timestamp: lastBatch.timestamp,
      stateRoot: BigInt(lastBatch.stateRoot),
      commitment: lastBatch.commitment,
    }
    if (!sameStoredBatch(suppliedLast, previous)) {
      throw new L1HistoryError('a batch does not extend the previous one', { batchNumber: header.batchNumber })
    }
    if (header.batchNumber !== log.args.batchNumber || BigInt(header.newStateRoot) !== BigInt(log.args.newStateRoot) || header.timestamp !== log.args.timestamp) {
      throw new L1HistoryError('decoded calldata differs from its BatchVerified event', { batchNumber: log.args.batchNumber, transactionHash: log.transactionHash })
    }
    const batch: LandedBatch = {
      batchNumber: header.batchNumber,
      timestamp: header.timestamp,
      oldStateRoot: suppliedLast.stateRoot,
      newStateRoot: BigInt(header.newStateRoot),
      pubdata: hexToBytes(pubdata),
      proof: { a: proof.a, b: proof.b, c: proof.c },
      commitment: log.args.commitment,
      priorityOpsProcessed: log.args.priorityOpsProcessed,
      transactionHash: log.transactionHash,
      blockNumber: log.blockNumber,
    }
    batches.push(batch)
    previous = { batchNumber: batch.batchNumber, timestamp: batch.timestamp, stateRoot: batch.newStateRoot, commitment: batch.commitment }
  }
  return { genesis, batches, lastBatch: previous }
}

function sameStoredBatch(a: StoredBatchInfo, b: StoredBatchInfo): boolean {
  return a.batchNumber === b.batchNumber && a.timestamp === b.timestamp && a.stateRoot === b.stateRoot && a.commitment === b.commitment
}

/** The ABI form of a stored batch (what `exit` and `submitBatch` take). */
export function storedBatchToAbi(info: StoredBatchInfo): { batchNumber: bigint; timestamp: bigint; stateRoot: Hex; commitment: bigint } {
  return { batchNumber: info.batchNumber, timestamp: info.timestamp, stateRoot: toBytes32(info.stateRoot), commitment: info.commitment }
}

export function toBytes32(value: bigint): Hex {
  return `0x${value.toString(16).padStart(64, '0')}`
}
