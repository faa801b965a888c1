import { describe, expect, it } from 'vitest'
import type { Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { prepareBatchCredit } from './batch.ts'
import { settleFunding } from './funding.ts'
import { computeLiquidationTier, computePartialLiquidationSize, isWithinLiquidationBand } from './liquidation.ts'
import { checkMargin, computeEquity } from './margin.ts'
import { cloneState, computeTotalCollateral, type ExchangeState } from './state.ts'
import { GENESIS_TIME, UNSIGNED, depositNewTx, oracleTx, order, testContext, testKey, testState, tradeTx } from './testFixtures.ts'
import { commitTxEffect } from './txEffect.ts'

const PRICE = 6_000_000n
const T = GENESIS_TIME + 10n
const hot = testContext(T, true)

function apply(state: ExchangeState, tx: Tx, ctx = hot) {
  const result = applyTx(state, tx, ctx)
  if (!result.accepted) throw result.error
  return result
}

function expectRejected(state: ExchangeState, tx: Tx, code: string, ctx = hot) {
  const before = cloneState(state)
  const result = applyTx(state, tx, ctx)
  expect(result.accepted ? 'accepted' : result.error.code).toBe(code)
  expect(state).toEqual(before)
}

/** Account 2: long `lots` with `collateral`; account 3: a deep-pocketed market maker short the other side. */
function leveraged(collateral: bigint, lots: bigint): ExchangeState {
  const state = testState()
  apply(state, depositNewTx(2n, collateral, testKey('long')), hot)
  apply(state, depositNewTx(3n, 10n ** 13n, testKey('maker')), hot)
  const buy = order({ accountIndex: 2n, isBuy: true, size: lots, limitPrice: PRICE, storageId: 1n }, undefined)
  const sell = order({ accountIndex: 3n, isBuy: false, size: lots, limitPrice: PRICE, storageId: 1n }, undefined)
  apply(state, tradeTx(buy, sell, lots))
  return state
}

function makerBid(price: bigint, size: bigint, storageId: bigint) {
  return order({ accountIndex: 3n, isBuy: true, size, limitPrice: price, storageId }, undefined)
}

describe('liquidation rules', () => {
  it('default: partial size is the ceiling of the fraction, capped by the position', () => {
    expect(computePartialLiquidationSize(10n, 2_500n)).toBe(3n)
    expect(computePartialLiquidationSize(1n, 2_500n)).toBe(1n)
    expect(computePartialLiquidationSize(8n, 2_500n)).toBe(2n)
    expect(isWithinLiquidationBand(102n, 100n, 200n)).toBe(true)
    expect(isWithinLiquidationBand(103n, 100n, 200n)).toBe(false)
  })

  it('behavior: a partial tier-1 liquidation closes 25 % and takes the penalty into the batch accumulator', () => {
    // 100 lots long (600M notional) on 61M collateral: just above 10 % initial margin; oracle −5.8 % → below 5 % maintenance.
    const state = leveraged(61_000_000n, 100n)
    apply(state, oracleTx(0, 5_650_000n, T, undefined))
    const settled = settleFunding(state.accounts.get(2n)!, state.markets).account
    expect(checkMargin(settled, state.markets, 'mmfBps').passes).toBe(false)
    const tier = computeLiquidationTier(settled, state.markets, 0, 5_650_000n)
    expect(tier).toEqual({ size: 25n, full: false })
    const total = computeTotalCollateral(state)
    const result = apply(state, { type: 'liquidation', accountIndex: 2n, market: 0, maker: makerBid(5_650_000n, 25n, 2n), size: 25n, price: 5_650_000n, full: false })
    expect(state.accounts.get(2n)!.positions[0]!.size).toBe(75n)
    expect(state.batchPenalties).toBe((25n * 5_650_000n * 100n) / 10_000n)
    expect(computeTotalCollateral(state)).toBe(total)
    expect(result.pubdata).toMatchObject({ type: 'liquidation', full: false, size: 25n })
    commitTxEffect(state, prepareBatchCredit(state))
    expect(state.accounts.get(0n)!.collateral).toBe((25n * 5_650_000n * 100n) / 10_000n)
  })

  it('behavior: below the full-liquidation threshold the whole position closes', () => {
    const state = leveraged(61_000_000n, 100n)
    apply(state, oracleTx(0, 5_480_000n, T, undefined)) // margin ≈ 1.6 % < 3 %
    const tier = computeLiquidationTier(settleFunding(state.accounts.get(2n)!, state.markets).account, state.markets, 0, 5_480_000n)
    expect(tier).toEqual({ size: 100n, full: true })
    expectRejected(state, { type: 'liquidation', accountIndex: 2n, market: 0, maker: makerBid(5_480_000n, 100n, 2n), size: 25n, price: 5_480_000n, full: false }, 'LIQUIDATION_SIZE_MISMATCH')
    apply(state, { type: 'liquidation', accountIndex: 2n, market: 0, maker: makerBid(5_480_000n, 100n, 2n), size: 100n, price: 5_480_000n, full: true })
    expect(state.accounts.get(2n)!.positions[0]!.size).toBe(0n)
    expect(computeEquity(state.accounts.get(2n)!, state.markets) >= 0n).toBe(true)
  })

  it('error: healthy accounts, prices outside the band, wrong maker side, system accounts, no position', () => {
    const state = leveraged(61_000_000n, 100n)
    const liquidation = (price: bigint, makerIsBuy = true, accountIndex = 2n) => ({
      type: 'liquidation' as const,
      accountIndex,
      market: 0,
      maker: order({ accountIndex: 3n, isBuy: makerIsBuy, size: 100n, limitPrice: price, storageId: 9n }, undefined),
      size: 25n,
      price,
      full: false,
    })
    expectRejected(state, liquidation(PRICE), 'NOT_LIQUIDATABLE')
    apply(state, oracleTx(0, 5_650_000n, T, undefined))
    expectRejected(state, liquidation(5_500_000n), 'LIQUIDATION_OUTSIDE_BAND')
    expectRejected(state, liquidation(5_650_000n, false), 'LIQUIDATION_SIDE_MISMATCH')
    expectRejected(state, liquidation(5_650_000n, true, 0n), 'SYSTEM_ACCOUNT_NOT_ALLOWED')
    expectRejected(state, { ...liquidation(5_650_000n), market: 1, maker: { ...liquidation(5_650_000n).maker, market: 1 } }, 'NO_POSITION')
    expectRejected(state, { ...liquidation(5_650_000n), price: 5_660_000n }, 'FILL_PRICE_MISMATCH')
    expectRejected(state, { type: 'backstop', accountIndex: 2n }, 'BACKSTOP_NOT_ALLOWED')
    expectRejected(state, { type: 'autoDeleverage', market: 0, counterpartyIndex: 3n, size: 1n }, 'INSURANCE_FUND_SOLVENT')
  })
})

describe('gap shock', () => {
  it('behavior: a 30 % drop with leveraged longs — backstop, liquidation and ADL leave everyone solvent and collateral conserved', () => {
    const state = testState({ accountDepth: 3, orderDepth: 2, markets: 2, batchSlots: 16, batchAccounts: 32 })
    const deposits: bigint[] = []
    const deposit = (index: bigint, amount: bigint, label: string) => {
      apply(state, depositNewTx(index, amount, testKey(label)))
      deposits.push(amount)
    }
    deposit(2n, 10n ** 13n, 'maker') // market maker, short against everyone
    for (let i = 0; i < 5; i++) deposit(3n + BigInt(i), 10n ** 12n, 'whale' + i) // profitable shorts
    for (let i = 0; i < 8; i++) {
      const index = 8n + BigInt(i)
      deposit(index, 60_000_000n + BigInt(i) * 10_000_000n, 'long' + i)
      const lots = 80n + BigInt(i) * 10n // 5x to 8x leverage
      const buy = order({ accountIndex: index, isBuy: true, size: lots, limitPrice: PRICE, storageId: 1n }, undefined)
      const sell = order({ accountIndex: 3n + BigInt(i % 5), isBuy: false, size: lots, limitPrice: PRICE, storageId: 1n + BigInt(i) }, undefined)
      apply(state, tradeTx(buy, sell, lots))
    }
    const total = deposits.reduce((a, b) => a + b, 0n)
    const crash = (PRICE * 70n) / 100n
    apply(state, oracleTx(0, crash, T, undefined))
    let makerId = 100n
    // Keeper: backstop what is underwater, liquidate what is below maintenance, then deleverage the fund.
    for (let round = 0; round < 50; round++) {
      let acted = false
      for (const [index, account] of state.accounts) {
        if (index < 2n) continue
        const settled = settleFunding(account, state.markets).account
        if (checkMargin(settled, state.markets, 'backstopBps').passes === false || computeEquity(settled, state.markets) < 0n) {
          if (settled.positions.some((p) => p.size !== 0n) || settled.collateral < 0n) {
            if (applyTx(state, { type: 'backstop', accountIndex: index }, hot).accepted) acted = true
            continue
          }
        }
        if (!checkMargin(settled, state.markets, 'mmfBps').passes && settled.positions[0]!.size !== 0n) {
          const tier = computeLiquidationTier(settled, state.markets, 0, crash)
          const maker = order({ accountIndex: 2n, isBuy: settled.positions[0]!.size > 0n, size: tier.size, limitPrice: crash, storageId: makerId++ }, undefined)
          if (applyTx(state, { type: 'liquidation', accountIndex: index, market: 0, maker, size: tier.size, price: crash, full: tier.full }, hot).accepted) acted = true
        }
      }
      const insurance = settleFunding(state.accounts.get(0n)!, state.markets).account
      if (computeEquity(insurance, state.markets) < 0n && insurance.positions[0]!.size !== 0n) {
        // Deleverage against the most profitable opposite position.
        let best: bigint | undefined
        let bestEquity = -1n
        for (const [index, account] of state.accounts) {
          if (index < 2n || account.positions[0]!.size * insurance.positions[0]!.size >= 0n) continue
          const equity = computeEquity(account, state.markets)
          if (equity > bestEquity) {
            bestEquity = equity
            best = index
          }
        }
        if (best !== undefined) {
          const counter = state.accounts.get(best)!.positions[0]!.size
          const fund = insurance.positions[0]!.size
          const size = (counter < 0n ? -counter : counter) < (fund < 0n ? -fund : fund) ? (counter < 0n ? -counter : counter) : fund < 0n ? -fund : fund
          const result = applyTx(state, { type: 'autoDeleverage', market: 0, counterpartyIndex: best, size }, hot)
          if (result.accepted) acted = true
        }
      }
      commitTxEffect(state, prepareBatchCredit(state))
      if (!acted) break
    }
    expect(computeTotalCollateral(state)).toBe(total)
    for (const [index, account] of state.accounts) {
      const equity = computeEquity(settleFunding(account, state.markets).account, state.markets)
      expect({ index, negative: equity < 0n }).toEqual({ index, negative: false })
    }
    expect(state.accounts.get(0n)!.positions[0]!.size).toBe(0n)
    expect(state.accounts.get(0n)!.collateral >= 0n).toBe(true)
    const sum = [...state.accounts.values()].reduce((s, a) => s + a.positions[0]!.size, 0n)
    expect(sum).toBe(0n)
    void UNSIGNED
  })
})
