/**
 * A fixed pseudo-random scenario run to its final state root: `tsx sdk/state/scenarioRoot.ts <seed>` prints the root,
 * so the determinism test can compare a fresh process with its own run.
 */
import fc from 'fast-check'
import type { Tx } from '../protocol/types.ts'
import { applyBatch } from './batch.ts'
import type { ExchangeState } from './state.ts'
import type { StateTree } from './stateTree.ts'
import { GENESIS_TIME, TEST_DOMAIN, testState } from './testFixtures.ts'
import { ScenarioIds, buildTx, fundingDeposits, type Intent } from './testScenario.ts'

export const intentArbitrary: fc.Arbitrary<Intent> = fc.record({
  kind: fc.nat({ max: 9 }),
  a: fc.nat({ max: 63 }),
  b: fc.nat({ max: 63 }),
  size: fc.integer({ min: 1, max: 40 }),
  offsetBps: fc.integer({ min: -300, max: 300 }),
  flag: fc.boolean(),
})

export type ScenarioBatch = { batchTimestamp: bigint; pubdata: Uint8Array; newStateRoot: bigint }

/** Deposits in batch 0, then the intents in batches of `perBatch` txs, T advancing 600 s per batch. */
export function runScenario(intents: readonly Intent[], perBatch = 6, witness = false): { state: ExchangeState; tree: StateTree; batches: ScenarioBatch[] } {
  const state = testState({ accountDepth: 3, orderDepth: 2, markets: 2, batchSlots: 16, batchAccounts: 32 })
  const ids = new ScenarioIds()
  const batches: ScenarioBatch[] = []
  let tree: StateTree | undefined
  const run = (txs: Tx[], batchTimestamp: bigint) => {
    const result = applyBatch(state, txs, { batchTimestamp, domain: TEST_DOMAIN, signaturesVerified: true }, { ...(tree === undefined ? {} : { tree }), witness })
    tree = result.tree
    batches.push({ batchTimestamp, pubdata: result.pubdata, newStateRoot: result.newStateRoot })
  }
  run(fundingDeposits(), GENESIS_TIME)
  for (let start = 0; start < intents.length; start += perBatch) {
    const batchTimestamp = GENESIS_TIME + 600n * BigInt(batches.length)
    const txs: Tx[] = state.markets.map((market, m) => ({
      type: 'oracleUpdate',
      market: m,
      price: market.oraclePrice,
      timestamp: batchTimestamp,
      signature: { R8: { x: 0n, y: 1n }, S: 0n },
    }))
    for (const intent of intents.slice(start, start + perBatch)) txs.push(buildTx(state, intent, ids, batchTimestamp))
    run(txs, batchTimestamp)
  }
  return { state, tree: tree!, batches }
}

export function scenarioRoot(seed: number): bigint {
  const intents = fc.sample(intentArbitrary, { seed, numRuns: 48 })
  const { batches } = runScenario(intents)
  return batches[batches.length - 1]!.newStateRoot
}

if (process.argv[1]?.endsWith('scenarioRoot.ts')) {
  console.log(scenarioRoot(Number(process.argv[2] ?? '1')).toString())
}
