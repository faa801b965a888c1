/**
 * Random valid batches at the `test` size, mixing every tx type, for the circuit's differential test. A seeded
 * generator proposes txs (signed with real keys, most of them plausible, many of them not); the state machine
 * decides: accepted txs fill the batch in order until its N chunks are used, refused ones are kept apart so the
 * test can show they never reach a witness. Prices random-walk with occasional crashes, so leveraged accounts
 * become liquidatable, fall below the backstop line and leave the insurance fund to deleverage.
 */
import { CIRCUIT_SIZES } from '../../sdk/protocol/config.ts'
import { recordChunks } from '../../sdk/protocol/pubdata.ts'
import { INSURANCE_FUND_INDEX, type Account, type Tx } from '../../sdk/protocol/types.ts'
import { prepareTx } from '../../sdk/state/applyTx.ts'
import { settleFunding } from '../../sdk/state/funding.ts'
import { computeLiquidationTier } from '../../sdk/state/liquidation.ts'
import { computeEquity, computeNotional } from '../../sdk/state/margin.ts'
import { cloneState, type ExchangeState } from '../../sdk/state/state.ts'
import { depositNewTx, depositTx, GENESIS_TIME, oracleTx, order, testContext, testKey, testState, transferTx, withdrawTx, type TestKey } from '../../sdk/state/testFixtures.ts'
import { commitTxEffect } from '../../sdk/state/txEffect.ts'
import { mulberry32 } from '../../sequencer/matching/workload.ts'
import { buildBatchWitness, type BatchWitness } from '../witness/batchWitness.ts'

/** Equity over notional in basis points (∞ without positions): how close to liquidation an account is. */
function marginRatio(account: Account, state: ExchangeState): number {
  const notional = computeNotional(account.positions, state.markets)
  return notional === 0n ? Number.POSITIVE_INFINITY : Number((computeEquity(account, state.markets) * 10_000n) / notional)
}

type Trader = { readonly key: TestKey; readonly owner: bigint }

export type RandomBatch = {
  readonly witness: BatchWitness
  /** Candidates the state machine refused against the batch's state (each alone, first in the batch). */
  readonly refused: readonly Tx[]
}

export class RandomBatches {
  readonly #random: () => number
  readonly #traders = new Map<bigint, Trader>()
  readonly #storageIds = new Map<bigint, bigint>()
  /** How often each (tx type, refusal code) came up: what the generator tries and the rules refuse. */
  readonly refusals = new Map<string, number>()
  readonly #stressFrom: number
  #state: ExchangeState
  #time: bigint
  #batches = 0

  constructor(seed: number, stressFrom = 6) {
    this.#stressFrom = stressFrom
    // mulberry32 picks choices only (which tx, which account); every amount is built as a bigint from them.
    this.#random = mulberry32(seed)
    for (let i = 2n; i < 8n; i++) this.#traders.set(i, { key: testKey(`fuzz ${i}`), owner: 0xf00n + i })
    // Accounts 2–5 exist from the start (5 isolated in market 0); 6 and 7 are left for random new-account deposits.
    const T0 = GENESIS_TIME + 10n
    const T1 = GENESIS_TIME + 3_650n
    let state = testState(CIRCUIT_SIZES.test)
    const trader = (index: bigint) => this.#traders.get(index)!
    state = buildBatchWitness(state, [depositNewTx(2n, 10n ** 10n, trader(2n).key, trader(2n).owner), depositNewTx(3n, 10n ** 10n, trader(3n).key, trader(3n).owner)], testContext(T0)).state
    state = buildBatchWitness(state, [depositNewTx(4n, 200_000_000n, trader(4n).key, trader(4n).owner), depositNewTx(5n, 10n ** 9n, trader(5n).key, trader(5n).owner, 1)], testContext(T0)).state
    this.#state = state
    this.#time = T1
    const opening = [
      oracleTx(0, 6_000_000n, T1),
      oracleTx(1, 3_000_000n, T1),
      this.#trade(4n, 2n, 0, true, 280n, 6_000_000n), // 8.4x long
      this.#trade(5n, 3n, 0, false, 100n, 6_000_000n),
    ]
    this.#state = buildBatchWitness(state, opening, testContext(T1)).state
  }

