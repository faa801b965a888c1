/**
 * What a cheating prover would write for a liquidation, a backstop or an auto-deleveraging: the state machine's
 * own arithmetic (settlement, close, fill, fee, penalty, cover) with none of its checks, and with chosen values
 * overridden. Soundness tests pass these through `buildBatchWitness(…, { prepare })`, so the forged witness has
 * consistent leaves, paths, roots, pubdata and real signatures, and only the broken rule can refuse it. Each forger
 * is first checked to reproduce the honest effect exactly.
 */
import { absolute, ceilDiv } from '../../sdk/protocol/rounding.ts'
import { INSURANCE_FUND_INDEX, type Account, type AutoDeleverageTx, type BackstopTx, type LiquidationTx, type Tx } from '../../sdk/protocol/types.ts'
import { prepareTx, type PrepareTxReturnType } from '../../sdk/state/applyTx.ts'
import { computeFee } from '../../sdk/state/fees.ts'
import { applyFillToAccount } from '../../sdk/state/fill.ts'
import { settleFunding } from '../../sdk/state/funding.ts'
import { computeLiquidationPenalty, computeLiquidationTier } from '../../sdk/state/liquidation.ts'
import { computeEquity, computeNotional, longSize } from '../../sdk/state/margin.ts'
import { fillOrderSlot } from '../../sdk/state/orderSlots.ts'
import type { ExchangeState } from '../../sdk/state/state.ts'
import type { TxContext, TxEffect } from '../../sdk/state/txEffect.ts'

export type Prepare = (state: ExchangeState, tx: Tx, context: TxContext) => PrepareTxReturnType

/** The reference rule for every tx but `forged`, whose effect is `forge(state)`. */
export function forging(forged: Tx, forge: (state: ExchangeState) => TxEffect): Prepare {
  return (state, tx, context) => (tx === forged ? { accepted: true, effect: forge(state) } : prepareTx(state, tx, context))
}

function settled(state: ExchangeState, accountIndex: bigint): Account {
  return settleFunding(state.accounts.get(accountIndex)!, state.markets).account
}

/** `size` lots of `market` bought (`isBuy`) or sold at `price`: collateral −= signed·price. */
function move(account: Account, market: number, isBuy: boolean, size: bigint, price: bigint): Account {
  return applyFillToAccount(account, market, isBuy, size, price, 0n)
}

function openInterestAfter(state: ExchangeState, market: number, changes: readonly [bigint, bigint][]): bigint {
  let openInterest = state.markets[market]!.openInterest
  for (const [oldSize, newSize] of changes) openInterest += longSize(newSize) - longSize(oldSize)
  return openInterest
}

export type LiquidationForgery = {
  /** Side 0 buys (the honest close buys exactly when it is short). */
  readonly accountBuys?: boolean
  readonly penalty?: bigint
  readonly full?: boolean
}

export function forgeLiquidation(state: ExchangeState, tx: LiquidationTx, forgery: LiquidationForgery = {}): TxEffect {
  const { accountIndex, market, maker, size, price } = tx
  const account = settled(state, accountIndex)
  const makerAccount = settled(state, maker.accountIndex)
  const parameters = state.markets[market]!.parameters
  const oldSize = account.positions[market]!.size
  const accountBuys = forgery.accountBuys ?? oldSize < 0n
  const closed = move(account, market, accountBuys, size, price)
  const penalty = forgery.penalty ?? computeLiquidationPenalty(size, price, parameters.liquidationPenaltyBps, computeEquity(closed, state.markets))
  const makerFee = computeFee(size, price, parameters.makerFeeBps)
  const makerAfter = applyFillToAccount(makerAccount, market, maker.isBuy, size, price, makerFee)
  const makerSlot = fillOrderSlot(maker.accountIndex, makerAccount, maker, size, state.sizes.orderDepth)
  const openInterest = openInterestAfter(state, market, [
    [oldSize, closed.positions[market]!.size],
    [makerAccount.positions[market]!.size, makerAfter.positions[market]!.size],
  ])
  const full = forgery.full ?? (oldSize === 0n ? tx.full : computeLiquidationTier(account, state.markets, market, price).full)
  return {
    writes: [
      { kind: 'account', accountIndex, account: { ...closed, collateral: closed.collateral - penalty }, created: false },
      { kind: 'orderSlot', accountIndex: maker.accountIndex, ...makerSlot },
      { kind: 'account', accountIndex: maker.accountIndex, account: makerAfter, created: false },
      { kind: 'market', market, marketState: { ...state.markets[market]!, openInterest } },
    ],
    fee: makerFee,
    penalty,
    events: [],
    pubdata: { type: 'liquidation', market, full, accountIndex, makerIndex: maker.accountIndex, size, price, makerStorageId: maker.storageId },
  }
}

