/**
 * TEMPORARY: stands in for scripts/circuit/devSetup.ts until it lands, with the same shapes.
 * Delete when switching. Runs a tiny deterministic ptau (beacon, not
 * random contribute) + `zkey new`. INSECURE: the beacon is public.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { BuiltCircuit } from '../circuit/buildCircuit.ts'
import { loadSnarkjs, type Groth16VerificationKey } from './snarkjs.ts'

const ROOT = resolve(import.meta.dirname, '../..')

export type SetupArtifacts = { zkeyPath: string; vkeyPath: string; verifierPath: string; vkey: Groth16VerificationKey }

export async function devSetup(circuit: BuiltCircuit, options: { verifierName: string; power: number }): Promise<SetupArtifacts> {
  const snarkjs = await loadSnarkjs()
  const dir = join(ROOT, 'build/smoke-tmp', `${circuit.spec.name}-${circuit.hash.slice(0, 16)}`)
  mkdirSync(dir, { recursive: true })
  const paths = { zkeyPath: join(dir, 'main.zkey'), vkeyPath: join(dir, 'vkey.json'), verifierPath: join(dir, `${options.verifierName}.sol`) }
  if (!existsSync(paths.verifierPath)) {
    const ptauDir = join(ROOT, 'build/smoke-tmp/ptau')
    mkdirSync(ptauDir, { recursive: true })
    const prepared = join(ptauDir, `beacon-${options.power}.ptau`)
    if (!existsSync(prepared)) {
      const curve = await snarkjs.curves.getCurveFromName('bn128')
      await snarkjs.powersOfTau.newAccumulator(curve, options.power, join(ptauDir, 'new.ptau'))
      await snarkjs.powersOfTau.beacon(join(ptauDir, 'new.ptau'), join(ptauDir, 'beacon.ptau'), 'dev', '0123456789abcdef', 10)
      await snarkjs.powersOfTau.preparePhase2(join(ptauDir, 'beacon.ptau'), prepared)
    }
    await snarkjs.zKey.newZKey(circuit.r1csPath, prepared, paths.zkeyPath)
    const vkey = await snarkjs.zKey.exportVerificationKey(paths.zkeyPath)
    writeFileSync(paths.vkeyPath, JSON.stringify(vkey, null, 2))
    const template = readFileSync(join(ROOT, 'node_modules/snarkjs/templates/verifier_groth16.sol.ejs'), 'utf8')
    const verifier = await snarkjs.zKey.exportSolidityVerifier(paths.zkeyPath, { groth16: template })
    writeFileSync(paths.verifierPath, verifier.replace('contract Groth16Verifier', `contract ${options.verifierName}`))
  }
  const vkey = JSON.parse(readFileSync(paths.vkeyPath, 'utf8')) as Groth16VerificationKey
  return { ...paths, vkey }
}
