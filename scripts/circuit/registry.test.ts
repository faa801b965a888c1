import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './cache.ts'
import { findCircuitConfig, fixtureConfigs, loadCircuitConfigs, UnknownCircuitConfigError } from './registry.ts'

describe('loadCircuitConfigs', () => {
  it('behavior: the fixtures, plus circuits/configs.ts entries when that module exists', async () => {
    const configs = await loadCircuitConfigs()
    for (const name of Object.keys(fixtureConfigs)) expect(configs[name]).toEqual(fixtureConfigs[name])
    if (existsSync(join(repoRoot, 'circuits', 'configs.ts'))) {
      expect(Object.keys(configs).length).toBeGreaterThan(Object.keys(fixtureConfigs).length)
    }
  })

  it('error: an unknown config name lists the known ones', async () => {
    const error = await findCircuitConfig('no-such-circuit').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(UnknownCircuitConfigError)
    expect((error as UnknownCircuitConfigError).details.known).toContain('fixture-chain')
  })
})
