/**
 * bench:state — trades per second through the reference state machine at production sizes (bench preset:
 * 2^24 accounts, 2^12 order slots, 8 markets): without Merkle updates (the order path), with per-write witness
 * generation (the batch cut), and raw accounts-tree leaf updates per second. `--json` prints one JSON object.
 * Signatures are pre-verified (`signaturesVerified: true`), as on the sequencer's hot path.
 */
import { QuaternaryMerkleTree } from '../sdk/crypto/quaternaryMerkleTree.ts'
import { CIRCUIT_SIZES } from '../sdk/protocol/config.ts'
import type { TradeTx } from '../sdk/protocol/types.ts'
import { applyTx } from '../sdk/state/applyTx.ts'
import { StateTree } from '../sdk/state/stateTree.ts'
import { commitTxEffect, type TxContext } from '../sdk/state/txEffect.ts'
import { prepareTx } from '../sdk/state/applyTx.ts'
import { GENESIS_TIME, TEST_DOMAIN, depositNewTx, order, testKey, testState, tradeTx } from '../sdk/state/testFixtures.ts'

const json = process.argv.includes('--json')
const sizes = CIRCUIT_SIZES.bench
const ACCOUNTS = 1_000
const context: TxContext = { batchTimestamp: GENESIS_TIME + 1n, domain: TEST_DOMAIN, signaturesVerified: true }

function setup() {
  const state = testState(sizes)
  const key = testKey('bench')
  for (let i = 0; i < ACCOUNTS; i++) {
    const result = applyTx(state, depositNewTx(2n + BigInt(i), 10n ** 14n, key), context)
    if (!result.accepted) throw result.error
  }
  return state
}

/** Alternating buyers and sellers across markets, fresh storage ids so every trade is accepted. */
function makeTrades(count: number, offset: number): TradeTx[] {
  const trades: TradeTx[] = []
  for (let i = 0; i < count; i++) {
    const a = 2n + BigInt((i * 2) % ACCOUNTS)
    const b = 2n + BigInt((i * 2 + 1) % ACCOUNTS)
    const market = i % sizes.markets
    const storageId = BigInt(offset + i + 1)
    const buyFirst = i % 2 === 0
    const price = [6_000_000n, 3_000_000n, 1_500_000n, 6_000_000n, 600_000n, 1_500_000n, 3_000_000n, 1_500_000n][market]!
    const taker = order({ accountIndex: a, market, isBuy: buyFirst, size: 3n, limitPrice: price, storageId }, undefined)
    const maker = order({ accountIndex: b, market, isBuy: !buyFirst, size: 3n, limitPrice: price, storageId }, undefined)
    trades.push(tradeTx(taker, maker, 1n))
  }
  return trades
}

function time(run: () => void): number {
  const start = process.hrtime.bigint()
  run()
  return Number(process.hrtime.bigint() - start) / 1e9
}

const state = setup()
const plainTrades = makeTrades(20_000, 0)
const plainSeconds = time(() => {
  for (const trade of plainTrades) {
    const result = applyTx(state, trade, context)
    if (!result.accepted) throw result.error
  }
})

const tree = StateTree.fromState(state)
const witnessTrades = makeTrades(300, 100_000)
let leafWrites = 0
const witnessSeconds = time(() => {
  for (const trade of witnessTrades) {
    const prepared = prepareTx(state, trade, context)
    if (!prepared.accepted) throw prepared.error
    leafWrites += tree.recordEffect(state, prepared.effect).length
    commitTxEffect(state, prepared.effect)
  }
})

const merkle = new QuaternaryMerkleTree(sizes.accountDepth)
const updates = 2_000
const merkleSeconds = time(() => {
  for (let i = 0; i < updates; i++) merkle.set(BigInt((i * 7919) % 4 ** sizes.accountDepth), BigInt(i + 1))
})

const figures = {
  sizes,
  note: 'measured on a shared 2-core machine under load',
  tradesPerSecondWithoutMerkle: Math.round(plainTrades.length / plainSeconds),
  tradesPerSecondWithWitness: Math.round(witnessTrades.length / witnessSeconds),
  witnessLeafWritesPerTrade: leafWrites / witnessTrades.length,
  accountTreeLeafUpdatesPerSecond: Math.round(updates / merkleSeconds),
}
if (json) console.log(JSON.stringify(figures))
else {
  console.log(`state machine at bench sizes (accounts 4^${sizes.accountDepth}, slots 4^${sizes.orderDepth}, ${sizes.markets} markets) — ${figures.note}`)
  console.log(`  trades/s, no Merkle (order path):        ${figures.tradesPerSecondWithoutMerkle.toLocaleString()}`)
  console.log(`  trades/s, with Merkle + witness:         ${figures.tradesPerSecondWithWitness.toLocaleString()}`)
  console.log(`  accounts-tree leaf updates/s (depth ${sizes.accountDepth}): ${figures.accountTreeLeafUpdatesPerSecond.toLocaleString()}`)
}
