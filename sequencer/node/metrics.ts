/** Prometheus metrics of the settlement loop (prom-client), registered on the node's shared registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

export type SettlementMetrics = {
  readonly batchesPersisted: Gauge
  readonly batchesProven: Gauge
  readonly batchesLanded: Gauge
  /** Batches persisted but not yet proven: how far proving trails matching. */
  readonly proofLag: Gauge
  /** Batches persisted but not yet on L1; above the node's limit new orders are refused. */
  readonly settlementBacklog: Gauge
  /** 1 while new orders are refused for the backlog: the alert. */
  readonly intakePaused: Gauge
  readonly batchTxs: Histogram
  readonly proofSeconds: Histogram
  readonly cutToL1Seconds: Histogram
  readonly l1Gas: Counter
  readonly l1GasPerBatch: Histogram
}

export function createSettlementMetrics(registry: Registry): SettlementMetrics {
  const registers = [registry]
  return {
    batchesPersisted: new Gauge({ name: 'zkperp_batches_persisted', help: 'Number of the last batch cut and persisted', registers }),
    batchesProven: new Gauge({ name: 'zkperp_batches_proven', help: 'Number of the last batch with a verified proof', registers }),
    batchesLanded: new Gauge({ name: 'zkperp_batches_landed', help: 'Number of the last batch accepted on L1', registers }),
    proofLag: new Gauge({ name: 'zkperp_proof_lag_batches', help: 'Batches persisted but not yet proven', registers }),
    settlementBacklog: new Gauge({ name: 'zkperp_settlement_backlog_batches', help: 'Batches persisted but not yet on L1', registers }),
    intakePaused: new Gauge({ name: 'zkperp_intake_paused', help: '1 while new orders are refused because the settlement backlog is at its limit', registers }),
    batchTxs: new Histogram({ name: 'zkperp_batch_txs', help: 'Non-noop txs per batch', buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256], registers }),
    proofSeconds: new Histogram({
      name: 'zkperp_batch_proof_seconds',
      help: 'Witness generation plus Groth16 proving per batch',
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers,
    }),
    cutToL1Seconds: new Histogram({
      name: 'zkperp_batch_cut_to_l1_seconds',
      help: 'Batch persisted to its submitBatch receipt',
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers,
    }),
    l1Gas: new Counter({ name: 'zkperp_l1_gas_total', help: 'Gas used by submitBatch transactions', registers }),
    l1GasPerBatch: new Histogram({
      name: 'zkperp_l1_gas_per_batch',
      help: 'Gas used by one submitBatch',
      buckets: [250_000, 300_000, 350_000, 400_000, 500_000, 750_000, 1_000_000, 2_000_000],
      registers,
    }),
  }
}

export type PriorityDeadlineMetrics = {
  readonly pending: Gauge
  /** Seconds to the oldest pending op's deadline: the exodus alert. */
  readonly slackSeconds: Gauge
}

export function createPriorityDeadlineMetrics(registry: Registry): PriorityDeadlineMetrics {
  const registers = [registry]
  return {
    pending: new Gauge({ name: 'zkperp_priority_ops_pending', help: 'Priority ops (deposits, forced withdrawals) queued on L1 and not yet in a landed batch', registers }),
    slackSeconds: new Gauge({
      name: 'zkperp_priority_deadline_slack_seconds',
      help: "Seconds until the oldest pending priority op's deadline, after which anyone may activate exodus; the whole window when none is pending",
      registers,
    }),
  }
}
