/**
 * `npm start`: the local devnet. Starts anvil, builds the contracts, builds the `test` batch circuit and its dev
 * trusted setup (cached by content hash; the first run shows their progress), deploys ZkPerp with the generated
 * verifier and a mintable 6-decimal quote token, funds demo traders, then starts the node: gateway (WebSocket and
 * HTTP, /metrics), input log and batch store in LevelDB, batcher, prover pool, chain watcher, submitter, oracle
 * feeder (seeded random walk), funding keeper and liquidation keeper. Writes `.devnet/deployment.json` (what the
 * `zkperp` CLI reads), prints the endpoints, and stops everything it started on Ctrl-C, SIGTERM or any error.
 *
 * Each start is a new chain (anvil keeps no state), so the node's LevelDB folders are reset with it.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Command } from 'commander'
import pino, { type Logger } from 'pino'
import { createPublicClient, createWalletClient, http, parseAbi, toHex, type Address, type Hex } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { sha256 } from '@noble/hashes/sha2.js'
import { CIRCUIT_DOMAIN } from '../circuits/configs.ts'
import { genesisToJson } from '../cli/genesisFile.ts'
import { derivePublicKey } from '../sdk/crypto/eddsa.ts'
import { CIRCUIT_SIZES, exampleGenesis, validateGenesis } from '../sdk/protocol/config.ts'
import type { Genesis } from '../sdk/protocol/types.ts'
import { createGenesisState } from '../sdk/state/state.ts'
import { StateTree } from '../sdk/state/stateTree.ts'
import { RandomWalkPriceSource } from '../sequencer/keeper/priceSource.ts'
import { chainFor } from '../sequencer/l1/chain.ts'
import { startNode, type NodeParameters, type ZkPerpNode } from '../sequencer/node/node.ts'
import { startAnvil, type StartAnvilReturnType } from './chain/anvil.ts'
import { deployZkPerp, type DeployZkPerpReturnType } from './chain/deploy.ts'
import { buildContracts } from './chain/buildContracts.ts'
import { prepareBatchArtifacts } from './circuit/batchPipeline.ts'
import { nodeConfigFile } from './node.ts'

const ROOT = resolve(import.meta.dirname, '..')

/** anvil's well-known development mnemonic: its accounts hold test ether; public, never for real funds. */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'
const anvilAccount = (addressIndex: number) => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex })
const DEMO_TRADERS = 3
const DEMO_TRADER_FUNDS = 1_000_000n * 10n ** 6n

export type DevnetParameters = {
  /** anvil's port (0: any free one). */
  readonly port: number
  /** The gateway's port (0: any free one). */
  readonly gatewayPort: number
  readonly stateDir: string
  readonly log: (line: string) => void
  /** The node's structured log (default: pino to stderr at `info`). */
  readonly logger?: Logger
  /** Overrides for the node's timing (tests shorten batch waits and keeper intervals). */
  readonly node?: Pick<NodeParameters, 'batch' | 'prover' | 'maxSettlementBacklog'> & { readonly keeper?: boolean; readonly oracleIntervalMs?: number }
  /** Every market's funding interval (default the example markets' hour): tests shorten it to see funding applied. */
  readonly fundingIntervalSeconds?: bigint
  /** ZkPerp's window for processing a deposit or forced withdrawal (default 3 days): tests shorten it. */
  readonly priorityDeadlineSeconds?: bigint
}

export type Devnet = {
  readonly rpcUrl: string
  readonly gatewayUrl: string
  readonly genesis: Genesis
  readonly genesisTimestamp: bigint
  readonly deployment: DeployZkPerpReturnType
  readonly deploymentFile: string
  /** The node's config (`npm run node -- --config <file>` runs the same node as its own process). */
  readonly nodeConfigFile: string
  /** The running node (replaced by `restartNode`). */
  readonly node: ZkPerpNode
  /** Stops the node and starts it again on the same LevelDB folders and chain: what a crashed operator does. */
  restartNode(): Promise<ZkPerpNode>
  /** anvil's funded development keys: 0 is the deployer and operator, 1…3 the demo traders. */
  readonly keys: readonly Hex[]
  stop(): Promise<void>
}

