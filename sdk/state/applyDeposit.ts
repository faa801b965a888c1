/**
 * Deposit (docs/protocol.md §5.1), an L1 priority op. Checks: amount and index in bounds. Creating: the index is
 * empty, it is the next L1-assigned index (below the L2-created range), the mode is valid and the key is a point of
 * the curve with canonical coordinates; the account starts with the amount, zero positions settled at the current
 * funding indices and empty order slots. Top-up: the account exists; funding is settled; `collateral += amount`.
 *
 * The key is deliberately not checked for the prime-order subgroup: the contract checks only the curve equation
 * (a priority op no batch could process would let anyone force exodus), so every key the contract queues must be
 * accepted here. A key outside the subgroup can never sign (every signature check rejects it), so such an account
 * only leaves through a forced withdrawal or exodus. An off-curve key cannot come from the contract at all (it could
 * not even be packed into the record); it is refused as POINT_NOT_ON_CURVE.
 */
import { isOnCurve } from '../crypto/babyJubJub.ts'
import { PointNotOnCurveError } from '../crypto/errors.ts'
import { AccountIndexOutOfRangeError } from '../protocol/errors.ts'
import { assertAddress, assertCollateral, assertDepositAmount, assertMarginMode } from '../protocol/bounds.ts'
import type { DepositTx } from '../protocol/types.ts'
import { FIRST_USER_ACCOUNT_INDEX } from '../protocol/types.ts'
import { AccountExistsError, AccountIndexNotNextError } from './errors.ts'
import type { StateEvent } from './events.ts'
import { reject, requireInBounds } from './rejection.ts'
import { createAccount, firstL2AccountIndex, type ExchangeState } from './state.ts'
import { requireAccount, settleAccount } from './touch.ts'
import type { TxContext, TxEffect } from './txEffect.ts'

export function prepareDeposit(state: ExchangeState, tx: DepositTx, _context: TxContext): TxEffect {
  const { accountIndex, amount, owner } = tx
  requireInBounds(() => assertDepositAmount(amount))
  requireInBounds(() => assertAddress(owner, 'owner'))
  const events: StateEvent[] = []
  if (tx.create !== undefined) {
    const { publicKey, mode } = tx.create
    const limit = firstL2AccountIndex(state.sizes)
    if (accountIndex < FIRST_USER_ACCOUNT_INDEX || accountIndex >= limit) {
      reject(new AccountIndexOutOfRangeError(accountIndex, { min: FIRST_USER_ACCOUNT_INDEX, max: limit - 1n }, 'new account index'))
    }
    if (state.accounts.has(accountIndex)) reject(new AccountExistsError(accountIndex))
    if (accountIndex !== state.nextAccountIndex) reject(new AccountIndexNotNextError(accountIndex, state.nextAccountIndex))
    requireInBounds(() => assertMarginMode(mode, state.sizes.markets))
    if (!isOnCurve(publicKey)) reject(new PointNotOnCurveError('point', publicKey.x, publicKey.y))
    const account = createAccount({ publicKey, owner, collateral: amount, mode, markets: state.markets })
    events.push({ type: 'deposited', accountIndex, amount, created: true })
    return {
      writes: [{ kind: 'account', accountIndex, account, created: true }],
      fee: 0n,
      penalty: 0n,
      events,
      pubdata: { type: 'depositNew', accountIndex, amount, owner, mode, publicKey },
    }
  }
  const existing = requireAccount(state, accountIndex)
  const settled = settleAccount(existing, accountIndex, state.markets, events)
  const account = { ...settled, collateral: settled.collateral + amount }
  requireInBounds(() => assertCollateral(account.collateral))
  events.push({ type: 'deposited', accountIndex, amount, created: false })
  return {
    writes: [{ kind: 'account', accountIndex, account, created: false }],
    fee: 0n,
    penalty: 0n,
    events,
    pubdata: { type: 'deposit', accountIndex, amount, depositor: owner },
  }
}
