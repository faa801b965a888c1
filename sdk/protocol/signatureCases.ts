/**
 * One signed order per rejection class of §3 (plus the valid control), each with the code `verifyOrderSignature`
 * must throw. Shared by the signing tests and `sdk/protocol/vectors/signatures.json` (the circuit's negative tests).
 *
 * The torsion cases need a key whose discrete log we know, so they sign with a raw scalar s (A = s·B8,
 * S = r + 8·hm·s mod l, the equation `EdDSAPoseidonVerifier` checks) instead of a hashed private key.
 */
import { addPoints, BASE8, mulBase, SUBGROUP_ORDER, type Point } from '../crypto/babyJubJub.ts'
import { derivePublicKey } from '../crypto/eddsa.ts'
import { FIELD_MODULUS } from '../crypto/field.ts'
import { poseidon } from '../crypto/poseidon.ts'
import { domainHash, orderHash } from './hashing.ts'
import { signOrder } from './signing.ts'
import type { Domain, Order, PublicKey, Signature } from './types.ts'

export type SignatureCase = {
  readonly name: string
  /** The code verification throws, or null for the valid control. */
  readonly expectedCode: string | null
  /** For point errors: which point is at fault. */
  readonly point: 'A' | 'R8' | null
  /** The order and domain the verifier hashes (they may differ from what was signed). */
  readonly order: Order
  readonly domain: Domain
  readonly publicKey: PublicKey
  readonly signature: Signature
}

export const SIGNATURE_CASES_DOMAIN: Domain = { chainId: 31337n, rollupAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }
export const SIGNATURE_CASES_PRIVATE_KEY = new Uint8Array(32).map((_, i) => i + 1)

export const SIGNATURE_CASES_ORDER: Order = {
  accountIndex: 7n,
  market: 1,
  isBuy: true,
  reduceOnly: false,
  size: 250n,
  limitPrice: 3_000_010n,
  storageId: 42n,
  expiry: 1_700_003_600n,
}

/** (0, −1): the point of order 2. Adding it keeps a point on the curve and takes it out of the prime subgroup. */
const ORDER_TWO: Point = { x: 0n, y: FIELD_MODULUS - 1n }
const IDENTITY: Point = { x: 0n, y: 1n }

/** Sign `message` for the key s·B8 (+ an optional torsion part) with nonce r·B8 (+ torsion). */
function signWithScalar(s: bigint, r: bigint, message: bigint, keyTorsion: boolean, nonceTorsion: boolean) {
  const publicKey = keyTorsion ? addPoints(mulBase(s), ORDER_TWO) : mulBase(s)
  const R8 = nonceTorsion ? addPoints(mulBase(r), ORDER_TWO) : mulBase(r)
  const hm = poseidon([R8.x, R8.y, publicKey.x, publicKey.y, message])
  return { publicKey, signature: { R8, S: (r + 8n * hm * s) % SUBGROUP_ORDER } }
}

/** The tampered value of each order field. */
const TAMPERED: { readonly [K in keyof Order]: Order[K] } = {
  accountIndex: 8n,
  market: 0,
  isBuy: false,
  reduceOnly: true,
  size: 251n,
  limitPrice: 3_000_000n,
  storageId: 43n,
  expiry: 1_700_003_601n,
}

export function buildSignatureCases(): SignatureCase[] {
  const domain = SIGNATURE_CASES_DOMAIN
  const order = SIGNATURE_CASES_ORDER
  const publicKey = derivePublicKey(SIGNATURE_CASES_PRIVATE_KEY)
  const { signature } = signOrder(order, SIGNATURE_CASES_PRIVATE_KEY, domain)
  const message = orderHash(order, domainHash(domain))
  const honest = { order, domain, publicKey, signature }
  const make = (name: string, expectedCode: string | null, point: 'A' | 'R8' | null, changes: Partial<typeof honest>): SignatureCase => ({
    name,
    expectedCode,
    point,
    ...honest,
    ...changes,
  })
  const scalar = 0x1234_5678_9abc_def0_1234_5678_9abc_def0n
  const nonce = 0xfeed_beef_cafe_babe_feed_beef_cafe_baben
  const twistedKey = signWithScalar(scalar, nonce, message, true, false)
  const twistedNonce = signWithScalar(scalar, nonce, message, false, true)
  const scalarControl = signWithScalar(scalar, nonce, message, false, false)
  return [
    make('valid', null, null, {}),
    make('valid (raw-scalar signer, control for the torsion cases)', null, null, scalarControl),
    make('wrong key', 'BAD_SIGNATURE', null, { publicKey: derivePublicKey(new Uint8Array(32).fill(9)) }),
    make('other chain id', 'BAD_SIGNATURE', null, { domain: { ...domain, chainId: 1n } }),
    make('other rollup address', 'BAD_SIGNATURE', null, {
      domain: { ...domain, rollupAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa4' },
    }),
    ...(Object.keys(TAMPERED) as (keyof Order)[]).map((field) =>
      make(`tampered ${field}`, 'BAD_SIGNATURE', null, { order: { ...order, [field]: TAMPERED[field] } }),
    ),
    make('S + l', 'SIGNATURE_S_OUT_OF_RANGE', null, { signature: { ...signature, S: signature.S + SUBGROUP_ORDER } }),
    make('S = l', 'SIGNATURE_S_OUT_OF_RANGE', null, { signature: { ...signature, S: SUBGROUP_ORDER } }),
    make('A off curve', 'POINT_NOT_ON_CURVE', 'A', { publicKey: { x: publicKey.x, y: publicKey.y + 1n } }),
    make('R8 off curve', 'POINT_NOT_ON_CURVE', 'R8', { signature: { ...signature, R8: { x: signature.R8.x, y: signature.R8.y + 1n } } }),
    make('A of order 2 with R8 = O and S = 0 (universal forgery)', 'LOW_ORDER_POINT', 'A', {
      publicKey: ORDER_TWO,
      signature: { R8: IDENTITY, S: 0n },
    }),
    make('A = identity (the system accounts’ key)', 'LOW_ORDER_POINT', 'A', { publicKey: IDENTITY, signature: { R8: IDENTITY, S: 0n } }),
    make('R8 of order 2', 'LOW_ORDER_POINT', 'R8', { signature: { ...signature, R8: ORDER_TWO } }),
    make('A outside the prime subgroup, signed by its owner', 'POINT_NOT_IN_SUBGROUP', 'A', twistedKey),
    make('R8 outside the prime subgroup, signed by the owner', 'POINT_NOT_IN_SUBGROUP', 'R8', twistedNonce),
    make('R8 = B8 with S = 1 (not the signature of this key)', 'BAD_SIGNATURE', null, { signature: { R8: BASE8, S: 1n } }),
  ]
}
