import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BASE8, mulBase, packPoint } from '../crypto/babyJubJub.ts'
import { FIELD_MODULUS } from '../crypto/field.ts'
import { BaseError } from '../errors.ts'
import { bytesToHex } from './bytes.ts'
import {
  batchCommitment,
  decodePubdata,
  encodePubdata,
  encodeRecord,
  padPubdata,
  recordChunks,
  trimTrailingNoops,
  type PubdataRecord,
  type TradeRecord,
} from './pubdata.ts'

const trade: TradeRecord = {
  type: 'trade',
  market: 1,
  takerIsBuy: true,
  takerIndex: 0x020304n,
  makerIndex: 0x050607n,
  size: 0x08090a0b0cn,
  price: 0x0d0e0f101112n,
  takerStorageId: 0x13141516n,
  makerStorageId: 0x1718191an,
}
const publicKey = mulBase(123456789n)

function thrown(run: () => unknown): BaseError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(BaseError)
    return error as BaseError
  }
  throw new Error('expected a throw')
}

describe('encodeRecord', () => {
  it('behavior: a trade is one chunk with 28 significant bytes at the §6 offsets', () => {
    const bytes = encodeRecord(trade)
    expect(bytesToHex(bytes)).toBe('0x030101' + '020304' + '050607' + '08090a0b0c' + '0d0e0f101112' + '13141516' + '1718191a' + '00000000')
    expect(bytes.length).toBe(32)
    expect([...bytes.subarray(0, 28)]).toEqual([3, 1, 1, ...Array.from({ length: 25 }, (_, i) => i + 2)])
    expect(bytes.subarray(28).every((byte) => byte === 0)).toBe(true)
    let lastSignificant = 0
    bytes.forEach((byte, index) => {
      if (byte !== 0) lastSignificant = index
    })
    expect(lastSignificant + 1).toBe(28)
  })

  it('behavior: a new-account deposit carries the circomlibjs-packed key in its second chunk', () => {
    const bytes = encodeRecord({ type: 'depositNew', accountIndex: 2n, amount: 5n, owner: 0xaan, mode: 1, publicKey })
    expect(bytes.length).toBe(64)
    expect([bytes[0], bytes[1], bytes[4], bytes[11], bytes[31]]).toEqual([2, 1, 2, 5, 0xaa])
    expect(bytes.subarray(32)).toEqual(packPoint(publicKey))
  })

  it('behavior: a withdraw is two chunks with the storage id at [32..36)', () => {
    const bytes = encodeRecord({ type: 'withdraw', accountIndex: 7n, amount: 9n, to: 0xbbn, storageId: 0x01020304n })
    expect(bytes.length).toBe(64)
    expect([bytes[0], bytes[3], bytes[11], bytes[31], ...bytes.subarray(32, 36)]).toEqual([4, 7, 9, 0xbb, 1, 2, 3, 4])
    expect(bytes.subarray(36).every((byte) => byte === 0)).toBe(true)
  })

  it('behavior: a forced withdrawal is two chunks with the requested amount at [32..40)', () => {
    const bytes = encodeRecord({
      type: 'forcedWithdrawal',
      accountIndex: 0x0a0b0cn,
      withdrawn: 0x0102030405060708n,
      requester: 0xccn,
      requestedAmount: 0x7172737475767778n,
    })
    expect(bytes.length).toBe(64)
    expect(bytesToHex(bytes.subarray(0, 12))).toBe('0x050a0b0c0102030405060708')
    expect(bytes[31]).toBe(0xcc)
    expect(bytesToHex(bytes.subarray(32, 40))).toBe('0x7172737475767778')
    expect(bytes.subarray(40).every((byte) => byte === 0)).toBe(true)
  })

  it('behavior: a new-account deposit accepts any on-curve key, in the prime-order subgroup or not', () => {
    // Base8 plus the point of order 2: on the curve, order 2·l, so outside the subgroup. Packing keeps it exactly.
    const outside = { x: FIELD_MODULUS - BASE8.x, y: FIELD_MODULUS - BASE8.y }
    const record: PubdataRecord = { type: 'depositNew', accountIndex: 2n, amount: 5n, owner: 1n, mode: 0, publicKey: outside }
    expect(decodePubdata(encodeRecord(record))).toEqual([record])
    const orderTwo: PubdataRecord = { ...record, publicKey: { x: 0n, y: FIELD_MODULUS - 1n } }
    expect(decodePubdata(encodeRecord(orderTwo))).toEqual([orderTwo])
  })

  it('behavior: funding rate is int32 two’s complement', () => {
    const bytes = encodeRecord({ type: 'fundingUpdate', market: 0, ratePpm: -1n, timestamp: 1n })
    expect([...bytes.subarray(0, 10)]).toEqual([8, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1])
  })

  it('behavior: chunk counts', () => {
    expect(recordChunks(trade)).toBe(1)
    expect(recordChunks({ type: 'noop' })).toBe(1)
    expect(recordChunks({ type: 'withdraw', accountIndex: 0n, amount: 0n, to: 0n, storageId: 0n })).toBe(2)
    expect(recordChunks({ type: 'forcedWithdrawal', accountIndex: 0n, withdrawn: 0n, requester: 0n, requestedAmount: 0n })).toBe(2)
  })

  it('error: a value wider than its bytes or above its cap', () => {
    expect(thrown(() => encodeRecord({ ...trade, takerIndex: 2n ** 24n }))).toMatchObject({
      code: 'PUBDATA_FIELD_OVERFLOW',
      details: { recordType: 'trade', field: 'takerIndex', value: 2n ** 24n, bytes: 3 },
    })
    expect(thrown(() => encodeRecord({ ...trade, size: -1n })).code).toBe('PUBDATA_FIELD_OVERFLOW')
    expect(thrown(() => encodeRecord({ ...trade, market: 256 })).code).toBe('PUBDATA_FIELD_OVERFLOW')
    const forced = { type: 'forcedWithdrawal', accountIndex: 1n, withdrawn: 0n, requester: 1n, requestedAmount: 0n } as const
    expect(thrown(() => encodeRecord({ ...forced, withdrawn: 2n ** 63n })).code).toBe('PUBDATA_FIELD_OVERFLOW')
    expect(thrown(() => encodeRecord({ ...forced, requestedAmount: 2n ** 63n }))).toMatchObject({
      code: 'PUBDATA_FIELD_OVERFLOW',
      details: { field: 'requestedAmount' },
    })
    expect(thrown(() => encodeRecord({ type: 'fundingUpdate', market: 0, ratePpm: 1_000_001n, timestamp: 1n })).code).toBe(
      'PUBDATA_FIELD_OVERFLOW',
    )
    expect(
      thrown(() => encodeRecord({ type: 'depositNew', accountIndex: 2n, amount: 5n, owner: 1n, mode: 0, publicKey: { x: 1n, y: 1n } })).code,
    ).toBe('POINT_NOT_ON_CURVE')
  })
})

