/**
 * Named integer rounding (docs/protocol.md §1), identical in TS, circom and Solidity. The circuit proves a division
 * with a hint `q`, `r` pinned by `a = q·d + r`, `0 ≤ r < d`; `floorDiv` returns exactly that `q`.
 */
import { DivisorNotPositiveError } from './errors.ts'

/** ⌊a / d⌋, rounding toward −∞ (bigint `/` truncates toward 0). Throws DIVISOR_NOT_POSITIVE unless d > 0. */
export function floorDiv(a: bigint, d: bigint): bigint {
  if (d <= 0n) throw new DivisorNotPositiveError(d)
  const quotient = a / d
  return a % d < 0n ? quotient - 1n : quotient
}

/** ⌈a / d⌉ = −floorDiv(−a, d). Throws DIVISOR_NOT_POSITIVE unless d > 0. */
export function ceilDiv(a: bigint, d: bigint): bigint {
  return -floorDiv(-a, d)
}

/** The remainder that pairs with floorDiv: a − floorDiv(a, d)·d, always in [0, d). */
export function floorMod(a: bigint, d: bigint): bigint {
  return a - floorDiv(a, d) * d
}

/** floorDiv(a·b, d): e.g. `fee = mulDivDown(notional, feeBps, 10_000n)`. */
export function mulDivDown(a: bigint, b: bigint, d: bigint): bigint {
  return floorDiv(a * b, d)
}

/** ceilDiv(a·b, d): e.g. the initial margin a forced withdrawal must leave behind. */
export function mulDivUp(a: bigint, b: bigint, d: bigint): bigint {
  return ceilDiv(a * b, d)
}

export function absolute(value: bigint): bigint {
  return value < 0n ? -value : value
}
