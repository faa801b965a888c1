/**
 * Measures the dev pipeline end to end at a realistic size and prints the figures (not a timed test):
 * cold compile, cold dev setup (per phase), warm compile + setup (both cache hits), peak RSS, and prove time.
 *
 *   npx tsx scripts/circuit/measureSetup.ts [--length 273] [--keep-cache]
 *
 * The default circuit is PoseidonChain(273): 65,520 constraints, domain 2^16. Without --keep-cache it uses a
 * fresh cache folder, so "cold" is cold. On a shared machine the figures are upper bounds: the load average is
 * printed with them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildCircuit, type CircuitSpec } from './buildCircuit.ts'
import { cacheRoot } from './cache.ts'
import { devSetup } from './devSetup.ts'
import { fixtureConfigs } from './registry.ts'
import { type SetupRecord } from './setupArtifacts.ts'
import { loadSnarkjs, terminateBn128, type VerificationKey } from './vendor.ts'

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name)
  return index === -1 ? undefined : process.argv[index + 1]
}

/** Peak resident set (VmHWM) of this process's direct children, sampled: circom runs as a child. */
function childPeakKilobytes(): number {
  let peak = 0
  try {
    for (const task of readdirSync(`/proc/${process.pid}/task`)) {
      const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim()
      for (const child of children === '' ? [] : children.split(/\s+/)) {
        const status = readFileSync(`/proc/${child}/status`, 'utf8')
        const match = /VmHWM:\s+(\d+) kB/.exec(status)
        if (match?.[1] !== undefined) peak = Math.max(peak, Number(match[1]))
      }
    }
  } catch {
    // A child may exit between the listing and the read; the next sample covers it.
  }
  return peak
}

/** User + system CPU seconds of this process (all its threads) since `start`: steadier than wall time under load. */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start)
  return Math.round((used.user + used.system) / 1000) / 1000
}

const megabytes = (kilobytes: number): string => `${Math.round(kilobytes / 1024)} MB`
const load = (): string => loadavg().map((value) => value.toFixed(1)).join(' ')

async function main(): Promise<void> {
  const length = Number(argument('--length') ?? 273)
  const keepCache = process.argv.includes('--keep-cache')
  const root = keepCache ? cacheRoot() : mkdtempSync(join(tmpdir(), 'zkperp-measure-'))
  const spec: CircuitSpec = { ...(fixtureConfigs['fixture-chain-2e16'] as CircuitSpec), name: `measure_chain_${length}`, params: [length] }
  const quiet = (): void => {}
  const figures: string[] = [`load average at start: ${load()} (2 cores shared)`]

  let compilePeak = 0
  const sampler = setInterval(() => {
    compilePeak = Math.max(compilePeak, childPeakKilobytes())
  }, 100)
  const cold = await buildCircuit(spec, { cacheDir: join(root, 'circuits') })
  clearInterval(sampler)
  figures.push(
    `circuit PoseidonChain(${length}): ${cold.constraints} constraints, ${cold.wires} wires, ${cold.publicInputs} public`,
    `cold compile (circom2 --O2${cold.cached ? ', WAS CACHED' : ''}): ${cold.seconds} s, circom peak RSS ≈ ${megabytes(compilePeak)}`,
  )

  const setupCpu = process.cpuUsage()
  const setup = await devSetup(cold, { cacheDir: join(root, 'setup') })
  const setupCpuSeconds = cpuSecondsSince(setupCpu)
  const record = JSON.parse(readFileSync(join(setup.zkeyPath, '..', 'setup.json'), 'utf8')) as SetupRecord
  const setupRss = process.resourceUsage().maxRSS
  figures.push(
    `cold dev setup${setup.cached ? ' (WAS CACHED)' : ''}: ${setup.seconds} s wall, ${setupCpuSeconds} s CPU (main thread + workers), peak RSS ${megabytes(setupRss)}`,
  )
  for (const phase of record.phases) figures.push(`    ${phase.label}: ${phase.seconds} s`)
  figures.push(`cold total (compile + dev setup): ${Math.round((cold.seconds + setup.seconds) * 1000) / 1000} s`)

  const warmStarted = performance.now()
  const warmCircuit = await buildCircuit(spec, { cacheDir: join(root, 'circuits'), log: quiet })
  const warmSetup = await devSetup(warmCircuit, { cacheDir: join(root, 'setup'), log: quiet })
  figures.push(
    `warm (both cache hits: ${warmCircuit.cached && warmSetup.cached}): ${Math.round(performance.now() - warmStarted) / 1000} s`,
  )

  const snarkjs = await loadSnarkjs()
  for (const attempt of ['first', 'second']) {
    const proveStarted = performance.now()
    const proveCpu = process.cpuUsage()
    const { proof, publicSignals } = await snarkjs.groth16.fullProve({ seed: 1, salt: 2 }, cold.wasmPath, setup.zkeyPath)
    const proveSeconds = Math.round(performance.now() - proveStarted) / 1000
    const verifyStarted = performance.now()
    const valid = await snarkjs.groth16.verify(setup.vkey as VerificationKey, publicSignals, proof)
    figures.push(
      `${attempt} fullProve (witness + prove): ${proveSeconds} s wall, ${cpuSecondsSince(proveCpu)} s CPU; verify ${Math.round(performance.now() - verifyStarted) / 1000} s, valid ${valid}`,
    )
  }
  figures.push(`peak RSS of this process (setup + prove): ${megabytes(process.resourceUsage().maxRSS)}`)
  figures.push(`load average at end: ${load()}`)

  console.log(`\n=== measureSetup ===\n${figures.join('\n')}`)
  if (!keepCache) rmSync(root, { recursive: true, force: true })
}

main()
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(async () => {
    await terminateBn128()
    process.exit()
  })
