import { mkdtempSync, rmSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from './cache.ts'
import {
  buildCircuit,
  cacheRoot,
  CircuitCompileError,
  CircuitIncludeNotFoundError,
  type CircuitInfo,
  CircuitSpecError,
  type CircuitSpec,
  computeCircuitHash,
} from './buildCircuit.ts'

const cacheDir = mkdtempSync(join(tmpdir(), 'zkperp-build-test-'))
const scratchName = `test-${process.pid}-${Date.now()}`
const scratchDir = join(repoRoot, 'build', 'circuit-tests', scratchName)
const quiet = (): void => {}

afterAll(() => {
  rmSync(cacheDir, { recursive: true, force: true })
  rmSync(scratchDir, { recursive: true, force: true })
})

const chain: CircuitSpec = {
  name: 'chain',
  file: 'scripts/circuit/fixtures/PoseidonChain.circom',
  template: 'PoseidonChain',
  params: [2],
  publicSignals: ['seed'],
}

/** Writes a two-file circuit under build/ (inside the repo, where circom can read it). */
async function writeTwoFileCircuit(constant: number): Promise<CircuitSpec> {
  await mkdir(join(scratchDir, 'lib'), { recursive: true })
  await writeFile(
    join(scratchDir, 'Outer.circom'),
    'pragma circom 2.0.0;\ninclude "./lib/Inner.circom";\ntemplate Outer(N) {\n  signal input x;\n  signal output y;\n  y <== Inner(N)(x);\n}\n',
  )
  await writeFile(
    join(scratchDir, 'lib', 'Inner.circom'),
    `pragma circom 2.0.0;\ntemplate Inner(N) {\n  signal input x;\n  signal output y;\n  signal square <== x * x;\n  y <== square * ${constant} + N;\n}\n`,
  )
  return { name: 'outer', file: `build/circuit-tests/${scratchName}/Outer.circom`, template: 'Outer', params: [3], publicSignals: [] }
}

describe('buildCircuit', () => {
  it('behavior: compiles once, then the same spec is a cache hit in milliseconds', async () => {
    const cold = await buildCircuit(chain, { cacheDir, log: quiet })
    expect(cold.cached).toBe(false)
    expect(cold.constraints).toBe(480) // 2 x Poseidon(2) at --O2
    expect(cold.publicInputs).toBe(2) // digest (output) + seed
    expect(cold.wires).toBe(483)
    expect(cold.dir).toBe(join(cacheDir, `chain-${cold.hash.slice(0, 16)}`))
    const info = JSON.parse(await readFile(join(cold.dir, 'info.json'), 'utf8')) as CircuitInfo
    expect(info).toMatchObject({ constraints: 480, publicOutputs: 1, publicInputs: 1, privateInputs: 1, domainPower: 9 })
    expect(info.compileSeconds).toBeGreaterThan(0)
    const r1cs = await readFile(cold.r1csPath)
    expect(r1cs.subarray(0, 4).toString()).toBe('r1cs')
    const wasm = await readFile(cold.wasmPath)
    expect(wasm.subarray(1, 4).toString()).toBe('asm')

    const warm = await buildCircuit(chain, { cacheDir, log: quiet })
    expect(warm.cached).toBe(true)
    expect(warm.hash).toBe(cold.hash)
    expect(warm.r1csPath).toBe(cold.r1csPath)
    expect(warm.constraints).toBe(480)
    expect(warm.seconds).toBeLessThan(0.5)
  })

  it('behavior: parameters, public signals and optimisation level each change the hash', async () => {
    const base = (await computeCircuitHash(chain)).hash
    expect((await computeCircuitHash({ ...chain, params: [3] })).hash).not.toBe(base)
    expect((await computeCircuitHash({ ...chain, publicSignals: [] })).hash).not.toBe(base)
    expect((await computeCircuitHash({ ...chain, optimization: 'O1' })).hash).not.toBe(base)
    expect((await computeCircuitHash({ ...chain })).hash).toBe(base)
  })

  it('behavior: editing a transitively included file changes the hash and rebuilds', async () => {
    const spec = await writeTwoFileCircuit(5)
    const first = await computeCircuitHash(spec)
    expect([...first.files.keys()].sort()).toEqual([
      `build/circuit-tests/${scratchName}/Outer.circom`,
      `build/circuit-tests/${scratchName}/lib/Inner.circom`,
    ])
    const built = await buildCircuit(spec, { cacheDir, log: quiet })
    expect(built.hash).toBe(first.hash)
    expect(built.constraints).toBe(1) // y is linear in square: one multiplication survives O2

    await writeTwoFileCircuit(7)
    const edited = await computeCircuitHash(spec)
    expect(edited.hash).not.toBe(first.hash)
    const rebuilt = await buildCircuit(spec, { cacheDir, log: quiet })
    expect(rebuilt.cached).toBe(false)
    expect(rebuilt.dir).not.toBe(built.dir)
  })

  it('behavior: the main declares the public signals and parameters', async () => {
    const { mainSource } = await computeCircuitHash({ ...chain, params: [4], publicSignals: ['seed', 'salt'] })
    expect(mainSource).toContain('component main {public [seed, salt]} = PoseidonChain(4);')
    const { mainSource: noPublic } = await computeCircuitHash({ ...chain, publicSignals: [] })
    expect(noPublic).toContain('component main = PoseidonChain(2);')
  })

  it('error: an include that resolves nowhere', async () => {
    await mkdir(scratchDir, { recursive: true })
    await writeFile(join(scratchDir, 'Broken.circom'), 'pragma circom 2.0.0;\ninclude "nowhere/missing.circom";\n')
    const spec: CircuitSpec = { ...chain, file: `build/circuit-tests/${scratchName}/Broken.circom` }
    await expect(computeCircuitHash(spec)).rejects.toBeInstanceOf(CircuitIncludeNotFoundError)
  })

  it('error: circom rejects the circuit', async () => {
    const spec: CircuitSpec = { ...chain, name: 'wrongtemplate', template: 'NoSuchTemplate' }
    const error = await buildCircuit(spec, { cacheDir, log: quiet }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(CircuitCompileError)
    expect((error as CircuitCompileError).code).toBe('CIRCUIT_COMPILE_FAILED')
  })

  it('error: a spec that is not well formed', async () => {
    await expect(computeCircuitHash({ ...chain, name: '../escape' })).rejects.toBeInstanceOf(CircuitSpecError)
    await expect(computeCircuitHash({ ...chain, params: [1.5] })).rejects.toBeInstanceOf(CircuitSpecError)
    await expect(computeCircuitHash({ ...chain, file: '../outside.circom' })).rejects.toBeInstanceOf(CircuitSpecError)
    await expect(computeCircuitHash({ ...chain, publicSignals: ['seed', 'seed'] })).rejects.toBeInstanceOf(CircuitSpecError)
  })
})

describe('cacheRoot', () => {
  it('behavior: ZKPERP_CACHE_DIR, then XDG_CACHE_HOME/zkperp, then ~/.cache/zkperp', () => {
    const saved = { explicit: process.env.ZKPERP_CACHE_DIR, xdg: process.env.XDG_CACHE_HOME }
    try {
      process.env.ZKPERP_CACHE_DIR = '/var/tmp/zk'
      process.env.XDG_CACHE_HOME = '/var/tmp/xdg'
      expect(cacheRoot()).toBe('/var/tmp/zk')
      delete process.env.ZKPERP_CACHE_DIR
      expect(cacheRoot()).toBe('/var/tmp/xdg/zkperp')
      delete process.env.XDG_CACHE_HOME
      expect(cacheRoot()).toMatch(/\/\.cache\/zkperp$/)
    } finally {
      if (saved.explicit === undefined) delete process.env.ZKPERP_CACHE_DIR
      else process.env.ZKPERP_CACHE_DIR = saved.explicit
      if (saved.xdg === undefined) delete process.env.XDG_CACHE_HOME
      else process.env.XDG_CACHE_HOME = saved.xdg
    }
  })
})
