import { describe, expect, it } from 'vitest'
import { derivePublicKey, verifyPoseidonBatch } from '../crypto/eddsa.ts'
import { BaseError } from '../errors.ts'
import { buildSignatureCases, SIGNATURE_CASES_DOMAIN, SIGNATURE_CASES_ORDER, SIGNATURE_CASES_PRIVATE_KEY } from './signatureCases.ts'
import {
  orderSignedMessage,
  signOraclePrice,
  signOrder,
  signTransfer,
  signWithdraw,
  verifyOraclePriceSignature,
  verifyOrderSignature,
  verifyTransferSignature,
  verifyWithdrawSignature,
} from './signing.ts'

const domain = SIGNATURE_CASES_DOMAIN
const privateKey = SIGNATURE_CASES_PRIVATE_KEY
const publicKey = derivePublicKey(privateKey)
const otherKey = derivePublicKey(new Uint8Array(32).fill(9))
const otherChain = { ...domain, chainId: 1n }
const otherRollup = { ...domain, rollupAddress: '0x0000000000000000000000000000000000000001' } as const

function codeOf(run: () => void): string | null {
  try {
    run()
    return null
  } catch (error) {
    expect(error).toBeInstanceOf(BaseError)
    return (error as BaseError).code
  }
}

describe('signOrder / verifyOrderSignature', () => {
  it('default: a signed order verifies and keeps only the signed fields', () => {
    const signed = signOrder({ ...SIGNATURE_CASES_ORDER, clientOrderId: 'x' } as typeof SIGNATURE_CASES_ORDER, privateKey, domain)
    expect(Object.keys(signed).sort()).toEqual([...Object.keys(SIGNATURE_CASES_ORDER), 'signature'].sort())
    expect(() => verifyOrderSignature(signed, publicKey, domain)).not.toThrow()
  })

  for (const testCase of buildSignatureCases()) {
    it(`${testCase.expectedCode === null ? 'behavior' : 'error'}: ${testCase.name} → ${testCase.expectedCode ?? 'valid'}`, () => {
      let caught: unknown
      try {
        verifyOrderSignature({ ...testCase.order, signature: testCase.signature }, testCase.publicKey, testCase.domain)
      } catch (error) {
        caught = error
      }
      if (testCase.expectedCode === null) {
        expect(caught).toBeUndefined()
      } else {
        expect(caught).toBeInstanceOf(BaseError)
        expect((caught as BaseError).code).toBe(testCase.expectedCode)
        if (testCase.point !== null) expect((caught as BaseError).details.point).toBe(testCase.point)
      }
    })
  }

  it('behavior: batch verification names exactly the invalid cases', () => {
    const cases = buildSignatureCases()
    const items = cases.map((c) => orderSignedMessage({ ...c.order, signature: c.signature }, c.publicKey, c.domain))
    const result = verifyPoseidonBatch(items)
    const expectedInvalid = cases.flatMap((c, index) => (c.expectedCode === null ? [] : [index]))
    expect(result.invalidIndices).toEqual(expectedInvalid)
  })
})

describe('signWithdraw / signTransfer / signOraclePrice', () => {
  const withdraw = signWithdraw({ accountIndex: 7n, amount: 10n ** 9n, to: 0xabcdn, storageId: 3n, validUntil: 1_700_000_100n }, privateKey, domain)
  const transfer = signTransfer(
    { fromIndex: 7n, toIndex: 9n, amount: 10n ** 8n, targetMode: 2, storageId: 4n, validUntil: 1_700_000_100n },
    privateKey,
    domain,
  )
  const oracle = signOraclePrice({ market: 1, price: 3_000_000n, timestamp: 1_700_000_000n }, privateKey, domain)

  it('default: each returns its tx, which verifies', () => {
    expect(withdraw.type).toBe('withdraw')
    expect(transfer.type).toBe('transfer')
    expect(oracle.type).toBe('oracleUpdate')
    expect(codeOf(() => verifyWithdrawSignature(withdraw, publicKey, domain))).toBeNull()
    expect(codeOf(() => verifyTransferSignature(transfer, publicKey, domain))).toBeNull()
    expect(codeOf(() => verifyOraclePriceSignature(oracle, publicKey, domain))).toBeNull()
  })

  it('error: wrong key, other chain, other rollup → BAD_SIGNATURE', () => {
    for (const [key, where] of [
      [otherKey, domain],
      [publicKey, otherChain],
      [publicKey, otherRollup],
    ] as const) {
      expect(codeOf(() => verifyWithdrawSignature(withdraw, key, where))).toBe('BAD_SIGNATURE')
      expect(codeOf(() => verifyTransferSignature(transfer, key, where))).toBe('BAD_SIGNATURE')
      expect(codeOf(() => verifyOraclePriceSignature(oracle, key, where))).toBe('BAD_SIGNATURE')
    }
  })

  it('error: every tampered field → BAD_SIGNATURE', () => {
    for (const changed of [{ accountIndex: 8n }, { amount: 1n }, { to: 1n }, { storageId: 4n }, { validUntil: 1n }]) {
      expect(codeOf(() => verifyWithdrawSignature({ ...withdraw, ...changed }, publicKey, domain))).toBe('BAD_SIGNATURE')
    }
    for (const changed of [{ fromIndex: 8n }, { toIndex: 8n }, { amount: 1n }, { targetMode: 0 }, { storageId: 5n }, { validUntil: 1n }]) {
      expect(codeOf(() => verifyTransferSignature({ ...transfer, ...changed }, publicKey, domain))).toBe('BAD_SIGNATURE')
    }
    for (const changed of [{ market: 0 }, { price: 1n }, { timestamp: 1n }]) {
      expect(codeOf(() => verifyOraclePriceSignature({ ...oracle, ...changed }, publicKey, domain))).toBe('BAD_SIGNATURE')
    }
  })

  it('error: a signature of one message kind never verifies as another', () => {
    const asOrder = { ...SIGNATURE_CASES_ORDER, signature: withdraw.signature }
    expect(codeOf(() => verifyOrderSignature(asOrder, publicKey, domain))).toBe('BAD_SIGNATURE')
  })
})
