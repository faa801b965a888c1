import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { mulBase, SUBGROUP_ORDER } from '../crypto/babyJubJub.ts'
import { decodePubdata, encodePubdata, encodeRecord, recordChunks, type PubdataRecord } from './pubdata.ts'

/** Unsigned values of `bytes` bytes, biased to the boundaries 0, 1 and 2^(8·bytes) − 1. */
const unsigned = (bytes: number, max = (1n << BigInt(8 * bytes)) - 1n) =>
  fc.oneof(fc.constantFrom(0n, 1n, max, max - 1n), fc.bigInt({ min: 0n, max }))
const account = unsigned(3)
const address = unsigned(20)
const storageId = unsigned(4)
const size = unsigned(5)
const price = unsigned(6)
const timestamp = unsigned(4)
const amount63 = unsigned(8, 2n ** 63n - 1n)
const byte = fc.integer({ min: 0, max: 255 })
const publicKey = fc.bigInt({ min: 1n, max: SUBGROUP_ORDER - 1n }).map((scalar) => mulBase(scalar))

const record: fc.Arbitrary<PubdataRecord> = fc.oneof(
  fc.constant({ type: 'noop' } as const),
  fc.record({ type: fc.constant('deposit' as const), accountIndex: account, amount: unsigned(7), depositor: address }),
  fc.record({
    type: fc.constant('depositNew' as const),
    accountIndex: account,
    amount: unsigned(7),
    owner: address,
    mode: byte,
    publicKey,
  }),
  fc.record({
    type: fc.constant('trade' as const),
    market: byte,
    takerIsBuy: fc.boolean(),
    takerIndex: account,
    makerIndex: account,
    size,
    price,
    takerStorageId: storageId,
    makerStorageId: storageId,
  }),
  fc.record({ type: fc.constant('withdraw' as const), accountIndex: account, amount: amount63, to: address, storageId }),
  fc.record({
    type: fc.constant('forcedWithdrawal' as const),
    accountIndex: account,
    withdrawn: amount63,
    requester: address,
    requestedAmount: amount63,
  }),
  fc.record({
    type: fc.constant('transfer' as const),
    targetMode: byte,
    fromIndex: account,
    toIndex: account,
    amount: amount63,
    storageId,
  }),
  fc.record({ type: fc.constant('oracleUpdate' as const), market: byte, price, timestamp }),
  fc.record({
    type: fc.constant('fundingUpdate' as const),
    market: byte,
    ratePpm: fc.oneof(fc.constantFrom(-1_000_000n, -1n, 0n, 1n, 1_000_000n), fc.bigInt({ min: -1_000_000n, max: 1_000_000n })),
    timestamp,
  }),
  fc.record({
    type: fc.constant('liquidation' as const),
    market: byte,
    full: fc.boolean(),
    accountIndex: account,
    makerIndex: account,
    size,
    price,
    makerStorageId: storageId,
  }),
  fc.record({ type: fc.constant('backstop' as const), accountIndex: account }),
  fc.record({ type: fc.constant('autoDeleverage' as const), market: byte, counterpartyIndex: account, size }),
)

describe('pubdata round trip', () => {
  test.prop([record], { numRuns: 500 })('behavior: decode(encode(record)) = record for every variant', (value) => {
    const bytes = encodeRecord(value)
    expect(bytes.length).toBe(32 * recordChunks(value))
    expect(decodePubdata(bytes)).toEqual([value])
  })

  test.prop([fc.array(record, { maxLength: 12 }), fc.integer({ min: 0, max: 4 })])(
    'behavior: a batch decodes to its records followed by one noop per padding chunk',
    (records, spare) => {
      const chunks = records.reduce((sum, value) => sum + recordChunks(value), 0)
      const pubdata = encodePubdata(records, chunks + spare)
      expect(pubdata.length).toBe(32 * (chunks + spare))
      expect(decodePubdata(pubdata)).toEqual([...records, ...Array.from({ length: spare }, () => ({ type: 'noop' }))])
    },
  )

  test.prop([fc.uint8Array({ minLength: 32, maxLength: 32 * 4 }).filter((bytes) => bytes.length % 32 === 0)], { numRuns: 300 })(
    'behavior: arbitrary bytes either decode to records that re-encode to the same bytes, or throw a typed error',
    (bytes) => {
      let records: PubdataRecord[]
      try {
        records = decodePubdata(bytes)
      } catch (error) {
        expect(typeof (error as { code?: unknown }).code).toBe('string')
        return
      }
      expect(encodePubdata(records, bytes.length / 32)).toEqual(bytes)
    },
  )
})
