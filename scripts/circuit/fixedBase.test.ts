import { afterAll, describe, expect, it } from 'vitest'
import { FR, scalarsToBytes } from './field.ts'
import { FixedBaseMultiplier, FixedBasePool, type GroupName } from './fixedBase.ts'
import { loadBn128, terminateBn128 } from './vendor.ts'

afterAll(async () => {
  await terminateBn128()
})

const edgeScalars = [0n, 1n, 2n, 255n, 256n, FR - 1n, FR - 2n, (1n << 253n) + 12345n, 0x0102030405060708090a0b0c0d0e0f10n]

describe('FixedBaseMultiplier', () => {
  it.each(['G1', 'G2'] as const)('behavior: k·G equals ffjavascript timesFr for edge scalars in %s', async (group: GroupName) => {
    const curve = await loadBn128()
    const multiplier = FixedBaseMultiplier.create(curve, group)
    const points = multiplier.multiply(scalarsToBytes(edgeScalars))
    edgeScalars.forEach((scalar, index) => {
      const expected = new Uint8Array(multiplier.affineBytes)
      curve[group].toRprLEM(expected, 0, curve[group].timesFr(curve[group].g, curve.Fr.e(scalar)))
      const actual = points.subarray(index * multiplier.affineBytes, (index + 1) * multiplier.affineBytes)
      expect(Buffer.from(actual).toString('hex'), `scalar ${scalar}`).toBe(Buffer.from(expected).toString('hex'))
    })
  })
})

describe('FixedBasePool', () => {
  it('behavior: worker shares give the same points as one thread', async () => {
    const curve = await loadBn128()
    const count = 17_000 // just above the split threshold (4 chunks of 4,096)
    let state = 0x9e3779b97f4a7c15n
    const scalars = Array.from({ length: count }, () => {
      state = (state * 6364136223846793005n + 1442695040888963407n) % FR
      return state
    })
    const bytes = scalarsToBytes(scalars)
    const pool = await FixedBasePool.create(curve, 1)
    try {
      let reported = 0
      const pooled = await pool.multiply('G1', bytes, (done) => {
        reported += done
      })
      expect(reported).toBe(count)
      const single = FixedBaseMultiplier.create(curve, 'G1').multiply(bytes)
      expect(Buffer.from(pooled).equals(Buffer.from(single))).toBe(true)
    } finally {
      await pool.close()
    }
  })
})
