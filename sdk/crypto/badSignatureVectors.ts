/**
 * One signature vector per rejection class (plus one valid control), for the circuit's tests: each must be
 * rejected by `EdDSAPoseidonVerifier` as wired in zkperp exactly when `expectedCode` is not null. Written to
 * `vectors/badSignatures.json` (decimal strings) and checked against this generator by `badSignatureVectors.test.ts`.
 */
import { blake512 } from '@noble/hashes/blake1.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { addPoints, mulBase, mulPoint, negatePoint, type Point, SUBGROUP_ORDER } from './babyJubJub.ts'
import { derivePublicKey, type Signature, signPoseidon, verifyPoseidon } from './eddsa.ts'
import type { BaseError } from '../errors.ts'
import { FIELD_MODULUS } from './field.ts'
import { poseidon } from './poseidon.ts'

export type SignatureVector = {
  name: string
  /** The error code `verifyPoseidon` throws, or null for the valid control. */
  expectedCode: string | null
  /** 'A' or 'R8' for point errors. */
  point: 'A' | 'R8' | null
  message: bigint
  publicKey: Point
  R8: Point
  S: bigint
  note: string
}

const GENERATOR: Point = {
  x: 995203441582195749578291179787384436505546430278305826713579947235728471134n,
  y: 5472060717959818805561601436314318772137091100104008585924551046643952123905n,
}

function privateScalar(privateKey: Uint8Array): bigint {
  const head = blake512(privateKey).slice(0, 32)
  head[0] = head[0]! & 0xf8
  head[31] = (head[31]! & 0x7f) | 0x40
  let value = 0n
  for (let i = 31; i >= 0; i--) value = (value << 8n) | BigInt(head[i]!)
  return value
}

/** S for nonce r and an arbitrary claimed key: what a key owner can always produce. */
function solveS(r: bigint, R8: Point, key: Point, message: bigint, scalar: bigint): bigint {
  const hm = poseidon([R8.x, R8.y, key.x, key.y, message])
  return (r + hm * scalar) % SUBGROUP_ORDER
}

export function buildBadSignatureVectors(): SignatureVector[] {
  const privateKey = sha256(new TextEncoder().encode('zkperp/bad-signature-vectors'))
  const scalar = privateScalar(privateKey)
  const publicKey = derivePublicKey(privateKey)
  const message = 0x2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2an
  const signature: Signature = signPoseidon(privateKey, message)
  const torsion8 = mulPoint(GENERATOR, SUBGROUP_ORDER)
  const order2 = mulPoint(torsion8, 4n) // (0, −1)
  const vector = (
    name: string,
    expectedCode: string | null,
    point: 'A' | 'R8' | null,
    values: { message?: bigint; publicKey?: Point; R8?: Point; S?: bigint },
    note: string,
  ): SignatureVector => ({
    name,
    expectedCode,
    point,
    message: values.message ?? message,
    publicKey: values.publicKey ?? publicKey,
    R8: values.R8 ?? signature.R8,
    S: values.S ?? signature.S,
    note,
  })
  const twistedKey = addPoints(publicKey, order2)
  const r = 1234567n
  const twistedKeyR8 = mulBase(r)
  const twistedNonce = addPoints(mulBase(r), order2)
  return [
    vector('valid', null, null, {}, 'honest signature: must verify'),
    vector('tampered message', 'BAD_SIGNATURE', null, { message: message + 1n }, 'equation fails'),
    vector('wrong key', 'BAD_SIGNATURE', null, { publicKey: mulBase(99n) }, 'equation fails'),
    vector('negated R8', 'BAD_SIGNATURE', null, { R8: negatePoint(signature.R8) }, 'equation fails'),
    vector(
      'S + l',
      'SIGNATURE_S_OUT_OF_RANGE',
      null,
      { S: signature.S + SUBGROUP_ORDER },
      'satisfies the curve equation; the circuit must range-check S < l (CompConstant in circomlib)',
    ),
    vector('A off curve', 'POINT_NOT_ON_CURVE', 'A', { publicKey: { x: publicKey.x, y: publicKey.y + 1n } }, ''),
    vector('R8 off curve', 'POINT_NOT_ON_CURVE', 'R8', { R8: { x: signature.R8.x, y: signature.R8.y + 1n } }, ''),
    vector(
      'small-order A with S = 0',
      'LOW_ORDER_POINT',
      'A',
      { publicKey: order2, R8: { x: 0n, y: 1n }, S: 0n },
      'universal forgery: circomlibjs accepts it for any message; circomlib rejects because 8·A = O',
    ),
    vector('small-order R8', 'LOW_ORDER_POINT', 'R8', { R8: torsion8 }, ''),
    vector(
      'A plus order-2 torsion, signed by the owner',
      'POINT_NOT_IN_SUBGROUP',
      'A',
      { publicKey: twistedKey, R8: twistedKeyR8, S: solveS(r, twistedKeyR8, twistedKey, message, scalar) },
      'circomlibjs and circomlib EdDSAPoseidonVerifier ACCEPT this (8·A hides torsion): the circuit or key registration must check A ∈ G_l',
    ),
    vector(
      'R8 plus order-2 torsion, signed by the owner',
      'POINT_NOT_IN_SUBGROUP',
      'R8',
      { R8: twistedNonce, S: solveS(r, twistedNonce, publicKey, message, scalar) },
      'the equation S·B8 = R8 + 8·hm·A fails because R8 ∉ G_l',
    ),
    vector(
      'message not below r',
      'FIELD_ELEMENT_OUT_OF_RANGE',
      null,
      { message: message + FIELD_MODULUS },
      'circomlibjs reduces it mod r and accepts; a circuit input cannot hold it: reject before building the witness',
    ),
  ]
}

/** The code verifyPoseidon gives a vector (null when it verifies). */
export function verifyVector(vector: SignatureVector): string | null {
  try {
    verifyPoseidon(vector.message, { R8: vector.R8, S: vector.S }, vector.publicKey)
    return null
  } catch (error) {
    return (error as BaseError).code
  }
}

export function vectorsToJson(vectors: readonly SignatureVector[]): string {
  return `${JSON.stringify(vectors, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`
}
