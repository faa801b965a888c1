import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { buildExitVector, EXIT_VECTOR_PATH } from './exitVector.ts'
import { buildPoseidonFixture, circomlibjsPoseidonCreationCode, POSEIDON_FIXTURE_PATH, PoseidonArityError, serializePoseidonFixture } from './poseidonContracts.ts'

describe('poseidonContracts', () => {
  it('behavior: the committed bytecode fixture matches a fresh generation', async () => {
    expect(readFileSync(POSEIDON_FIXTURE_PATH, 'utf8')).toBe(serializePoseidonFixture(await buildPoseidonFixture()))
  }, 60_000)

  it('error: circomlibjs cannot generate 7 inputs', async () => {
    await expect(circomlibjsPoseidonCreationCode(7)).rejects.toBeInstanceOf(PoseidonArityError)
  })
})

describe('exitVector', () => {
  it('behavior: the committed exit vector matches the sdk', () => {
    expect(readFileSync(EXIT_VECTOR_PATH, 'utf8')).toBe(buildExitVector())
  })
})
