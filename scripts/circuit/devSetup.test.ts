import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCircuit, type BuiltCircuit, type CircuitSpec } from './buildCircuit.ts'
import { DEFAULT_DEV_SEED, deriveDevSecrets, devSetup } from './devSetup.ts'
import { writeFastPtau } from './fastPtau.ts'
import { createProgressReporter } from './progress.ts'
import { fixtureConfigs } from './registry.ts'
import { loadBn128, loadSnarkjs, terminateBn128, type VerificationKey } from './vendor.ts'

const work = mkdtempSync(join(tmpdir(), 'zkperp-dev-setup-'))
const setupCache = join(work, 'setup')
const quiet = (): void => {}
let circuit: BuiltCircuit

beforeAll(async () => {
  circuit = await buildCircuit(fixtureConfigs['fixture-chain'] as CircuitSpec, { cacheDir: join(work, 'circuits'), log: quiet })
})
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await terminateBn128()
})

describe('devSetup', () => {
  it('behavior: a proof made by snarkjs with the dev key verifies; a tampered public input does not', async () => {
    const lines: string[] = []
    const setup = await devSetup(circuit, { cacheDir: setupCache, log: (line) => lines.push(line) })
    expect(setup.insecure).toBe(true)
    expect(setup.cached).toBe(false)
    expect(lines.join('\n')).toContain('INSECURE DEV TRUSTED SETUP')

    const snarkjs = await loadSnarkjs()
    const { proof, publicSignals } = await snarkjs.groth16.fullProve({ seed: 1, salt: 2 }, circuit.wasmPath, setup.zkeyPath)
    expect(publicSignals).toHaveLength(2) // [digest, seed]
    expect(publicSignals[1]).toBe('1')
    const vkey = setup.vkey as VerificationKey
    expect(vkey.nPublic).toBe(2)
    expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).toBe(true)
    expect(await snarkjs.groth16.verify(vkey, [publicSignals[0] ?? '', '3'], proof)).toBe(false)
    const digest = BigInt(publicSignals[0] ?? '0')
    expect(await snarkjs.groth16.verify(vkey, [(digest + 1n).toString(), '1'], proof)).toBe(false)
  })

  it('behavior: a second run is a cache hit under a second; another verifier name is a renamed copy', async () => {
    const first = await devSetup(circuit, { cacheDir: setupCache, log: quiet })
    const second = await devSetup(circuit, { cacheDir: setupCache, log: quiet, verifierName: 'MembershipVerifier' })
    expect(second.cached).toBe(true)
    expect(second.seconds).toBeLessThan(1)
    expect(second.zkeyPath).toBe(first.zkeyPath)
    const defaultVerifier = await readFile(first.verifierPath, 'utf8')
    const renamed = await readFile(second.verifierPath, 'utf8')
    expect(first.verifierPath).toMatch(/FixtureChainVerifier\.sol$/)
    expect(defaultVerifier).toContain('contract FixtureChainVerifier {')
    expect(renamed).toContain('contract MembershipVerifier {')
    expect(renamed).not.toContain('Groth16Verifier')
    expect(renamed.replace('MembershipVerifier', 'FixtureChainVerifier')).toBe(defaultVerifier)
  })

  it('behavior: the same seed gives the same zkey bytes; another seed gives another key', async () => {
    const again = await devSetup(circuit, { cacheDir: join(work, 'setup-again'), log: quiet })
    const original = await devSetup(circuit, { cacheDir: setupCache, log: quiet })
    expect(again.cached).toBe(false)
    expect(readFileSync(again.zkeyPath).equals(readFileSync(original.zkeyPath))).toBe(true)
    const other = await devSetup(circuit, { cacheDir: join(work, 'setup-other'), seed: 'another-seed', log: quiet })
    expect(readFileSync(other.zkeyPath).equals(readFileSync(original.zkeyPath))).toBe(false)
    expect(other.zkeyPath).not.toBe(original.zkeyPath)
  })

  it('behavior: an entry written by another format version is rebuilt, not reused', async () => {
    const cacheDir = join(work, 'setup-stale')
    const first = await devSetup(circuit, { cacheDir, log: quiet })
    const recordPath = join(first.zkeyPath, '..', 'setup.json')
    const record = JSON.parse(await readFile(recordPath, 'utf8')) as { format: number }
    await writeFile(recordPath, JSON.stringify({ ...record, format: record.format - 1 }))
    const rebuilt = await devSetup(circuit, { cacheDir, log: quiet })
    expect(rebuilt.cached).toBe(false)
    expect((JSON.parse(await readFile(recordPath, 'utf8')) as { format: number }).format).toBe(record.format)
  })

  it('behavior: snarkjs zkey verify accepts the dev key against a fast ptau with the seed’s tau, alpha, beta', async () => {
    const setup = await devSetup(circuit, { cacheDir: setupCache, log: quiet })
    const curve = await loadBn128()
    const snarkjs = await loadSnarkjs()
    const progress = await createProgressReporter({ log: quiet })
    const secrets = deriveDevSecrets(DEFAULT_DEV_SEED)
    const matching = join(work, 'matching.ptau')
    await writeFastPtau({ ptauPath: matching, power: 10, waste: secrets, curve, progress })
    // Checks: the contribution's proof of knowledge of delta, IC/A/B sections equal to `zkey new`'s, L and H
    // in the same ratio as delta, and the circuit hash.
    expect(await snarkjs.zKey.verifyFromR1cs(circuit.r1csPath, matching, setup.zkeyPath)).toBe(true)

    const otherTau = join(work, 'other-tau.ptau')
    await writeFastPtau({ ptauPath: otherTau, power: 10, waste: { ...secrets, tau: secrets.tau + 1n }, curve, progress })
    expect(await snarkjs.zKey.verifyFromR1cs(circuit.r1csPath, otherTau, setup.zkeyPath)).toBe(false)
  })
})
