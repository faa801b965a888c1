import { describe, expect, it } from 'vitest'
import {
  assertAccountIndex,
  assertAddress,
  assertBasisPoints,
  assertCollateral,
  assertDepositAmount,
  assertFundingIndex,
  assertFundingRate,
  assertMarginMode,
  assertMarketIndex,
  assertPositionSize,
  assertPrice,
  assertSize,
  assertStorageId,
  assertTimestamp,
  assertWithdrawalAmount,
} from './bounds.ts'

/** Each row: the assertion, the first and last accepted values, and the code of the neighbours just outside. */
const cases: { name: string; check: (value: bigint) => void; min: bigint; max: bigint; code: string }[] = [
  { name: 'assertSize', check: (v) => assertSize(v), min: 1n, max: 2n ** 40n - 1n, code: 'SIZE_OUT_OF_RANGE' },
  {
    name: 'assertPositionSize',
    check: (v) => assertPositionSize(v),
    min: -(2n ** 40n) + 1n,
    max: 2n ** 40n - 1n,
    code: 'SIZE_OUT_OF_RANGE',
  },
  { name: 'assertPrice', check: (v) => assertPrice(v), min: 1n, max: 2n ** 48n - 1n, code: 'PRICE_OUT_OF_RANGE' },
  {
    name: 'assertCollateral',
    check: (v) => assertCollateral(v),
    min: -(2n ** 63n) + 1n,
    max: 2n ** 63n - 1n,
    code: 'COLLATERAL_OUT_OF_RANGE',
  },
  {
    name: 'assertFundingIndex',
    check: (v) => assertFundingIndex(v),
    min: -(2n ** 63n) + 1n,
    max: 2n ** 63n - 1n,
    code: 'FUNDING_INDEX_OUT_OF_RANGE',
  },
  { name: 'assertFundingRate', check: (v) => assertFundingRate(v), min: -1_000_000n, max: 1_000_000n, code: 'FUNDING_RATE_OUT_OF_RANGE' },
  { name: 'assertTimestamp', check: (v) => assertTimestamp(v), min: 0n, max: 2n ** 32n - 1n, code: 'TIMESTAMP_OUT_OF_RANGE' },
  { name: 'assertAccountIndex(depth 2)', check: (v) => assertAccountIndex(v, 2), min: 0n, max: 15n, code: 'ACCOUNT_INDEX_OUT_OF_RANGE' },
  {
    name: 'assertAccountIndex(depth 12)',
    check: (v) => assertAccountIndex(v, 12),
    min: 0n,
    max: 2n ** 24n - 1n,
    code: 'ACCOUNT_INDEX_OUT_OF_RANGE',
  },
  { name: 'assertMarketIndex(M = 4)', check: (v) => assertMarketIndex(v, 4), min: 0n, max: 3n, code: 'MARKET_INDEX_OUT_OF_RANGE' },
  { name: 'assertStorageId', check: (v) => assertStorageId(v), min: 0n, max: 2n ** 32n - 1n, code: 'STORAGE_ID_OUT_OF_RANGE' },
  { name: 'assertBasisPoints', check: (v) => assertBasisPoints(v), min: 0n, max: 10_000n, code: 'BASIS_POINTS_OUT_OF_RANGE' },
  { name: 'assertDepositAmount', check: (v) => assertDepositAmount(v), min: 1n, max: 2n ** 56n - 1n, code: 'DEPOSIT_AMOUNT_OUT_OF_RANGE' },
  {
    name: 'assertWithdrawalAmount',
    check: (v) => assertWithdrawalAmount(v),
    min: 0n,
    max: 2n ** 63n - 1n,
    code: 'WITHDRAWAL_AMOUNT_OUT_OF_RANGE',
  },
  { name: 'assertAddress', check: (v) => assertAddress(v), min: 0n, max: 2n ** 160n - 1n, code: 'ADDRESS_OUT_OF_RANGE' },
  { name: 'assertMarginMode(M = 2)', check: (v) => assertMarginMode(Number(v), 2), min: 0n, max: 2n, code: 'MARGIN_MODE_OUT_OF_RANGE' },
]

describe('bounds', () => {
  for (const { name, check, min, max, code } of cases) {
    it(`behavior: ${name} accepts exactly [${min}, ${max}]`, () => {
      expect(() => check(min)).not.toThrow()
      expect(() => check(max)).not.toThrow()
      for (const outside of [min - 1n, max + 1n]) {
        let caught: unknown
        try {
          check(outside)
        } catch (error) {
          caught = error
        }
        expect(caught).toMatchObject({ code, details: { value: outside, min, max } })
      }
    })
  }

  it('error: a fractional market index or mode is rejected, not truncated into range', () => {
    expect(() => assertMarketIndex(0.5, 4)).toThrowError(expect.objectContaining({ code: 'MARKET_INDEX_OUT_OF_RANGE' }))
    expect(() => assertMarginMode(1.5, 4)).toThrowError(expect.objectContaining({ code: 'MARGIN_MODE_OUT_OF_RANGE' }))
  })

  it('behavior: the error names the field', () => {
    expect(() => assertPrice(0n, 'limitPrice')).toThrowError(
      expect.objectContaining({ details: { what: 'limitPrice', value: 0n, min: 1n, max: 2n ** 48n - 1n } }),
    )
  })
})
