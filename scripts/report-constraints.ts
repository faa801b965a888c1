/**
 * `npm run report:constraints`: where the batch circuit's constraints go, per size config, written to
 * circuits/constraints.json. Counts, not timings: they do not depend on machine load.
 *
 * For each config the batch template is compiled at the config's tree sizes and account cache size K with N = 2, 3
 * and 4 slots, and with K + 1 entries at N = 2 and 3. The header and pubdata hashed by SHA-256 are 72 + 32·N bytes,
 * i.e. 3, 3 and 4 compression blocks, so, writing C(N, K):
 *   slotWithoutSha = C(3, K) − C(2, K)              (one more slot, same SHA blocks; its selections are K wide),
 *   shaBlock       = C(4, K) − C(3, K) − slotWithoutSha (one more block),
 *   perSlot        = slotWithoutSha + shaBlock/2     (a 32-byte chunk is half a block on average),
 *   fixed          = C(2, K) − 2·slotWithoutSha − 3·shaBlock + (72 + 9)/64 of a block (header, SHA padding, and the
 *                    K cache entries' opening and write-back),
 *   slotPerEntry   = C(3, K+1) − C(2, K+1) − slotWithoutSha (what one more entry adds to each slot's selections),
 *   perCacheEntry  = C(2, K+1) − C(2, K) − 2·slotPerEntry (one entry's opening and write-back),
 * and the config's own N is extrapolated as fixed + N·perSlot (exact for the `test` config, which is compiled
 * whole as well); `amortizedPerSlot` is that total over N. Gadgets are compiled on their own. The largest N known
 * to compile with circom --O2 here follows from fixed + N·perSlot and the largest batch compiled so far
 * (O2_COMPILED).
 *
 *   tsx scripts/report-constraints.ts [--config test,dev,bench]
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Command } from 'commander'
import { batchCircuitSpec, circuitConfigs } from '../circuits/configs.ts'
import { gadgetSpec } from '../circuits/test/circuitHarness.ts'
import { buildCircuit, type CircuitSpec } from './circuit/buildCircuit.ts'
import { repoRoot } from './circuit/cache.ts'
import { CIRCUIT_SIZES, type CircuitSizesName } from '../sdk/protocol/config.ts'

/**
 * The largest batch circom 2.2.3 --O2 has compiled here: bench N = 16, 1,057,126 constraints (compiled, set up and
 * proven by scripts/circuit/measureBenchBatch.ts). TOOLCHAIN saw it run out of WebAssembly memory near 0.9–1 M on
 * other circuits; this one's limit lies above it, not measured.
 */
const O2_COMPILED = 1_057_126
const HEADER_BYTES = 72

type ConfigReport = {
  sizes: (typeof CIRCUIT_SIZES)[CircuitSizesName]
  /** The config's own batch: measured for `test`, fixed + N·perSlot otherwise. */
  constraints: number
  measured: boolean
  fixed: number
  perSlot: number
  /** The config's batch over its N slots: header, SHA-256, cache and credit shared out. */
  amortizedPerSlot: number
  slotWithoutSha: number
  shaBlock: number
  slotPerEntry: number
  perCacheEntry: number
  /** Compiled probes: constraints at N slots and K cache entries. */
  probes: Record<string, number>
  largestSlotsUnderO2Limit: number
}

const program = new Command()
  .name('report-constraints')
  .option('--config <names>', 'comma-separated size configs', 'test,dev,bench')
  .parse()
const names = (program.opts<{ config: string }>().config.split(',') as CircuitSizesName[]).filter((name) => name in CIRCUIT_SIZES)

async function compile(label: string, spec: CircuitSpec): Promise<number> {
  const started = performance.now()
  console.log(`compiling ${label} …`)
  const built = await buildCircuit(spec, { log: () => {} })
  console.log(`  ${label}: ${built.constraints} constraints (${built.cached ? 'cached' : `${((performance.now() - started) / 1000).toFixed(1)} s`})`)
  return built.constraints
}

const gadgets: Record<string, number> = {}
const gadgetList: [string, number[]][] = [
  ['RequireStrictEdDSAPoseidon', []],
  ['ComputeQuaternaryMerkleUpdate', [CIRCUIT_SIZES.bench.accountDepth]],
  ['ComputeQuaternaryMerkleUpdate', [CIRCUIT_SIZES.bench.orderDepth]],
  ['ComputeFloorDivision', [102, 10000]],
  ['ComputeCeilDivision', [96, 92]],
  ['RequireSignedRange', [64]],
]
for (const [template, params] of gadgetList) {
  const label = `${template}(${params.join(', ')})`
  gadgets[label] = await compile(label, gadgetSpec(template, params))
}

const report: Record<string, ConfigReport | Record<string, number>> = {}
for (const name of names) {
  const sizes = CIRCUIT_SIZES[name]
  const probes: Record<string, number> = {}
  const K = sizes.batchAccounts
  for (const [slots, entries] of [[2, K], [3, K], [4, K], [2, K + 1], [3, K + 1]] as const) {
    const own = slots === sizes.batchSlots && entries === K
    const spec = own ? circuitConfigs[name]! : batchCircuitSpec(`batch_probe_${name}_${slots}_${entries}`, { ...sizes, batchSlots: slots, batchAccounts: entries })
    probes[`N=${slots},K=${entries}`] = await compile(`${name} N=${slots} K=${entries}`, spec)
  }
  const c = (slots: number, entries: number) => probes[`N=${slots},K=${entries}`]!
  const slotWithoutSha = c(3, K) - c(2, K)
  const shaBlock = c(4, K) - c(3, K) - slotWithoutSha
  const perSlot = Math.round(slotWithoutSha + shaBlock / 2)
  const fixed = Math.round(c(2, K) - 2 * slotWithoutSha - 3 * shaBlock + ((HEADER_BYTES + 9) / 64) * shaBlock)
  const slotPerEntry = c(3, K + 1) - c(2, K + 1) - slotWithoutSha
  const measured = sizes.batchSlots <= 4
  const constraints = measured ? c(sizes.batchSlots, K) : fixed + sizes.batchSlots * perSlot
  report[name] = {
    sizes,
    constraints,
    measured,
    fixed,
    perSlot,
    amortizedPerSlot: Math.round(constraints / sizes.batchSlots),
    slotWithoutSha,
    shaBlock,
    slotPerEntry,
    perCacheEntry: c(2, K + 1) - c(2, K) - 2 * slotPerEntry,
    probes,
    largestSlotsUnderO2Limit: Math.floor((O2_COMPILED - fixed) / perSlot),
  }
}
report.gadgets = gadgets

const path = join(repoRoot, 'circuits', 'constraints.json')
const previous = await import(path, { with: { type: 'json' } }).then((module) => module.default as Record<string, unknown>).catch(() => ({}))
// Configs not measured this run keep their previous figures.
const kept = Object.fromEntries(Object.entries(previous).filter(([key]) => key in CIRCUIT_SIZES))
await writeFile(path, `${JSON.stringify({ ...kept, ...report }, null, 2)}\n`)
const summary = (name: CircuitSizesName) => {
  const { constraints, perSlot, amortizedPerSlot, perCacheEntry } = report[name] as ConfigReport
  return [name, { constraints, perSlot, amortizedPerSlot, perCacheEntry }]
}
console.log(JSON.stringify(Object.fromEntries(names.map(summary)), null, 2))
console.log(`wrote ${path}`)
