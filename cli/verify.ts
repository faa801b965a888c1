/**
 * `zkperp verify`: check every landed batch proof off-chain. For each batch the commitment is recomputed from its
 * calldata (§7: sha256 of old root, new root, timestamp and the padded pubdata), compared with what the contract
 * emitted, and the Groth16 proof is verified with snarkjs against the verification key. Separately, the key is
 * checked against the deployed verifier contract: every curve constant of the key must sit in its code as a push
 * literal, so a key that is not the one L1 uses cannot pass unnoticed.
 */
import { existsSync, readFileSync } from 'node:fs'
import { type Address, type Chain, type PublicClient, type Transport, hexToBytes } from 'viem'
import { circuitConfigs } from '../circuits/configs.ts'
import { batchCommitment, padPubdata } from '../sdk/protocol/pubdata.ts'
import { CIRCUIT_SIZES } from '../sdk/protocol/config.ts'
import { BATCH_CONFIG_NAME, prepareBatchArtifacts } from '../scripts/circuit/batchPipeline.ts'
import { buildCircuit } from '../scripts/circuit/buildCircuit.ts'
import { devSetup } from '../scripts/circuit/devSetup.ts'
import { decodeSolidityProof } from '../scripts/smoke/membershipPipeline.ts'
import { type Groth16VerificationKey, loadSnarkjs } from '../scripts/smoke/snarkjs.ts'
import { InvalidArgumentError, MissingOptionError } from './errors.ts'
import type { LandedBatch } from './l1History.ts'

/**
 * The batch circuit's public signals, in order. Today the commitment is the only one; when the signing domain
 * becomes a second public signal, this is the one place to change.
 */
export function batchPublicSignals({ commitment }: { readonly commitment: bigint }): string[] {
  return [commitment.toString()]
}

export type BatchCheck = {
  readonly batchNumber: bigint
  readonly commitment: bigint
  /** The commitment recomputed from calldata equals the one the contract emitted. */
  readonly commitmentMatches: boolean
  readonly proofValid: boolean
  readonly ok: boolean
  /** Why the proof check failed when snarkjs threw (malformed points), else absent. */
  readonly error?: string
}

export type VerifyBatchesParameters = {
  readonly batches: readonly LandedBatch[]
  readonly vkey: Groth16VerificationKey
  /** N: the pubdata is padded to N·32 bytes before hashing (the contract does the same). */
  readonly batchSlots: number
}

export async function verifyBatches({ batches, vkey, batchSlots }: VerifyBatchesParameters): Promise<BatchCheck[]> {
  const snarkjs = await loadSnarkjs()
  const checks: BatchCheck[] = []
  for (const batch of batches) {
    const commitment = batchCommitment({
      oldStateRoot: batch.oldStateRoot,
      newStateRoot: batch.newStateRoot,
      batchTimestamp: batch.timestamp,
      pubdata: padPubdata(batch.pubdata, batchSlots),
    })
    let proofValid = false
    let error: string | undefined
    try {
      proofValid = await snarkjs.groth16.verify(vkey, batchPublicSignals({ commitment }), decodeSolidityProof(batch.proof))
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause)
    }
    const commitmentMatches = commitment === batch.commitment
    checks.push({
      batchNumber: batch.batchNumber,
      commitment,
      commitmentMatches,
      proofValid,
      ok: commitmentMatches && proofValid,
      ...(error === undefined ? {} : { error }),
    })
  }
  return checks
}

// ---------------------------------------------------------------- the verification key

/** Every curve coordinate of a snarkjs Groth16 key (alpha, beta, gamma, delta, IC), as the verifier embeds them. */
export function verificationKeyConstants(vkey: Groth16VerificationKey): bigint[] {
  const g1 = (point: unknown): bigint[] => (point as string[]).slice(0, 2).map(BigInt)
  const g2 = (point: unknown): bigint[] => (point as string[][]).slice(0, 2).flatMap((limbs) => limbs.map(BigInt))
  return [
    ...g1(vkey.vk_alpha_1),
    ...g2(vkey.vk_beta_2),
    ...g2(vkey.vk_gamma_2),
    ...g2(vkey.vk_delta_2),
    ...(vkey.IC as unknown[]).flatMap(g1),
  ]
}

/**
 * How many of the key's constants are absent from the verifier's runtime code, each looked for as the PUSHn
 * instruction that loads it (solc inlines `uint256 constant`s that way). 0 means the code embeds the whole key.
 */
export function missingVerifierConstants(runtimeCode: Uint8Array, vkey: Groth16VerificationKey): { missing: number; total: number } {
  const codeHex = Buffer.from(runtimeCode).toString('hex')
  const constants = verificationKeyConstants(vkey)
  const missing = constants.filter((value) => {
    let hex = value.toString(16)
    if (hex.length % 2 === 1) hex = `0${hex}`
    const push = (0x5f + hex.length / 2).toString(16)
    return !codeHex.includes(`${push}${hex}`)
  }).length
  return { missing, total: constants.length }
}

export async function readVerifierCode(publicClient: PublicClient<Transport, Chain>, verifier: Address): Promise<Uint8Array> {
  const code = await publicClient.getCode({ address: verifier })
  return code === undefined ? new Uint8Array() : hexToBytes(code)
}

export function readVerificationKeyFile(path: string): Groth16VerificationKey {
  if (!existsSync(path)) throw new InvalidArgumentError('--vkey', path, 'file not found')
  let vkey: unknown
  try {
    vkey = JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    throw new InvalidArgumentError('--vkey', path, 'not JSON')
  }
  const candidate = vkey as Partial<Groth16VerificationKey> & { IC?: unknown }
  if (candidate.protocol !== 'groth16' || candidate.curve !== 'bn128' || !Array.isArray(candidate.IC)) {
    throw new InvalidArgumentError('--vkey', path, 'not a snarkjs Groth16 bn128 verification key')
  }
  return candidate as Groth16VerificationKey
}

/**
 * The development key of the size config the contract was deployed with, from the local build cache (built on the
 * first call). INSECURE setups only: a production deployment passes its key with --vkey.
 */
export async function devVerificationKey(sizes: { accountDepth: number; markets: number; batchSlots: number }, log: (line: string) => void): Promise<{ vkey: Groth16VerificationKey; configName: string }> {
  const configName = Object.entries(CIRCUIT_SIZES).find(
    ([, preset]) => preset.accountDepth === sizes.accountDepth && preset.markets === sizes.markets && preset.batchSlots === sizes.batchSlots,
  )?.[0]
  if (configName === undefined) throw new MissingOptionError('--vkey', `no dev circuit config has the deployed sizes ${JSON.stringify(sizes)}`)
  if (configName === BATCH_CONFIG_NAME) return { vkey: (await prepareBatchArtifacts({ log })).vkey, configName }
  const spec = circuitConfigs[configName]
  if (spec === undefined) throw new MissingOptionError('--vkey', `circuit config ${configName} is not registered`)
  const setup = await devSetup(await buildCircuit(spec, { log }), { log })
  return { vkey: setup.vkey as Groth16VerificationKey, configName }
}
