/**
 * The distinct-account limit of a batch (docs/protocol.md §6): the circuit opens every account its slots touch
 * once, into a cache of K = `batchAccounts` entries, so a batch may touch at most K distinct accounts. The
 * end-of-batch credit (accounts 0 and 1) is outside the cache and does not count.
 */
import type { Tx } from '../protocol/types.ts'
import type { TxEffect } from './txEffect.ts'

/**
 * The accounts a tx's slot opens: every account it writes, and the index a forced withdrawal of an empty index
 * reads (it writes nothing, but the slot proves the leaf empty through the cache).
 */
export function slotAccounts(tx: Tx, effect: TxEffect): bigint[] {
  const indices = new Set<bigint>()
  for (const write of effect.writes) if (write.kind === 'account') indices.add(write.accountIndex)
  if (tx.type === 'forcedWithdrawal' && indices.size === 0) indices.add(tx.accountIndex)
  return [...indices]
}

/**
 * Adds `accounts` to `batch` when the distinct accounts stay within `limit`; otherwise `batch` is unchanged.
 * `count` is the number of distinct accounts with them, admitted or not.
 */
export function admitAccounts(batch: Set<bigint>, accounts: readonly bigint[], limit: number): { readonly admitted: boolean; readonly count: number } {
  const added = accounts.filter((index) => !batch.has(index))
  const count = batch.size + added.length
  if (count > limit) return { admitted: false, count }
  for (const index of added) batch.add(index)
  return { admitted: true, count }
}
