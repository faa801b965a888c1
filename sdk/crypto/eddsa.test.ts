import { beforeAll, describe, expect, it } from 'vitest'
import { blake512 } from '@noble/hashes/blake1.js'
import { mulBase, negatePoint, SUBGROUP_ORDER } from './babyJubJub.ts'
import { type CircomlibOracle, loadCircomlibOracle } from './circomlibjsOracle.ts'
import {
  derivePublicKey,
  isValidSignature,
  type PublicKey,
  type Signature,
  signPoseidon,
  verifyPoseidon,
  verifyPoseidonBatch,
} from './eddsa.ts'
import type { BaseError } from '../errors.ts'
import { FIELD_MODULUS } from './field.ts'
import { poseidon } from './poseidon.ts'
import { LOW_ORDER_POINTS, withTorsion } from './testCurve.ts'
import { bytesToBigInt, randomBytes, randomFieldElements } from './testRandom.ts'

let circomlib: CircomlibOracle
/** Differential case count: small by default (circomlibjs signs ~40/s); set ZKPERP_DIFFERENTIAL_CASES=4000 for a long run. */
const CASES = Number(process.env['ZKPERP_DIFFERENTIAL_CASES'] ?? '64')
const LONG_RUN_TIMEOUT = 3_600_000

beforeAll(async () => {
  circomlib = await loadCircomlibOracle()
})

function codeOf(run: () => void): { code: string; details: Record<string, unknown> } | undefined {
  try {
    run()
    return undefined
  } catch (error) {
    return { code: (error as BaseError).code, details: { ...(error as BaseError).details } }
  }
}

function seededRandom(label: string): () => bigint {
  let counter = 0
  return () => bytesToBigInt(randomBytes(16, `${label}/${counter++}`))
}

function signed(count: number, label: string) {
  return Array.from({ length: count }, (_, i) => {
    const privateKey = randomBytes(32, `${label}-key-${i % 7}`)
    const message = randomFieldElements(1, `${label}-msg-${i}`)[0]!
    return { message, signature: signPoseidon(privateKey, message), publicKey: derivePublicKey(privateKey) }
  })
}

