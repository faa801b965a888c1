/** BabyJubJub parameters (EIP-2494, circomlib), shared by the bigint reference and the WebAssembly code. */

export type Point = { readonly x: bigint; readonly y: bigint }

export const CURVE_A = 168700n
export const CURVE_D = 168696n
/** l: order of the prime subgroup, the group of BASE8. */
export const SUBGROUP_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041n
/** 8·l, the number of points on the curve. */
export const CURVE_ORDER = SUBGROUP_ORDER * 8n
/** circomlib's Base8: generator of the prime subgroup, the base point of EdDSA signatures. */
export const BASE8: Point = {
  x: 5299619240641551281634865583518297030282874472190772894086521144482721001553n,
  y: 16950150798460657717958625567821834550301663161624707787222815936182638968203n,
}
export const IDENTITY: Point = { x: 0n, y: 1n }

/** Width-w NAF digits of a non-negative scalar, least significant first; odd digits in (−2^(w−1), 2^(w−1)). */
export function wnaf(scalar: bigint, width: number): Int8Array {
  const digits: number[] = []
  const window = 1n << BigInt(width)
  const half = window >> 1n
  let k = scalar
  while (k > 0n) {
    if (k & 1n) {
      let digit = k & (window - 1n)
      if (digit >= half) digit -= window
      digits.push(Number(digit))
      k -= digit
    } else {
      digits.push(0)
    }
    k >>= 1n
  }
  return Int8Array.from(digits)
}
