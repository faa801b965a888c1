/**
 * The pubdata codec of docs/protocol.md §6 and the batch commitment of §7.
 *
 * A batch of N slots has N·32 bytes: one 32-byte chunk per slot; a record starts with its type byte and takes 1 or
 * 2 chunks. Every record layout is one row of `LAYOUTS`, and the encoder and decoder both walk that row, so they
 * cannot drift apart. Bytes a layout does not name are zero; the decoder rejects anything else.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { isOnCurve, packPoint, unpackPoint } from '../crypto/babyJubJub.ts'
import { PointNotOnCurveError } from '../crypto/errors.ts'
import { MAX_FUNDING_RATE_PPM, MAX_WITHDRAWAL_AMOUNT, assertTimestamp } from './bounds.ts'
import { fitsUnsigned, readUintBE, writeUintBE } from './bytes.ts'
import {
  PubdataCapacityError,
  PubdataFieldOverflowError,
  PubdataInvalidFieldError,
  PubdataLengthError,
  PubdataNonZeroPaddingError,
  PubdataTruncatedRecordError,
  PubdataUnknownTypeError,
} from './errors.ts'
import { fieldElementToBytes } from './field.ts'
import { PUBDATA_CHUNK_BYTES, TX_TYPE_CODE, type MarginMode, type PublicKey } from './types.ts'

export type NoopRecord = { readonly type: 'noop' }
/** type 1: a top-up. `depositor` is the L1 sender (the contract's queue entry is the keccak of this record). */
export type DepositRecord = {
  readonly type: 'deposit'
  readonly accountIndex: bigint
  readonly amount: bigint
  readonly depositor: bigint
}
/** type 2 (2 chunks): a deposit that creates the account. */
export type DepositNewRecord = {
  readonly type: 'depositNew'
  readonly accountIndex: bigint
  readonly amount: bigint
  readonly owner: bigint
  readonly mode: MarginMode
  readonly publicKey: PublicKey
}
/** type 3: one fill; the price is the maker's limit. 28 significant bytes. */
export type TradeRecord = {
  readonly type: 'trade'
  readonly market: number
  readonly takerIsBuy: boolean
  readonly takerIndex: bigint
  readonly makerIndex: bigint
  readonly size: bigint
  readonly price: bigint
  readonly takerStorageId: bigint
  readonly makerStorageId: bigint
}
/** type 4 (2 chunks): the storage id rides in the second chunk so order slots can be rebuilt from pubdata. */
export type WithdrawRecord = {
  readonly type: 'withdraw'
  readonly accountIndex: bigint
  readonly amount: bigint
  readonly to: bigint
  readonly storageId: bigint
}
/**
 * type 5 (2 chunks): `withdrawn` is what the state machine paid out (0 if the requester was not the owner);
 * `requestedAmount` is what the L1 request asked for, bound by the contract's queue hash so a proof cannot pretend
 * a smaller request (`withdrawn ≤ requestedAmount`).
 */
export type ForcedWithdrawalRecord = {
  readonly type: 'forcedWithdrawal'
  readonly accountIndex: bigint
  readonly withdrawn: bigint
  readonly requester: bigint
  readonly requestedAmount: bigint
}
export type TransferRecord = {
  readonly type: 'transfer'
  readonly targetMode: MarginMode
  readonly fromIndex: bigint
  readonly toIndex: bigint
  readonly amount: bigint
  readonly storageId: bigint
}
export type OracleUpdateRecord = {
  readonly type: 'oracleUpdate'
  readonly market: number
  readonly price: bigint
  readonly timestamp: bigint
}
/** `ratePpm` is an int32 in two's complement, |rate| ≤ 10^6. */
export type FundingUpdateRecord = {
  readonly type: 'fundingUpdate'
  readonly market: number
  readonly ratePpm: bigint
  readonly timestamp: bigint
}
export type LiquidationRecord = {
  readonly type: 'liquidation'
  readonly market: number
  readonly full: boolean
  readonly accountIndex: bigint
  readonly makerIndex: bigint
  readonly size: bigint
  readonly price: bigint
  readonly makerStorageId: bigint
}
export type BackstopRecord = { readonly type: 'backstop'; readonly accountIndex: bigint }
export type AutoDeleverageRecord = {
  readonly type: 'autoDeleverage'
  readonly market: number
  readonly counterpartyIndex: bigint
  readonly size: bigint
}

