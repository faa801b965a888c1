/**
 * Lazy funding settlement (docs/protocol.md §4): whenever a tx touches an account, before anything else, every
 * market's position pays `size · (fundingIndex − fundingIndexAtLastSettle)` and is marked settled at the current
 * index (also when the size is zero). Longs pay shorts when the index rises. Because Σ size = 0 in every market,
 * the payments of all accounts sum to zero once all are settled to the same indices.
 */
import type { Account, MarketState, Position } from '../protocol/types.ts'

export type SettleFundingReturnType = {
  /** A new account object: collateral and positions settled; `orderSlots` is shared with the input. */
  account: Account
  /** What the account paid (negative: received). */
  payment: bigint
}

export function computeFundingPayment(positions: readonly Position[], markets: readonly MarketState[]): bigint {
  let payment = 0n
  for (let m = 0; m < markets.length; m++) {
    const position = positions[m]!
    payment += position.size * (markets[m]!.fundingIndex - position.fundingIndexAtLastSettle)
  }
  return payment
}

/** Pure: returns the settled copy, the input is unchanged. */
export function settleFunding(account: Account, markets: readonly MarketState[]): SettleFundingReturnType {
  const payment = computeFundingPayment(account.positions, markets)
  const positions = account.positions.map((position, m) => ({
    size: position.size,
    fundingIndexAtLastSettle: markets[m]!.fundingIndex,
  }))
  return { account: { ...account, collateral: account.collateral - payment, positions }, payment }
}