describe('eddsa', () => {
  it('default: keys and signatures identical to circomlibjs on random keys and messages', () => {
    for (let i = 0; i < CASES / 4; i++) {
      const privateKey = randomBytes(32, `key-${i}`)
      const [message] = randomFieldElements(1, `message-${i}`)
      const publicKey = derivePublicKey(privateKey)
      expect(publicKey).toEqual(circomlib.derivePublicKey(privateKey))
      const signature = signPoseidon(privateKey, message!)
      expect(signature).toEqual(circomlib.signPoseidon(privateKey, message!))
      expect(circomlib.verifyPoseidon(message!, signature, publicKey)).toBe(true)
      expect(() => verifyPoseidon(message!, signature, publicKey)).not.toThrow()
      expect(isValidSignature(message!, signature, publicKey)).toBe(true)
    }
  }, LONG_RUN_TIMEOUT)

  it('behavior: accepts messages at the field edges', () => {
    const privateKey = randomBytes(32, 'edge')
    for (const message of [0n, 1n, FIELD_MODULUS - 1n]) {
      const signature = signPoseidon(privateKey, message)
      expect(signature).toEqual(circomlib.signPoseidon(privateKey, message))
      expect(isValidSignature(message, signature, derivePublicKey(privateKey))).toBe(true)
    }
  })

  describe('rejections (each agrees with circomlibjs where circomlibjs has an opinion)', () => {
    const privateKey = randomBytes(32, 'reject')
    const message = 424242n
    let publicKey: PublicKey
    let signature: Signature
    beforeAll(() => {
      publicKey = derivePublicKey(privateKey)
      signature = signPoseidon(privateKey, message)
    })

    it('error: BAD_SIGNATURE for a tampered message, S, R8 or a wrong key', () => {
      const otherKey = derivePublicKey(randomBytes(32, 'other'))
      const cases: [bigint, Signature, PublicKey][] = [
        [message + 1n, signature, publicKey],
        [message, { ...signature, S: (signature.S + 1n) % SUBGROUP_ORDER }, publicKey],
        [message, { ...signature, R8: mulBase(7n) }, publicKey],
        [message, signature, otherKey],
        [message, { ...signature, R8: negatePoint(signature.R8) }, publicKey],
      ]
      for (const [m, s, a] of cases) {
        expect(codeOf(() => verifyPoseidon(m, s, a))?.code).toBe('BAD_SIGNATURE')
        expect(circomlib.verifyPoseidon(m, s, a)).toBe(false)
      }
    })

    it('error: SIGNATURE_S_OUT_OF_RANGE for S + l (which satisfies the equation)', () => {
      const malleated = { ...signature, S: signature.S + SUBGROUP_ORDER }
      expect(codeOf(() => verifyPoseidon(message, malleated, publicKey))?.code).toBe('SIGNATURE_S_OUT_OF_RANGE')
      expect(circomlib.verifyPoseidon(message, malleated, publicKey)).toBe(false)
      expect(codeOf(() => verifyPoseidon(message, { ...signature, S: -1n }, publicKey))?.code).toBe(
        'SIGNATURE_S_OUT_OF_RANGE',
      )
    })

    it('error: POINT_NOT_ON_CURVE names A or R8', () => {
      const off = { x: publicKey.x, y: publicKey.y + 1n }
      expect(codeOf(() => verifyPoseidon(message, signature, off))).toMatchObject({
        code: 'POINT_NOT_ON_CURVE',
        details: { point: 'A' },
      })
      expect(codeOf(() => verifyPoseidon(message, { ...signature, R8: off }, publicKey))).toMatchObject({
        code: 'POINT_NOT_ON_CURVE',
        details: { point: 'R8' },
      })
      expect(circomlib.verifyPoseidon(message, signature, off)).toBe(false)
      const unreduced = { x: publicKey.x + FIELD_MODULUS, y: publicKey.y }
      expect(codeOf(() => verifyPoseidon(message, signature, unreduced))?.code).toBe('POINT_NOT_ON_CURVE')
    })

    it('error: LOW_ORDER_POINT for every small-order A and R8', () => {
      for (const point of LOW_ORDER_POINTS) {
        expect(codeOf(() => verifyPoseidon(message, signature, point))).toMatchObject({
          code: 'LOW_ORDER_POINT',
          details: { point: 'A' },
        })
        expect(codeOf(() => verifyPoseidon(message, { ...signature, R8: point }, publicKey))).toMatchObject({
          code: 'LOW_ORDER_POINT',
          details: { point: 'R8' },
        })
      }
      // The classic forgery: A of small order and S = 0, R8 = −8·hm·A = O satisfies the equation.
      const forged = { R8: LOW_ORDER_POINTS[0]!, S: 0n }
      expect(codeOf(() => verifyPoseidon(message, forged, LOW_ORDER_POINTS[4]!))?.code).toBe('LOW_ORDER_POINT')
    })

    it('error: POINT_NOT_IN_SUBGROUP for A + torsion, which circomlibjs accepts', () => {
      for (let k = 1; k < 8; k++) {
        const twisted = withTorsion(publicKey, k)
        expect(circomlib.verifyPoseidon(message, signature, twisted)).toBe(false) // hm changes with A ...
      }
      // ... but a signer can sign for A + T directly: 8·(A + T) = 8·A, so circomlibjs accepts it.
      const twisted = withTorsion(publicKey, 4)
      const forged = signForKey(privateKey, message, twisted)
      expect(circomlib.verifyPoseidon(message, forged, twisted)).toBe(true)
      expect(codeOf(() => verifyPoseidon(message, forged, twisted))).toMatchObject({
        code: 'POINT_NOT_IN_SUBGROUP',
        details: { point: 'A' },
      })
    })

    it('error: POINT_NOT_IN_SUBGROUP for R8 + torsion re-signed by the key owner', () => {
      const forged = signWithTwistedNonce(privateKey, message, 2)
      expect(circomlib.verifyPoseidon(message, forged, publicKey)).toBe(false)
      expect(codeOf(() => verifyPoseidon(message, forged, publicKey))).toMatchObject({
        code: 'POINT_NOT_IN_SUBGROUP',
        details: { point: 'R8' },
      })
    })

    it('error: FIELD_ELEMENT_OUT_OF_RANGE for message + r (circomlibjs reduces it and accepts)', () => {
      expect(circomlib.verifyPoseidon(message + FIELD_MODULUS, signature, publicKey)).toBe(true)
      expect(codeOf(() => verifyPoseidon(message + FIELD_MODULUS, signature, publicKey))?.code).toBe(
        'FIELD_ELEMENT_OUT_OF_RANGE',
      )
      expect(() => signPoseidon(privateKey, -1n)).toThrow('not a field element')
    })

    it('error: private key of the wrong length', () => {
      expect(() => derivePublicKey(new Uint8Array(31))).toThrow('32 bytes')
    })
  })
})

