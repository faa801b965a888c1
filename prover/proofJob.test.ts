import { describe, expect, it } from 'vitest'
import { ZodError } from 'zod'
import {
  parseProofJob,
  parseProofResult,
  serializeProofJob,
  serializeProofResult,
  validateProofJob,
  type ProofJob,
  type ProofResult,
} from './proofJob.ts'

const job: ProofJob = {
  jobId: 'batch-18446744073709551617',
  batchNumber: 2n ** 64n + 1n,
  circuit: { wasmPath: '/c/batch.wasm', zkeyPath: '/c/batch.zkey', vkeyPath: '/c/vkey.json' },
  input: { root: '12', siblings: [['1', '2', '3'], ['4', '5', '6']], nested: { a: ['0'] } },
  expectedPublicSignals: ['12', '7'],
}

const result: ProofResult = {
  jobId: 'batch-3',
  batchNumber: 3n,
  proof: {
    pi_a: ['1', '2', '1'],
    pi_b: [['3', '4'], ['5', '6'], ['1', '0']],
    pi_c: ['7', '8', '1'],
    protocol: 'groth16',
    curve: 'bn128',
  },
  publicSignals: ['99'],
  witnessMs: 12.5,
  provingMs: 1_000.25,
  attempts: 2,
  verified: true,
}

describe('proof job wire format', () => {
  it('behavior: a job survives a JSON round trip (batch number as a decimal string)', () => {
    const text = serializeProofJob(job)
    expect(JSON.parse(text).batchNumber).toBe('18446744073709551617')
    expect(parseProofJob(text)).toEqual(job)
  })

  it('behavior: a job naming a circuit id and without expected signals round-trips', () => {
    const byId: ProofJob = { jobId: 'x', batchNumber: 0n, circuit: 'membership', input: { leaf: '1' } }
    expect(parseProofJob(serializeProofJob(byId))).toEqual(byId)
  })

  it('behavior: a result survives a JSON round trip', () => {
    expect(parseProofResult(serializeProofResult(result))).toEqual(result)
  })

  it('error: numbers, negative or hex strings in the input are not plain-data input', () => {
    for (const input of [{ leaf: 1 }, { leaf: '-1' }, { leaf: '0x01' }, { leaf: '01' }, { leaf: [true] }]) {
      expect(() => validateProofJob({ ...job, input } as unknown as ProofJob)).toThrow(ZodError)
    }
  })

  it('error: a negative batch number or an unknown field is refused', () => {
    expect(() => validateProofJob({ ...job, batchNumber: -1n })).toThrow(ZodError)
    expect(() => parseProofJob(JSON.stringify({ ...JSON.parse(serializeProofJob(job)), fault: 'hang' }))).toThrow(ZodError)
  })

  it('error: a result that claims no verification is refused', () => {
    expect(() => parseProofResult(JSON.stringify({ ...JSON.parse(serializeProofResult(result)), verified: false }))).toThrow(ZodError)
  })
})