function step<T>(log: (line: string) => void, label: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now()
  log(`… ${label}`)
  return run().then((value) => {
    log(`✓ ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
    return value
  })
}

/** The generated batch verifier for the devnet's circuit config (never a test double from contracts/test/). */
function findBatchVerifierArtifact(): string {
  const verifiersDir = join(ROOT, 'contracts/src/verifiers')
  const match = existsSync(verifiersDir) ? readdirSync(verifiersDir).find((name) => /^BatchVerifier\w*\.sol$/.test(name)) : undefined
  if (match === undefined) throw new Error('contracts/src/verifiers has no generated BatchVerifier*.sol (run `npm run fixtures:batch`)')
  return match.replace(/\.sol$/, '')
}

/** The devnet oracle key, derived from a public seed: dev-only, like every key here. */
export const DEVNET_ORACLE_PRIVATE_KEY = sha256(new TextEncoder().encode('zkperp devnet oracle key v1'))

const privateKeyOf = (index: number): Hex => toHex(anvilAccount(index).getHdKey().privateKey!)

/** The genesis with every market's funding interval replaced (and validated), or as it is. */
function withFundingInterval(genesis: Genesis, fundingIntervalSeconds: bigint | undefined): Genesis {
  if (fundingIntervalSeconds === undefined) return genesis
  const markets = genesis.markets.map((market) => ({ ...market, parameters: { ...market.parameters, fundingIntervalSeconds } }))
  const shortened = { ...genesis, markets }
  validateGenesis(shortened)
  return shortened
}

export async function startDevnet({ port, gatewayPort, stateDir, log, logger, node: nodeOptions = {}, fundingIntervalSeconds, priorityDeadlineSeconds }: DevnetParameters): Promise<Devnet> {
  let anvil: StartAnvilReturnType | undefined
  let node: ZkPerpNode | undefined
  const stop = async () => {
    await node?.stop()
    await anvil?.stop()
  }
  try {
    await step(log, 'building contracts (forge, offline)', async () => buildContracts())
    const artifacts = await step(log, 'batch circuit and dev trusted setup (cached by content hash)', () => prepareBatchArtifacts({ log: (line) => log(`  ${line}`) }))
    anvil = await step(log, `starting anvil on 127.0.0.1:${port}`, () => startAnvil({ ...(port === 0 ? {} : { port }), chainId: 31337 }))
    const rpcUrl = anvil.rpcUrl

    const sizes = CIRCUIT_SIZES.test
    const timestamp = BigInt(Math.floor(Date.now() / 1000))
    // The signing domain is a constant of the compiled circuit (circuits/configs.ts), so the devnet signs with the
    // `test` circuit's domain; a production deployment compiles its circuit for its own chain id and address.
    const genesis = withFundingInterval(exampleGenesis({ sizes, domain: CIRCUIT_DOMAIN, oracleKey: derivePublicKey(DEVNET_ORACLE_PRIVATE_KEY), timestamp }), fundingIntervalSeconds)
    const genesisState = createGenesisState(genesis)
    const genesisRoot = StateTree.fromState(genesisState).stateRoot(genesisState)
    log(`  genesis state root ${genesisRoot}`)

    const verifierArtifact = findBatchVerifierArtifact()
    const operatorKey = privateKeyOf(0)
    const deployment = await step(log, `deploying ZkPerp with ${verifierArtifact}`, () =>
      deployZkPerp({
        rpcUrl,
        deployerPrivateKey: operatorKey,
        operator: anvilAccount(0).address,
        sizes,
        genesis: { stateRoot: genesisRoot, timestamp },
        verifier: { artifact: verifierArtifact },
        ...(priorityDeadlineSeconds === undefined ? {} : { priorityDeadlineSeconds }),
      }),
    )
    await step(log, 'funding demo traders with the devnet quote token', () => fundTraders(rpcUrl, deployment.token))

    // A new chain: the node's logs from an earlier run describe a chain that no longer exists.
    const dataDir = join(stateDir, 'node')
    rmSync(dataDir, { recursive: true, force: true })
    mkdirSync(stateDir, { recursive: true })
    const keeper = nodeOptions.keeper !== false
    const nodeParameters: NodeParameters = {
      genesis,
      genesisTimestamp: timestamp,
      dataDir,
      circuit: { wasmPath: artifacts.circuit.wasmPath, zkeyPath: artifacts.setup.zkeyPath, vkeyPath: artifacts.setup.vkeyPath },
      l1: { rpcUrl, chainId: 31337, zkPerp: deployment.zkPerp, deploymentBlock: deployment.deploymentBlock, operatorPrivateKey: operatorKey },
      gateway: { port: gatewayPort },
      ...(nodeOptions.batch === undefined ? {} : { batch: nodeOptions.batch }),
      ...(nodeOptions.prover === undefined ? {} : { prover: nodeOptions.prover }),
      ...(nodeOptions.maxSettlementBacklog === undefined ? {} : { maxSettlementBacklog: nodeOptions.maxSettlementBacklog }),
      ...(keeper
        ? {
            keeper: {
              oraclePrivateKey: DEVNET_ORACLE_PRIVATE_KEY,
              priceSource: new RandomWalkPriceSource({
                seed: 1n,
                markets: genesis.markets.map((market) => ({ initialPrice: market.initialPrice, tickSize: market.metadata.tickSize, maxStepTicks: 20n })),
              }),
              // Each price round is a batch to prove: one worker proves a `test` batch in 20–28 s here, so prices every
              // 30 s (half the 60 s oracle age limit) keep the prover ahead and leave room for trades.
              oracleIntervalMs: nodeOptions.oracleIntervalMs ?? 30_000,
            },
          }
        : {}),
      logger: logger ?? pino({ level: 'info' }, pino.destination(2)),
    }
    node = await step(log, 'starting the node (gateway, batcher, prover pool, chain watcher, submitter, oracle feeder, funding and liquidation keepers)', () => startNode(nodeParameters))

    const nodeConfigPath = join(stateDir, 'node.json')
    const { logger: _logger, keeper: _keeper, ...fileParameters } = nodeParameters
    writeFileSync(nodeConfigPath, `${JSON.stringify(nodeConfigFile(fileParameters), null, 2)}\n`)
    const deploymentFile = join(stateDir, 'deployment.json')
    const gatewayUrl = node.gateway.url
    writeFileSync(
      deploymentFile,
      `${JSON.stringify(
        { rpcUrl, gatewayUrl, chainId: 31337, genesisRoot, genesisTimestamp: timestamp, sizes, genesis: genesisToJson(genesis), deployment },
        (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value),
        2,
      )}\n`,
    )
    const started = node
    const devnet: Devnet = {
      rpcUrl,
      gatewayUrl,
      genesis,
      genesisTimestamp: timestamp,
      deployment,
      deploymentFile,
      nodeConfigFile: nodeConfigPath,
      get node() {
        return node ?? started
      },
      async restartNode() {
        await node?.stop()
        node = undefined
        // The same port: clients and the deployment file keep their URL.
        node = await startNode({ ...nodeParameters, gateway: { port: started.gateway.port } })
        return node
      },
      keys: [0, 1, 2, 3].map(privateKeyOf),
      stop,
    }
    return devnet
  } catch (error) {
    await stop()
    throw error
  }
}

async function fundTraders(rpcUrl: string, token: Address): Promise<void> {
  const abi = parseAbi(['function mint(address to, uint256 amount)'])
  const transport = http(rpcUrl)
  const publicClient = createPublicClient({ transport })
  const account = anvilAccount(0)
  const wallet = createWalletClient({ account, chain: chainFor(rpcUrl, 31337), transport })
  for (let index = 1; index <= DEMO_TRADERS; index++) {
    const hash = await wallet.writeContract({ address: token, abi, functionName: 'mint', args: [anvilAccount(index).address, DEMO_TRADER_FUNDS] })
    await publicClient.waitForTransactionReceipt({ hash })
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const options = new Command('devnet')
    .description('run the zkperp devnet: local chain, contracts and services')
    .option('--port <n>', 'anvil port', '8545')
    .option('--gateway-port <n>', 'gateway port (WebSocket and HTTP)', '8546')
    .option('--state-dir <dir>', 'devnet state (deployment, LevelDB)', join(ROOT, '.devnet'))
    .parse([...argv], { from: 'user' })
    .opts<{ port: string; gatewayPort: string; stateDir: string }>()
  const log = (line: string) => process.stdout.write(`${line}\n`)
  log('zkperp devnet — DEVELOPMENT ONLY: public keys, an insecure trusted setup, a mintable token.')
  const started = performance.now()
  const devnet = await startDevnet({ port: Number(options.port), gatewayPort: Number(options.gatewayPort), stateDir: options.stateDir, log })
  const { gateway } = devnet.node
  log('')
  log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  log(`  L1 RPC        ${devnet.rpcUrl} (chain 31337)`)
  log(`  ZkPerp        ${devnet.deployment.zkPerp}`)
  log(`  quote token   ${devnet.deployment.token} (6 decimals; demo traders funded)`)
  log(`  verifier      ${devnet.deployment.verifier}`)
  log(`  gateway       ${gateway.url} (WebSocket)  ${gateway.httpUrl} (HTTP)`)
  log(`  metrics       ${gateway.httpUrl}/metrics`)
  log(`  deployment    ${devnet.deploymentFile}`)
  devnet.keys.slice(1).forEach((key, index) => log(`  demo trader ${index + 1} ${anvilAccount(index + 1).address} key ${key}`))
  log('Try: ZKPERP_PRIVATE_KEY=<demo key> npm run zkperp -- deposit --amount 1000')
  log('Ctrl-C stops everything.')

  let stopping = false
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    log(`\n${signal}: stopping…`)
    devnet.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => shutdown('SIGINT'))
  process.on('SIGTERM', () => shutdown('SIGTERM'))
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`devnet failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  })
}
