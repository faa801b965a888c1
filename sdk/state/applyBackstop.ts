/**
 * Backstop takeover (docs/protocol.md §5.9). Checks, in order: the account exists and is a user account; funding
 * of the account and of the insurance fund settled; oracle fresh in every market where the account holds a
 * position; equity < 0 or below the backstop threshold. The insurance fund takes every position at the oracle
 * price, then the account's remaining collateral (possibly negative) moves to the fund. Open interest is unchanged
 * (longs only change hands); the insurance fund ignores the cap and isolated-mode rules.
 */
import { assertCollateral, assertPositionSize } from '../protocol/bounds.ts'
import type { BackstopTx } from '../protocol/types.ts'
import { INSURANCE_FUND_INDEX } from '../protocol/types.ts'
import { BASIS_POINTS } from '../protocol/bounds.ts'
import { BackstopNotAllowedError } from './errors.ts'
import type { StateEvent } from './events.ts'
import { checkBackstopEligibility } from './liquidation.ts'
import { reject, requireInBounds } from './rejection.ts'
import type { ExchangeState } from './state.ts'
import { requireAccount, requireFreshOraclesForPositions, requireUserAccount, settleAccount } from './touch.ts'
import type { TxContext, TxEffect } from './txEffect.ts'

export function prepareBackstop(state: ExchangeState, tx: BackstopTx, context: TxContext): TxEffect {
  const { accountIndex } = tx
  const account = requireUserAccount(state, accountIndex, 'backstop')
  const insurance = requireAccount(state, INSURANCE_FUND_INDEX)
  const events: StateEvent[] = []
  const settled = settleAccount(account, accountIndex, state.markets, events)
  const insuranceSettled = settleAccount(insurance, INSURANCE_FUND_INDEX, state.markets, events)
  requireFreshOraclesForPositions(state, settled, context.batchTimestamp)
  const eligibility = checkBackstopEligibility(settled, state.markets)
  if (!eligibility.allowed) {
    reject(new BackstopNotAllowedError(accountIndex, eligibility.equity, eligibility.scaledRequirement / BASIS_POINTS))
  }

  let accountCollateral = settled.collateral
  let insuranceCollateral = insuranceSettled.collateral
  const insurancePositions = insuranceSettled.positions.slice()
  const sizes: bigint[] = []
  for (let m = 0; m < state.markets.length; m++) {
    const size = settled.positions[m]!.size
    sizes.push(size)
    if (size === 0n) continue
    const value = size * state.markets[m]!.oraclePrice
    const insurancePosition = insurancePositions[m]!
    insurancePositions[m] = { ...insurancePosition, size: insurancePosition.size + size }
    requireInBounds(() => assertPositionSize(insurancePositions[m]!.size, 'insurance fund position size'))
    insuranceCollateral -= value
    accountCollateral += value
  }
  const collateralMoved = accountCollateral
  insuranceCollateral += collateralMoved
  requireInBounds(() => assertCollateral(insuranceCollateral, 'insurance fund collateral'))
  const accountAfter = {
    ...settled,
    collateral: 0n,
    positions: settled.positions.map((position) => ({ ...position, size: 0n })),
  }
  const insuranceAfter = { ...insuranceSettled, collateral: insuranceCollateral, positions: insurancePositions }
  events.push({ type: 'backstopped', accountIndex, sizes, collateralMoved })
  return {
    writes: [
      { kind: 'account', accountIndex, account: accountAfter, created: false },
      { kind: 'account', accountIndex: INSURANCE_FUND_INDEX, account: insuranceAfter, created: false },
    ],
    fee: 0n,
    penalty: 0n,
    events,
    pubdata: { type: 'backstop', accountIndex },
  }
}
