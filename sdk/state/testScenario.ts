/**
 * Mostly-valid random tx sequences for the property tests and the bench: funded accounts, fresh storage ids,
 * prices near the oracle, liquidation tiers computed from the state, with a share of deliberately invalid txs.
 * Intents are small random records; `buildTx` turns one into a tx against the current state, so a shrunk
 * counterexample is still a meaningful sequence. Signatures are left unsigned: the runs use
 * `signaturesVerified: true` (signature rejection has its own tests with real keys).
 */
import { absolute } from '../protocol/rounding.ts'
import type { Tx } from '../protocol/types.ts'
import { computeLiquidationTier } from './liquidation.ts'
import { settleFunding } from './funding.ts'
import { firstL2AccountIndex, type ExchangeState } from './state.ts'
import { UNSIGNED, depositNewTx, order, testKey, tradeTx, withdrawTx, transferTx } from './testFixtures.ts'

export type Intent = {
  readonly kind: number
  readonly a: number
  readonly b: number
  readonly size: number
  readonly offsetBps: number
  readonly flag: boolean
}

export class ScenarioIds {
  private readonly next = new Map<bigint, bigint>()
  fresh(accountIndex: bigint): bigint {
    const id = (this.next.get(accountIndex) ?? 0n) + 1n
    this.next.set(accountIndex, id)
    return id
  }
  last(accountIndex: bigint): bigint {
    return this.next.get(accountIndex) ?? 0n
  }
}

export const USER_COUNT = 6

export function userIndex(i: number): bigint {
  return 2n + BigInt(i % USER_COUNT)
}

/** Deposits that create USER_COUNT accounts with 10^11 (100,000 USDC) each. */
export function fundingDeposits(): Tx[] {
  return Array.from({ length: USER_COUNT }, (_, i) => depositNewTx(userIndex(i), 100_000_000_000n, testKey(`user${i}`), 0xa0n + BigInt(i)))
}

function priceNear(oracle: bigint, offsetBps: number): bigint {
  const price = (oracle * BigInt(10_000 + offsetBps)) / 10_000n
  return price > 0n ? price : 1n
}

export function buildTx(state: ExchangeState, intent: Intent, ids: ScenarioIds, batchTimestamp: bigint): Tx {
  const markets = state.markets.length
  const market = intent.size % markets
  const oracle = state.markets[market]!.oraclePrice
  const a = userIndex(intent.a)
  let b = userIndex(intent.b)
  if (b === a) b = userIndex(intent.b + 1)
  const size = BigInt(intent.size)
  switch (intent.kind % 10) {
    case 0:
    case 1:
    case 2: {
      // A trade; one in eight reuses an old storage id (often a replaced order or an overfill).
      const price = priceNear(oracle, intent.offsetBps)
      const takerId = intent.a % 8 === 0 ? ids.last(a) : ids.fresh(a)
      const taker = order({ accountIndex: a, market, isBuy: intent.flag, size: size * 2n, limitPrice: priceNear(price, intent.flag ? 50 : -50), storageId: takerId, reduceOnly: intent.b % 7 === 0 }, undefined)
      const maker = order({ accountIndex: b, market, isBuy: !intent.flag, size: size * 2n, limitPrice: price, storageId: ids.fresh(b) }, undefined)
      return tradeTx(taker, maker, intent.b % 11 === 0 ? size * 3n : size)
    }
    case 3:
      return withdrawTx({ accountIndex: a, amount: size * 1_000_000_000n, to: 0xb0n, storageId: ids.fresh(a), validUntil: batchTimestamp + 10n }, undefined)
    case 4: {
      const target = firstL2AccountIndex(state.sizes) + BigInt(intent.a % USER_COUNT)
      const existing = state.accounts.get(target)
      return transferTx({ fromIndex: a, toIndex: target, amount: size * 100_000_000n, targetMode: existing?.mode ?? 1 + market, storageId: ids.fresh(a), validUntil: batchTimestamp }, undefined)
    }
    case 5:
      return { type: 'deposit', accountIndex: a, amount: size * 1_000_000_000n, owner: 0xd0n }
    case 6:
      return { type: 'oracleUpdate', market, price: priceNear(oracle, intent.offsetBps * 3), timestamp: batchTimestamp, signature: UNSIGNED }
    case 7:
      return intent.flag
        ? { type: 'fundingUpdate', market, ratePpm: BigInt(intent.offsetBps * 10), timestamp: batchTimestamp }
        : { type: 'forcedWithdrawal', accountIndex: a, requester: intent.b % 3 === 0 ? 0xbadn : 0xa0n + BigInt(intent.a % USER_COUNT), requestedAmount: size * 10_000_000_000n }
    case 8: {
      // Liquidation against a maker at a price inside the band, with the tier the rule gives.
      const account = state.accounts.get(a)
      const liquidationMarket = account?.positions.findIndex((position) => position.size !== 0n) ?? -1
      const m = liquidationMarket < 0 ? market : liquidationMarket
      const positionSize = account?.positions[m]!.size ?? 0n
      const price = priceNear(state.markets[m]!.oraclePrice, Math.max(-150, Math.min(150, intent.offsetBps)))
      const tier = account === undefined || positionSize === 0n
        ? { size: 1n, full: false }
        : computeLiquidationTier(settleFunding(account, state.markets).account, state.markets, m, price)
      const maker = order({ accountIndex: b, market: m, isBuy: positionSize > 0n, size: absolute(positionSize) + 1n, limitPrice: price, storageId: ids.fresh(b) }, undefined)
      return { type: 'liquidation', accountIndex: a, market: m, maker, size: tier.size, price, full: tier.full }
    }
    default: {
      if (intent.flag) return { type: 'backstop', accountIndex: a }
      const insurance = state.accounts.get(0n)!.positions[market]!.size
      const counterparty = state.accounts.get(a)?.positions[market]!.size ?? 0n
      const size = absolute(insurance) < absolute(counterparty) ? absolute(insurance) : absolute(counterparty)
      return { type: 'autoDeleverage', market, counterpartyIndex: a, size: size === 0n ? 1n : size }
    }
  }
}
