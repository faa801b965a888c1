import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BaseError } from '../../sdk/errors.ts'
import type { CircuitSpec } from './buildCircuit.ts'
import { repoRoot } from './cache.ts'

/**
 * Circuits the pipeline itself tests and measures with. The exchange's circuits (`test`, `dev`, `bench` of the
 * batch circuit, the smoke circuit) are registered in `circuits/configs.ts`, which exports
 * `circuitConfigs: Record<string, CircuitSpec>`; its entries win over these on a name clash.
 */
export const fixtureConfigs: Readonly<Record<string, CircuitSpec>> = {
  // 2 x Poseidon(2) = 480 constraints, domain 2^9: the size the setup tests use.
  'fixture-chain': {
    name: 'fixture_chain',
    file: 'scripts/circuit/fixtures/PoseidonChain.circom',
    template: 'PoseidonChain',
    params: [2],
    publicSignals: ['seed'],
  },
  // 273 x Poseidon(2) = 65,520 constraints, domain 2^16: the size the setup budget is measured at.
  'fixture-chain-2e16': {
    name: 'fixture_chain_2e16',
    file: 'scripts/circuit/fixtures/PoseidonChain.circom',
    template: 'PoseidonChain',
    params: [273],
    publicSignals: ['seed'],
  },
}

export class UnknownCircuitConfigError extends BaseError {
  static readonly code = 'CIRCUIT_CONFIG_UNKNOWN' as const
  override readonly name = 'Circuit.UnknownCircuitConfigError'
  constructor(config: string, known: readonly string[]) {
    super(UnknownCircuitConfigError.code, `no circuit config named "${config}"`, { details: { config, known } })
  }
}

const PROJECT_CONFIGS = join(repoRoot, 'circuits', 'configs.ts')

/** Every registered circuit: the fixtures plus `circuits/configs.ts` when that module exists. */
export async function loadCircuitConfigs(): Promise<Record<string, CircuitSpec>> {
  if (!existsSync(PROJECT_CONFIGS)) return { ...fixtureConfigs }
  const module = (await import(pathToFileURL(PROJECT_CONFIGS).href)) as { circuitConfigs?: Record<string, CircuitSpec> }
  return { ...fixtureConfigs, ...(module.circuitConfigs ?? {}) }
}

export async function findCircuitConfig(config: string): Promise<CircuitSpec> {
  const configs = await loadCircuitConfigs()
  const spec = configs[config]
  if (spec === undefined) throw new UnknownCircuitConfigError(config, Object.keys(configs))
  return spec
}
