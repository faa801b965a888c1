import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BaseError } from '../../sdk/errors.ts'
import type { BuiltCircuit } from './buildCircuit.ts'
import { repoRoot } from './cache.ts'
import { loadSnarkjs, type SnarkjsLogger, type VerificationKey } from './vendor.ts'

export type SetupArtifacts = {
  zkeyPath: string
  vkeyPath: string
  /** The Solidity verifier, its contract renamed to the requested name. */
  verifierPath: string
  vkey: unknown
  cached: boolean
  seconds: number
  /** True for a dev key: its toxic waste is derivable from a public seed. */
  insecure: boolean
}

/** What `setup.json` in a setup cache entry records. */
export type SetupRecord = {
  format: number
  kind: 'dev' | 'production'
  insecure: boolean
  circuit: { name: string; hash: string; constraints: number; publicInputs: number }
  /** blake2b-512 circuit hash of the zkey, hex (what `snarkjs zkey verify` prints). */
  zkeyCircuitHash: string
  seed?: string
  ptauPath?: string
  lastContributionHash?: string
  seconds: number
  phases: ReadonlyArray<{ label: string; seconds: number }>
}

export class VerifierNameError extends BaseError {
  static readonly code = 'VERIFIER_NAME_INVALID' as const
  override readonly name = 'Circuit.VerifierNameError'
  constructor(verifierName: string) {
    super(VerifierNameError.code, 'verifier name must be a Solidity identifier', { details: { verifierName } })
  }
}

export const ZKEY_FILE = 'circuit.zkey'
export const VKEY_FILE = 'verification_key.json'
export const SETUP_RECORD_FILE = 'setup.json'
/** snarkjs's verifier as rendered, contract `Groth16Verifier`: renamed copies are made from it. */
export const RAW_VERIFIER_FILE = 'Groth16Verifier.raw.sol'

const SOLIDITY_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/** `fixture_chain` → `FixtureChainVerifier`. */
export function defaultVerifierName(circuit: BuiltCircuit): string {
  const words = circuit.spec.name.split(/[^A-Za-z0-9]+/).filter((word) => word !== '')
  return `${words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')}Verifier`
}

/** Renames snarkjs's `contract Groth16Verifier` so several verifiers can live in one forge project. */
export function renameVerifierContract(source: string, verifierName: string): string {
  if (!SOLIDITY_IDENTIFIER.test(verifierName)) throw new VerifierNameError(verifierName)
  const renamed = source.replace(/\bcontract Groth16Verifier\b/, `contract ${verifierName}`)
  if (renamed === source && verifierName !== 'Groth16Verifier') throw new Error('snarkjs verifier template has no contract Groth16Verifier')
  return renamed
}

export function snarkjsLogger(log: (line: string) => void): SnarkjsLogger {
  return {
    debug: () => {},
    info: (message) => log(`  snarkjs: ${message}`),
    warn: (message) => log(`  snarkjs warning: ${message}`),
    error: (message) => log(`  snarkjs error: ${message}`),
  }
}

/** Writes the verification key and the raw Solidity verifier beside the zkey, through snarkjs's own exporters. */
export async function exportKeyArtifacts(dir: string): Promise<VerificationKey> {
  const snarkjs = await loadSnarkjs()
  const zkeyPath = join(dir, ZKEY_FILE)
  const vkey = await snarkjs.zKey.exportVerificationKey(zkeyPath)
  await writeFile(join(dir, VKEY_FILE), `${JSON.stringify(vkey, null, 1)}\n`)
  const template = await readFile(join(repoRoot, 'node_modules', 'snarkjs', 'templates', 'verifier_groth16.sol.ejs'), 'utf8')
  const verifier = await snarkjs.zKey.exportSolidityVerifier(zkeyPath, { groth16: template })
  await writeFile(join(dir, RAW_VERIFIER_FILE), verifier)
  return vkey
}

/** `<dir>/<verifierName>.sol`, created from the raw verifier if absent (atomically: the entry may be shared). */
export async function ensureNamedVerifier(dir: string, verifierName: string): Promise<string> {
  const path = join(dir, `${verifierName}.sol`)
  if (existsSync(path)) return path
  const renamed = renameVerifierContract(await readFile(join(dir, RAW_VERIFIER_FILE), 'utf8'), verifierName)
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, renamed)
  await rename(temporary, path)
  return path
}

export async function readSetupRecord(dir: string): Promise<SetupRecord | undefined> {
  const recordPath = join(dir, SETUP_RECORD_FILE)
  if (!existsSync(recordPath)) return undefined
  for (const file of [ZKEY_FILE, VKEY_FILE, RAW_VERIFIER_FILE]) if (!existsSync(join(dir, file))) return undefined
  return JSON.parse(await readFile(recordPath, 'utf8')) as SetupRecord
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}
