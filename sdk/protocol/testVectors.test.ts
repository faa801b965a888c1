import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCircomlibOracle } from '../crypto/circomlibjsOracle.ts'
import { verifyPoseidon } from '../crypto/eddsa.ts'
import { BaseError } from '../errors.ts'
import { bytesToHex, hexToBytes } from './bytes.ts'
import { decodePubdata, encodeRecord, padPubdata } from './pubdata.ts'
import { serializeVectors, VECTOR_FILES, vectorRecords } from './testVectors.ts'

function readVectors(name: string): any {
  return JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8'))
}

describe('committed vectors', () => {
  for (const [name, build] of Object.entries(VECTOR_FILES)) {
    it(`behavior: vectors/${name} equals a fresh generation (run scripts/generate-vectors.ts after a protocol change)`, () => {
      const committed = readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8')
      expect(committed).toBe(serializeVectors(build()))
    })
  }

  it('behavior: the Poseidon vectors agree with circomlibjs', async () => {
    const oracle = await loadCircomlibOracle()
    const hashes = readVectors('hashes.json')
    for (const entry of [...hashes.poseidon, ...hashes.poseidonLarge] as { inputs: string[]; output: string }[]) {
      expect(oracle.poseidon(entry.inputs.map(BigInt)).toString()).toBe(entry.output)
    }
    expect(hashes.poseidon).toHaveLength(16)
  })

  it('behavior: each signature case read back from JSON verifies or fails with its expected code', () => {
    const vectors = readVectors('signatures.json')
    for (const testCase of vectors.cases) {
      let code: string | null = null
      try {
        verifyPoseidon(
          BigInt(testCase.message),
          { R8: { x: BigInt(testCase.R8x), y: BigInt(testCase.R8y) }, S: BigInt(testCase.S) },
          { x: BigInt(testCase.publicKeyX), y: BigInt(testCase.publicKeyY) },
        )
      } catch (error) {
        code = (error as BaseError).code
      }
      expect(code, testCase.name).toBe(testCase.expectedCode)
    }
    const publicKey = { x: BigInt(vectors.publicKeyX), y: BigInt(vectors.publicKeyY) }
    for (const signed of Object.values(vectors.messages) as { message: string; R8x: string; R8y: string; S: string }[]) {
      const signature = { R8: { x: BigInt(signed.R8x), y: BigInt(signed.R8y) }, S: BigInt(signed.S) }
      expect(() => verifyPoseidon(BigInt(signed.message), signature, publicKey)).not.toThrow()
    }
    expect(Object.keys(vectors.messages)).toEqual(['withdraw', 'transfer', 'oraclePrice'])
  })

  it('behavior: each pubdata record read back from JSON decodes to its record', () => {
    const vectors = readVectors('pubdata.json')
    for (const record of vectorRecords()) {
      expect(decodePubdata(hexToBytes(vectors.records[record.type].bytes))).toEqual([record])
    }
    const batch = decodePubdata(hexToBytes(vectors.batch.pubdata))
    const types = batch.map((record) => record.type)
    expect(types.slice(0, vectors.batch.types.length)).toEqual(vectors.batch.types)
    expect(types.slice(vectors.batch.types.length).every((type) => type === 'noop')).toBe(true)
    expect(hexToBytes(vectors.batch.pubdata).length).toBe(32 * Number(vectors.batch.batchSlots))
  })

  it('behavior: the L1 batch calldata, padded back, decodes to its records, and its queue holds their priority records', () => {
    const { l1Batch } = readVectors('pubdata.json')
    const slots = Number(l1Batch.batchSlots)
    const calldata = hexToBytes(l1Batch.calldata)
    // The last record is a withdraw with storage id 0: its all-zero second chunk is trimmed like a noop.
    const chunks = l1Batch.records.reduce((sum: number, record: { chunks: string }) => sum + Number(record.chunks), 0)
    expect(calldata.length).toBe((chunks - 1) * 32)
    const decoded = decodePubdata(padPubdata(calldata, slots)).filter((record) => record.type !== 'noop')
    expect(decoded.map((record) => bytesToHex(encodeRecord(record)))).toEqual(l1Batch.records.map((record: { bytes: string }) => record.bytes))
    const priority = l1Batch.records.filter((record: { type: string }) => ['deposit', 'depositNew', 'forcedWithdrawal'].includes(record.type))
    expect(priority.map((record: { accountIndex: string }) => record.accountIndex)).toEqual(
      l1Batch.queue.map((entry: { accountIndex: string }) => entry.accountIndex),
    )
    for (const [i, entry] of (l1Batch.queue as { call: string; record?: string; amount: string; caller: string }[]).entries()) {
      if (entry.call === 'requestForcedWithdrawal') {
        expect(priority[i]).toMatchObject({ type: 'forcedWithdrawal', requestedAmount: entry.amount, requester: entry.caller })
      } else {
        expect(entry.record).toBe(priority[i].bytes)
      }
    }
  })
})
