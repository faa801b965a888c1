import { mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildCircuit, type CircuitSpec } from './buildCircuit.ts'
import { productionSetup, SetupInputError } from './productionSetup.ts'
import { fixtureConfigs } from './registry.ts'
import type { SetupRecord } from './setupArtifacts.ts'
import { loadBn128, loadSnarkjs, terminateBn128, type VerificationKey } from './vendor.ts'

const work = mkdtempSync(join(tmpdir(), 'zkperp-production-setup-'))
const quiet = (): void => {}
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await terminateBn128()
})

describe('productionSetup', () => {
  it('behavior: a real phase-1 file (snarkjs powersoftau, K=9) gives a verified key whose proofs verify', async () => {
    const curve = await loadBn128()
    const snarkjs = await loadSnarkjs()
    const circuit = await buildCircuit(fixtureConfigs['fixture-chain'] as CircuitSpec, { cacheDir: join(work, 'circuits'), log: quiet })
    // A one-contribution ceremony at the circuit's own power (2^9), prepared for phase 2.
    await snarkjs.powersOfTau.newAccumulator(curve, 9, join(work, 'pot9_0.ptau'))
    await snarkjs.powersOfTau.contribute(join(work, 'pot9_0.ptau'), join(work, 'pot9_1.ptau'), 'test', 'test entropy')
    await snarkjs.powersOfTau.preparePhase2(join(work, 'pot9_1.ptau'), join(work, 'pot9_final.ptau'))

    const setup = await productionSetup(circuit, {
      ptauPath: join(work, 'pot9_final.ptau'),
      beacon: '0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
      verifierName: 'ChainVerifier',
      cacheDir: join(work, 'setup'),
      log: quiet,
    })
    expect(setup.insecure).toBe(false)
    expect(setup.cached).toBe(false)
    expect(await readFile(setup.verifierPath, 'utf8')).toContain('contract ChainVerifier {')
    const record = JSON.parse(await readFile(join(setup.zkeyPath, '..', 'setup.json'), 'utf8')) as SetupRecord
    expect(record.kind).toBe('production')
    expect(record.zkeyCircuitHash).toMatch(/^[0-9a-f]{128}$/)

    const { proof, publicSignals } = await snarkjs.groth16.fullProve({ seed: 5, salt: 6 }, circuit.wasmPath, setup.zkeyPath)
    const vkey = setup.vkey as VerificationKey
    expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).toBe(true)
    expect(await snarkjs.groth16.verify(vkey, [publicSignals[0] ?? '', '7'], proof)).toBe(false)
  })

  it('error: a ptau smaller than the circuit domain is refused', async () => {
    const curve = await loadBn128()
    const snarkjs = await loadSnarkjs()
    const circuit = await buildCircuit(fixtureConfigs['fixture-chain'] as CircuitSpec, { cacheDir: join(work, 'circuits'), log: quiet })
    await snarkjs.powersOfTau.newAccumulator(curve, 8, join(work, 'pot8_0.ptau'))
    await expect(
      productionSetup(circuit, { ptauPath: join(work, 'pot8_0.ptau'), cacheDir: join(work, 'setup'), log: quiet }),
    ).rejects.toBeInstanceOf(SetupInputError)
  })

  it('error: a missing ptau or a malformed beacon', async () => {
    const circuit = await buildCircuit(fixtureConfigs['fixture-chain'] as CircuitSpec, { cacheDir: join(work, 'circuits'), log: quiet })
    await expect(productionSetup(circuit, { ptauPath: join(work, 'absent.ptau'), log: quiet })).rejects.toBeInstanceOf(SetupInputError)
    await expect(productionSetup(circuit, { ptauPath: join(work, 'pot8_0.ptau'), beacon: 'xyz', log: quiet })).rejects.toBeInstanceOf(
      SetupInputError,
    )
  })
})
