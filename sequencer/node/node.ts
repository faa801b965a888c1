/**
 * The zkperp node: one process running the whole operator side of the exchange.
 *
 *   L1 priority queue ──chain watcher──┐
 *   traders ──WebSocket──► gateway ──► input log (LevelDB, synced) ──► sequencer core (matching, risk)
 *   keeper (oracle, funding, liquidations) ─┘                                │ drainTxs
 *                                                                            ▼
 *                         batcher (cut, witness, batch store) ──► settlement (prover pool → submitter → ZkPerp)
 *
 * Durability: the input log and the batch store are the only state on disk. On start the gateway replays the log,
 * the batcher re-applies its stored batches and compares the re-queued txs with them, batches persisted but not on
 * L1 are rebuilt and handed to settlement again (a batch that did land is recognised and not resent), and the chain
 * watcher rescans L1 from the deployment block, delivering only the priority ops the log has not seen.
 *
 * Snapshots of the core are only taken while no drained tx is outside a persisted batch (the batcher's rule), so a
 * restart from a snapshot never loses a tx the batcher was holding.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { Registry } from 'prom-client'
import { createPublicClient, createWalletClient, http, type Address, type Hex, type PublicClient } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Genesis } from '../../sdk/protocol/types.ts'
import { createGenesisState } from '../../sdk/state/state.ts'
import { StateTree } from '../../sdk/state/stateTree.ts'
import type { CircuitArtifactPaths } from '../../prover/proofJob.ts'
import { ProverPool, type ProverPoolOptions } from '../../prover/proverPool.ts'
import { genesisBatchInfo, type StoredBatchInfo } from '../batcher/batchBuild.ts'
import { BatchStore } from '../batcher/batchStore.ts'
import { openBatcher, type Batcher } from '../batcher/batcher.ts'
import { startGateway, type Gateway } from '../gateway/server.ts'
import { FundingKeeper } from '../keeper/fundingKeeper.ts'
import { sequencerView } from '../keeper/keeperView.ts'
import { LiquidationKeeper } from '../keeper/liquidationKeeper.ts'
import { createKeeperMetrics } from '../keeper/metrics.ts'
import { OracleFeeder } from '../keeper/oracleFeeder.ts'
import type { PriceSource } from '../keeper/priceSource.ts'
import { BatchSubmitter, isTransientRpcError } from '../l1/batchSubmitter.ts'
import { chainFor } from '../l1/chain.ts'
import { ChainWatcher, type PriorityOperation } from '../l1/chainWatcher.ts'
import { PriorityDeadlineMonitor } from '../l1/priorityDeadline.ts'
import { DEFAULT_RETRY_POLICY, withRetry } from '../l1/retry.ts'
import { zkPerpAbi } from '../l1/zkPerpAbi.ts'
import { L1AheadOfStoreError, PriorityIndexMismatchError, PriorityOpRefusedError } from './errors.ts'
import { createPriorityDeadlineMetrics, createSettlementMetrics } from './metrics.ts'
import { Settlement } from './settlement.ts'

export type NodeL1Parameters = {
  readonly rpcUrl: string
  readonly chainId: number
  readonly zkPerp: Address
  readonly deploymentBlock: bigint
  /** The operator key: the only one ZkPerp accepts batches from. */
  readonly operatorPrivateKey: Hex
  /**
   * Blocks a priority op must be under before it is sequenced, and a batch transaction before it counts as landed
   * (1 = in the latest block; a reorg shallower than this neither loses nor doubles a deposit or a batch). Default
   * 1, for the devnet's anvil, which mines only when sent a transaction; set it to the settlement chain's reorg
   * depth in production.
   */
  readonly confirmations?: bigint
  /** Milliseconds between L1 scans. Default 1,000. */
  readonly pollIntervalMs?: number
}

export type NodeKeeperParameters = {
  /** The oracle key of every market (the devnet signs all markets with one key). */
  readonly oraclePrivateKey: Uint8Array
  readonly priceSource: PriceSource
  /** Default 1,000 ms. */
  readonly oracleIntervalMs?: number
  /** Book premium sampling and funding checks. Defaults 5,000 and 1,000 ms. */
  readonly fundingSampleMs?: number
  readonly fundingTickMs?: number
  /** Default 250 ms. */
  readonly liquidationIntervalMs?: number
  /**
   * Run the funding and liquidation keepers (default true). A deployment whose batch circuit does not prove funding
   * updates or liquidations yet turns them off: the batcher would pause on the first one rather than skip it.
   */
  readonly funding?: boolean
  readonly liquidations?: boolean
}