describe('encodePubdata', () => {
  it('behavior: pads with noop chunks to N·32 bytes', () => {
    const pubdata = encodePubdata([trade], 4)
    expect(pubdata.length).toBe(128)
    expect(pubdata.subarray(32).every((byte) => byte === 0)).toBe(true)
    expect(decodePubdata(pubdata)).toEqual([trade, { type: 'noop' }, { type: 'noop' }, { type: 'noop' }])
  })

  it('error: records that need more chunks than the batch has', () => {
    const withdraw: PubdataRecord = { type: 'withdraw', accountIndex: 0n, amount: 0n, to: 0n, storageId: 0n }
    expect(() => encodePubdata([trade, withdraw], 3)).not.toThrow()
    expect(thrown(() => encodePubdata([trade, trade, withdraw], 3))).toMatchObject({
      code: 'PUBDATA_CAPACITY_EXCEEDED',
      details: { chunks: 4, batchSlots: 3 },
    })
  })
})

describe('decodePubdata', () => {
  it('error: length not a multiple of 32', () => {
    expect(thrown(() => decodePubdata(new Uint8Array(33))).code).toBe('PUBDATA_LENGTH_INVALID')
  })

  it('error: unknown type byte', () => {
    const pubdata = encodePubdata([trade], 2)
    pubdata[32] = 12
    expect(thrown(() => decodePubdata(pubdata))).toMatchObject({ code: 'PUBDATA_UNKNOWN_TYPE', details: { typeByte: 12, chunkIndex: 1 } })
  })

  it('error: a non-zero unused byte in any record, noop included', () => {
    const withTail = encodePubdata([trade], 1)
    withTail[28] = 1
    expect(thrown(() => decodePubdata(withTail))).toMatchObject({
      code: 'PUBDATA_NONZERO_PADDING',
      details: { chunkIndex: 0, byteOffset: 28, recordType: 'trade' },
    })
    const noop = new Uint8Array(32)
    noop[31] = 1
    expect(thrown(() => decodePubdata(noop)).code).toBe('PUBDATA_NONZERO_PADDING')
    const topUp = encodeRecord({ type: 'deposit', accountIndex: 3n, amount: 1n, depositor: 1n })
    topUp[1] = 1
    expect(thrown(() => decodePubdata(topUp))).toMatchObject({ details: { byteOffset: 1, recordType: 'deposit' } })
    const withdraw = encodeRecord({ type: 'withdraw', accountIndex: 0n, amount: 0n, to: 0n, storageId: 0n })
    withdraw[63] = 1
    expect(thrown(() => decodePubdata(withdraw))).toMatchObject({ details: { byteOffset: 63, recordType: 'withdraw' } })
  })

  it('error: a flag byte with bits other than bit 0', () => {
    const bytes = encodeRecord(trade)
    bytes[2] = 3
    expect(thrown(() => decodePubdata(bytes))).toMatchObject({ code: 'PUBDATA_NONZERO_PADDING', details: { byteOffset: 2 } })
  })

  it('error: a 2-chunk record cut by the end', () => {
    const record = encodeRecord({ type: 'depositNew', accountIndex: 2n, amount: 5n, owner: 1n, mode: 0, publicKey })
    const pubdata = new Uint8Array(64)
    pubdata.set(encodeRecord(trade), 0)
    pubdata.set(record.subarray(0, 32), 32)
    expect(thrown(() => decodePubdata(pubdata))).toMatchObject({
      code: 'PUBDATA_TRUNCATED_RECORD',
      details: { chunkIndex: 1, recordType: 'depositNew' },
    })
  })

  it('error: a value above its §1 cap or an unpackable key', () => {
    const forced = encodeRecord({ type: 'forcedWithdrawal', accountIndex: 1n, withdrawn: 0n, requester: 1n, requestedAmount: 0n })
    forced[4] = 0x80
    expect(thrown(() => decodePubdata(forced))).toMatchObject({ code: 'PUBDATA_INVALID_FIELD', details: { field: 'withdrawn' } })
    forced[4] = 0
    forced[32] = 0x80
    expect(thrown(() => decodePubdata(forced))).toMatchObject({ code: 'PUBDATA_INVALID_FIELD', details: { field: 'requestedAmount' } })
    const funding = encodeRecord({ type: 'fundingUpdate', market: 0, ratePpm: 1_000_000n, timestamp: 1n })
    funding[5] = funding[5]! + 1
    expect(thrown(() => decodePubdata(funding))).toMatchObject({ code: 'PUBDATA_INVALID_FIELD', details: { field: 'ratePpm' } })
    const deposit = encodeRecord({ type: 'depositNew', accountIndex: 2n, amount: 5n, owner: 1n, mode: 0, publicKey })
    deposit.fill(0xff, 32, 64) // y = 2^255 − 1 ≥ p (little-endian, top bit is the sign)
    const error = thrown(() => decodePubdata(deposit))
    expect(error).toMatchObject({ code: 'PUBDATA_INVALID_FIELD', details: { field: 'publicKey' } })
    expect((error.cause as BaseError).code).toBe('PACKED_POINT_INVALID')
  })
})

