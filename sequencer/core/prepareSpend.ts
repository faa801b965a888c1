/**
 * The state machine's verdict on a signed withdraw or transfer (docs/protocol.md §5.3, §5.4) as the core must give
 * it, given the storage ids the core already accepted.
 *
 * An order's slot on L2 (§2.3) only moves when the order fills, but the core's replay protection counts every
 * order it accepted (ids strictly increase per slot, filled or not). Judged on the L2 slot alone, a spend could take
 * the id of a resting order that has not filled: the order would then still fill with the id the spend consumed
 * (`s = slot.storageId` continues an order), so one signed id would execute twice, as an order and as a spend. The
 * spend is therefore judged against its slot raised to the highest id the core accepted there: a reused or lower id
 * is the state machine's own STORAGE_ID_USED, at the same place in the check order (after bounds and accounts,
 * before the signature), with the id that holds the slot as `slotStorageId`.
 */
import type { Account, TransferTx, WithdrawTx } from '../../sdk/protocol/types.ts'
import { prepareTx, type PrepareTxReturnType } from '../../sdk/state/applyTx.ts'
import { computeSlotIndex, readOrderSlot } from '../../sdk/state/orderSlots.ts'
import type { ExchangeState } from '../../sdk/state/state.ts'
import type { TxContext } from '../../sdk/state/txEffect.ts'
import { SpendSlotInvariantError } from './errors.ts'

export type SpendTx = WithdrawTx | TransferTx

/** The account that signs the spend and whose slot it consumes. */
export function spendSourceIndex(tx: SpendTx): bigint {
  return tx.type === 'withdraw' ? tx.accountIndex : tx.fromIndex
}

export type PrepareSpendParameters = {
  readonly state: ExchangeState
  readonly tx: SpendTx
  readonly context: TxContext
  /** The highest storage id the core accepted in the tx's slot of the source account (orders and spends), if any. */
  readonly highestAccepted: bigint | undefined
}

export function prepareSpend({ state, tx, context, highestAccepted }: PrepareSpendParameters): PrepareTxReturnType {
  const sourceIndex = spendSourceIndex(tx)
  const source = state.accounts.get(sourceIndex)
  if (source === undefined || highestAccepted === undefined || tx.storageId > highestAccepted) return prepareTx(state, tx, context)
  const slotIndex = computeSlotIndex(tx.storageId, state.sizes.orderDepth)
  if (readOrderSlot(source, slotIndex).storageId >= highestAccepted) return prepareTx(state, tx, context)

  // A view, not a copy of the state: a spend reads only its source and target accounts (§5.3, §5.4), and this
  // branch only ever produces a rejection, so nothing from the view is written back.
  const raised: Account = { ...source, orderSlots: new Map(source.orderSlots).set(slotIndex, { storageId: highestAccepted, filled: 0n }) }
  const accounts = new Map<bigint, Account>([[sourceIndex, raised]])
  if (tx.type === 'transfer' && tx.toIndex !== sourceIndex) {
    const target = state.accounts.get(tx.toIndex)
    if (target !== undefined) accounts.set(tx.toIndex, target)
  }
  const verdict = prepareTx({ ...state, accounts }, tx, context)
  if (verdict.accepted) throw new SpendSlotInvariantError(sourceIndex, tx.storageId, highestAccepted)
  return verdict
}
