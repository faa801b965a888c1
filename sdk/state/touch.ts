/**
 * Checks and steps shared by the tx modules: looking an account up, refusing system accounts where they cannot act,
 * oracle freshness, expiry, and settling funding on touch (with its event).
 */
import { assertAccountIndex, assertMarketIndex } from '../protocol/bounds.ts'
import type { Account, MarketState } from '../protocol/types.ts'
import { FIRST_USER_ACCOUNT_INDEX } from '../protocol/types.ts'
import { AccountNotFoundError, OracleStaleError, OrderExpiredError, SystemAccountError } from './errors.ts'
import type { StateEvent } from './events.ts'
import { settleFunding } from './funding.ts'
import { reject, requireInBounds } from './rejection.ts'
import type { ExchangeState } from './state.ts'

export function requireAccount(state: ExchangeState, accountIndex: bigint, what = 'account index'): Account {
  requireInBounds(() => assertAccountIndex(accountIndex, state.sizes.accountDepth, what))
  const account = state.accounts.get(accountIndex)
  if (account === undefined) reject(new AccountNotFoundError(accountIndex))
  return account
}

/** Accounts 0 and 1 (insurance fund, fee account) cannot sign, trade, withdraw or be liquidated. */
export function requireUserAccount(state: ExchangeState, accountIndex: bigint, operation: string): Account {
  const account = requireAccount(state, accountIndex)
  if (accountIndex < FIRST_USER_ACCOUNT_INDEX) reject(new SystemAccountError(accountIndex, operation))
  return account
}

export function requireMarket(state: ExchangeState, market: number): MarketState {
  requireInBounds(() => assertMarketIndex(market, state.sizes.markets))
  return state.markets[market]!
}

/** `oracleTime ≤ T` and `T − oracleTime ≤ maxOracleAgeSeconds`. */
export function isOracleFresh(market: MarketState, batchTimestamp: bigint): boolean {
  return market.oracleTime <= batchTimestamp && batchTimestamp - market.oracleTime <= market.parameters.maxOracleAgeSeconds
}

export function requireFreshOracle(state: ExchangeState, market: number, batchTimestamp: bigint): void {
  const marketState = state.markets[market]!
  if (!isOracleFresh(marketState, batchTimestamp)) {
    reject(new OracleStaleError(market, marketState.oracleTime, batchTimestamp, marketState.parameters.maxOracleAgeSeconds))
  }
}

/** A fresh oracle in every market where the account holds a position. */
export function requireFreshOraclesForPositions(state: ExchangeState, account: Account, batchTimestamp: bigint): void {
  for (let m = 0; m < state.markets.length; m++) {
    if (account.positions[m]!.size !== 0n) requireFreshOracle(state, m, batchTimestamp)
  }
}

export function requireNotExpired(accountIndex: bigint, expiry: bigint, batchTimestamp: bigint): void {
  if (batchTimestamp > expiry) reject(new OrderExpiredError(accountIndex, expiry, batchTimestamp))
}

/** Settle funding and record the payment as an event when it is not zero. */
export function settleAccount(
  account: Account,
  accountIndex: bigint,
  markets: readonly MarketState[],
  events: StateEvent[],
): Account {
  const { account: settled, payment } = settleFunding(account, markets)
  if (payment !== 0n) events.push({ type: 'fundingSettled', accountIndex, payment })
  return settled
}