export type PubdataRecord =
  | NoopRecord
  | DepositRecord
  | DepositNewRecord
  | TradeRecord
  | WithdrawRecord
  | ForcedWithdrawalRecord
  | TransferRecord
  | OracleUpdateRecord
  | FundingUpdateRecord
  | LiquidationRecord
  | BackstopRecord
  | AutoDeleverageRecord

export type PubdataRecordType = PubdataRecord['type']

/**
 * How a field sits in the record: `uint` an unsigned bigint of `length` bytes (optionally capped at `max`),
 * `small` an unsigned number (market, mode), `flag` a boolean in bit 0 of a byte whose other bits are zero,
 * `int32` a signed bigint in two's complement (capped at ±`max`), `point` a circomlibjs-packed BabyJubJub point.
 */
type FieldKind = 'uint' | 'small' | 'flag' | 'int32' | 'point'
type FieldLayout = {
  readonly name: string
  readonly offset: number
  readonly length: number
  readonly kind: FieldKind
  readonly max?: bigint
}
type RecordLayout = { readonly chunks: 1 | 2; readonly fields: readonly FieldLayout[] }

const uint = (name: string, offset: number, end: number, max?: bigint): FieldLayout =>
  max === undefined ? { name, offset, length: end - offset, kind: 'uint' } : { name, offset, length: end - offset, kind: 'uint', max }
const small = (name: string, offset: number): FieldLayout => ({ name, offset, length: 1, kind: 'small' })
const flag = (name: string, offset: number): FieldLayout => ({ name, offset, length: 1, kind: 'flag' })

/** §6, byte offsets within the record. */
export const LAYOUTS: { readonly [T in PubdataRecordType]: RecordLayout } = {
  noop: { chunks: 1, fields: [] },
  deposit: { chunks: 1, fields: [uint('accountIndex', 2, 5), uint('amount', 5, 12), uint('depositor', 12, 32)] },
  depositNew: {
    chunks: 2,
    fields: [
      small('mode', 1),
      uint('accountIndex', 2, 5),
      uint('amount', 5, 12),
      uint('owner', 12, 32),
      { name: 'publicKey', offset: 32, length: 32, kind: 'point' },
    ],
  },
  trade: {
    chunks: 1,
    fields: [
      small('market', 1),
      flag('takerIsBuy', 2),
      uint('takerIndex', 3, 6),
      uint('makerIndex', 6, 9),
      uint('size', 9, 14),
      uint('price', 14, 20),
      uint('takerStorageId', 20, 24),
      uint('makerStorageId', 24, 28),
    ],
  },
  withdraw: {
    chunks: 2,
    fields: [
      uint('accountIndex', 1, 4),
      uint('amount', 4, 12, MAX_WITHDRAWAL_AMOUNT),
      uint('to', 12, 32),
      uint('storageId', 32, 36),
    ],
  },
  forcedWithdrawal: {
    chunks: 2,
    fields: [
      uint('accountIndex', 1, 4),
      uint('withdrawn', 4, 12, MAX_WITHDRAWAL_AMOUNT),
      uint('requester', 12, 32),
      uint('requestedAmount', 32, 40, MAX_WITHDRAWAL_AMOUNT),
    ],
  },
  transfer: {
    chunks: 1,
    fields: [
      small('targetMode', 1),
      uint('fromIndex', 2, 5),
      uint('toIndex', 5, 8),
      uint('amount', 8, 16, MAX_WITHDRAWAL_AMOUNT),
      uint('storageId', 16, 20),
    ],
  },
  oracleUpdate: { chunks: 1, fields: [small('market', 1), uint('price', 2, 8), uint('timestamp', 8, 12)] },
  fundingUpdate: {
    chunks: 1,
    fields: [
      small('market', 1),
      { name: 'ratePpm', offset: 2, length: 4, kind: 'int32', max: MAX_FUNDING_RATE_PPM },
      uint('timestamp', 6, 10),
    ],
  },
  liquidation: {
    chunks: 1,
    fields: [
      small('market', 1),
      flag('full', 2),
      uint('accountIndex', 3, 6),
      uint('makerIndex', 6, 9),
      uint('size', 9, 14),
      uint('price', 14, 20),
      uint('makerStorageId', 20, 24),
    ],
  },
  backstop: { chunks: 1, fields: [uint('accountIndex', 1, 4)] },
  autoDeleverage: { chunks: 1, fields: [small('market', 1), uint('counterpartyIndex', 2, 5), uint('size', 5, 10)] },
}

