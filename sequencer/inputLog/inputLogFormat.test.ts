import { createHash } from 'node:crypto'
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import {
  GENESIS_HASH,
  JOURNAL_PREFIX,
  RECORD_OVERHEAD_BYTES,
  decodeKey,
  decodeRecord,
  decodeSnapshot,
  encodeRecord,
  encodeSnapshot,
  journalKey,
  snapshotKey,
} from './inputLogFormat.ts'

const arbitraryRecordInput = fc.record({
  seq: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
  kind: fc.integer({ min: 0, max: 255 }),
  payload: fc.uint8Array({ maxLength: 300 }),
  prevHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
})

describe('encodeRecord', () => {
  it('default: hash is sha256(prevHash ‖ seq BE ‖ kind ‖ len BE ‖ payload)', () => {
    const payload = Uint8Array.of(1, 2, 3)
    const { value, hash } = encodeRecord({ seq: 258n, kind: 7, payload, prevHash: GENESIS_HASH })
    const expected = createHash('sha256')
      .update(GENESIS_HASH)
      .update(Uint8Array.of(0, 0, 0, 0, 0, 0, 1, 2))
      .update(Uint8Array.of(7))
      .update(Uint8Array.of(0, 0, 0, 3))
      .update(payload)
      .digest()
    expect(Buffer.from(hash).toString('hex')).toBe(expected.toString('hex'))
    expect(value.length).toBe(RECORD_OVERHEAD_BYTES + 3)
    expect(value[0]).toBe(1)
  })

  test.prop([arbitraryRecordInput])('behavior: decode inverts encode', (input) => {
    const { value, hash } = encodeRecord(input)
    const decoded = decodeRecord(value)
    expect(decoded).toEqual({ ok: true, value: { ...input, hash } })
  })

  test.prop([arbitraryRecordInput, fc.nat()])('error: any truncation fails to decode', (input, cut) => {
    const { value } = encodeRecord(input)
    const decoded = decodeRecord(value.subarray(0, cut % value.length))
    expect(decoded.ok).toBe(false)
  })

  test.prop([arbitraryRecordInput, fc.nat(), fc.integer({ min: 0, max: 7 })])(
    'error: any single bit flip fails to decode',
    (input, position, bit) => {
      const { value } = encodeRecord(input)
      const flipped = value.slice()
      const index = position % flipped.length
      flipped[index] = (flipped[index] as number) ^ (1 << bit)
      expect(decodeRecord(flipped).ok).toBe(false)
    },
  )
})

describe('encodeSnapshot', () => {
  test.prop([
    fc.record({
      seq: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
      hash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      state: fc.uint8Array({ maxLength: 300 }),
    }),
    fc.nat(),
  ])('behavior: decode inverts encode, and truncation fails', (snapshot, cut) => {
    const value = encodeSnapshot(snapshot)
    expect(decodeSnapshot(value)).toEqual({ ok: true, value: snapshot })
    expect(decodeSnapshot(value.subarray(0, cut % value.length)).ok).toBe(false)
  })
})

describe('journalKey', () => {
  test.prop([fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })])(
    'behavior: byte order of keys is seq order',
    (left, right) => {
      const compared = Buffer.compare(journalKey(left), journalKey(right))
      expect(compared).toBe(left < right ? -1 : left > right ? 1 : 0)
      expect(decodeKey(JOURNAL_PREFIX, journalKey(left))).toBe(left)
    },
  )

  it('behavior: journal and snapshot keys do not overlap', () => {
    expect(decodeKey(JOURNAL_PREFIX, snapshotKey(1n))).toBeUndefined()
    expect(decodeKey(JOURNAL_PREFIX, journalKey(1n).subarray(0, 8))).toBeUndefined()
  })
})
