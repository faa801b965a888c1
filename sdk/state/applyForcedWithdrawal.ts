/**
 * Forced withdrawal (docs/protocol.md §5.5), an L1 priority op that is never rejected. When the account exists its
 * funding is settled (the leaf is touched whoever asked); when the requester is also its owner,
 * `withdrawn = min(requested, max(0, equity − ceilDiv(Σ notional · imfBps, 10,000)))` at the current oracle prices
 * whatever their age, so a stale oracle cannot block an exit. Otherwise `withdrawn = 0` (an empty index of the
 * L2-created range is a valid request: L1 cannot tell it from a used one; nothing is written).
 *
 * The record carries `requestedAmount` as well as `withdrawn`: the contract's queue hash covers the requested amount,
 * so a proof cannot pretend a request of 0. Only values outside the §1 bounds are refused, and the contract never
 * queues those (index beyond the tree, requester wider than 160 bits, request ≥ 2^63).
 */
import { assertAccountIndex, assertAddress, assertWithdrawalAmount, BASIS_POINTS, MAX_COLLATERAL, MAX_WITHDRAWAL_AMOUNT } from '../protocol/bounds.ts'
import { ceilDiv } from '../protocol/rounding.ts'
import type { Account, ForcedWithdrawalTx, MarketState } from '../protocol/types.ts'
import type { StateEvent } from './events.ts'
import { computeEquity, computeScaledRequirement } from './margin.ts'
import { requireInBounds } from './rejection.ts'
import type { ExchangeState } from './state.ts'
import { settleAccount } from './touch.ts'
import type { StateWrite, TxContext, TxEffect } from './txEffect.ts'

/** Free collateral: `max(0, equity − ceilDiv(Σ notional · imfBps, 10,000))`. Funding must be settled. */
export function computeFreeCollateral(account: Pick<Account, 'collateral' | 'positions'>, markets: readonly MarketState[]): bigint {
  const free = computeEquity(account, markets) - ceilDiv(computeScaledRequirement(account.positions, markets, 'imfBps'), BASIS_POINTS)
  return free > 0n ? free : 0n
}

function minimum(...values: bigint[]): bigint {
  return values.reduce((a, b) => (a < b ? a : b))
}

export function prepareForcedWithdrawal(state: ExchangeState, tx: ForcedWithdrawalTx, _context: TxContext): TxEffect {
  const { accountIndex, requester, requestedAmount } = tx
  requireInBounds(() => assertAccountIndex(accountIndex, state.sizes.accountDepth))
  requireInBounds(() => assertAddress(requester, 'requester'))
  requireInBounds(() => assertWithdrawalAmount(requestedAmount, 'requested amount'))
  const events: StateEvent[] = []
  const writes: StateWrite[] = []
  let withdrawn = 0n
  const account = state.accounts.get(accountIndex)
  if (account !== undefined) {
    const settled = settleAccount(account, accountIndex, state.markets, events)
    if (account.owner === requester && requestedAmount > 0n) {
      // Never below the collateral bound: an exit cannot create an unrepresentable leaf.
      withdrawn = minimum(
        requestedAmount,
        MAX_WITHDRAWAL_AMOUNT,
        computeFreeCollateral(settled, state.markets),
        settled.collateral + MAX_COLLATERAL,
      )
      if (withdrawn < 0n) withdrawn = 0n
    }
    writes.push({ kind: 'account', accountIndex, account: { ...settled, collateral: settled.collateral - withdrawn }, created: false })
  }
  events.push({ type: 'forcedWithdrawn', accountIndex, requester, requestedAmount, withdrawn })
  return {
    writes,
    fee: 0n,
    penalty: 0n,
    events,
    pubdata: { type: 'forcedWithdrawal', accountIndex, withdrawn, requester, requestedAmount },
  }
}
