/**
 * For forged-witness tests: the account cache of a forged batch input, rebuilt the way a cheating prover would so
 * that only the rule under test objects. The accounts opened are the sides the input's `cacheSelect` opens, at the
 * input's (possibly forged) `accountIndex`; their initial values come from `before`, their final leaves from
 * `after`, the forged state after the batch.
 */
import type { ExchangeState } from '../../sdk/state/state.ts'
import { StateTree } from '../../sdk/state/stateTree.ts'
import { accountCacheInput, cacheSelectInput } from '../witness/batchWitness.ts'

export function forgedCacheInputs(input: Record<string, unknown>, before: ExchangeState, after: ExchangeState): Record<string, unknown> {
  const selected = input.cacheSelect as bigint[][][]
  const accountIndex = input.accountIndex as bigint[][]
  const opened = selected.map((pair) => pair.map((select) => select.some((bit) => bit === 1n)))
  const indices = new Set(accountIndex.flatMap((pair, slot) => pair.filter((_, side) => opened[slot]![side])))
  // The end-of-batch credit rewrites accounts 0 and 1 after the write-back: `after` would not hold their final leaves.
  if (indices.has(0n) || indices.has(1n)) throw new Error('forgedCacheInputs: the system accounts are not supported')
  const treeBefore = StateTree.fromState(before)
  const treeAfter = StateTree.fromState(after)
  const cache = accountCacheInput(
    before,
    treeBefore,
    indices,
    (index) => {
      const account = before.accounts.get(index)
      return account === undefined ? null : treeBefore.accountPreimage(account, treeBefore.ordersRoot(index))
    },
    (index) => treeAfter.accountRead(index).leaf,
  )
  return { ...cache.input, cacheSelect: cacheSelectInput(cache.input.cacheInitial, accountIndex, opened) }
}