export type NodeParameters = {
  readonly genesis: Genesis
  /** T of batch 0, as ZkPerp was deployed with. */
  readonly genesisTimestamp: bigint
  /** Holds `input-log/` and `batches/` (LevelDB). */
  readonly dataDir: string
  /** The batch circuit: wasm, proving key and verification key. */
  readonly circuit: CircuitArtifactPaths
  readonly l1: NodeL1Parameters
  readonly gateway?: { readonly host?: string; readonly port?: number; readonly sequencerPrivateKey?: Hex }
  /** Cut a batch once its oldest tx waited this long (default 2,000 ms); poll the core every `pollIntervalMs` (200). */
  readonly batch?: { readonly maxWaitMs?: number; readonly pollIntervalMs?: number }
  /** Batches persisted but not yet on L1 at which new orders are refused until settlement catches up (default 16). */
  readonly maxSettlementBacklog?: bigint
  /** Warn once the oldest pending priority op is this close to its deadline (default a quarter of the window). */
  readonly priorityDeadlineWarnSeconds?: bigint
  /** Workers (default 1) and attempt timeout (default 600,000 ms); tests also substitute a fault-injecting worker. */
  readonly prover?: Pick<ProverPoolOptions, 'workers' | 'timeoutMs' | 'workerFilename' | 'workerData'>
  /** Omitted: no keeper runs in this process. */
  readonly keeper?: NodeKeeperParameters
  readonly logger: Logger
}

export type NodeStatus = {
  readonly lastSeq: bigint
  readonly nextPriorityIndex: bigint
  readonly batcher: Batcher['status']
  /** A batcher pass is running: txs it drained may be in a batch being built and not yet persisted. */
  readonly batcherPolling: boolean
  readonly lastBatchPersisted: bigint
  readonly settlement: Settlement['status']
  readonly prover: ProverPool['state']
  /** The error that stopped the chain watcher, if it stopped. */
  readonly watcherError: unknown
}

export type ZkPerpNode = {
  readonly gateway: Gateway
  readonly batcher: Batcher
  readonly settlement: Settlement
  readonly pool: ProverPool
  readonly watcher: ChainWatcher
  readonly registry: Registry
  readonly publicClient: PublicClient
  status(): NodeStatus
  /** One batcher pass now (the timer does this every `pollIntervalMs`). */
  pollBatcher(): Promise<void>
  stop(): Promise<void>
}

