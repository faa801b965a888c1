/**
 * The registered circuits (read by scripts/circuit/registry.ts): the batch circuit at the three sizes of
 * `sdk/protocol/config.ts`. The signing domain is a circuit constant (it enters every signed message hash), so a
 * key is per (sizes, chain id, rollup address); these configs use the devnet/test domain.
 */
import type { CircuitSpec } from '../scripts/circuit/buildCircuit.ts'
import { CIRCUIT_SIZES, type CircuitSizesName } from '../sdk/protocol/config.ts'
import type { CircuitSizes, Domain } from '../sdk/protocol/types.ts'

/** chainId 31337 (anvil), rollup 0x…aa: the domain of the sdk test fixtures and the devnet. */
export const CIRCUIT_DOMAIN: Domain = { chainId: 31_337n, rollupAddress: '0x00000000000000000000000000000000000000aa' }

const LIMB = (1n << 40n) - 1n

/** The rollup address as four 40-bit limbs, most significant first (template parameters are machine integers). */
export function rollupAddressLimbs(domain: Domain): [number, number, number, number] {
  const address = BigInt(domain.rollupAddress)
  return [3n, 2n, 1n, 0n].map((limb) => Number((address >> (40n * limb)) & LIMB)) as [number, number, number, number]
}

export function batchCircuitSpec(name: string, sizes: CircuitSizes, domain: Domain = CIRCUIT_DOMAIN): CircuitSpec {
  return {
    name,
    file: 'circuits/batch.circom',
    template: 'BatchStateTransition',
    params: [sizes.batchSlots, sizes.accountDepth, sizes.orderDepth, sizes.markets, sizes.batchAccounts, Number(domain.chainId), ...rollupAddressLimbs(domain)],
    publicSignals: [],
    optimization: 'O2',
  }
}

const names: readonly CircuitSizesName[] = ['test', 'dev', 'bench']

export const circuitConfigs: Record<string, CircuitSpec> = Object.fromEntries(
  names.map((name) => [name, batchCircuitSpec(`batch_${name}`, CIRCUIT_SIZES[name])]),
)
