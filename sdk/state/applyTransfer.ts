/**
 * Transfer between two accounts of one owner (docs/protocol.md §5.4), signed by the source key. Checks, in order:
 * fields in bounds; the source exists and is a user account; target differs; the target exists with the same owner
 * and the signed mode, or is empty, lies in the L2-created index range and gets a valid mode; then the withdraw
 * checks on the source (slot, signature, validUntil, amount > 0, fresh oracles, initial margin after). A created
 * target copies the source's owner and key, with zero positions settled at the current funding indices.
 */
import { assertAccountIndex, assertCollateral, assertMarginMode, assertStorageId, assertTimestamp, assertWithdrawalAmount } from '../protocol/bounds.ts'
import type { Account, TransferTx } from '../protocol/types.ts'
import { SameAccountError, TransferOwnerError, TransferTargetIndexError, TransferTargetModeError } from './errors.ts'
import type { StateEvent } from './events.ts'
import { consumeOrderSlot } from './orderSlots.ts'
import { reject, requireInBounds } from './rejection.ts'
import { requireTransferSignature } from './signatures.ts'
import { createAccount, firstL2AccountIndex, type ExchangeState } from './state.ts'
import { requireFreshOraclesForPositions, requireNotExpired, requireUserAccount, settleAccount } from './touch.ts'
import type { TxContext, TxEffect } from './txEffect.ts'
import { requirePositiveWithdrawal, withdrawCollateral } from './applyWithdraw.ts'

export function prepareTransfer(state: ExchangeState, tx: TransferTx, context: TxContext): TxEffect {
  const { fromIndex, toIndex, amount, targetMode, storageId, validUntil } = tx
  requireInBounds(() => assertWithdrawalAmount(amount, 'transfer amount'))
  requireInBounds(() => assertStorageId(storageId))
  requireInBounds(() => assertTimestamp(validUntil, 'validUntil'))
  requireInBounds(() => assertAccountIndex(toIndex, state.sizes.accountDepth, 'transfer target'))
  const source = requireUserAccount(state, fromIndex, 'transfer')
  if (toIndex === fromIndex) reject(new SameAccountError(fromIndex))
  const target = state.accounts.get(toIndex)
  if (target !== undefined) {
    if (target.owner !== source.owner) reject(new TransferOwnerError(source.owner, target.owner))
    if (target.mode !== targetMode) reject(new TransferTargetModeError(targetMode, target.mode))
  } else {
    const first = firstL2AccountIndex(state.sizes)
    if (toIndex < first) reject(new TransferTargetIndexError(toIndex, first))
    requireInBounds(() => assertMarginMode(targetMode, state.sizes.markets, 'target mode'))
  }
  const slot = consumeOrderSlot(fromIndex, source, storageId, state.sizes.orderDepth)
  requireTransferSignature(tx, source.publicKey, context)
  requireNotExpired(fromIndex, validUntil, context.batchTimestamp)
  requirePositiveWithdrawal(amount)

  const events: StateEvent[] = []
  const settledSource = settleAccount(source, fromIndex, state.markets, events)
  requireFreshOraclesForPositions(state, settledSource, context.batchTimestamp)
  const sourceAfter = withdrawCollateral(fromIndex, settledSource, amount, state.markets)
  let targetAfter: Account
  if (target === undefined) {
    targetAfter = createAccount({
      publicKey: source.publicKey,
      owner: source.owner,
      collateral: amount,
      mode: targetMode,
      markets: state.markets,
    })
  } else {
    const settledTarget = settleAccount(target, toIndex, state.markets, events)
    targetAfter = { ...settledTarget, collateral: settledTarget.collateral + amount }
    requireInBounds(() => assertCollateral(targetAfter.collateral))
  }
  const created = target === undefined
  events.push({ type: 'transferred', fromIndex, toIndex, amount, created })
  return {
    writes: [
      { kind: 'orderSlot', accountIndex: fromIndex, ...slot },
      { kind: 'account', accountIndex: fromIndex, account: sourceAfter, created: false },
      { kind: 'account', accountIndex: toIndex, account: targetAfter, created },
    ],
    fee: 0n,
    penalty: 0n,
    events,
    pubdata: { type: 'transfer', fromIndex, toIndex, amount, targetMode, storageId },
  }
}
