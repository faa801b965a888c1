import { describe, expect, it } from 'vitest'
import { BaseError } from '../errors.ts'
import { CRYPTO_ERRORS, PointNotInSubgroupError } from './errors.ts'

describe('crypto errors', () => {
  it('behavior: every code is unique', () => {
    const codes = CRYPTO_ERRORS.map((errorClass) => errorClass.code)
    expect(new Set(codes).size).toBe(codes.length)
  })

  it('behavior: point errors name the point and extend BaseError', () => {
    const error = new PointNotInSubgroupError('R8', 1n, 2n)
    expect(error).toBeInstanceOf(BaseError)
    expect(error.code).toBe('POINT_NOT_IN_SUBGROUP')
    expect(error.details).toEqual({ point: 'R8', x: 1n, y: 2n })
  })
})
