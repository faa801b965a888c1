/** The prover pool's Prometheus metrics, registered on a registry the caller owns. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { PROOF_FAILURE_KINDS, type ProofFailureKind } from './errors.ts'

export type ProverMetrics = {
  /** Worker time of a successful attempt, by stage (`witness`, `proving`) and in total (`total`, parent verify included). */
  readonly proofSeconds: Histogram<'stage'>
  /** Jobs accepted and not yet settled: queued, in flight or waiting out a backoff. */
  readonly queueDepth: Gauge
  /** Attempts running on a worker now. */
  readonly inFlight: Gauge
  /** Failed attempts by kind (error, exit, timeout, oom, malformed, publicSignals, verify). */
  readonly failures: Counter<'kind'>
  /** Verified proofs returned to submitters. */
  readonly delivered: Counter
  /** Jobs whose proof was not delivered because the batch was cancelled or replaced. */
  readonly superseded: Counter<'reason'>
  /** 1 while the pool is paused after repeated failure of one job, else 0. */
  readonly paused: Gauge
}

const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 60, 120, 300, 600]

export function createProverMetrics(registry: Registry): ProverMetrics {
  const registers = [registry]
  const failures = new Counter({
    name: 'zkperp_prover_failures_total',
    help: 'Failed proving attempts, by kind',
    labelNames: ['kind'],
    registers,
  })
  // Every kind exported from the start at 0, so a rate() over it exists before the first failure.
  for (const kind of PROOF_FAILURE_KINDS satisfies readonly ProofFailureKind[]) failures.inc({ kind }, 0)
  return {
    proofSeconds: new Histogram({
      name: 'zkperp_prover_proof_seconds',
      help: 'Time of successful proving attempts, by stage',
      labelNames: ['stage'],
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    queueDepth: new Gauge({ name: 'zkperp_prover_queue_depth', help: 'Proof jobs accepted and not yet settled', registers }),
    inFlight: new Gauge({ name: 'zkperp_prover_in_flight', help: 'Proving attempts running on a worker', registers }),
    failures,
    delivered: new Counter({ name: 'zkperp_prover_proofs_delivered_total', help: 'Verified proofs delivered', registers }),
    superseded: new Counter({
      name: 'zkperp_prover_jobs_superseded_total',
      help: 'Jobs dropped because their batch was cancelled or replaced',
      labelNames: ['reason'],
      registers,
    }),
    paused: new Gauge({ name: 'zkperp_prover_paused', help: '1 while the pool is paused after repeated failure', registers }),
  }
}