describe('verifyPoseidonBatch', () => {
  it('default: a batch of valid signatures of every size is valid', () => {
    for (const size of [0, 1, 2, 16, 64]) {
      const items = signed(size, `batch-ok-${size}`)
      expect(verifyPoseidonBatch(items, { random: seededRandom(`z-${size}`) })).toEqual({
        valid: true,
        invalidIndices: [],
      })
    }
    expect(verifyPoseidonBatch(signed(8, 'batch-default-random')).valid).toBe(true)
  })

  it('behavior: finds the single bad signature anywhere in the batch', () => {
    const items = signed(64, 'batch-one-bad')
    for (const bad of [0, 17, 63]) {
      const tampered = items.map((item, i) => (i === bad ? { ...item, message: item.message + 1n } : item))
      expect(verifyPoseidonBatch(tampered, { random: seededRandom(`one-${bad}`) })).toEqual({
        valid: false,
        invalidIndices: [bad],
      })
    }
  })

  it('behavior: batches longer than one chunk keep their indices', () => {
    const items = signed(1030, 'batch-chunked')
    const bad = new Set([2, 1025])
    const tampered = items.map((item, i) => (bad.has(i) ? { ...item, message: item.message + 1n } : item))
    expect(verifyPoseidonBatch(tampered, { random: seededRandom('chunks') })).toEqual({
      valid: false,
      invalidIndices: [2, 1025],
    })
  })

  it('behavior: names every invalid index, structural and equation failures alike, like single checks', () => {
    const items = signed(40, 'batch-many-bad')
    const first = items[0]!
    const mutated = items.map((item, i) => {
      if (i === 3) return { ...item, signature: { ...item.signature, S: item.signature.S + SUBGROUP_ORDER } }
      if (i === 9) return { ...item, publicKey: LOW_ORDER_POINTS[2]! }
      if (i === 20) return { ...item, signature: first.signature }
      if (i === 33) return { ...item, publicKey: { x: 1n, y: 1n } }
      return item
    })
    const result = verifyPoseidonBatch(mutated, { random: seededRandom('many') })
    const expected = mutated.flatMap((item, i) =>
      isValidSignature(item.message, item.signature, item.publicKey) ? [] : [i],
    )
    expect(expected).toEqual([3, 9, 20, 33])
    expect(result).toEqual({ valid: false, invalidIndices: expected })
  })

  it('error: two torsion-twisted nonces that would cancel in the combination are both rejected', () => {
    const privateKey = randomBytes(32, 'cancel')
    const publicKey = derivePublicKey(privateKey)
    // Both nonces carry the order-2 point 4·T8; with even coefficients the torsion drops out of the combination.
    const a = { message: 5n, signature: signWithTwistedNonce(privateKey, 5n, 4), publicKey }
    const b = { message: 6n, signature: signWithTwistedNonce(privateKey, 6n, 4), publicKey }
    const evenSum = () => 2n // every coefficient even: the torsion parts vanish from the combination
    expect(verifyPoseidonBatch([a, b], { random: evenSum })).toEqual({ valid: false, invalidIndices: [0, 1] })
  })
})

/** A signature that verifies under circomlibjs's equation for an arbitrary point `key` with 8·key = 8·A. */
function signForKey(privateKey: Uint8Array, message: bigint, key: PublicKey): Signature {
  const r = 7n // any nonce works: S is solved from the equation for this key
  const R8 = mulBase(r)
  const scalar = privateScalar(privateKey)
  const hm = poseidonHm(R8, key, message)
  return { R8, S: (r + hm * scalar) % SUBGROUP_ORDER }
}

/** The key owner signs with R8 = r·B8 + k·T8 (torsion in the nonce) and a matching S. */
function signWithTwistedNonce(privateKey: Uint8Array, message: bigint, k: number): Signature {
  const r = 11n + BigInt(k)
  const R8 = withTorsion(mulBase(r), k)
  const publicKey = derivePublicKey(privateKey)
  const hm = poseidonHm(R8, publicKey, message)
  return { R8, S: (r + hm * privateScalar(privateKey)) % SUBGROUP_ORDER }
}

function privateScalar(privateKey: Uint8Array): bigint {
  const head = blake512(privateKey).slice(0, 32)
  head[0] = head[0]! & 0xf8
  head[31] = (head[31]! & 0x7f) | 0x40
  let value = 0n
  for (let i = 31; i >= 0; i--) value = (value << 8n) | BigInt(head[i]!)
  return value
}

function poseidonHm(R8: PublicKey, key: PublicKey, message: bigint): bigint {
  return poseidon([R8.x, R8.y, key.x, key.y, message])
}
