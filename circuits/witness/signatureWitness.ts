/**
 * Signature inputs of the strict EdDSA gadget (`circuits/lib/RequireStrictEdDSAPoseidon.circom`): the signature
 * itself plus the two subgroup hints, (8^-1 mod l)·A and (8^-1 mod l)·R8. For a point in the prime-order subgroup
 * the hint satisfies 8·hint = point; for any other point no hint does, and the witness fails its constraints.
 */
import { mulPointReference, SUBGROUP_ORDER } from '../../sdk/crypto/babyJubJub.ts'
import type { Point, PublicKey, Signature } from '../../sdk/protocol/types.ts'

const INVERSE_OF_EIGHT = modularInverse(8n, SUBGROUP_ORDER)

function modularInverse(value: bigint, modulus: bigint): bigint {
  let [a, b, x, y] = [value % modulus, modulus, 1n, 0n]
  while (b !== 0n) {
    const q = a / b
    ;[a, b, x, y] = [b, a - q * b, y, x - q * y]
  }
  return ((x % modulus) + modulus) % modulus
}

/** (8^-1 mod l)·point, by the plain bigint reference (works on any coordinates, on the curve or not). */
export function computeEighthRoot(point: Point): [bigint, bigint] {
  try {
    const root = mulPointReference(point, INVERSE_OF_EIGHT)
    return [root.x, root.y]
  } catch {
    // An off-curve point can reach a zero denominator; no hint exists for it, any value fails the check.
    return [0n, 1n]
  }
}

export type SignatureInput = {
  enabled: bigint
  publicKey: [bigint, bigint]
  R8: [bigint, bigint]
  S: bigint
  message: bigint
  publicKeyRoot: [bigint, bigint]
  R8Root: [bigint, bigint]
}

/** The gadget's input for a signature that must verify. */
export function buildSignatureInput(message: bigint, signature: Signature, publicKey: PublicKey): SignatureInput {
  return {
    enabled: 1n,
    publicKey: [publicKey.x, publicKey.y],
    R8: [signature.R8.x, signature.R8.y],
    S: signature.S,
    message,
    publicKeyRoot: computeEighthRoot(publicKey),
    R8Root: computeEighthRoot(signature.R8),
  }
}

/** A disabled gadget: identity points, S = 0 (nothing is proven). */
export const DISABLED_SIGNATURE: SignatureInput = {
  enabled: 0n,
  publicKey: [0n, 1n],
  R8: [0n, 1n],
  S: 0n,
  message: 0n,
  publicKeyRoot: [0n, 1n],
  R8Root: [0n, 1n],
}
