/**
 * Margin arithmetic (docs/protocol.md §4), exact and division-free: requirements are compared cross-multiplied by
 * 10,000 (`equity · 10,000 ≥ Σ notional_m · bps_m`), the same comparison the circuit makes. Callers pass accounts
 * whose funding is already settled.
 */
import { BASIS_POINTS } from '../protocol/bounds.ts'
import { absolute } from '../protocol/rounding.ts'
import type { Account, MarketParameters, MarketState, Position } from '../protocol/types.ts'

/** Which basis-point parameter weighs the notional. */
export type MarginRate = Extract<keyof MarketParameters, 'imfBps' | 'mmfBps' | 'fullLiquidationBps' | 'backstopBps'>

/** `collateral + Σ_m size_m · oraclePrice_m`. */
export function computeEquity(account: Pick<Account, 'collateral' | 'positions'>, markets: readonly MarketState[]): bigint {
  let equity = account.collateral
  for (let m = 0; m < markets.length; m++) equity += account.positions[m]!.size * markets[m]!.oraclePrice
  return equity
}

/** `Σ_m |size_m| · oraclePrice_m`. */
export function computeNotional(positions: readonly Position[], markets: readonly MarketState[]): bigint {
  let notional = 0n
  for (let m = 0; m < markets.length; m++) notional += absolute(positions[m]!.size) * markets[m]!.oraclePrice
  return notional
}

/** `Σ_m |size_m| · oraclePrice_m · rate_m`: the requirement scaled by 10,000 (no division). */
export function computeScaledRequirement(
  positions: readonly Position[],
  markets: readonly MarketState[],
  rate: MarginRate,
): bigint {
  let requirement = 0n
  for (let m = 0; m < markets.length; m++) {
    const size = positions[m]!.size
    if (size !== 0n) requirement += absolute(size) * markets[m]!.oraclePrice * markets[m]!.parameters[rate]
  }
  return requirement
}

export type MarginCheck = {
  equity: bigint
  /** `Σ notional · bps` (the requirement × 10,000). */
  scaledRequirement: bigint
  passes: boolean
}

export function checkMargin(
  account: Pick<Account, 'collateral' | 'positions'>,
  markets: readonly MarketState[],
  rate: MarginRate,
): MarginCheck {
  const equity = computeEquity(account, markets)
  const scaledRequirement = computeScaledRequirement(account.positions, markets, rate)
  return { equity, scaledRequirement, passes: equity * BASIS_POINTS >= scaledRequirement }
}

export function passesInitialMargin(account: Pick<Account, 'collateral' | 'positions'>, markets: readonly MarketState[]): boolean {
  return checkMargin(account, markets, 'imfBps').passes
}

export function passesMaintenanceMargin(
  account: Pick<Account, 'collateral' | 'positions'>,
  markets: readonly MarketState[],
): boolean {
  return checkMargin(account, markets, 'mmfBps').passes
}

/** `|newSize| ≤ |oldSize|` without a change of sign (zero allowed): the position only shrank. */
export function isReducingOnly(oldSize: bigint, newSize: bigint): boolean {
  if (newSize === 0n) return true
  if (oldSize > 0n) return newSize > 0n && newSize <= oldSize
  if (oldSize < 0n) return newSize < 0n && newSize >= oldSize
  return false
}

/** Long open interest contributed by one position: `max(0, size)`. */
export function longSize(size: bigint): bigint {
  return size > 0n ? size : 0n
}
