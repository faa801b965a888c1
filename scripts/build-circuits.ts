/**
 * Compiles circuits with circom2 into the cache outside the repository (see scripts/circuit/buildCircuit.ts).
 *
 *   npm run build:circuits -- --config fixture-chain
 *   npm run build:circuits -- --all
 *   npm run build:circuits -- --file circuits/x.circom --template X --params 4,20 --public root,nullifier [--name x] [--O1]
 */
import { Command } from 'commander'
import { basename } from 'node:path'
import { buildCircuit, type CircuitSpec } from './circuit/buildCircuit.ts'
import { findCircuitConfig, fixtureConfigs, loadCircuitConfigs } from './circuit/registry.ts'

type Options = {
  config?: string[]
  all?: boolean
  file?: string
  template?: string
  params?: string
  public?: string
  name?: string
  O1?: boolean
  cacheDir?: string
}

function parseList(value: string | undefined): string[] {
  return value === undefined || value.trim() === '' ? [] : value.split(',').map((item) => item.trim())
}

function specFromFlags(options: Options): CircuitSpec {
  if (options.file === undefined || options.template === undefined) {
    throw new Error('give --config <name>, --all, or both --file and --template')
  }
  const spec: CircuitSpec = {
    name: options.name ?? basename(options.file, '.circom'),
    file: options.file,
    template: options.template,
    params: parseList(options.params).map(Number),
    publicSignals: parseList(options.public),
  }
  return options.O1 === true ? { ...spec, optimization: 'O1' } : spec
}

async function main(): Promise<void> {
  const program = new Command()
    .name('build-circuits')
    .option('--config <name...>', 'registered circuit config(s) to build')
    .option('--all', 'build every config of circuits/configs.ts')
    .option('--file <path>', 'repo-relative .circom file holding the template')
    .option('--template <name>', 'template to instantiate as main')
    .option('--params <list>', 'comma-separated template parameters', '')
    .option('--public <list>', 'comma-separated public input signals', '')
    .option('--name <name>', 'artifact name (default: the file name)')
    .option('--O1', 'compile with --O1 instead of --O2')
    .option('--cache-dir <dir>', 'circuit cache folder (default: <cacheRoot>/circuits)')
    .parse()
  const options = program.opts<Options>()

  const specs: CircuitSpec[] = []
  if (options.all === true) {
    // Every project circuit; the pipeline's own fixtures (one is a 2^16 benchmark) only by name.
    const configs = await loadCircuitConfigs()
    specs.push(...Object.entries(configs).filter(([name]) => !(name in fixtureConfigs)).map(([, spec]) => spec))
  }
  for (const config of options.config ?? []) specs.push(await findCircuitConfig(config))
  if (specs.length === 0) specs.push(specFromFlags(options))

  for (const spec of specs) {
    const built = await buildCircuit(spec, options.cacheDir === undefined ? {} : { cacheDir: options.cacheDir })
    console.log(`${spec.name}: ${built.constraints} constraints in ${built.seconds} s${built.cached ? ' (cached)' : ''}`)
    console.log(`  r1cs ${built.r1csPath}\n  wasm ${built.wasmPath}`)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
