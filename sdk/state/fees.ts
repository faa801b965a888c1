/**
 * Trading fees (docs/protocol.md §4): `fee = floorDiv(notional · feeBps, 10,000)` at the fill price, taken from the
 * paying account at once and added to the batch fee accumulator, credited to the fee account at the end of the batch.
 */
import { BASIS_POINTS } from '../protocol/bounds.ts'
import { mulDivDown } from '../protocol/rounding.ts'

export function computeFee(size: bigint, price: bigint, feeBps: bigint): bigint {
  return mulDivDown(size * price, feeBps, BASIS_POINTS)
}
