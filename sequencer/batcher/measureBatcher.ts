/**
 * Measures the batcher: time to cut (the cut rule's re-application) and to build (witness, pubdata, commitment,
 * proof-job input) per batch, with and without signature re-verification, and the recovery time per persisted
 * batch (re-application from genesis). Run: `npx tsx sequencer/batcher/measureBatcher.ts [test|dev|bench]
 * [traders] [inputs]`. Figures are wall-clock medians and are noisy on a shared machine.
 */
import { CIRCUIT_SIZES, type CircuitSizesName } from '../../sdk/protocol/config.ts'
import { createGenesisState } from '../../sdk/state/state.ts'
import { StateTree } from '../../sdk/state/stateTree.ts'
import { generateWorkload, GENESIS_TIME, testGenesis } from '../core/testWorkload.ts'
import { buildBatch } from './batchBuild.ts'
import { BatchCutter, type CutBatch, type PositionedTx } from './batchCut.ts'
import { BatchStore } from './batchStore.ts'
import { openBatcher } from './batcher.ts'
import { FedSequencer, temporaryDirectory } from './testHarness.ts'

const sizesName = (process.argv[2] ?? 'test') as CircuitSizesName
const traders = Number(process.argv[3] ?? 5)
const inputCount = Number(process.argv[4] ?? 400)
const sizes = CIRCUIT_SIZES[sizesName]
const genesis = testGenesis(sizes)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const format = (ms: number): string => `${ms.toFixed(2)} ms`

let started = performance.now()
const inputs = generateWorkload({ seed: 5, traders, inputs: inputCount, genesis })
const fed = new FedSequencer(genesis)
for (const input of inputs) fed.apply(input)
const queued = fed.source.drainTxs()
console.log(`${sizesName}: N=${sizes.batchSlots} slots, depth ${sizes.accountDepth}, ${sizes.markets} markets; ${traders} accounts, ${queued.length} txs from ${inputs.length} inputs (workload + sequencer ${format(performance.now() - started)})`)

// Positions as the batcher assigns them.
let previous: PositionedTx | undefined
const positioned: PositionedTx[] = queued.map((entry) => {
  const index = previous !== undefined && previous.seq === entry.seq ? previous.index + 1 : 0
  previous = { seq: entry.seq, index, time: entry.time, tx: entry.tx }
  return previous
})

// Cut: the whole queue through the cut rule.
const genesisState = createGenesisState(genesis)
const cutter = new BatchCutter({ state: genesisState, domain: genesis.domain, lastTimestamp: GENESIS_TIME, nextBatchNumber: 1n })
const cuts: CutBatch[] = []
started = performance.now()
for (const entry of positioned) cuts.push(...cutter.offer(entry))
const last = cutter.cutNow('flush')
if (last !== undefined) cuts.push(last)
const cutMs = performance.now() - started
const reasons: Record<string, number> = {}
for (const cut of cuts) reasons[cut.reason] = (reasons[cut.reason] ?? 0) + 1
console.log(`cut: ${cuts.length} batches in ${format(cutMs)} (${format(cutMs / cuts.length)} per batch), reasons ${JSON.stringify(reasons)}`)

// Build: witness + circuit input + proof job, per batch.
for (const verifySignatures of [false, true]) {
  const times: number[] = []
  const sample = cuts.slice(0, Math.min(cuts.length, 20))
  for (const cut of sample) {
    const t0 = performance.now()
    buildBatch(cut, cut.stateBefore, { domain: genesis.domain, circuit: 'batch', verifySignatures })
    times.push(performance.now() - t0)
  }
  console.log(`build (witness${verifySignatures ? ' + signature re-verification' : ''}): median ${format(median(times))} per batch, max ${format(Math.max(...times))} over ${sample.length}`)
}
started = performance.now()
StateTree.fromState(cuts.at(-1)!.stateBefore)
console.log(`  of which StateTree.fromState (the witness builder rebuilds the tree per batch): ${format(performance.now() - started)}`)

// Persist + recover.
const store = await BatchStore.open(temporaryDirectory('measure-batcher'))
const replay = new FedSequencer(genesis)
const { batcher } = await openBatcher({ genesis, genesisTimestamp: GENESIS_TIME, store, source: replay.source, circuit: 'batch', maxWaitMs: Number.POSITIVE_INFINITY, verifySignatures: false })
for (const input of inputs) replay.apply(input)
started = performance.now()
const built = [...(await batcher.poll()), ...(await batcher.flush())]
const pipelineMs = performance.now() - started
console.log(`pipeline (cut + build + synced persist): ${built.length} batches in ${format(pipelineMs)} (${format(pipelineMs / built.length)} per batch)`)
await batcher.close()
const recovered = await openBatcher({ genesis, genesisTimestamp: GENESIS_TIME, store, source: { drainTxs: () => [] }, circuit: 'batch', maxWaitMs: 0 })
console.log(`recovery (re-apply ${recovered.recovery.batches} batches from genesis, roots and commitments checked): ${format(recovered.recovery.ms)} (${format(recovered.recovery.ms / recovered.recovery.batches)} per batch)`)
await store.close()
