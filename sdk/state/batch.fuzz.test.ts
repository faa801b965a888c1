import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { computeQuaternaryRoot } from '../crypto/quaternaryMerkleTree.ts'
import type { Tx } from '../protocol/types.ts'
import { applyTx } from './applyTx.ts'
import { prepareBatchCredit } from './batch.ts'
import { settleFunding } from './funding.ts'
import { checkMargin, isReducingOnly } from './margin.ts'
import { replayPubdata } from './replayPubdata.ts'
import { intentArbitrary, runScenario, scenarioRoot } from './scenarioRoot.ts'
import { cloneState, computeTotalCollateral, type ExchangeState } from './state.ts'
import { StateTree } from './stateTree.ts'
import { GENESIS_TIME, TEST_DOMAIN, testGenesis, testState } from './testFixtures.ts'
import { ScenarioIds, buildTx, fundingDeposits } from './testScenario.ts'
import { commitTxEffect } from './txEffect.ts'

const RUNS = Number(process.env.STATE_FUZZ_RUNS ?? '25')
const sizes = { accountDepth: 3, orderDepth: 2, markets: 2, batchSlots: 16, batchAccounts: 32 }

function expectMarketInvariants(state: ExchangeState) {
  state.markets.forEach((market, m) => {
    let sum = 0n
    let longs = 0n
    for (const account of state.accounts.values()) {
      const size = account.positions[m]!.size
      sum += size
      if (size > 0n) longs += size
    }
    expect(sum).toBe(0n)
    expect(market.openInterest).toBe(longs)
  })
}

function externalFlow(tx: Tx, accepted: { events: readonly { type: string }[] }): bigint {
  let flow = 0n
  for (const event of accepted.events as readonly Record<string, unknown>[]) {
    if (event.type === 'deposited') flow += event.amount as bigint
    if (event.type === 'withdrawn') flow -= event.amount as bigint
    if (event.type === 'forcedWithdrawn') flow -= event.withdrawn as bigint
  }
  void tx
  return flow
}

