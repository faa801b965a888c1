/**
 * Trusted setup for one circuit: builds it (cached), then writes its Groth16 key, verification key and Solidity
 * verifier (cached by circuit hash and seed).
 *
 *   npm run setup -- --config fixture-chain                       # DEV: insecure, seed-derived toxic waste
 *   npm run setup -- --config smoke --seed my-seed --verifier-name MembershipVerifier
 *   npm run setup -- --config smoke --ptau pot16_final.ptau --beacon <hex> [--entropy <text>]   # production
 *   npm run setup -- --file circuits/x.circom --template X --params 4 --public root [--name x]
 *
 * --verifier-out <file.sol> copies the renamed verifier where forge compiles it.
 */
import { Command } from 'commander'
import { copyFile, mkdir } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { buildCircuit, type CircuitSpec } from './circuit/buildCircuit.ts'
import { devSetup } from './circuit/devSetup.ts'
import { productionSetup } from './circuit/productionSetup.ts'
import { findCircuitConfig } from './circuit/registry.ts'
import type { SetupArtifacts } from './circuit/setupArtifacts.ts'
import { terminateBn128 } from './circuit/vendor.ts'

type Options = {
  config?: string
  file?: string
  template?: string
  params?: string
  public?: string
  name?: string
  O1?: boolean
  seed?: string
  verifierName?: string
  verifierOut?: string
  ptau?: string
  entropy?: string
  beacon?: string
}

function parseList(value: string | undefined): string[] {
  return value === undefined || value.trim() === '' ? [] : value.split(',').map((item) => item.trim())
}

async function resolveSpec(options: Options): Promise<CircuitSpec> {
  if (options.config !== undefined) return findCircuitConfig(options.config)
  if (options.file === undefined || options.template === undefined) throw new Error('give --config <name>, or --file and --template')
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
  const options = new Command()
    .name('setup')
    .option('--config <name>', 'registered circuit config')
    .option('--file <path>', 'repo-relative .circom file holding the template')
    .option('--template <name>', 'template to instantiate as main')
    .option('--params <list>', 'comma-separated template parameters', '')
    .option('--public <list>', 'comma-separated public input signals', '')
    .option('--name <name>', 'artifact name (default: the file name)')
    .option('--O1', 'compile with --O1 instead of --O2')
    .option('--seed <seed>', 'DEV: seed the toxic waste is derived from (default zkperp-dev-setup-v1)')
    .option('--verifier-name <name>', 'Solidity contract name of the verifier')
    .option('--verifier-out <file>', 'also copy the verifier to this .sol path')
    .option('--ptau <file>', 'PRODUCTION: prepared phase-1 powers-of-tau file')
    .option('--entropy <text>', 'PRODUCTION: phase-2 contribution entropy (default: crypto.randomBytes)')
    .option('--beacon <hex>', 'PRODUCTION: public-randomness beacon applied last')
    .parse()
    .opts<Options>()

  const started = performance.now()
  const circuit = await buildCircuit(await resolveSpec(options))
  const common = options.verifierName === undefined ? {} : { verifierName: options.verifierName }
  let artifacts: SetupArtifacts
  if (options.ptau !== undefined) {
    artifacts = await productionSetup(circuit, {
      ...common,
      ptauPath: options.ptau,
      ...(options.entropy === undefined ? {} : { entropy: options.entropy }),
      ...(options.beacon === undefined ? {} : { beacon: options.beacon }),
    })
  } else {
    if (options.entropy !== undefined || options.beacon !== undefined) throw new Error('--entropy and --beacon need --ptau')
    artifacts = await devSetup(circuit, { ...common, ...(options.seed === undefined ? {} : { seed: options.seed }) })
  }
  if (options.verifierOut !== undefined) {
    const target = resolve(options.verifierOut)
    await mkdir(dirname(target), { recursive: true })
    await copyFile(artifacts.verifierPath, target)
    console.log(`verifier copied to ${target}`)
  }
  console.log(
    [
      `${circuit.spec.name}: ${artifacts.insecure ? 'INSECURE dev' : 'production'} key${artifacts.cached ? ' (cached)' : ''}, ` +
        `total ${Math.round(performance.now() - started) / 1000} s`,
      `  zkey     ${artifacts.zkeyPath}`,
      `  vkey     ${artifacts.vkeyPath}`,
      `  verifier ${artifacts.verifierPath}`,
      `  wasm     ${circuit.wasmPath}`,
    ].join('\n'),
  )
}

main()
  .catch((error: unknown) => {
    console.error(error)
    process.exitCode = 1
  })
  .finally(async () => {
    await terminateBn128()
    // snarkjs leaves file handles and worker references behind; the work is done and flushed.
    process.exit()
  })