describe('trimTrailingNoops / padPubdata', () => {
  it('behavior: calldata drops trailing zero chunks and padding restores them', () => {
    const pubdata = encodePubdata([trade, { type: 'noop' }, trade], 6)
    const trimmed = trimTrailingNoops(pubdata)
    expect(trimmed.length).toBe(96)
    expect(padPubdata(trimmed, 6)).toEqual(pubdata)
    expect(trimTrailingNoops(new Uint8Array(64)).length).toBe(0)
  })
})

describe('batchCommitment', () => {
  const pubdata = encodePubdata([trade, { type: 'backstop', accountIndex: 9n }], 4)
  const parameters = { oldStateRoot: FIELD_MODULUS - 1n, newStateRoot: BASE8.x, batchTimestamp: 1_700_000_000n, pubdata }

  it('default: sha256 of root ‖ root ‖ timestamp[8] ‖ pubdata, masked to 253 bits', () => {
    const preimage = Buffer.concat([
      Buffer.from((FIELD_MODULUS - 1n).toString(16).padStart(64, '0'), 'hex'),
      Buffer.from(BASE8.x.toString(16).padStart(64, '0'), 'hex'),
      Buffer.from((1_700_000_000n).toString(16).padStart(16, '0'), 'hex'),
      Buffer.from(pubdata),
    ])
    expect(preimage.length).toBe(72 + 128)
    const digest = BigInt(`0x${createHash('sha256').update(preimage).digest('hex')}`)
    expect(batchCommitment(parameters)).toBe(digest & (2n ** 253n - 1n))
    expect(batchCommitment(parameters) < FIELD_MODULUS).toBe(true)
  })

  it('behavior: every input changes the commitment', () => {
    const base = batchCommitment(parameters)
    expect(batchCommitment({ ...parameters, oldStateRoot: 1n })).not.toBe(base)
    expect(batchCommitment({ ...parameters, newStateRoot: 1n })).not.toBe(base)
    expect(batchCommitment({ ...parameters, batchTimestamp: 1_700_000_001n })).not.toBe(base)
    const changed = pubdata.slice()
    changed[127] = 1
    expect(batchCommitment({ ...parameters, pubdata: changed })).not.toBe(base)
  })

  it('error: a root that is not a field element, a ragged pubdata', () => {
    expect(thrown(() => batchCommitment({ ...parameters, oldStateRoot: FIELD_MODULUS })).code).toBe('FIELD_ELEMENT_OUT_OF_RANGE')
    expect(thrown(() => batchCommitment({ ...parameters, pubdata: new Uint8Array(31) })).code).toBe('PUBDATA_LENGTH_INVALID')
  })
})
