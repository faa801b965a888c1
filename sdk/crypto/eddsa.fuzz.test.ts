import { fc, test } from '@fast-check/vitest'
import { describe, expect } from 'vitest'
import { derivePublicKey, isValidSignature, signPoseidon, verifyPoseidonBatch } from './eddsa.ts'
import { FIELD_MODULUS } from './field.ts'

const privateKey = fc.uint8Array({ minLength: 32, maxLength: 32 })
const fieldElement = fc.bigInt({ min: 0n, max: FIELD_MODULUS - 1n })

describe('eddsa (properties)', () => {
  test.prop([privateKey, fieldElement, fieldElement], { numRuns: 25 })(
    'behavior: a signature verifies for its message and key only',
    (key, message, other) => {
      const publicKey = derivePublicKey(key)
      const signature = signPoseidon(key, message)
      expect(isValidSignature(message, signature, publicKey)).toBe(true)
      if (other !== message) expect(isValidSignature(other, signature, publicKey)).toBe(false)
    },
  )

  test.prop(
    [
      fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fieldElement, fc.boolean()), { minLength: 1, maxLength: 24 }),
      fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
    ],
    { numRuns: 15 },
  )('behavior: a batch names exactly the tampered items', (entries, seed) => {
    const keys = Array.from({ length: 5 }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 31 + j) & 0xff))
    const items = entries.map(([keyIndex, message, tamper]) => {
      const key = keys[keyIndex]!
      const signature = signPoseidon(key, message)
      return { message: tamper ? (message + 1n) % FIELD_MODULUS : message, signature, publicKey: derivePublicKey(key) }
    })
    let counter = seed
    const random = () => (counter = (counter * 6364136223846793005n + 1442695040888963407n) % (1n << 128n))
    const expected = entries.flatMap(([, , tamper], i) => (tamper ? [i] : []))
    expect(verifyPoseidonBatch(items, { random })).toEqual({ valid: expected.length === 0, invalidIndices: expected })
  })
})
