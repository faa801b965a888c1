import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { BuiltCircuit } from './buildCircuit.ts'
import { cacheRoot, publishDirectory, secondsSince } from './cache.ts'
import { type DeltaContribution, type ToxicWaste, writeDirectZkey } from './directZkey.ts'
import { hashToField } from './field.ts'
import { createProgressReporter, isInteractiveTerminal } from './progress.ts'
import {
  defaultVerifierName,
  ensureNamedVerifier,
  exportKeyArtifacts,
  readSetupRecord,
  SETUP_RECORD_FILE,
  type SetupArtifacts,
  type SetupRecord,
  toHex,
  VKEY_FILE,
  ZKEY_FILE,
} from './setupArtifacts.ts'
import { loadBn128 } from './vendor.ts'

export type { SetupArtifacts } from './setupArtifacts.ts'

export const DEFAULT_DEV_SEED = 'zkperp-dev-setup-v1'
/** Bumped when the dev key layout or derivation changes, so stale cache entries are rebuilt. */
const DEV_SETUP_FORMAT = 1

export type DevSetupOptions = { seed?: string; verifierName?: string; cacheDir?: string; log?: (line: string) => void }

/** Every secret of a dev setup, derived from the seed: anyone who knows the seed can forge proofs. */
export type DevSecrets = ToxicWaste & { gamma: 1n; contribution: DeltaContribution }

/**
 * tau, alpha, beta, delta (and the contribution's public-key scalar) as hash-to-field of the seed. gamma stays 1
 * (the G2 generator), as in every snarkjs key: snarkjs keeps gamma fixed and `zkey verify` compares it with
 * `zkey new`'s, so a derived gamma would make the dev key unverifiable without adding anything.
 */
export function deriveDevSecrets(seed: string): DevSecrets {
  return {
    tau: hashToField('zkperp/dev-setup/tau', seed),
    alpha: hashToField('zkperp/dev-setup/alpha', seed),
    beta: hashToField('zkperp/dev-setup/beta', seed),
    gamma: 1n,
    contribution: {
      delta: hashToField('zkperp/dev-setup/delta', seed),
      publicKeyScalar: hashToField('zkperp/dev-setup/delta-public-key', seed),
      name: 'zkperp DEV setup: INSECURE, delta derived from a public seed',
    },
  }
}

export function seedHash8(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 8)
}

export function devSetupDir(circuit: BuiltCircuit, seed: string, cacheDir?: string): string {
  return join(cacheDir ?? join(cacheRoot(), 'setup'), `${circuit.spec.name}-${circuit.hash.slice(0, 16)}-${seedHash8(seed)}`)
}

export function insecureSetupWarning(circuit: BuiltCircuit, seed: string): string {
  const bar = '!'.repeat(96)
  return [
    bar,
    `!!! INSECURE DEV TRUSTED SETUP for ${circuit.spec.name}: tau, alpha, beta and delta are derived from the seed`,
    `!!! "${seed}". The toxic waste is public: anyone can forge proofs for this key. Never deploy it with value.`,
    '!!! Production keys: npm run setup -- --config <name> --ptau <phase-1 file> --beacon <hex>',
    bar,
  ].join('\n')
}

/**
 * DEV ONLY: a Groth16 key for `circuit` with toxic waste derived from `seed`, written directly from the r1cs
 * (no ptau), plus its verification key and Solidity verifier. Cached by circuit hash and seed.
 */
export async function devSetup(circuit: BuiltCircuit, options: DevSetupOptions = {}): Promise<SetupArtifacts> {
  const started = performance.now()
  const seed = options.seed ?? DEFAULT_DEV_SEED
  const log = options.log ?? ((line: string) => console.log(line))
  const verifierName = options.verifierName ?? defaultVerifierName(circuit)
  const dir = devSetupDir(circuit, seed, options.cacheDir)
  log(insecureSetupWarning(circuit, seed))

  const existing = await readSetupRecord(dir)
  if (existing !== undefined && existing.format === DEV_SETUP_FORMAT && existing.kind === 'dev') {
    const verifierPath = await ensureNamedVerifier(dir, verifierName)
    const vkey: unknown = JSON.parse(await readFile(join(dir, VKEY_FILE), 'utf8'))
    const seconds = secondsSince(started)
    log(`setup ${circuit.spec.name}: cached dev key ${dir} (${seconds} s)`)
    return { zkeyPath: join(dir, ZKEY_FILE), vkeyPath: join(dir, VKEY_FILE), verifierPath, vkey, cached: true, seconds, insecure: true }
  }

  if (existing !== undefined || existsSync(dir)) {
    // Written by another format version (or damaged): replace it, or the publish below would keep it.
    log(`setup ${circuit.spec.name}: replacing stale dev key entry ${dir}`)
    await rm(dir, { recursive: true, force: true })
  }
  log(`setup ${circuit.spec.name}: dev key for ${circuit.constraints} constraints (circuit ${circuit.hash.slice(0, 16)})`)
  const curve = await loadBn128()
  const progress = await createProgressReporter({ log, interactive: options.log === undefined && isInteractiveTerminal() })
  const secrets = deriveDevSecrets(seed)
  await publishDirectory(dirname(dir), async (scratch) => {
    const written = await writeDirectZkey({
      r1csPath: circuit.r1csPath,
      zkeyPath: join(scratch, ZKEY_FILE),
      waste: secrets,
      contribution: secrets.contribution,
      curve,
      progress,
    })
    const exportPhase = progress.phase('exporting verification key and Solidity verifier', 1)
    await exportKeyArtifacts(scratch)
    exportPhase.finish()
    const record: SetupRecord = {
      format: DEV_SETUP_FORMAT,
      kind: 'dev',
      insecure: true,
      circuit: { name: circuit.spec.name, hash: circuit.hash, constraints: circuit.constraints, publicInputs: circuit.publicInputs },
      zkeyCircuitHash: toHex(written.circuitHash),
      seed,
      seconds: secondsSince(started),
      phases: progress.timings,
    }
    await writeFile(join(scratch, SETUP_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`)
    return basename(dir)
  })
  const verifierPath = await ensureNamedVerifier(dir, verifierName)
  const vkey: unknown = JSON.parse(await readFile(join(dir, VKEY_FILE), 'utf8'))
  const seconds = secondsSince(started)
  log(`setup ${circuit.spec.name}: dev key written in ${seconds} s -> ${dir}`)
  return { zkeyPath: join(dir, ZKEY_FILE), vkeyPath: join(dir, VKEY_FILE), verifierPath, vkey, cached: false, seconds, insecure: true }
}
