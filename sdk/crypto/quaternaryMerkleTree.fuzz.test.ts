import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { FIELD_MODULUS } from './field.ts'
import { computeQuaternaryRoot, QuaternaryMerkleTree } from './quaternaryMerkleTree.ts'

const DEPTH = 3
const write = fc.tuple(fc.bigInt({ min: 0n, max: 4n ** BigInt(DEPTH) - 1n }), fc.bigInt({ min: 0n, max: FIELD_MODULUS - 1n }))

describe('QuaternaryMerkleTree (properties)', () => {
  test.prop([fc.array(write, { maxLength: 30 }), fc.array(write, { maxLength: 30 })], { numRuns: 30 })(
    'behavior: set, setMany and clones agree, and every proof recomputes the root',
    (before, after) => {
      const one = new QuaternaryMerkleTree(DEPTH)
      for (const [index, leaf] of before) one.set(index, leaf)
      const many = new QuaternaryMerkleTree(DEPTH)
      many.setMany(before)
      expect(many.root()).toBe(one.root())
      const rootBefore = one.root()
      const whatIf = one.clone()
      whatIf.setMany(after)
      expect(one.root()).toBe(rootBefore)
      const replay = new QuaternaryMerkleTree(DEPTH)
      replay.setMany([...before, ...after])
      expect(whatIf.root()).toBe(replay.root())
      for (const [index] of [...before, ...after]) expect(computeQuaternaryRoot(whatIf.proof(index))).toBe(whatIf.root())
    },
  )
})