  get state(): ExchangeState {
    return this.#state
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!
  }

  #below(limit: number): bigint {
    return BigInt(Math.floor(this.#random() * limit))
  }

  #storageId(accountIndex: bigint): bigint {
    const next = (this.#storageIds.get(accountIndex) ?? 100n) + 1n
    this.#storageIds.set(accountIndex, next)
    return next
  }

  #trade(taker: bigint, maker: bigint, market: number, takerBuys: boolean, size: bigint, price: bigint): Tx {
    const expiry = this.#time + 3_600n
    const takerOrder = order({ accountIndex: taker, market, isBuy: takerBuys, size, limitPrice: price, storageId: this.#storageId(taker), expiry }, this.#traders.get(taker)?.key)
    const makerOrder = order({ accountIndex: maker, market, isBuy: !takerBuys, size: size + this.#below(20), limitPrice: price, storageId: this.#storageId(maker), expiry }, this.#traders.get(maker)?.key)
    return { type: 'trade', taker: takerOrder, maker: makerOrder, size, price }
  }

  /** A candidate tx against `state` at time T (plausible, not necessarily valid). */
  #candidate(state: ExchangeState): Tx {
    const T = this.#time
    const users = [...this.#traders.keys()]
    const existing = users.filter((index) => state.accounts.has(index))
    const market = this.#pick([0, 1])
    const oracle = state.markets[market]!.oraclePrice
    const account = this.#pick(existing)
    const trader = this.#traders.get(account)!
    const roll = this.#random()
    if (roll < 0.14) {
      // A random walk, with a 2.5–5 % drop now and then; market 0, where the leveraged long sits, drifts down.
      const moves = market === 0 ? [-500n, -250n, -250n, -100n, -30n, 0n, 30n, 100n] : [-500n, -250n, -100n, -30n, 0n, 30n, 100n, 300n]
      const moved = (oracle * (10_000n + this.#pick(moves))) / 10_000n
      return oracleTx(market, moved - (moved % 10n), T)
    }
    if (roll < 0.36) {
      const maker = this.#pick(existing.filter((index) => index !== account))
      const price = oracle + (this.#below(7) - 3n) * 10n
      return this.#trade(account, maker, market, this.#random() < 0.5, 1n + this.#below(60), price)
    }
    if (roll < 0.41) return depositTx(account, 1n + this.#below(1_000_000_000))
    if (roll < 0.45) {
      const fresh = users.filter((index) => !state.accounts.has(index))
      if (fresh.length === 0) return depositTx(account, 1n + this.#below(1_000))
      const index = this.#pick(fresh)
      const newTrader = this.#traders.get(index)!
      return depositNewTx(index, 1_000_000n + this.#below(1_000_000_000), newTrader.key, newTrader.owner, Number(this.#below(3)))
    }
    const collateral = state.accounts.get(account)!.collateral
    const someCollateral = collateral > 0n ? 1n + (collateral * this.#below(60)) / 100n : 1n + this.#below(1_000)
    if (roll < 0.52) {
      return withdrawTx({ accountIndex: account, amount: someCollateral, to: trader.owner, storageId: this.#storageId(account), validUntil: T + 600n }, trader.key)
    }
    if (roll < 0.58) {
      const target = 8n + this.#below(8)
      return transferTx({ fromIndex: account, toIndex: target, amount: someCollateral, targetMode: Number(this.#below(3)), storageId: this.#storageId(account), validUntil: T + 600n }, trader.key)
    }
    if (roll < 0.63) {
      const requester = this.#random() < 0.8 ? trader.owner : 0xbadn
      const index = this.#random() < 0.9 ? account : 8n + this.#below(8)
      return { type: 'forcedWithdrawal', accountIndex: index, requester, requestedAmount: someCollateral }
    }
    if (roll < 0.67) return { type: 'fundingUpdate', market, ratePpm: this.#below(1_501) - 750n, timestamp: T }
    const settledOf = (index: bigint) => settleFunding(state.accounts.get(index)!, state.markets).account
    // Risk actions go, as a keeper's would, to the account in the worst shape (random among the healthy).
    const worst = existing.reduce((a, b) => (marginRatio(settledOf(a), state) <= marginRatio(settledOf(b), state) ? a : b))
    const target = this.#random() < 0.7 ? worst : account
    const settled = settledOf(target)
    const size = settled.positions[market]!.size
    if (roll < 0.85 && size !== 0n) {
      // The keeper's close: the tier at the oracle price, into an opposite order from another account.
      const tier = computeLiquidationTier(settled, state.markets, market, oracle)
      const maker = this.#pick(existing.filter((index) => index !== target))
      const makerOrder = order(
        { accountIndex: maker, market, isBuy: size > 0n, size: tier.size, limitPrice: oracle, storageId: this.#storageId(maker), expiry: T + 3_600n },
        this.#traders.get(maker)!.key,
      )
      return { type: 'liquidation', accountIndex: target, market, maker: makerOrder, size: tier.size, price: oracle, full: tier.full }
    }
    if (roll < 0.93) return { type: 'backstop', accountIndex: target }
    // Deleverage the fund against the richest account holding the opposite side.
    const fundSize = settledOf(INSURANCE_FUND_INDEX).positions[market]!.size
    const opposite = existing.filter((index) => settledOf(index).positions[market]!.size * fundSize < 0n)
    const counterparty = opposite.length === 0 ? account : opposite.reduce((a, b) => (computeEquity(settledOf(a), state.markets) >= computeEquity(settledOf(b), state.markets) ? a : b))
    const counterSize = settledOf(counterparty).positions[market]!.size
    const close = counterSize < 0n ? -counterSize : counterSize
    const fundClose = fundSize < 0n ? -fundSize : fundSize
    return { type: 'autoDeleverage', market, counterpartyIndex: counterparty, size: 1n + (close < fundClose ? close : fundClose) / 2n }
  }

  /**
   * The next batch: T moves on, stale markets get a price first (and from the `stressFrom`-th batch on, market 0
   * falls 2.5 % every batch), then accepted candidates until N chunks are used.
   */
  next(): RandomBatch {
    this.#batches++
    this.#time += 1n + this.#below(15)
    const T = this.#time
    const context = testContext(T)
    const working = cloneState(this.#state)
    const accepted: Tx[] = []
    const refused: Tx[] = []
    let chunks = 0
    const capacity = working.sizes.batchSlots
    const offer = (tx: Tx): void => {
      const prepared = prepareTx(working, tx, context)
      if (!prepared.accepted) {
        const key = `${tx.type}:${prepared.error.code}`
        this.refusals.set(key, (this.refusals.get(key) ?? 0) + 1)
        if (prepareTx(this.#state, tx, context).accepted === false) refused.push(tx)
        return
      }
      const needed = recordChunks(prepared.effect.pubdata)
      if (chunks + needed > capacity) return
      chunks += needed
      commitTxEffect(working, prepared.effect)
      accepted.push(tx)
    }
    working.markets.forEach((market, index) => {
      const falling = index === 0 && this.#batches > this.#stressFrom
      const price = falling ? (market.oraclePrice * 9_750n) / 10_000n : market.oraclePrice
      if (falling || T - market.oracleTime > 40n) offer(oracleTx(index, price - (price % 10n), T))
    })
    for (let attempt = 0; attempt < 16 && chunks < capacity; attempt++) offer(this.#candidate(working))
    const witness = buildBatchWitness(this.#state, accepted, context)
    this.#state = witness.state
    return { witness, refused }
  }

  /** The insurance fund's equity (after settlement), to tell whether ADL can happen. */
  fundEquity(): bigint {
    const fund = settleFunding(this.#state.accounts.get(INSURANCE_FUND_INDEX)!, this.#state.markets).account
    return computeEquity(fund, this.#state.markets)
  }
}
