/** Curve points for tests: the full-order generator and the eight points of order dividing 8. */
import { addPoints, mulPoint, type Point, SUBGROUP_ORDER } from './babyJubJub.ts'

/** circomlib's `Generator`: order 8·l; Base8 = 8·Generator. */
export const GENERATOR: Point = {
  x: 995203441582195749578291179787384436505546430278305826713579947235728471134n,
  y: 5472060717959818805561601436314318772137091100104008585924551046643952123905n,
}

/** T8 = l·Generator has order exactly 8. */
export const TORSION8: Point = mulPoint(GENERATOR, SUBGROUP_ORDER)

/** k·T8 for k = 0..7: every point whose order divides 8. */
export const LOW_ORDER_POINTS: readonly Point[] = Array.from({ length: 8 }, (_, k) => mulPoint(TORSION8, BigInt(k)))

export function withTorsion(point: Point, k: number): Point {
  return addPoints(point, LOW_ORDER_POINTS[k % 8]!)
}