const TYPE_BY_CODE: readonly PubdataRecordType[] = (Object.keys(TX_TYPE_CODE) as PubdataRecordType[]).sort(
  (a, b) => TX_TYPE_CODE[a] - TX_TYPE_CODE[b],
)

/** 1 or 2: how many chunks (batch slots) a record takes. */
export function recordChunks(record: PubdataRecord): 1 | 2 {
  return LAYOUTS[record.type].chunks
}

/** Which bytes of a record a layout names (the type byte included); all others must be zero. */
const USED_BYTES: { readonly [T in PubdataRecordType]: Uint8Array } = Object.fromEntries(
  TYPE_BY_CODE.map((type) => {
    const layout = LAYOUTS[type]
    const used = new Uint8Array(layout.chunks * PUBDATA_CHUNK_BYTES)
    used[0] = 1
    for (const field of layout.fields) used.fill(1, field.offset, field.offset + field.length)
    return [type, used]
  }),
) as { [T in PubdataRecordType]: Uint8Array }

function fieldValueFits(field: FieldLayout, value: bigint): boolean {
  if (field.kind === 'int32') return value >= -(field.max ?? 1n << 31n) && value <= (field.max ?? (1n << 31n) - 1n)
  return fitsUnsigned(value, field.length) && (field.max === undefined || value <= field.max)
}

/**
 * One record as its 32 or 64 bytes. Throws PUBDATA_FIELD_OVERFLOW if a value does not fit its bytes (or its §1 cap),
 * POINT_NOT_ON_CURVE for a public key that packing would not preserve.
 */
export function encodeRecord(record: PubdataRecord): Uint8Array {
  const layout = LAYOUTS[record.type]
  const bytes = new Uint8Array(layout.chunks * PUBDATA_CHUNK_BYTES)
  bytes[0] = TX_TYPE_CODE[record.type]
  const values = record as unknown as Readonly<Record<string, unknown>>
  for (const field of layout.fields) {
    const value = values[field.name]
    switch (field.kind) {
      case 'point': {
        const point = value as PublicKey
        // packPoint keeps only y and a sign bit: an off-curve point would decode to a different key.
        if (!isOnCurve(point)) throw new PointNotOnCurveError('point', point.x, point.y)
        bytes.set(packPoint(point), field.offset)
        break
      }
      case 'flag':
        bytes[field.offset] = value === true ? 1 : 0
        break
      case 'small':
      case 'uint':
      case 'int32': {
        const number = field.kind === 'small' ? (Number.isSafeInteger(value) ? BigInt(value as number) : -1n) : (value as bigint)
        if (typeof number !== 'bigint' || !fieldValueFits(field, number)) {
          throw new PubdataFieldOverflowError(record.type, field.name, typeof number === 'bigint' ? number : -1n, field.length)
        }
        const unsigned = number < 0n ? number + (1n << BigInt(8 * field.length)) : number
        writeUintBE(bytes, field.offset, unsigned, field.length)
        break
      }
    }
  }
  return bytes
}

/** Records in order, padded with noop chunks to exactly `batchSlots`·32 bytes. Throws PUBDATA_CAPACITY_EXCEEDED. */
export function encodePubdata(records: readonly PubdataRecord[], batchSlots: number): Uint8Array {
  const chunks = records.reduce((sum, record) => sum + recordChunks(record), 0)
  if (chunks > batchSlots) throw new PubdataCapacityError(chunks, batchSlots)
  const pubdata = new Uint8Array(batchSlots * PUBDATA_CHUNK_BYTES)
  let offset = 0
  for (const record of records) {
    const bytes = encodeRecord(record)
    pubdata.set(bytes, offset)
    offset += bytes.length
  }
  return pubdata
}

function decodeRecord(pubdata: Uint8Array, offset: number, type: PubdataRecordType): PubdataRecord {
  const chunkIndex = offset / PUBDATA_CHUNK_BYTES
  const layout = LAYOUTS[type]
  const used = USED_BYTES[type]
  for (let i = 1; i < used.length; i++) {
    if (used[i] === 0 && pubdata[offset + i] !== 0) throw new PubdataNonZeroPaddingError(chunkIndex, i, type)
  }
  const record: Record<string, unknown> = { type }
  for (const field of layout.fields) {
    const start = offset + field.offset
    switch (field.kind) {
      case 'point':
        try {
          record[field.name] = unpackPoint(pubdata.subarray(start, start + field.length))
        } catch (cause) {
          throw new PubdataInvalidFieldError(chunkIndex, type, field.name, cause)
        }
        break
      case 'flag': {
        const byte = pubdata[start]!
        if (byte > 1) throw new PubdataNonZeroPaddingError(chunkIndex, field.offset, type)
        record[field.name] = byte === 1
        break
      }
      case 'small':
        record[field.name] = pubdata[start]!
        break
      case 'uint':
      case 'int32': {
        let value = readUintBE(pubdata, start, field.length)
        if (field.kind === 'int32' && value >= 1n << 31n) value -= 1n << 32n
        if (!fieldValueFits(field, value)) throw new PubdataInvalidFieldError(chunkIndex, type, field.name)
        record[field.name] = value
        break
      }
    }
  }
  return record as unknown as PubdataRecord
}