export type BackstopForgery = {
  /** The collateral moved to the insurance fund (honest: the account's settled collateral, leaving it 0). */
  readonly moved?: bigint
  /** Who takes the positions (honest: the insurance fund, index 0). */
  readonly receiver?: bigint
}

export function forgeBackstop(state: ExchangeState, tx: BackstopTx, forgery: BackstopForgery = {}): TxEffect {
  const account = settled(state, tx.accountIndex)
  const receiver = forgery.receiver ?? INSURANCE_FUND_INDEX
  const insurance = settled(state, receiver)
  const moved = forgery.moved ?? account.collateral
  return {
    writes: [
      {
        kind: 'account',
        accountIndex: tx.accountIndex,
        account: { ...account, collateral: account.collateral - moved, positions: account.positions.map((position) => ({ ...position, size: 0n })) },
        created: false,
      },
      {
        kind: 'account',
        accountIndex: receiver,
        account: {
          ...insurance,
          collateral: insurance.collateral + moved,
          positions: insurance.positions.map((position, m) => ({ ...position, size: position.size + account.positions[m]!.size })),
        },
        created: false,
      },
    ],
    fee: 0n,
    penalty: 0n,
    events: [],
    pubdata: { type: 'backstop', accountIndex: tx.accountIndex },
  }
}

export type DeleverageForgery = {
  readonly price?: bigint
  readonly cover?: bigint
  /** Whose position is deleveraged (honest: the insurance fund, index 0). */
  readonly fund?: bigint
}

/** The honest cover: ceilDiv(−E·size·oracle, Σ_k |insurance.size_k|·oracle_k), at most −E. */
export function computeCover(state: ExchangeState, tx: AutoDeleverageTx, fund = INSURANCE_FUND_INDEX): bigint {
  const insurance = settled(state, fund)
  const deficit = -computeEquity(insurance, state.markets)
  const share = ceilDiv(deficit * tx.size * state.markets[tx.market]!.oraclePrice, computeNotional(insurance.positions, state.markets))
  return share < deficit ? share : deficit
}

export function forgeDeleverage(state: ExchangeState, tx: AutoDeleverageTx, forgery: DeleverageForgery = {}): TxEffect {
  const { market, counterpartyIndex, size } = tx
  const fund = forgery.fund ?? INSURANCE_FUND_INDEX
  const insurance = settled(state, fund)
  const counterparty = settled(state, counterpartyIndex)
  const price = forgery.price ?? state.markets[market]!.oraclePrice
  const cover = forgery.cover ?? computeCover(state, tx, fund)
  const insuranceBuys = insurance.positions[market]!.size < 0n
  const insuranceAfter = move(insurance, market, insuranceBuys, size, price)
  const counterpartyAfter = move(counterparty, market, !insuranceBuys, size, price)
  const openInterest = openInterestAfter(state, market, [
    [insurance.positions[market]!.size, insuranceAfter.positions[market]!.size],
    [counterparty.positions[market]!.size, counterpartyAfter.positions[market]!.size],
  ])
  return {
    writes: [
      { kind: 'account', accountIndex: fund, account: { ...insuranceAfter, collateral: insuranceAfter.collateral + cover }, created: false },
      { kind: 'account', accountIndex: counterpartyIndex, account: { ...counterpartyAfter, collateral: counterpartyAfter.collateral - cover }, created: false },
      { kind: 'market', market, marketState: { ...state.markets[market]!, openInterest } },
    ],
    fee: 0n,
    penalty: 0n,
    events: [],
    pubdata: { type: 'autoDeleverage', market, counterpartyIndex, size },
  }
}

/** |size| of an account's position, for tests that size a close. */
export function positionSize(state: ExchangeState, accountIndex: bigint, market: number): bigint {
  return absolute(state.accounts.get(accountIndex)!.positions[market]!.size)
}
