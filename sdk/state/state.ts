/**
 * The exchange state the reference state machine works on (docs/protocol.md §2): accounts by index, the M markets,
 * the next L1-assigned account index and the two batch accumulators (fees, penalties) that are credited once per
 * batch. Plain memory only: Merkle roots and witnesses are built from it in `stateTree.ts`, off the order path.
 */
import { initialMarketState, validateGenesis } from '../protocol/config.ts'
import type { Account, CircuitSizes, Genesis, MarketState, Position, PublicKey } from '../protocol/types.ts'
import { FEE_ACCOUNT_INDEX, FIRST_USER_ACCOUNT_INDEX, INSURANCE_FUND_INDEX } from '../protocol/types.ts'

export type ExchangeState = {
  readonly sizes: CircuitSizes
  readonly accounts: Map<bigint, Account>
  readonly markets: MarketState[]
  /** The index the next deposit creating an account must use (L1 assigns them in queue order from 2). */
  nextAccountIndex: bigint
  /** Fees taken in the current batch, credited to account 1 at the end of the batch. */
  batchFees: bigint
  /** Liquidation penalties taken in the current batch, credited to account 0 at the end of the batch. */
  batchPenalties: bigint
}

/** The identity point of BabyJubJub: the key of the system accounts, which can never produce a valid signature. */
export const SYSTEM_ACCOUNT_KEY: PublicKey = { x: 0n, y: 1n }

/** Positions of a fresh account: all zero, settled at the current funding indices. */
export function createEmptyPositions(markets: readonly MarketState[]): Position[] {
  return markets.map((market) => ({ size: 0n, fundingIndexAtLastSettle: market.fundingIndex }))
}

export function createAccount(parameters: {
  publicKey: PublicKey
  owner: bigint
  collateral: bigint
  mode: number
  markets: readonly MarketState[]
}): Account {
  return {
    publicKey: parameters.publicKey,
    owner: parameters.owner,
    collateral: parameters.collateral,
    mode: parameters.mode,
    positions: createEmptyPositions(parameters.markets),
    orderSlots: new Map(),
  }
}

/**
 * The state before the first batch: the insurance fund (index 0) and the fee account (index 1), owner 0, key (0, 1),
 * cross mode, no collateral; markets at their genesis oracle prices with funding index 0 and no open interest.
 * Throws the protocol layer's typed error when the genesis is invalid.
 */
export function createGenesisState(genesis: Genesis): ExchangeState {
  validateGenesis(genesis)
  const markets: MarketState[] = genesis.markets.map(initialMarketState)
  const accounts = new Map<bigint, Account>()
  for (const index of [INSURANCE_FUND_INDEX, FEE_ACCOUNT_INDEX]) {
    accounts.set(index, createAccount({ publicKey: SYSTEM_ACCOUNT_KEY, owner: 0n, collateral: 0n, mode: 0, markets }))
  }
  return {
    sizes: genesis.sizes,
    accounts,
    markets,
    nextAccountIndex: FIRST_USER_ACCOUNT_INDEX,
    batchFees: 0n,
    batchPenalties: 0n,
  }
}

export function cloneAccount(account: Account): Account {
  return {
    ...account,
    positions: account.positions.map((position) => ({ ...position })),
    orderSlots: new Map([...account.orderSlots].map(([index, slot]) => [index, { ...slot }])),
  }
}

/** A deep copy: nothing mutable is shared with the original. */
export function cloneState(state: ExchangeState): ExchangeState {
  const accounts = new Map<bigint, Account>()
  for (const [index, account] of state.accounts) accounts.set(index, cloneAccount(account))
  return {
    sizes: state.sizes,
    accounts,
    markets: state.markets.map((market) => ({ ...market })),
    nextAccountIndex: state.nextAccountIndex,
    batchFees: state.batchFees,
    batchPenalties: state.batchPenalties,
  }
}

/** Σ collateral over every account (insurance fund and fee account included) plus the uncredited accumulators. */
export function computeTotalCollateral(state: ExchangeState): bigint {
  let total = state.batchFees + state.batchPenalties
  for (const account of state.accounts.values()) total += account.collateral
  return total
}

/** The first index of the upper half of the accounts tree, reserved for accounts created by L2 transfers (§2.2). */
export function firstL2AccountIndex(sizes: CircuitSizes): bigint {
  return 1n << BigInt(2 * sizes.accountDepth - 1)
}