describe('state machine properties', () => {
  it('behavior: random mostly-valid sequences conserve collateral, balance sizes, and respect margin and liquidation rules', () => {
    let accepted = 0
    let rejected = 0
    fc.assert(
      fc.property(fc.array(intentArbitrary, { minLength: 10, maxLength: 60 }), (intents) => {
        const state = testState(sizes)
        const ids = new ScenarioIds()
        let external = 0n
        const step = (tx: Tx, batchTimestamp: bigint) => {
          const before = cloneState(state)
          const context = { batchTimestamp, domain: TEST_DOMAIN, signaturesVerified: true }
          const result = applyTx(state, tx, context)
          if (!result.accepted) {
            rejected++
            expect(state).toEqual(before)
            return
          }
          accepted++
          external += externalFlow(tx, result)
          expect(computeTotalCollateral(state)).toBe(external)
          expectMarketInvariants(state)
          if (tx.type === 'trade') {
            for (const side of [tx.taker, tx.maker]) {
              const old = settleFunding(before.accounts.get(side.accountIndex)!, before.markets).account.positions[side.market]!.size
              const after = state.accounts.get(side.accountIndex)!
              const margin = checkMargin(after, state.markets, 'imfBps')
              expect(margin.passes || (isReducingOnly(old, after.positions[side.market]!.size) && margin.equity >= 0n)).toBe(true)
            }
          }
          if (tx.type === 'liquidation') {
            const settled = settleFunding(before.accounts.get(tx.accountIndex)!, before.markets).account
            expect(checkMargin(settled, before.markets, 'mmfBps').passes).toBe(false)
          }
        }
        const endBatch = () => commitTxEffect(state, prepareBatchCredit(state))
        for (const tx of fundingDeposits()) step(tx, GENESIS_TIME)
        endBatch()
        for (let start = 0, batch = 1; start < intents.length; start += 6, batch++) {
          const batchTimestamp = GENESIS_TIME + 600n * BigInt(batch)
          state.markets.forEach((market, m) =>
            step({ type: 'oracleUpdate', market: m, price: market.oraclePrice, timestamp: batchTimestamp, signature: { R8: { x: 0n, y: 1n }, S: 0n } }, batchTimestamp),
          )
          for (const intent of intents.slice(start, start + 6)) step(buildTx(state, intent, ids, batchTimestamp), batchTimestamp)
          endBatch()
          expect(state.batchFees).toBe(0n)
          expect(state.batchPenalties).toBe(0n)
          // Funding sums to zero: settling every account at once leaves total collateral unchanged.
          const settledAll = cloneState(state)
          for (const [index, account] of settledAll.accounts) settledAll.accounts.set(index, settleFunding(account, settledAll.markets).account)
          expect(computeTotalCollateral(settledAll)).toBe(computeTotalCollateral(state))
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.STATE_FUZZ_SEED ?? '20261125') },
    )
    // The generator must mostly produce valid txs and also exercise rejections.
    expect(accepted).toBeGreaterThan(rejected / 2)
    expect(rejected).toBeGreaterThan(0)
  })

  it('behavior: replaying the pubdata alone reaches every batch root; incremental, witnessed and full rehash agree', () => {
    fc.assert(
      fc.property(fc.array(intentArbitrary, { minLength: 6, maxLength: 36 }), fc.boolean(), (intents, witness) => {
        const { state, tree, batches } = runScenario(intents, 6, witness)
        const last = batches[batches.length - 1]!
        expect(StateTree.fromState(state).stateRoot(state)).toBe(last.newStateRoot)
        expect(tree.stateRoot(state)).toBe(last.newStateRoot)
        const genesis = testGenesis(sizes)
        for (let count = 1; count <= batches.length; count++) {
          const replayed = replayPubdata(genesis, batches.slice(0, count))
          expect(replayed.stateRoot).toBe(batches[count - 1]!.newStateRoot)
        }
      }),
      { numRuns: Math.max(3, Math.floor(RUNS / 3)), seed: 7 },
    )
  })

  it('behavior: every witnessed leaf write verifies against the root before and after it', () => {
    const intents = fc.sample(intentArbitrary, { seed: 3, numRuns: 24 })
    const state = testState(sizes)
    const tree = StateTree.fromState(state)
    const ids = new ScenarioIds()
    let checked = 0
    const inputs: (Tx | (typeof intents)[number])[] = [...fundingDeposits(), ...intents]
    for (const input of inputs) {
      const tx = 'type' in input ? input : buildTx(state, input, ids, GENESIS_TIME)
      const result = applyTx(cloneState(state), tx, { batchTimestamp: GENESIS_TIME, domain: TEST_DOMAIN, signaturesVerified: true })
      if (!result.accepted) continue
      const leaves = tree.recordEffect(state, result.effect)
      commitTxEffect(state, result.effect)
      for (const leaf of leaves) {
        if (leaf.tree !== 'account') continue
        const proof = { index: leaf.accountIndex, siblings: leaf.siblingsBefore, pathDigits: leaf.pathDigits }
        expect(computeQuaternaryRoot({ ...proof, leaf: leaf.oldLeaf })).toBe(leaf.oldAccountsRoot)
        expect(computeQuaternaryRoot({ ...proof, leaf: leaf.newLeaf })).toBe(leaf.newAccountsRoot)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(6)
    expect(tree.stateRoot(state)).toBe(StateTree.fromState(state).stateRoot(state))
  })

  it('behavior: the same input gives the same root in a second process', () => {
    const here = scenarioRoot(11)
    const script = fileURLToPath(new URL('./scenarioRoot.ts', import.meta.url))
    const output = execFileSync(process.execPath, ['--import', 'tsx', script, '11'], { encoding: 'utf8' })
    expect(BigInt(output.trim())).toBe(here)
  })
})
