/**
 * The small scenario the batch-circuit tests share (test size): Alice (index 2, owner 0xa1, cross) and Bob (index 3,
 * owner 0xb0, isolated in market 0) deposit 100,000 USDC each at T1; at T2 an oracle update, Alice buys 10 lots
 * from Bob's resting sell, and Alice tops up.
 */
import { CIRCUIT_SIZES } from '../../sdk/protocol/config.ts'
import type { Tx } from '../../sdk/protocol/types.ts'
import { GENESIS_TIME, ORACLE_KEY, depositNewTx, depositTx, oracleTx, order, testContext, testKey, testState, tradeTx } from '../../sdk/state/testFixtures.ts'
import type { ExchangeState } from '../../sdk/state/state.ts'
import { buildBatchWitness } from '../witness/batchWitness.ts'

export const alice = testKey('alice')
export const bob = testKey('bob')
export const ALICE = 0xa1n
export const BOB = 0xb0n
export const T1 = GENESIS_TIME + 10n
export const T2 = GENESIS_TIME + 20n

export function depositBatch(): Tx[] {
  return [depositNewTx(2n, 100_000_000_000n, alice, ALICE), depositNewTx(3n, 100_000_000_000n, bob, BOB, 1)]
}

/** Alice's taker order uses storage id 7 (slot 7 at order depth 2), Bob's maker order storage id 3. */
export function tradeBatch(state: ExchangeState): Tx[] {
  const price = state.markets[0]!.oraclePrice
  const taker = order({ accountIndex: 2n, market: 0, isBuy: true, size: 10n, limitPrice: price + 5n, storageId: 7n }, alice)
  const maker = order({ accountIndex: 3n, market: 0, isBuy: false, size: 25n, limitPrice: price, storageId: 3n }, bob)
  return [oracleTx(0, price, T2, ORACLE_KEY), tradeTx(taker, maker, 10n), depositTx(2n, 5_000_000n), { type: 'noop' }]
}

export function stateAfterDeposits(): ExchangeState {
  return buildBatchWitness(testState(CIRCUIT_SIZES.test), depositBatch(), testContext(T1)).state
}

export function stateAfterTrade(afterDeposits: ExchangeState): ExchangeState {
  return buildBatchWitness(afterDeposits, tradeBatch(afterDeposits), testContext(T2)).state
}