/** Starts every service of the node; on any failure during start, stops what already started and rethrows. */
export async function startNode(parameters: NodeParameters): Promise<ZkPerpNode> {
  const { genesis, logger, l1 } = parameters
  const stack: Array<() => Promise<void>> = []
  const stopAll = async () => {
    for (const stop of stack.splice(0).reverse()) {
      try {
        await stop()
      } catch (error) {
        logger.error({ err: error }, 'stopping a service failed')
      }
    }
  }
  try {
    mkdirSync(parameters.dataDir, { recursive: true })
    const registry = new Registry()

    // ─── L1 clients ─────────────────────────────────────────────────────────────────────────────────────────
    const chain = chainFor(l1.rpcUrl, l1.chainId)
    const publicClient = createPublicClient({ chain, transport: http(l1.rpcUrl), cacheTime: 0 }) as PublicClient
    const walletClient = createWalletClient({ account: privateKeyToAccount(l1.operatorPrivateKey), chain, transport: http(l1.rpcUrl) })
    const submitter = new BatchSubmitter({
      publicClient,
      walletClient,
      zkPerpAddress: l1.zkPerp,
      batchSlots: genesis.sizes.batchSlots,
      fromBlock: l1.deploymentBlock,
      confirmations: Number(l1.confirmations ?? 1n),
    })

    // ─── Gateway (recovers the core from the input log) ───────────────────────────────────────────────────
    let batcher: Batcher | undefined
    let polling: Promise<void> | undefined
    let settlement: Settlement | undefined
    const gateway = await startGateway({
      genesis,
      logPath: join(parameters.dataDir, 'input-log'),
      ...parameters.gateway,
      registry,
      canSnapshot: () => batcher !== undefined && polling === undefined && batcher.bufferedTxs === 0,
      orderIntake: () => settlement?.orderIntakeRefusal(),
      log: (message) => logger.warn(message),
    })
    stack.push(() => gateway.close())
    const sequencer = gateway.sequencer

    // ─── Batches: L1's last one must be in the store; every later stored one is rebuilt and settled again ───
    const store = await BatchStore.open(join(parameters.dataDir, 'batches'))
    stack.push(() => store.close())
    const l1State = await submitter.readL1BatchState()
    let previous: StoredBatchInfo
    if (l1State.lastBatchNumber === 0n) {
      const state = createGenesisState(genesis)
      previous = genesisBatchInfo(StateTree.fromState(state).stateRoot(state), parameters.genesisTimestamp)
    } else {
      const record = await store.get(l1State.lastBatchNumber)
      if (record === undefined) throw new L1AheadOfStoreError(l1State.lastBatchNumber, await lastStoredBatch(store))
      previous = { batchNumber: record.batchNumber, timestamp: record.timestamp, stateRoot: record.newStateRoot, commitment: record.commitment }
    }

    const pool = new ProverPool({ workers: 1, timeoutMs: 600_000, ...parameters.prover, registry })
    stack.push(() => pool.close())
    const activeSettlement = new Settlement({
      pool,
      submitter,
      previous,
      logger,
      metrics: createSettlementMetrics(registry),
      maxBacklog: parameters.maxSettlementBacklog ?? 16n,
    })
    settlement = activeSettlement
    stack.push(async () => activeSettlement.stop())

    const opened = await openBatcher({
      genesis,
      genesisTimestamp: parameters.genesisTimestamp,
      store,
      source: sequencer,
      circuit: parameters.circuit,
      maxWaitMs: parameters.batch?.maxWaitMs ?? 2_000,
      rebuildFrom: l1State.lastBatchNumber + 1n,
      onBatch: (batch) => {
        logger.info({ batch: batch.batchNumber, txs: batch.txs.length, reason: batch.reason, priorityOps: batch.priorityOps }, 'batch persisted')
        activeSettlement.enqueue(batch)
      },
    })
    batcher = opened.batcher
    const activeBatcher = opened.batcher
    stack.push(async () => {
      await polling
      await activeBatcher.close()
    })
    activeBatcher.on('paused', (error) => logger.error({ err: error }, 'batcher paused'))
    logger.info(
      { lastSeq: sequencer.lastSeq, storedBatches: opened.recovery.batches, rebuilt: opened.rebuilt.length, lastBatchOnL1: l1State.lastBatchNumber },
      'recovered',
    )
    for (const batch of opened.rebuilt) activeSettlement.enqueue(batch)

    const pollBatcher = (): Promise<void> => {
      if (polling !== undefined) return polling
      if (activeBatcher.status.status !== 'running') return Promise.resolve()
      polling = activeBatcher
        .poll()
        .then(
          () => undefined,
          () => undefined, // the batcher pauses itself and emits `paused`
        )
        .finally(() => {
          polling = undefined
        })
      return polling
    }
    const batchTimer = setInterval(() => void pollBatcher(), parameters.batch?.pollIntervalMs ?? 200)
    stack.push(async () => clearInterval(batchTimer))

    // ─── L1 priority ops → input log, exactly once, in queue order ────────────────────────────────────────
    let watcherError: unknown
    const watcher = new ChainWatcher({
      client: publicClient,
      zkPerpAddress: l1.zkPerp,
      fromBlock: l1.deploymentBlock,
      nextPriorityIndex: sequencer.priorityInputs,
      confirmations: l1.confirmations ?? 1n,
      pollIntervalMs: l1.pollIntervalMs ?? 1_000,
      onPriorityOperation: (operation) => sequencePriorityOperation(gateway, operation, logger),
      onRpcError: (error, attempt, delayMs) => logger.warn({ err: error, attempt, delayMs }, 'L1 RPC failed; retrying'),
    })
    watcher.start().catch((error: unknown) => {
      watcherError = error
      logger.error({ err: error }, 'chain watcher stopped')
    })
    stack.push(() => watcher.stop())

    // ─── Priority deadlines (the exodus alert) ────────────────────────────────────────────────────────────
    // Retried like every other L1 read: an RPC hiccup at start-up must not fail the start.
    const priorityWindow = await withRetry(() => publicClient.readContract({ address: l1.zkPerp, abi: zkPerpAbi, functionName: 'PRIORITY_DEADLINE' }), {
      policy: DEFAULT_RETRY_POLICY,
      isTransient: isTransientRpcError,
      onRetry: (error, attempt, delayMs) => logger.warn({ err: error, attempt, delayMs }, 'L1 RPC failed; retrying'),
    })
    const warnBelowSeconds = parameters.priorityDeadlineWarnSeconds ?? priorityWindow / 4n
    const deadlineMetrics = createPriorityDeadlineMetrics(registry)
    let deadlineAtRisk = false
    const deadlineMonitor = new PriorityDeadlineMonitor({
      client: publicClient,
      zkPerpAddress: l1.zkPerp,
      intervalMs: l1.pollIntervalMs ?? 1_000,
      onReading: (reading) => {
        const slackSeconds = reading.oldest?.slackSeconds ?? priorityWindow
        deadlineMetrics.pending.set(Number(reading.pending))
        deadlineMetrics.slackSeconds.set(Number(slackSeconds))
        const atRisk = reading.oldest !== undefined && slackSeconds < warnBelowSeconds
        if (atRisk && !deadlineAtRisk) {
          logger.warn({ ...reading.oldest, pending: reading.pending, warnBelowSeconds }, 'a priority op is near its deadline: past it anyone may activate exodus')
        }
        deadlineAtRisk = atRisk
      },
      onError: (error) => logger.warn({ err: error }, 'reading the priority deadline from L1 failed'),
    })
    deadlineMonitor.start()
    stack.push(() => deadlineMonitor.stop())

    // ─── Keeper ───────────────────────────────────────────────────────────────────────────────────────────
    const keeper = parameters.keeper
    if (keeper !== undefined) {
      const metrics = createKeeperMetrics(registry)
      const append = (input: Parameters<Gateway['submit']>[0]) => gateway.submit(input)
      const view = sequencerView(sequencer)
      const clock = () => BigInt(Math.floor(Date.now() / 1000))
      const feeder = new OracleFeeder({
        url: gateway.url,
        domain: genesis.domain,
        markets: genesis.markets.map((market, index) => ({ market: index, tickSize: market.metadata.tickSize, oraclePrivateKey: keeper.oraclePrivateKey })),
        source: keeper.priceSource,
        intervalMs: keeper.oracleIntervalMs ?? 1_000,
        logger: logger.child({ service: 'oracle' }),
        metrics,
      })
      feeder.start()
      stack.push(() => feeder.stop())
      if (keeper.funding !== false) {
        const funding = new FundingKeeper({ view, append, clock, logger: logger.child({ service: 'funding' }), metrics })
        funding.start({ sampleMs: keeper.fundingSampleMs ?? 5_000, tickMs: keeper.fundingTickMs ?? 1_000 })
        stack.push(() => funding.stop())
      }
      if (keeper.liquidations !== false) {
        const liquidations = new LiquidationKeeper({ view, domain: genesis.domain, append, clock, logger: logger.child({ service: 'liquidation' }), metrics })
        liquidations.start(keeper.liquidationIntervalMs ?? 250)
        stack.push(() => liquidations.stop())
      }
    }

    return {
      gateway,
      batcher: activeBatcher,
      settlement: activeSettlement,
      pool,
      watcher,
      registry,
      publicClient,
      status: () => ({
        lastSeq: sequencer.lastSeq,
        nextPriorityIndex: sequencer.priorityInputs,
        batcher: activeBatcher.status,
        batcherPolling: polling !== undefined,
        lastBatchPersisted: activeBatcher.lastBatchInfo.batchNumber,
        settlement: activeSettlement.status,
        prover: pool.state,
        watcherError,
      }),
      pollBatcher,
      stop: stopAll,
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}

/** One L1 priority op into the input log: it must be the next index the log expects, and the core must take it. */
async function sequencePriorityOperation(gateway: Gateway, operation: PriorityOperation, logger: Logger): Promise<void> {
  const expected = gateway.sequencer.priorityInputs
  if (operation.priorityIndex !== expected) throw new PriorityIndexMismatchError(expected, operation.priorityIndex)
  const { tx } = operation
  const { ack, events } = await gateway.submit(tx.type === 'deposit' ? { kind: 'deposit', tx } : { kind: 'forcedWithdrawal', tx })
  const refused = events.find((event) => event.type === 'txRejected')
  if (refused !== undefined) throw new PriorityOpRefusedError(operation.priorityIndex, tx.type, refused)
  logger.info({ priorityIndex: operation.priorityIndex, type: tx.type, accountIndex: tx.accountIndex, seq: ack.seq }, 'L1 priority op sequenced')
}

async function lastStoredBatch(store: BatchStore): Promise<bigint> {
  let last = 0n
  for await (const record of store.records()) last = record.batchNumber
  return last
}
