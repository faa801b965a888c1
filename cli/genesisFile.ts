/**
 * The genesis as JSON (every integer a decimal string). L1 stores only the genesis state root, so rebuilding the
 * state needs the markets, risk parameters and oracle keys it commits to: the deployment file carries them, and the
 * CLI checks they hash to the root the contract was deployed with before trusting them.
 */
import { z } from 'zod'
import type { Genesis } from '../sdk/protocol/types.ts'
import { createGenesisState } from '../sdk/state/state.ts'
import { StateTree } from '../sdk/state/stateTree.ts'

const decimal = z.union([z.string().regex(/^-?(0|[1-9][0-9]*)$/), z.number().int()]).transform((value) => BigInt(value))
const smallInteger = z.union([z.number().int().nonnegative(), z.string().regex(/^[0-9]+$/).transform(Number)])
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/).transform((value) => value as `0x${string}`)

const parametersSchema = z.object({
  imfBps: decimal,
  mmfBps: decimal,
  liquidationFractionBps: decimal,
  liquidationBandBps: decimal,
  liquidationPenaltyBps: decimal,
  fullLiquidationBps: decimal,
  backstopBps: decimal,
  takerFeeBps: decimal,
  makerFeeBps: decimal,
  fundingClampPpm: decimal,
  fundingIntervalSeconds: decimal,
  maxOracleAgeSeconds: decimal,
  openInterestCap: decimal,
  oracleKey: z.object({ x: decimal, y: decimal }),
})

export const genesisSchema = z.object({
  sizes: z.object({ accountDepth: smallInteger, orderDepth: smallInteger, markets: smallInteger, batchSlots: smallInteger, batchAccounts: smallInteger }),
  domain: z.object({ chainId: decimal, rollupAddress: address }),
  markets: z.array(
    z.object({
      metadata: z.object({ symbol: z.string(), tickSize: decimal, lotSize: decimal }),
      parameters: parametersSchema,
      initialPrice: decimal,
      initialTime: decimal,
    }),
  ),
})

/** A Genesis from its JSON form; throws zod's error on a malformed value (callers wrap it). */
export function parseGenesisJson(value: unknown): Genesis {
  return genesisSchema.parse(value)
}

/** The JSON form of a genesis (what a deployment file's `genesis` field holds). */
export function genesisToJson(genesis: Genesis): unknown {
  return JSON.parse(JSON.stringify(genesis, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)))
}

/** The state root a genesis hashes to. */
export function genesisStateRoot(genesis: Genesis): bigint {
  const state = createGenesisState(genesis)
  return StateTree.fromState(state).stateRoot(state)
}
