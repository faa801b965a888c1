import { BaseError } from '../../sdk/errors.ts'

/** Keeper configuration that cannot work (a bound outside the protocol's ranges, an empty market list, …). */
export class KeeperConfigInvalidError extends BaseError {
  static readonly code = 'KEEPER_CONFIG_INVALID' as const
  override readonly name = 'Keeper.ConfigInvalidError'
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(KeeperConfigInvalidError.code, `keeper configuration invalid: ${reason}`, { details: { reason, ...details } })
  }
}

/** A price source returned a price the protocol cannot carry (≤ 0, ≥ 2^48, or off the market's tick). */
export class PriceSourceInvalidPriceError extends BaseError {
  static readonly code = 'PRICE_SOURCE_INVALID_PRICE' as const
  override readonly name = 'Keeper.PriceSourceInvalidPriceError'
  constructor(readonly market: number, readonly price: bigint, readonly tickSize: bigint) {
    super(PriceSourceInvalidPriceError.code, 'price source returned an unusable price', { details: { market, price, tickSize } })
  }
}

/** The gateway refused an oracle price (a rejected reply, or an ack whose oracle update the state machine refused). */
export class OraclePriceRefusedError extends BaseError {
  static readonly code = 'ORACLE_PRICE_REFUSED' as const
  override readonly name = 'Keeper.OraclePriceRefusedError'
  constructor(readonly market: number, readonly price: bigint, readonly timestamp: bigint, readonly reason: string, cause?: unknown) {
    super(OraclePriceRefusedError.code, 'gateway refused the oracle price', { details: { market, price, timestamp, reason }, cause })
  }
}
