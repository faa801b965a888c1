/**
 * `npm run report:constraints` (script to be added): compiles the batch circuit at the `test` size and at the
 * production tree sizes with 1 and 2 slots (the per-slot cost is the difference; the SHA-256 share is
 * ~29 k constraints per 64-byte block of header + pubdata), and the gadgets on their own, then writes
 * circuits/constraints.json. Figures are counts, not timings: they do not depend on machine load.
 *
 *   tsx scripts/report-constraints.ts [--skip-bench]
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { batchCircuitSpec, circuitConfigs } from '../circuits/configs.ts'
import { gadgetSpec } from '../circuits/test/circuitHarness.ts'
import { buildCircuit } from './circuit/buildCircuit.ts'
import { repoRoot } from './circuit/cache.ts'
import { CIRCUIT_SIZES } from '../sdk/protocol/config.ts'

type Entry = { constraints: number; compileSeconds: number | null; params: readonly number[] }

const skipBench = process.argv.includes('--skip-bench')
const report: Record<string, Entry> = {}

async function measure(label: string, spec: Parameters<typeof buildCircuit>[0]): Promise<number> {
  const built = await buildCircuit(spec)
  report[label] = { constraints: built.constraints, compileSeconds: built.cached ? null : built.seconds, params: spec.params }
  return built.constraints
}

const gadgets: [string, number[]][] = [
  ['RequireStrictEdDSAPoseidon', []],
  ['ComputeQuaternaryMerkleUpdate', [CIRCUIT_SIZES.bench.accountDepth]],
  ['ComputeQuaternaryMerkleUpdate', [CIRCUIT_SIZES.bench.orderDepth]],
  ['ComputeFloorDivision', [102, 10000]],
  ['RequireSignedRange', [64]],
]
for (const [template, params] of gadgets) await measure(`gadget ${template}(${params.join(', ')})`, gadgetSpec(template, params))

await measure('batch test', circuitConfigs.test!)
const testSizes = CIRCUIT_SIZES.test
const one = await measure('batch test-shape N=1', batchCircuitSpec('batch_probe_test_1', { ...testSizes, batchSlots: 1 }))
const two = await measure('batch test-shape N=2', batchCircuitSpec('batch_probe_test_2', { ...testSizes, batchSlots: 2 }))
const summary: Record<string, number> = { testSlotIncludingSha: two - one }
if (!skipBench) {
  const bench = CIRCUIT_SIZES.bench
  const benchOne = await measure('batch bench-shape N=1', batchCircuitSpec('batch_probe_bench_1', { ...bench, batchSlots: 1 }))
  const benchTwo = await measure('batch bench-shape N=2', batchCircuitSpec('batch_probe_bench_2', { ...bench, batchSlots: 2 }))
  summary.benchSlotIncludingSha = benchTwo - benchOne
}
const path = join(repoRoot, 'circuits', 'constraints.json')
await writeFile(path, `${JSON.stringify({ circuits: report, perSlot: summary }, null, 2)}\n`)
console.log(JSON.stringify({ perSlot: summary }, null, 2))
console.log(`wrote ${path}`)
