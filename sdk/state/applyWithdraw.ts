/**
 * Withdraw (docs/protocol.md §5.3), L2-signed. Checks, in order: fields in bounds; the account exists and is a
 * user account; order slot (the storage id is consumed); signature; `T ≤ validUntil`; `0 < amount`; a fresh oracle
 * in every market where the account holds a position; after funding settlement and `collateral −= amount` the
 * account passes initial margin with equity ≥ 0. The contract credits `to` once the batch is proven.
 */
import { BASIS_POINTS, assertAddress, assertCollateral, assertStorageId, assertTimestamp, assertWithdrawalAmount } from '../protocol/bounds.ts'
import { WithdrawalAmountOutOfRangeError } from '../protocol/errors.ts'
import type { Account, MarketState, WithdrawTx } from '../protocol/types.ts'
import { MAX_WITHDRAWAL_AMOUNT } from '../protocol/bounds.ts'
import { InsufficientMarginError } from './errors.ts'
import type { StateEvent } from './events.ts'
import { checkMargin } from './margin.ts'
import { consumeOrderSlot } from './orderSlots.ts'
import { reject, requireInBounds } from './rejection.ts'
import { requireWithdrawSignature } from './signatures.ts'
import type { ExchangeState } from './state.ts'
import { requireFreshOraclesForPositions, requireNotExpired, requireUserAccount, settleAccount } from './touch.ts'
import type { TxContext, TxEffect } from './txEffect.ts'

export function requirePositiveWithdrawal(amount: bigint): void {
  requireInBounds(() => assertWithdrawalAmount(amount))
  if (amount === 0n) reject(new WithdrawalAmountOutOfRangeError(amount, { min: 1n, max: MAX_WITHDRAWAL_AMOUNT }))
}

/** The account after taking `amount` out, provided it still passes initial margin with equity ≥ 0. */
export function withdrawCollateral(
  accountIndex: bigint,
  settled: Account,
  amount: bigint,
  markets: readonly MarketState[],
): Account {
  const after = { ...settled, collateral: settled.collateral - amount }
  requireInBounds(() => assertCollateral(after.collateral))
  const { equity, scaledRequirement, passes } = checkMargin(after, markets, 'imfBps')
  if (!passes || equity < 0n) reject(new InsufficientMarginError(accountIndex, equity, scaledRequirement / BASIS_POINTS))
  return after
}

export function prepareWithdraw(state: ExchangeState, tx: WithdrawTx, context: TxContext): TxEffect {
  const { accountIndex, amount, to, storageId, validUntil } = tx
  requireInBounds(() => assertWithdrawalAmount(amount))
  requireInBounds(() => assertAddress(to, 'to'))
  requireInBounds(() => assertStorageId(storageId))
  requireInBounds(() => assertTimestamp(validUntil, 'validUntil'))
  const account = requireUserAccount(state, accountIndex, 'withdraw')
  const slot = consumeOrderSlot(accountIndex, account, storageId, state.sizes.orderDepth)
  requireWithdrawSignature(tx, account.publicKey, context)
  requireNotExpired(accountIndex, validUntil, context.batchTimestamp)
  requirePositiveWithdrawal(amount)
  const events: StateEvent[] = []
  const settled = settleAccount(account, accountIndex, state.markets, events)
  requireFreshOraclesForPositions(state, settled, context.batchTimestamp)
  const after = withdrawCollateral(accountIndex, settled, amount, state.markets)
  events.push({ type: 'withdrawn', accountIndex, amount, to })
  return {
    writes: [
      { kind: 'orderSlot', accountIndex, ...slot },
      { kind: 'account', accountIndex, account: after, created: false },
    ],
    fee: 0n,
    penalty: 0n,
    events,
    pubdata: { type: 'withdraw', accountIndex, amount, to, storageId },
  }
}