/**
 * Every record in `pubdata` (a multiple of 32 bytes), noop chunks included. Typed errors: PUBDATA_LENGTH_INVALID,
 * PUBDATA_UNKNOWN_TYPE, PUBDATA_NONZERO_PADDING (an unused byte or flag bit is set), PUBDATA_TRUNCATED_RECORD
 * (a 2-chunk record in the last chunk), PUBDATA_INVALID_FIELD (a value above its §1 cap, a bad packed key).
 */
export function decodePubdata(pubdata: Uint8Array): PubdataRecord[] {
  if (pubdata.length % PUBDATA_CHUNK_BYTES !== 0) throw new PubdataLengthError(pubdata.length)
  const records: PubdataRecord[] = []
  let offset = 0
  while (offset < pubdata.length) {
    const code = pubdata[offset]!
    const type = TYPE_BY_CODE[code]
    if (type === undefined) throw new PubdataUnknownTypeError(code, offset / PUBDATA_CHUNK_BYTES)
    const length = LAYOUTS[type].chunks * PUBDATA_CHUNK_BYTES
    if (offset + length > pubdata.length) throw new PubdataTruncatedRecordError(offset / PUBDATA_CHUNK_BYTES, type)
    records.push(decodeRecord(pubdata, offset, type))
    offset += length
  }
  return records
}

/** Pubdata without its trailing all-zero chunks: what L1 calldata carries (§6; the contract pads it back). */
export function trimTrailingNoops(pubdata: Uint8Array): Uint8Array {
  if (pubdata.length % PUBDATA_CHUNK_BYTES !== 0) throw new PubdataLengthError(pubdata.length)
  let end = pubdata.length
  while (end > 0 && pubdata.subarray(end - PUBDATA_CHUNK_BYTES, end).every((byte) => byte === 0)) end -= PUBDATA_CHUNK_BYTES
  return pubdata.slice(0, end)
}

/** Pads trimmed pubdata with zero chunks to `batchSlots`·32 bytes, as the contract does before hashing. */
export function padPubdata(pubdata: Uint8Array, batchSlots: number): Uint8Array {
  if (pubdata.length % PUBDATA_CHUNK_BYTES !== 0) throw new PubdataLengthError(pubdata.length)
  const chunks = pubdata.length / PUBDATA_CHUNK_BYTES
  if (chunks > batchSlots) throw new PubdataCapacityError(chunks, batchSlots)
  const padded = new Uint8Array(batchSlots * PUBDATA_CHUNK_BYTES)
  padded.set(pubdata)
  return padded
}

export const COMMITMENT_MASK = (1n << 253n) - 1n

export type BatchCommitmentParameters = {
  readonly oldStateRoot: bigint
  readonly newStateRoot: bigint
  readonly batchTimestamp: bigint
  /** The full N·32 bytes (padded). */
  readonly pubdata: Uint8Array
}

/** §7: uint256(sha256(oldStateRoot[32] ‖ newStateRoot[32] ‖ batchTimestamp[8] ‖ pubdata)) & (2^253 − 1). */
export function batchCommitment({ oldStateRoot, newStateRoot, batchTimestamp, pubdata }: BatchCommitmentParameters): bigint {
  if (pubdata.length % PUBDATA_CHUNK_BYTES !== 0) throw new PubdataLengthError(pubdata.length)
  assertTimestamp(batchTimestamp, 'batchTimestamp')
  const preimage = new Uint8Array(72 + pubdata.length)
  preimage.set(fieldElementToBytes(oldStateRoot), 0)
  preimage.set(fieldElementToBytes(newStateRoot), 32)
  writeUintBE(preimage, 64, batchTimestamp, 8)
  preimage.set(pubdata, 72)
  return readUintBE(sha256(preimage), 0, 32) & COMMITMENT_MASK
}
