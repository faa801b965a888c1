/**
 * Order slots (docs/protocol.md §2.3): replay protection and cancel-by-overwrite. Storage id `s` lives in slot
 * `s mod 4^ORDER_DEPTH`, which holds `(storageId, filled)`; an empty slot reads as (0, 0).
 * - A fill continues the order in its slot (`s = slot.storageId`) or starts it (`s > slot.storageId`: the slot
 *   becomes `(s, 0)` first); a lower id was replaced and can never fill. `filled + fillSize ≤ order.size`.
 * - A withdrawal or transfer consumes its slot: `s > slot.storageId`, and the slot becomes `(s, 0)`.
 */
import type { Account, OrderSlot } from '../protocol/types.ts'
import { OrderOverfillError, OrderReplacedError, StorageIdUsedError } from './errors.ts'
import { reject } from './rejection.ts'

export const EMPTY_ORDER_SLOT: OrderSlot = Object.freeze({ storageId: 0n, filled: 0n })

export type SlotWrite = { slotIndex: bigint; slot: OrderSlot }

export function computeSlotIndex(storageId: bigint, orderDepth: number): bigint {
  return storageId & ((1n << BigInt(2 * orderDepth)) - 1n)
}

export function readOrderSlot(account: Pick<Account, 'orderSlots'>, slotIndex: bigint): OrderSlot {
  return account.orderSlots.get(slotIndex) ?? EMPTY_ORDER_SLOT
}

/** The slot after filling `fillSize` of the order `(storageId, size)`; rejects a replaced order or an overfill. */
export function fillOrderSlot(
  accountIndex: bigint,
  account: Pick<Account, 'orderSlots'>,
  order: { readonly storageId: bigint; readonly size: bigint },
  fillSize: bigint,
  orderDepth: number,
): SlotWrite {
  const slotIndex = computeSlotIndex(order.storageId, orderDepth)
  const current = readOrderSlot(account, slotIndex)
  if (order.storageId < current.storageId) {
    reject(new OrderReplacedError(accountIndex, order.storageId, current.storageId))
  }
  const filled = order.storageId === current.storageId ? current.filled : 0n
  if (filled + fillSize > order.size) reject(new OrderOverfillError(accountIndex, filled, fillSize, order.size))
  return { slotIndex, slot: { storageId: order.storageId, filled: filled + fillSize } }
}

/** The slot after a withdrawal or transfer uses `storageId`: `(storageId, 0)`, provided the id is fresh. */
export function consumeOrderSlot(
  accountIndex: bigint,
  account: Pick<Account, 'orderSlots'>,
  storageId: bigint,
  orderDepth: number,
): SlotWrite {
  const slotIndex = computeSlotIndex(storageId, orderDepth)
  const current = readOrderSlot(account, slotIndex)
  if (storageId <= current.storageId) reject(new StorageIdUsedError(accountIndex, storageId, current.storageId))
  return { slotIndex, slot: { storageId, filled: 0n } }
}
