/**
 * Oracle update (docs/protocol.md §5.6). Checks, in order: market < M; price and timestamp in bounds; signature
 * by the market's oracle key; `oracleTime < timestamp`; `timestamp ≤ T`.
 */
import { assertPrice, assertTimestamp } from '../protocol/bounds.ts'
import type { OracleUpdateTx } from '../protocol/types.ts'
import { TimestampInFutureError, TimestampNotIncreasingError } from './errors.ts'
import { reject, requireInBounds } from './rejection.ts'
import { requireOracleSignature } from './signatures.ts'
import type { ExchangeState } from './state.ts'
import { requireMarket } from './touch.ts'
import type { TxContext, TxEffect } from './txEffect.ts'

export function prepareOracleUpdate(state: ExchangeState, tx: OracleUpdateTx, context: TxContext): TxEffect {
  const { market, price, timestamp } = tx
  const marketState = requireMarket(state, market)
  requireInBounds(() => assertPrice(price, 'oracle price'))
  requireInBounds(() => assertTimestamp(timestamp, 'oracle timestamp'))
  requireOracleSignature(tx, marketState.parameters.oracleKey, context)
  if (timestamp <= marketState.oracleTime) reject(new TimestampNotIncreasingError(market, marketState.oracleTime, timestamp))
  if (timestamp > context.batchTimestamp) reject(new TimestampInFutureError(timestamp, context.batchTimestamp))
  return {
    writes: [{ kind: 'market', market, marketState: { ...marketState, oraclePrice: price, oracleTime: timestamp } }],
    fee: 0n,
    penalty: 0n,
    events: [{ type: 'oracleUpdated', market, price, timestamp }],
    pubdata: { type: 'oracleUpdate', market, price, timestamp },
  }
}
