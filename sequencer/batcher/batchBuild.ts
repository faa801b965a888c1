/**
 * A cut batch made concrete: applied with the sdk through the circuit's witness builder, giving the pubdata, the
 * roots, the commitment, the circuit input (as a prover `ProofJob`) and the `StoredBatchInfo` the contract hashes.
 */
import { buildBatchWitness, type BatchWitness } from '../../circuits/witness/batchWitness.ts'
import { bytesToHex } from '../../sdk/protocol/bytes.ts'
import { FIELD_MODULUS } from '../../sdk/protocol/field.ts'
import { trimTrailingNoops, type PubdataRecord } from '../../sdk/protocol/pubdata.ts'
import type { Domain } from '../../sdk/protocol/types.ts'
import type { ExchangeState } from '../../sdk/state/state.ts'
import type { TxContext } from '../../sdk/state/txEffect.ts'
import type { CircuitArtifactPaths, CircuitInput, CircuitInputValue, ProofJob } from '../../prover/proofJob.ts'
import type { CutBatch, CutReason, PositionedTx, TxPosition } from './batchCut.ts'
import { BatchWitnessFailedError } from './errors.ts'

/** What `ZkPerp` stores per batch, as `keccak256(abi.encode(info))` (contracts/src/types/ZkPerpTypes.sol). */
export type StoredBatchInfo = {
  readonly batchNumber: bigint
  readonly timestamp: bigint
  /** The state root after the batch (bytes32 on L1). */
  readonly stateRoot: bigint
  readonly commitment: bigint
}

export type BuiltBatch = {
  readonly batchNumber: bigint
  /** T, the batch header timestamp. */
  readonly timestamp: bigint
  readonly reason: CutReason
  readonly txs: readonly PositionedTx[]
  /** First and last tx (seq and rank within the seq): the seq range the batch covers. */
  readonly first: TxPosition
  readonly last: TxPosition
  readonly records: readonly PubdataRecord[]
  /** Exactly N·32 bytes (what the circuit hashes). */
  readonly pubdata: Uint8Array
  /** `pubdata` without trailing zero chunks (what `submitBatch` takes). */
  readonly calldata: Uint8Array
  readonly oldStateRoot: bigint
  readonly newStateRoot: bigint
  readonly commitment: bigint
  /** Priority records (deposits, forced withdrawals) the batch consumes from the L1 queue. */
  readonly priorityOps: number
  /** The `StoredBatchInfo` L1 will hold after this batch (pass it back as `lastBatch` for the next one). */
  readonly storedBatchInfo: StoredBatchInfo
  /** For the prover pool: the circuit input as decimal strings and the expected public signals. */
  readonly proofJob: ProofJob
}

/** The StoredBatchInfo of the genesis state (batch 0), as the contract's constructor stores it. */
export function genesisBatchInfo(genesisStateRoot: bigint, genesisTimestamp: bigint): StoredBatchInfo {
  return { batchNumber: 0n, timestamp: genesisTimestamp, stateRoot: genesisStateRoot, commitment: 0n }
}

/**
 * The batch circuit's public signals, in order, as decimal strings. The only place that knows their shape:
 * when the signing domain becomes a second public signal, it is added here.
 */
export function batchPublicSignals(batch: { readonly commitment: bigint }): string[] {
  return [batch.commitment.toString()]
}

/** Field elements (bigint, negatives mod p) as decimal strings, recursively: snarkjs's input shape. */
export function toCircuitInputValue(value: unknown): CircuitInputValue {
  if (typeof value === 'bigint') return (((value % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS).toString()
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value.toString()
  if (Array.isArray(value)) return value.map(toCircuitInputValue)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toCircuitInputValue(item)]))
  }
  throw new TypeError(`not a circuit input value: ${String(value)}`)
}

export function createBatchProofJob(parameters: {
  batchNumber: bigint
  commitment: bigint
  input: Record<string, unknown>
  circuit: CircuitArtifactPaths | string
}): ProofJob {
  return {
    jobId: `batch-${parameters.batchNumber}`,
    batchNumber: parameters.batchNumber,
    circuit: parameters.circuit,
    input: toCircuitInputValue(parameters.input) as CircuitInput,
    expectedPublicSignals: batchPublicSignals(parameters),
  }
}

export type BuildBatchParameters = {
  readonly domain: Domain
  readonly circuit: CircuitArtifactPaths | string
  /**
   * Re-verify every signature while building (default true). The gateway verified them already; this catches a
   * bad one before a prover spends a proof on it.
   */
  readonly verifySignatures?: boolean
}

export type BuildBatchReturnType = { readonly batch: BuiltBatch; readonly stateAfter: ExchangeState }

/**
 * Applies a batch to `stateBefore` (not modified) through the circuit's witness builder. Throws
 * BatchWitnessFailedError when the witness cannot be built.
 */
export function buildBatch(
  cut: Pick<CutBatch, 'batchNumber' | 'timestamp' | 'txs' | 'reason'>,
  stateBefore: ExchangeState,
  parameters: BuildBatchParameters,
): BuildBatchReturnType {
  const first = cut.txs[0]
  const last = cut.txs[cut.txs.length - 1]
  if (first === undefined || last === undefined) throw new BatchWitnessFailedError(cut.batchNumber, 'empty batch')
  const context: TxContext =
    parameters.verifySignatures === false
      ? { batchTimestamp: cut.timestamp, domain: parameters.domain, signaturesVerified: true }
      : { batchTimestamp: cut.timestamp, domain: parameters.domain }
  let witness: BatchWitness
  try {
    witness = buildBatchWitness(stateBefore, cut.txs.map((queued) => queued.tx), context)
  } catch (error) {
    throw new BatchWitnessFailedError(cut.batchNumber, error)
  }
  const { result } = witness
  const priorityOps = result.records.filter((record) => record.type === 'deposit' || record.type === 'depositNew' || record.type === 'forcedWithdrawal').length
  const batch: BuiltBatch = {
    batchNumber: cut.batchNumber,
    timestamp: cut.timestamp,
    reason: cut.reason,
    txs: cut.txs,
    first: { seq: first.seq, index: first.index },
    last: { seq: last.seq, index: last.index },
    records: result.records,
    pubdata: result.pubdata,
    calldata: trimTrailingNoops(result.pubdata),
    oldStateRoot: result.oldStateRoot,
    newStateRoot: result.newStateRoot,
    commitment: result.commitment,
    priorityOps,
    storedBatchInfo: { batchNumber: cut.batchNumber, timestamp: cut.timestamp, stateRoot: result.newStateRoot, commitment: result.commitment },
    proofJob: createBatchProofJob({ batchNumber: cut.batchNumber, commitment: result.commitment, input: witness.input, circuit: parameters.circuit }),
  }
  return { batch, stateAfter: witness.state }
}

/** The pubdata as 0x-hex (for logs and the submitter). */
export function calldataHex(batch: BuiltBatch): `0x${string}` {
  return bytesToHex(batch.calldata)
}
