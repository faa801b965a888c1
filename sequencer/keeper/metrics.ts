/** Prometheus metrics of the keeper (prom-client), registered on the caller's registry. */
import { Counter, Gauge, type Registry } from 'prom-client'

export type KeeperMetrics = {
  /** Oracle prices sent, by market and outcome (`accepted`, a refusal code, `transport`). */
  readonly oraclePrices: Counter<'market' | 'outcome'>
  /** The last oracle price accepted, per market (quote base units per lot). */
  readonly oraclePrice: Gauge<'market'>
  /** The funding rate last applied, per market, in ppm per interval. */
  readonly fundingRate: Gauge<'market'>
  /** Funding updates appended, by market and outcome. */
  readonly fundingUpdates: Counter<'market' | 'outcome'>
  /** Risk actions appended, by type (`liquidation`, `backstop`, `autoDeleverage`) and outcome. */
  readonly liquidations: Counter<'type' | 'outcome'>
  /** Accounts below maintenance at the last scan. */
  readonly undercollateralized: Gauge
}

export function createKeeperMetrics(registry: Registry): KeeperMetrics {
  const registers = [registry]
  return {
    oraclePrices: new Counter({ name: 'zkperp_keeper_oracle_prices_total', help: 'Oracle prices sent', labelNames: ['market', 'outcome'], registers }),
    oraclePrice: new Gauge({ name: 'zkperp_keeper_oracle_price', help: 'Last accepted oracle price (quote units per lot)', labelNames: ['market'], registers }),
    fundingRate: new Gauge({ name: 'zkperp_keeper_funding_rate_ppm', help: 'Last applied funding rate (ppm per interval)', labelNames: ['market'], registers }),
    fundingUpdates: new Counter({ name: 'zkperp_keeper_funding_updates_total', help: 'Funding updates appended', labelNames: ['market', 'outcome'], registers }),
    liquidations: new Counter({ name: 'zkperp_keeper_liquidations_total', help: 'Liquidation, backstop and ADL txs appended', labelNames: ['type', 'outcome'], registers }),
    undercollateralized: new Gauge({ name: 'zkperp_keeper_undercollateralized_accounts', help: 'Accounts below maintenance at the last scan', registers }),
  }
}
