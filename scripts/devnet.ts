/**
 * `npm start`: the local devnet. Starts anvil, builds and deploys the contracts, funds demo traders with the
 * devnet quote token, writes `.devnet/deployment.json`, prints the endpoints, and stops everything it started on
 * Ctrl-C, SIGTERM or any error.
 *
 * Services join as they land: the sequencer, prover pool, keeper and oracle feeder (issue 8) start here too.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Command } from 'commander'
import { createPublicClient, createWalletClient, http, parseAbi, toHex, type Address } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { sha256 } from '@noble/hashes/sha2.js'
import { derivePublicKey } from '../sdk/crypto/eddsa.ts'
import { CIRCUIT_SIZES, exampleGenesis } from '../sdk/protocol/config.ts'
import { createGenesisState } from '../sdk/state/state.ts'
import { StateTree } from '../sdk/state/stateTree.ts'
import { startAnvil, type StartAnvilReturnType } from './chain/anvil.ts'
import { deployZkPerp, type DeployZkPerpReturnType } from './chain/deploy.ts'
import { buildContracts } from './chain/buildContracts.ts'

const ROOT = resolve(import.meta.dirname, '..')

/** anvil's well-known development mnemonic: its accounts hold test ether; public, never for real funds. */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'
const anvilAccount = (addressIndex: number) => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex })
const DEMO_TRADERS = 3
const DEMO_TRADER_FUNDS = 1_000_000n * 10n ** 6n

export type DevnetParameters = {
  readonly port: number
  readonly stateDir: string
  readonly log: (line: string) => void
}

export type Devnet = {
  readonly rpcUrl: string
  readonly deployment: DeployZkPerpReturnType | undefined
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

/**
 * The generated batch verifier for the devnet's circuit config, once the batch circuit exists (issue 5). Only
 * generated sources in contracts/src/verifiers/ count: test doubles under contracts/test/ are never deployed.
 */
function findBatchVerifierArtifact(): string | undefined {
  const verifiersDir = join(ROOT, 'contracts/src/verifiers')
  if (!existsSync(verifiersDir)) return undefined
  const match = readdirSync(verifiersDir).find((name) => /^BatchVerifier\w*\.sol$/.test(name))
  return match?.replace(/\.sol$/, '')
}

/** The devnet oracle key, derived from a public seed: dev-only, like every key here. */
function devnetOracleKey() {
  return derivePublicKey(sha256(new TextEncoder().encode('zkperp devnet oracle key v1')))
}

export async function startDevnet({ port, stateDir, log }: DevnetParameters): Promise<Devnet> {
  let anvil: StartAnvilReturnType | undefined
  const stop = async () => {
    await anvil?.stop()
  }
  try {
    await step(log, 'building contracts (forge, offline)', async () => buildContracts())
    anvil = await step(log, `starting anvil on 127.0.0.1:${port}`, () => startAnvil({ port, chainId: 31337 }))
    const rpcUrl = anvil.rpcUrl

    const sizes = CIRCUIT_SIZES.test
    const timestamp = BigInt(Math.floor(Date.now() / 1000))
    // The state root does not depend on the domain (it only enters signed messages), so the genesis root can be
    // computed before the rollup address exists.
    const placeholderDomain = { chainId: 31337n, rollupAddress: `0x${'00'.repeat(20)}` as const }
    const genesis = exampleGenesis({ sizes, domain: placeholderDomain, oracleKey: devnetOracleKey(), timestamp })
    const genesisState = createGenesisState(genesis)
    const genesisRoot = StateTree.fromState(genesisState).stateRoot(genesisState)
    log(`  genesis state root ${genesisRoot}`)

    const verifierArtifact = findBatchVerifierArtifact()
    let deployment: DeployZkPerpReturnType | undefined
    if (verifierArtifact === undefined) {
      log('! the batch circuit is not built yet (issue 5): ZkPerp needs its verifier, so it is not deployed.')
    } else {
      const deployer = anvilAccount(0)
      deployment = await step(log, `deploying ZkPerp with ${verifierArtifact}`, () =>
        deployZkPerp({
          rpcUrl,
          deployerPrivateKey: toHex(deployer.getHdKey().privateKey!),
          operator: deployer.address,
          sizes,
          genesis: { stateRoot: genesisRoot, timestamp },
          verifier: { artifact: verifierArtifact },
        }),
      )
      await step(log, 'funding demo traders with the devnet quote token', () => fundTraders(rpcUrl, deployment!.token))
    }

    mkdirSync(stateDir, { recursive: true })
    writeFileSync(
      join(stateDir, 'deployment.json'),
      `${JSON.stringify({ rpcUrl, chainId: 31337, genesisRoot, genesisTimestamp: timestamp, sizes, deployment }, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`,
    )
    return { rpcUrl, deployment, stop }
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
  const chain = { id: 31337, name: 'devnet', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [rpcUrl] } } } as const
  const wallet = createWalletClient({ account, chain, transport })
  for (let index = 1; index <= DEMO_TRADERS; index++) {
    const hash = await wallet.writeContract({ address: token, abi, functionName: 'mint', args: [anvilAccount(index).address, DEMO_TRADER_FUNDS] })
    await publicClient.waitForTransactionReceipt({ hash })
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const options = new Command('devnet')
    .description('run the zkperp devnet: local chain, contracts and services')
    .option('--port <n>', 'anvil port', '8545')
    .option('--state-dir <dir>', 'devnet state (deployment, LevelDB)', join(ROOT, '.devnet'))
    .parse([...argv], { from: 'user' })
    .opts<{ port: string; stateDir: string }>()
  const log = (line: string) => process.stdout.write(`${line}\n`)
  log('zkperp devnet — DEVELOPMENT ONLY: public keys, an insecure trusted setup, a mintable token.')
  const started = performance.now()
  const devnet = await startDevnet({ port: Number(options.port), stateDir: options.stateDir, log })
  log('')
  log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  log(`  L1 RPC        ${devnet.rpcUrl} (chain 31337)`)
  if (devnet.deployment) {
    log(`  ZkPerp        ${devnet.deployment.zkPerp}`)
    log(`  quote token   ${devnet.deployment.token} (6 decimals; demo traders funded)`)
    log(`  verifier      ${devnet.deployment.verifier}`)
  }
  log(`  state         ${join(options.stateDir, 'deployment.json')}`)
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
