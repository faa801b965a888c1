import pino from 'pino'
import type { FaultPlan } from '../prover/testing/faultyProofWorker.ts'
import { startDevnet, type Devnet, type DevnetParameters } from '../scripts/devnet.ts'

/** A devnet for tests: free ports for anvil and the gateway, no progress lines, a silent node logger. */
export function startQuietDevnet(stateDir: string, parameters: Pick<DevnetParameters, 'node' | 'fundingIntervalSeconds' | 'priorityDeadlineSeconds'>): Promise<Devnet> {
  return startDevnet({ port: 0, gatewayPort: 0, stateDir, log: () => {}, logger: pino({ level: 'silent' }), ...parameters })
}

const FAULTY_WORKER = new URL('../prover/testing/faultyProofWorker.ts', import.meta.url).href

/**
 * A quiet devnet whose node holds at most one batch between cut and L1 (`maxSettlementBacklog` 1), cuts batches
 * within 300 ms, runs no keeper, and proves through the faulty worker with `faults` (delays, crashes per attempt).
 */
export function startSlowProverDevnet(stateDir: string, faults: FaultPlan, parameters: Pick<DevnetParameters, 'priorityDeadlineSeconds'> = {}): Promise<Devnet> {
  return startQuietDevnet(stateDir, {
    node: {
      batch: { maxWaitMs: 300, pollIntervalMs: 50 },
      keeper: false,
      maxSettlementBacklog: 1n,
      prover: { workerFilename: FAULTY_WORKER, workerData: { faults } },
    },
    ...parameters,
  })
}

/** Polls `condition` every 50 ms until it holds; after `timeoutMs` throws, naming `what` and the node's status. */
export async function until(devnet: Devnet, what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const status = JSON.stringify(devnet.node.status(), (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))
      throw new Error(`timed out waiting for ${what}: ${status}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The value of one of the node's unlabelled gauges. */
export async function gauge(devnet: Devnet, name: string): Promise<number> {
  const metric = await devnet.node.registry.getSingleMetric(name)?.get()
  if (metric === undefined) throw new Error(`no metric ${name}`)
  return metric.values[0]?.value ?? 0
}
