import { readFileSync, writeFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildBadSignatureVectors, verifyVector, vectorsToJson } from './badSignatureVectors.ts'
import { type CircomlibOracle, loadCircomlibOracle } from './circomlibjsOracle.ts'
import { CRYPTO_ERRORS } from './errors.ts'

const FILE = new URL('./vectors/badSignatures.json', import.meta.url)
let circomlib: CircomlibOracle

beforeAll(async () => {
  circomlib = await loadCircomlibOracle()
})

describe('bad signature vectors', () => {
  const vectors = buildBadSignatureVectors()

  it('default: each vector gets exactly its expected code from verifyPoseidon', () => {
    for (const vector of vectors) expect(verifyVector(vector), vector.name).toBe(vector.expectedCode)
  })

  it('behavior: every rejection class of the verifier has a vector', () => {
    const codes = new Set(vectors.map((vector) => vector.expectedCode))
    for (const code of ['BAD_SIGNATURE', 'SIGNATURE_S_OUT_OF_RANGE', 'POINT_NOT_ON_CURVE', 'LOW_ORDER_POINT']) {
      expect(codes).toContain(code)
    }
    expect(vectors.filter((v) => v.expectedCode === 'POINT_NOT_IN_SUBGROUP').map((v) => v.point)).toEqual(['A', 'R8'])
    const known = new Set<string>(CRYPTO_ERRORS.map((errorClass) => errorClass.code))
    for (const code of codes) if (code !== null) expect(known).toContain(code)
  })

  it('behavior: circomlibjs accepts only the valid one and the three it is known to miss', () => {
    const accepted = vectors
      .filter((vector) => circomlib.verifyPoseidon(vector.message, { R8: vector.R8, S: vector.S }, vector.publicKey))
      .map((vector) => vector.name)
    expect(accepted).toEqual([
      'valid',
      'small-order A with S = 0',
      'A plus order-2 torsion, signed by the owner',
      'message not below r',
    ])
  })

  it('behavior: the committed JSON equals the generator (ZKPERP_UPDATE_VECTORS=1 rewrites it)', () => {
    const json = vectorsToJson(vectors)
    if (process.env['ZKPERP_UPDATE_VECTORS'] === '1') writeFileSync(FILE, json)
    expect(readFileSync(FILE, 'utf8')).toBe(json)
  })
})
