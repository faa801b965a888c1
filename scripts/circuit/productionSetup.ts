import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { BaseError } from '../../sdk/errors.ts'
import type { BuiltCircuit } from './buildCircuit.ts'
import { cacheRoot, publishDirectory, secondsSince } from './cache.ts'
import { createProgressReporter } from './progress.ts'
import {
  defaultVerifierName,
  ensureNamedVerifier,
  exportKeyArtifacts,
  SETUP_RECORD_FILE,
  type SetupArtifacts,
  type SetupRecord,
  snarkjsLogger,
  toHex,
  VKEY_FILE,
  ZKEY_FILE,
} from './setupArtifacts.ts'
import { loadSnarkjs } from './vendor.ts'

export type ProductionSetupOptions = {
  /** A phase-1 powers-of-tau file, prepared for phase 2 (`powersoftau prepare phase2`), of power ≥ the domain. */
  ptauPath: string
  /** Entropy for the phase-2 contribution; default 32 bytes from crypto.randomBytes. snarkjs mixes in its own. */
  entropy?: string
  /** Public randomness (hex) for the final beacon, e.g. a future block hash. Without it no beacon is applied. */
  beacon?: string
  verifierName?: string
  cacheDir?: string
  log?: (line: string) => void
}

export class SetupVerificationError extends BaseError {
  static readonly code = 'SETUP_VERIFICATION_FAILED' as const
  override readonly name = 'Circuit.SetupVerificationError'
  constructor(circuit: string, zkeyPath: string) {
    super(SetupVerificationError.code, `snarkjs zkey verify rejected the key for ${circuit}`, { details: { circuit, zkeyPath } })
  }
}

export class SetupInputError extends BaseError {
  static readonly code = 'SETUP_INPUT_INVALID' as const
  override readonly name = 'Circuit.SetupInputError'
  constructor(field: string, value: string, reason: string) {
    super(SetupInputError.code, `invalid setup ${field}: ${reason}`, { details: { field, value, reason } })
  }
}

/** snarkjs's CLI default: the beacon hash is iterated 2^10 times. */
const BEACON_ITERATIONS_EXP = 10
const PRODUCTION_SETUP_FORMAT = 1

/**
 * A Groth16 key from an external phase-1 ceremony, all through snarkjs's JS API: `zkey new`, one phase-2
 * contribution, an optional beacon, then `zkey verify` against the r1cs and ptau, then the exports. Each run is
 * a new key (fresh entropy), stored under `<cacheRoot>/setup/<name>-<hash16>-prod-<contribution hash 8>/`.
 */
export async function productionSetup(circuit: BuiltCircuit, options: ProductionSetupOptions): Promise<SetupArtifacts> {
  const started = performance.now()
  const log = options.log ?? ((line: string) => console.log(line))
  const ptauPath = resolve(options.ptauPath)
  if (!existsSync(ptauPath)) throw new SetupInputError('ptauPath', ptauPath, 'file does not exist')
  if (options.beacon !== undefined && !/^(0x)?([0-9a-fA-F]{2})+$/.test(options.beacon)) {
    throw new SetupInputError('beacon', options.beacon, 'not an even-length hex string')
  }
  const verifierName = options.verifierName ?? defaultVerifierName(circuit)
  const snarkjs = await loadSnarkjs()
  const logger = snarkjsLogger(() => {})
  const progress = await createProgressReporter({ log })
  const root = options.cacheDir ?? join(cacheRoot(), 'setup')

  log(`setup ${circuit.spec.name}: production key for ${circuit.constraints} constraints from ${ptauPath}`)
  // The entry is named by the last contribution hash, known once the key exists.
  const dir = await publishDirectory(root, async (scratch) => {
    const initPath = join(scratch, 'init.zkey')
    const contributedPath = join(scratch, 'contributed.zkey')
    const finalPath = join(scratch, ZKEY_FILE)

    let phase = progress.phase('zkey new (phase-2 init from the ptau)', 1)
    const circuitHash = await snarkjs.zKey.newZKey(circuit.r1csPath, ptauPath, initPath, logger)
    phase.finish()
    if (!(circuitHash instanceof Uint8Array)) throw new SetupInputError('ptauPath', ptauPath, 'snarkjs zkey new refused it (not prepared for phase 2, or too small)')

    phase = progress.phase('phase-2 contribution', 1)
    const entropy = options.entropy ?? randomBytes(32).toString('hex')
    let contributionHash = await snarkjs.zKey.contribute(initPath, contributedPath, 'zkperp phase-2 contribution', entropy, logger)
    phase.finish()

    if (options.beacon === undefined) {
      log('  no beacon given: the key has one contribution and no public-randomness beacon')
      await rename(contributedPath, finalPath)
    } else {
      phase = progress.phase(`beacon (2^${BEACON_ITERATIONS_EXP} hash iterations)`, 1)
      const beaconHex = options.beacon.replace(/^0x/, '')
      contributionHash = await snarkjs.zKey.beacon(contributedPath, finalPath, 'zkperp final beacon', beaconHex, BEACON_ITERATIONS_EXP, logger)
      phase.finish()
      await rm(contributedPath)
    }
    await rm(initPath)

    phase = progress.phase('zkey verify (r1cs + ptau + contributions)', 1)
    const valid = await snarkjs.zKey.verifyFromR1cs(circuit.r1csPath, ptauPath, finalPath, logger)
    phase.finish()
    if (!valid) throw new SetupVerificationError(circuit.spec.name, finalPath)

    phase = progress.phase('exporting verification key and Solidity verifier', 1)
    await exportKeyArtifacts(scratch)
    phase.finish()

    const record: SetupRecord = {
      format: PRODUCTION_SETUP_FORMAT,
      kind: 'production',
      insecure: false,
      circuit: { name: circuit.spec.name, hash: circuit.hash, constraints: circuit.constraints, publicInputs: circuit.publicInputs },
      zkeyCircuitHash: toHex(circuitHash),
      lastContributionHash: toHex(contributionHash),
      ptauPath,
      seconds: secondsSince(started),
      phases: progress.timings,
    }
    await writeFile(join(scratch, SETUP_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`)
    return `${circuit.spec.name}-${circuit.hash.slice(0, 16)}-prod-${toHex(contributionHash).slice(0, 8)}`
  })

  const verifierPath = await ensureNamedVerifier(dir, verifierName)
  const vkey: unknown = JSON.parse(await readFile(join(dir, VKEY_FILE), 'utf8'))
  const seconds = secondsSince(started)
  log(`setup ${circuit.spec.name}: production key verified and written in ${seconds} s -> ${dir}`)
  return { zkeyPath: join(dir, ZKEY_FILE), vkeyPath: join(dir, VKEY_FILE), verifierPath, vkey, cached: false, seconds, insecure: false }
}
