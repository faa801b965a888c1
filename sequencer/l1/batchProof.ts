/**
 * The batch as L1 sees it: the contract's `StoredBatchInfo`, `BatchHeader` and `Proof` structs as plain data, the
 * hash ZkPerp stores, and the one place that says which public signals a batch proof carries.
 *
 * When the circuit's public inputs change (e.g. the signing domain becomes a second public signal), the edit is in
 * `batchPublicSignals` (and the contract's verifier call); nothing else here knows the signal list.
 */
import { type Hex, encodeAbiParameters, keccak256 } from 'viem'
import { fieldElementToBytes } from '../../sdk/protocol/field.ts'
import { batchCommitment, padPubdata } from '../../sdk/protocol/pubdata.ts'
import { bytesToHex } from '../../sdk/protocol/bytes.ts'
import type { Groth16Proof } from '../../scripts/smoke/snarkjs.ts'

export type { Groth16Proof } from '../../scripts/smoke/snarkjs.ts'

/** What ZkPerp remembers of a proven batch (it stores `keccak256(abi.encode(info))`). Genesis is batch 0. */
export type StoredBatchInfo = {
  readonly batchNumber: bigint
  readonly timestamp: bigint
  readonly stateRoot: bigint
  /** The batch's public commitment (genesis: 0). */
  readonly commitment: bigint
}

/** The operator's claim about a new batch (the contract's `BatchHeader`). */
export type BatchHeader = {
  readonly batchNumber: bigint
  readonly timestamp: bigint
  readonly newStateRoot: bigint
}

/** A Groth16 proof in the Solidity verifier's argument order: `b`'s Fp2 coordinates swapped to (c1, c0). */
export type SolidityProof = {
  readonly a: readonly [bigint, bigint]
  readonly b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]]
  readonly c: readonly [bigint, bigint]
}

/**
 * snarkjs's JSON proof → the contract's `Proof`. snarkjs writes each G2 coordinate as [c0, c1]; the EVM pairing
 * precompile (and so the generated verifier) takes [c1, c0]. The projective third coordinates are dropped (snarkjs
 * always normalises them to 1).
 */
export function toSolidityProof(proof: Groth16Proof): SolidityProof {
  const [ax, ay] = proof.pi_a
  const [[bx0, bx1], [by0, by1]] = proof.pi_b
  const [cx, cy] = proof.pi_c
  return {
    a: [BigInt(ax), BigInt(ay)],
    b: [
      [BigInt(bx1), BigInt(bx0)],
      [BigInt(by1), BigInt(by0)],
    ],
    c: [BigInt(cx), BigInt(cy)],
  }
}

/** The inverse of `toSolidityProof` (snarkjs form with z = 1), for checking an on-chain proof with snarkjs. */
export function fromSolidityProof(proof: SolidityProof): Groth16Proof {
  const [[bx1, bx0], [by1, by0]] = proof.b
  return {
    pi_a: [proof.a[0].toString(), proof.a[1].toString(), '1'],
    pi_b: [
      [bx0.toString(), bx1.toString()],
      [by0.toString(), by1.toString()],
      ['1', '0'],
    ],
    pi_c: [proof.c[0].toString(), proof.c[1].toString(), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  }
}

export type BatchPublicSignalsParameters = {
  /** §7 commitment of the batch. */
  readonly commitment: bigint
}

/**
 * The public signals a batch proof must carry, in circuit order, as snarkjs writes them (decimal strings). Today the
 * circuit has a single public input, the commitment (docs/protocol.md §7).
 */
export function batchPublicSignals({ commitment }: BatchPublicSignalsParameters): string[] {
  return [commitment.toString()]
}

export type ComputeBatchCommitmentParameters = {
  readonly previous: StoredBatchInfo
  readonly header: BatchHeader
  /** Pubdata, full or with trailing zero chunks trimmed. */
  readonly pubdata: Uint8Array
  /** N: the contract pads pubdata to N·32 bytes before hashing. */
  readonly batchSlots: number
}

/** §7 commitment exactly as ZkPerp recomputes it from calldata: the old root is the previous batch's root. */
export function computeBatchCommitment({ previous, header, pubdata, batchSlots }: ComputeBatchCommitmentParameters): bigint {
  return batchCommitment({
    oldStateRoot: previous.stateRoot,
    newStateRoot: header.newStateRoot,
    batchTimestamp: header.timestamp,
    pubdata: padPubdata(pubdata, batchSlots),
  })
}

const storedBatchInfoAbi = [
  {
    type: 'tuple',
    components: [
      { name: 'batchNumber', type: 'uint64' },
      { name: 'timestamp', type: 'uint64' },
      { name: 'stateRoot', type: 'bytes32' },
      { name: 'commitment', type: 'uint256' },
    ],
  },
] as const

/** A field element as the contract's `bytes32` (32-byte big-endian). */
export function fieldToBytes32(value: bigint): Hex {
  return bytesToHex(fieldElementToBytes(value))
}

/** The struct as viem passes it to the contract. */
export function storedBatchInfoArgument(info: StoredBatchInfo) {
  return { batchNumber: info.batchNumber, timestamp: info.timestamp, stateRoot: fieldToBytes32(info.stateRoot), commitment: info.commitment }
}

/** `keccak256(abi.encode(info))`: what ZkPerp stores as `lastBatchHash`. */
export function hashStoredBatchInfo(info: StoredBatchInfo): Hex {
  return keccak256(encodeAbiParameters(storedBatchInfoAbi, [storedBatchInfoArgument(info)]))
}
