import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildCircuit, type CircuitSpec } from './buildCircuit.ts'
import { hashedHPointCount, writeDirectZkey } from './directZkey.ts'
import { writeFastPtau } from './fastPtau.ts'
import { hashToField } from './field.ts'
import { createProgressReporter } from './progress.ts'
import { fixtureConfigs } from './registry.ts'
import { loadBn128, loadSnarkjs, terminateBn128 } from './vendor.ts'

const work = mkdtempSync(join(tmpdir(), 'zkperp-direct-zkey-'))
const quiet = (): void => {}
afterAll(async () => {
  rmSync(work, { recursive: true, force: true })
  await terminateBn128()
})

const chain = fixtureConfigs['fixture-chain'] as CircuitSpec
// Arbitrary known secrets; gamma = delta = 1 as `snarkjs zkey new` leaves them.
const waste = { tau: hashToField('test/tau', 'direct'), alpha: hashToField('test/alpha', 'direct'), beta: hashToField('test/beta', 'direct') }

describe('writeDirectZkey', () => {
  it('behavior: byte-identical to snarkjs zkey new on a fast ptau of higher power (1 and 2 public inputs)', async () => {
    const curve = await loadBn128()
    const snarkjs = await loadSnarkjs()
    const progress = await createProgressReporter({ log: quiet })
    const ptauPath = join(work, 'fast10.ptau')
    await writeFastPtau({ ptauPath, power: 10, waste, curve, progress })

    for (const spec of [chain, { ...chain, name: 'chain_two_public', publicSignals: ['seed', 'salt'] }]) {
      const circuit = await buildCircuit(spec, { cacheDir: join(work, 'circuits'), log: quiet })
      const snarkjsPath = join(work, `${spec.name}.snarkjs.zkey`)
      const directPath = join(work, `${spec.name}.direct.zkey`)
      const snarkjsHash = await snarkjs.zKey.newZKey(circuit.r1csPath, ptauPath, snarkjsPath)
      const written = await writeDirectZkey({ r1csPath: circuit.r1csPath, zkeyPath: directPath, waste, curve, progress })
      expect(written.domainPower).toBe(9)
      expect(written.nPublic).toBe(spec.publicSignals.length + 1)
      expect(Buffer.from(written.circuitHash).toString('hex')).toBe(Buffer.from(snarkjsHash).toString('hex'))
      const expected = readFileSync(snarkjsPath)
      const actual = readFileSync(directPath)
      expect(actual.length).toBe(expected.length)
      expect(actual.equals(expected)).toBe(true)
    }
  })

  it('behavior: a different tau gives a different key (the comparison can fail)', async () => {
    const curve = await loadBn128()
    const progress = await createProgressReporter({ log: quiet })
    const circuit = await buildCircuit(chain, { cacheDir: join(work, 'circuits'), log: quiet })
    const first = join(work, 'tau-a.zkey')
    const second = join(work, 'tau-b.zkey')
    await writeDirectZkey({ r1csPath: circuit.r1csPath, zkeyPath: first, waste, curve, progress })
    await writeDirectZkey({ r1csPath: circuit.r1csPath, zkeyPath: second, waste: { ...waste, tau: waste.tau + 1n }, curve, progress })
    expect(readFileSync(first).equals(readFileSync(second))).toBe(false)
  })
})

describe('hashedHPointCount', () => {
  it('behavior: n-1 points up to one 2^14 chunk, n beyond (snarkjs zkey_new.js chunking)', () => {
    expect(hashedHPointCount(512)).toBe(511)
    expect(hashedHPointCount(1 << 14)).toBe((1 << 14) - 1)
    expect(hashedHPointCount(1 << 15)).toBe(1 << 15)
    expect(hashedHPointCount(1 << 16)).toBe(1 << 16)
  })
})
