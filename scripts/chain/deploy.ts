/**
 * Deploys the zkperp settlement contracts with viem: the Poseidon hash contracts the exit path needs, the quote
 * token (the devnet's 6-decimal MockQuoteToken unless an existing token is given), the batch verifier (an existing
 * address, or a generated verifier artifact from contracts/src/verifiers/) and ZkPerp. Used by the devnet and the
 * e2e tests. Contract artifacts come from `forge build` (contracts/out).
 *
 * CLI: `tsx scripts/chain/deploy.ts --rpc <url> --private-key <hex> --operator <address> --verifier-artifact
 *   BatchVerifier --genesis-root <n> --genesis-timestamp <n> [--account-depth 2 --markets 2 --batch-slots 8]`
 * prints the addresses as JSON.
 */
import { readFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Command } from 'commander'
import {
  type Abi,
  type Address,
  type Hex,
  createPublicClient,
  createWalletClient,
  http,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { BaseError } from '../../sdk/errors.ts'
import { poseidonCreationCode } from './poseidonContracts.ts'
import { chainFor } from '../../sequencer/l1/chain.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const ARTIFACTS = join(ROOT, 'contracts/out')
const FIELD_MODULUS = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n

export class ArtifactMissingError extends BaseError {
  static readonly code = 'CONTRACT_ARTIFACT_MISSING' as const
  override readonly name = 'Chain.ArtifactMissingError'
  constructor(readonly path: string) {
    super(ArtifactMissingError.code, 'contract artifact not found: run `forge build` first', { details: { path } })
  }
}

export class DeploymentFailedError extends BaseError {
  static readonly code = 'CONTRACT_DEPLOYMENT_FAILED' as const
  override readonly name = 'Chain.DeploymentFailedError'
  constructor(readonly contract: string, readonly transactionHash: Hex) {
    super(DeploymentFailedError.code, 'contract deployment reverted', { details: { contract, transactionHash } })
  }
}

export class InvalidDeployParametersError extends BaseError {
  static readonly code = 'INVALID_DEPLOY_PARAMETERS' as const
  override readonly name = 'Chain.InvalidDeployParametersError'
  constructor(readonly field: string, readonly value: unknown) {
    super(InvalidDeployParametersError.code, 'invalid deploy parameter', { details: { field, value: String(value) } })
  }
}

export type ContractArtifact = { readonly abi: Abi; readonly bytecode: Hex }

/** Reads `contracts/out/<file>/<name>.json` (file defaults to `<name>.sol`). */
export function readArtifact(name: string, file = `${name}.sol`): ContractArtifact {
  const path = join(ARTIFACTS, file, `${name}.json`)
  if (!existsSync(path)) throw new ArtifactMissingError(path)
  const json = JSON.parse(readFileSync(path, 'utf8')) as { abi: Abi; bytecode: { object: string } }
  const object = json.bytecode.object
  return { abi: json.abi, bytecode: (object.startsWith('0x') ? object : `0x${object}`) as Hex }
}

export type DeployZkPerpParameters = {
  readonly rpcUrl: string
  readonly deployerPrivateKey: Hex
  /** The only address allowed to submit batches. */
  readonly operator: Address
  /** Must match the batch circuit's configuration. */
  readonly sizes: { readonly accountDepth: number; readonly markets: number; readonly batchSlots: number }
  readonly genesis: { readonly stateRoot: bigint; readonly timestamp: bigint }
  /** An already deployed verifier, or the name of a generated verifier artifact (contracts/src/verifiers/). */
  readonly verifier: { readonly address: Address } | { readonly artifact: string }
  /** An existing quote token; omitted: deploy the devnet MockQuoteToken (6 decimals, open mint). */
  readonly token?: Address
  /** Default 3 days. */
  readonly priorityDeadlineSeconds?: bigint
  /** Default 15 minutes. */
  readonly timestampToleranceSeconds?: bigint
}

export type PoseidonAddresses = {
  readonly inputs2: Address
  readonly inputs4: Address
  readonly inputs6: Address
  readonly inputs7: Address
  readonly inputsMarkets: Address
}

export type DeployZkPerpReturnType = {
  readonly zkPerp: Address
  readonly token: Address
  readonly verifier: Address
  readonly poseidon: PoseidonAddresses
  /** Block of the ZkPerp deployment: watchers start here. */
  readonly deploymentBlock: bigint
}

/** Deploys everything ZkPerp needs, in order, waiting for each receipt. */
export async function deployZkPerp(parameters: DeployZkPerpParameters): Promise<DeployZkPerpReturnType> {
  const { accountDepth, markets, batchSlots } = parameters.sizes
  // The contract needs depth ≥ 2: depth 1 leaves no L1 account range (docs/protocol.md §2.2).
  if (!Number.isInteger(accountDepth) || accountDepth < 2 || accountDepth > 12) throw new InvalidDeployParametersError('sizes.accountDepth', accountDepth)
  if (!Number.isInteger(markets) || markets < 1 || markets > 8) throw new InvalidDeployParametersError('sizes.markets', markets)
  if (!Number.isInteger(batchSlots) || batchSlots < 1) throw new InvalidDeployParametersError('sizes.batchSlots', batchSlots)
  if (parameters.genesis.stateRoot < 0n || parameters.genesis.stateRoot >= FIELD_MODULUS) throw new InvalidDeployParametersError('genesis.stateRoot', parameters.genesis.stateRoot)

  const account = privateKeyToAccount(parameters.deployerPrivateKey)
  const transport = http(parameters.rpcUrl)
  const publicClient = createPublicClient({ transport })
  const chainId = await publicClient.getChainId()
  const chain = chainFor(parameters.rpcUrl, chainId)
  const walletClient = createWalletClient({ account, chain, transport })

  const deploy = async (label: string, abi: Abi, bytecode: Hex, args: readonly unknown[] = []): Promise<{ address: Address; blockNumber: bigint }> => {
    const hash = await walletClient.deployContract({ abi, bytecode, args, account, chain })
    const receipt = await publicClient.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new DeploymentFailedError(label, hash)
    return { address: receipt.contractAddress, blockNumber: receipt.blockNumber }
  }

  // One contract per distinct arity: 2 (state root), 4 (tree nodes), 6 (market leaf), 7 (account leaf), M.
  const byArity = new Map<number, Address>()
  for (const arity of [...new Set([2, 4, 6, 7, markets])]) {
    byArity.set(arity, (await deploy(`Poseidon(${arity})`, [], await poseidonCreationCode(arity))).address)
  }
  const poseidon: PoseidonAddresses = {
    inputs2: byArity.get(2)!,
    inputs4: byArity.get(4)!,
    inputs6: byArity.get(6)!,
    inputs7: byArity.get(7)!,
    inputsMarkets: byArity.get(markets)!,
  }

  let token = parameters.token
  if (token === undefined) {
    const artifact = readArtifact('MockQuoteToken')
    token = (await deploy('MockQuoteToken', artifact.abi, artifact.bytecode)).address
  }

  let verifier: Address
  if ('address' in parameters.verifier) verifier = parameters.verifier.address
  else {
    const artifact = readArtifact(parameters.verifier.artifact)
    verifier = (await deploy(parameters.verifier.artifact, artifact.abi, artifact.bytecode)).address
  }

  const zkPerpArtifact = readArtifact('ZkPerp')
  const deployed = await deploy('ZkPerp', zkPerpArtifact.abi, zkPerpArtifact.bytecode, [{
    token,
    verifier,
    operator: parameters.operator,
    accountDepth,
    markets,
    batchSlots,
    priorityDeadlineSeconds: parameters.priorityDeadlineSeconds ?? 3n * 24n * 3600n,
    timestampToleranceSeconds: parameters.timestampToleranceSeconds ?? 15n * 60n,
    genesisStateRoot: `0x${parameters.genesis.stateRoot.toString(16).padStart(64, '0')}`,
    genesisTimestamp: parameters.genesis.timestamp,
    poseidon,
  }])
  return { zkPerp: deployed.address, token, verifier, poseidon, deploymentBlock: deployed.blockNumber }
}

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command()
    .requiredOption('--rpc <url>')
    .requiredOption('--private-key <hex>')
    .requiredOption('--operator <address>')
    .requiredOption('--genesis-root <field>')
    .requiredOption('--genesis-timestamp <seconds>')
    .option('--verifier <address>')
    .option('--verifier-artifact <name>')
    .option('--token <address>')
    .option('--account-depth <n>', 'quaternary levels of the accounts tree', '2')
    .option('--markets <n>', 'markets per state (M)', '2')
    .option('--batch-slots <n>', 'slots per batch (N)', '8')
    .parse([...argv], { from: 'user' })
  const options = program.opts<Record<string, string | undefined>>()
  const verifier = options.verifier !== undefined
    ? { address: options.verifier as Address }
    : options.verifierArtifact !== undefined ? { artifact: options.verifierArtifact } : undefined
  if (verifier === undefined) throw new InvalidDeployParametersError('verifier', 'give --verifier or --verifier-artifact')
  const result = await deployZkPerp({
    rpcUrl: options.rpc!,
    deployerPrivateKey: options.privateKey as Hex,
    operator: options.operator as Address,
    sizes: { accountDepth: Number(options.accountDepth), markets: Number(options.markets), batchSlots: Number(options.batchSlots) },
    genesis: { stateRoot: BigInt(options.genesisRoot!), timestamp: BigInt(options.genesisTimestamp!) },
    verifier,
    ...(options.token !== undefined ? { token: options.token as Address } : {}),
  })
  process.stdout.write(`${JSON.stringify(result, (_, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2)}\n`)
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`)
    process.exit(1)
  })
}
