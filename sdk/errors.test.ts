import { describe, expect, it } from 'vitest'
import { BaseError } from './errors.ts'

describe('BaseError', () => {
  it('behavior: carries code, details and cause', () => {
    const cause = new Error('inner')
    const error = new BaseError('PRICE_OFF_TICK', 'price not on tick', { details: { price: 7n }, cause })
    expect(error.code).toBe('PRICE_OFF_TICK')
    expect(error.details).toEqual({ price: 7n })
    expect(error.cause).toBe(cause)
  })

  it('behavior: serialises bigint details as decimal strings', () => {
    const error = new BaseError('X', 'x', { details: { size: 2n ** 70n, nested: [1n] } })
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'X',
      message: 'x',
      details: { size: '1180591620717411303424', nested: ['1'] },
    })
  })
})
