import { describe, expect, it } from 'vitest'
import { BaseError } from '../../sdk/errors.ts'
import * as errors from './errors.ts'

describe('L1 errors', () => {
  it('behavior: every error class has a unique L1_ code and a name in the L1 namespace', () => {
    const classes = Object.values(errors).filter((value) => typeof value === 'function' && value.prototype instanceof BaseError)
    expect(classes.length).toBeGreaterThan(10)
    const codes = classes.map((errorClass) => (errorClass as { code?: unknown }).code)
    expect(new Set(codes).size).toBe(codes.length)
    expect(codes.every((code) => typeof code === 'string' && /^L1_[A-Z_]+$/.test(code))).toBe(true)
  })

  it('behavior: details carry the offending values and serialize for the wire', () => {
    const error = new errors.BatchOutOfOrderError(5n, 3n)
    expect(error.code).toBe('L1_BATCH_OUT_OF_ORDER')
    expect(error.name).toBe('L1.BatchOutOfOrderError')
    expect(error.toJSON().details).toEqual({ batchNumber: '5', lastBatchNumberOnL1: '3', expectedBatchNumber: '4' })
  })
})
