/**
 * What every command shares: the deployment file (default `.devnet/deployment.json`), the L1 clients, the wallet
 * from --private-key / ZKPERP_PRIVATE_KEY, and the parsers that turn command-line text into exact values.
 */
import { existsSync, readFileSync } from 'node:fs'
import {
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type WalletClient,
  type Account,
  type Transport,
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  isAddress,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import type { Genesis } from '../sdk/protocol/types.ts'
import { DeploymentFileError, InvalidArgumentError, MissingOptionError } from './errors.ts'
import { parseGenesisJson } from './genesisFile.ts'
import { chainFor } from '../sequencer/l1/chain.ts'

export const DEFAULT_DEPLOYMENT_FILE = '.devnet/deployment.json'
export const PRIVATE_KEY_ENV = 'ZKPERP_PRIVATE_KEY'

/** The options every command accepts (commander's global options). */
export type GlobalOptions = {
  readonly rpc?: string
  readonly deployment: string
  readonly privateKey?: string
  readonly gateway?: string
  readonly genesis?: string
  readonly json: boolean
  readonly verbose: boolean
}

const addressSchema = z.string().refine((value) => isAddress(value, { strict: false }), 'not a 20-byte address').transform((value) => getAddress(value))
const blockSchema = z.union([z.string().regex(/^[0-9]+$/), z.number().int().nonnegative()]).transform((value) => BigInt(value))

const deploymentFileSchema = z.object({
  rpcUrl: z.string().optional(),
  gatewayUrl: z.string().optional(),
  chainId: z.union([z.number(), z.string()]).optional(),
  genesis: z.unknown().optional(),
  deployment: z
    .object({ zkPerp: addressSchema, token: addressSchema, verifier: addressSchema, deploymentBlock: blockSchema.optional() })
    .nullish(),
})

export type DeploymentFile = {
  readonly path: string
  readonly rpcUrl?: string
  /** The gateway's WebSocket URL, when the file names one. */
  readonly gatewayUrl?: string
  readonly zkPerp: Address
  readonly token: Address
  readonly verifier: Address
  /** Where event scans start (0 when the file does not say). */
  readonly deploymentBlock: bigint
  /** The full genesis, when the file carries it (needed by reconstruct, verify and exit). */
  readonly genesis?: Genesis
}

/** Reads and checks a deployment file as `scripts/devnet.ts` writes it. */
export function readDeploymentFile(path: string): DeploymentFile {
  if (!existsSync(path)) throw new DeploymentFileError(path, 'not found (start the devnet with `zkperp devnet`, or pass --deployment <file>)')
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (cause) {
    throw new DeploymentFileError(path, 'not valid JSON', cause)
  }
  const parsed = deploymentFileSchema.safeParse(raw)
  if (!parsed.success) throw new DeploymentFileError(path, `unexpected shape: ${parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}`)
  const { deployment, rpcUrl, gatewayUrl } = parsed.data
  if (deployment === undefined || deployment === null) throw new DeploymentFileError(path, 'has no `deployment` (ZkPerp was not deployed)')
  let genesis: Genesis | undefined
  if (parsed.data.genesis !== undefined) {
    try {
      genesis = parseGenesisJson(parsed.data.genesis)
    } catch (cause) {
      throw new DeploymentFileError(path, '`genesis` is malformed', cause)
    }
  }
  return {
    path,
    ...(rpcUrl === undefined ? {} : { rpcUrl }),
    ...(gatewayUrl === undefined ? {} : { gatewayUrl }),
    zkPerp: deployment.zkPerp,
    token: deployment.token,
    verifier: deployment.verifier,
    deploymentBlock: deployment.deploymentBlock ?? 0n,
    ...(genesis === undefined ? {} : { genesis }),
  }
}

/** A genesis from its own JSON file (--genesis), overriding the deployment file's. */
export function readGenesisFile(path: string): Genesis {
  if (!existsSync(path)) throw new InvalidArgumentError('--genesis', path, 'file not found')
  try {
    return parseGenesisJson(JSON.parse(readFileSync(path, 'utf8')))
  } catch (cause) {
    throw new DeploymentFileError(path, 'not a genesis JSON', cause)
  }
}

export type L1Context = {
  readonly rpcUrl: string
  readonly chain: Chain
  readonly publicClient: PublicClient<Transport, Chain>
  readonly deployment: DeploymentFile
}

export { chainFor }

/** Connects to L1: --rpc wins over the deployment file's rpcUrl. */
export async function connectL1(options: Pick<GlobalOptions, 'rpc' | 'deployment'>): Promise<L1Context> {
  const deployment = readDeploymentFile(options.deployment)
  const rpcUrl = options.rpc ?? deployment.rpcUrl
  if (rpcUrl === undefined) throw new MissingOptionError('--rpc', 'the deployment file names no rpcUrl')
  const probe = createPublicClient({ transport: http(rpcUrl) })
  let chainId: number
  try {
    chainId = await probe.getChainId()
  } catch (cause) {
    throw new DeploymentFileError(deployment.path, `cannot reach the L1 node at ${rpcUrl}`, cause)
  }
  const chain = chainFor(rpcUrl, chainId)
  // No block-number cache: a command reads the chain once and compares with what it just sent.
  return { rpcUrl, chain, publicClient: createPublicClient({ chain, transport: http(rpcUrl), cacheTime: 0 }), deployment }
}

export type Wallet = { readonly account: Account & { address: Address }; readonly client: WalletClient<Transport, Chain, Account> }

/** The signing wallet: --private-key, else $ZKPERP_PRIVATE_KEY. */
export function resolvePrivateKey(options: Pick<GlobalOptions, 'privateKey'>, environment: NodeJS.ProcessEnv = process.env): Hex {
  const value = options.privateKey ?? environment[PRIVATE_KEY_ENV]
  if (value === undefined || value === '') throw new MissingOptionError('--private-key', `give it or set ${PRIVATE_KEY_ENV}`)
  const hex = value.startsWith('0x') ? value : `0x${value}`
  // The value itself is a secret: never echo it back in the error.
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new InvalidArgumentError('--private-key', '<hidden>', 'must be 32 bytes of hex')
  return hex as Hex
}

export function walletFor(l1: L1Context, privateKey: Hex): Wallet {
  const account = privateKeyToAccount(privateKey)
  return { account, client: createWalletClient({ account, chain: l1.chain, transport: http(l1.rpcUrl) }) }
}

// ---------------------------------------------------------------- parsers (command-line text → exact values)

/** A non-negative integer (decimal, or 0x hex). */
export function parseUnsigned(option: string, text: string, max?: bigint): bigint {
  if (!/^(0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/.test(text)) throw new InvalidArgumentError(option, text, 'must be a non-negative integer')
  const value = BigInt(text)
  if (max !== undefined && value > max) throw new InvalidArgumentError(option, text, `must be at most ${max}`)
  return value
}

/**
 * A token amount in whole units with up to `decimals` fractional digits ("12.5" with 6 decimals = 12,500,000 base
 * units), exact: more fractional digits than the token has are refused, never rounded.
 */
export function parseTokenAmount(option: string, text: string, decimals: number): bigint {
  const match = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/.exec(text)
  if (match === null) throw new InvalidArgumentError(option, text, 'must be a decimal amount such as 100 or 12.5')
  const fraction = match[2] ?? ''
  if (fraction.length > decimals) throw new InvalidArgumentError(option, text, `the token has only ${decimals} decimals`)
  return BigInt(match[1]!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0')
}

/** Base units as a decimal token amount ("12.5"). */
export function formatTokenAmount(value: bigint, decimals: number): string {
  const negative = value < 0n
  const magnitude = negative ? -value : value
  const scale = 10n ** BigInt(decimals)
  const fraction = (magnitude % scale).toString().padStart(decimals, '0').replace(/0+$/, '')
  return `${negative ? '-' : ''}${magnitude / scale}${fraction === '' ? '' : `.${fraction}`}`
}

export function parseAddress(option: string, text: string): Address {
  if (!isAddress(text, { strict: false })) throw new InvalidArgumentError(option, text, 'must be a 20-byte 0x address')
  return getAddress(text)
}

/** `cross` (0), or `isolated:<m>` (1 + m), or the raw mode number. */
export function parseMarginMode(option: string, text: string, markets?: number): number {
  let mode: number
  if (text === 'cross') mode = 0
  else if (/^isolated:[0-9]{1,2}$/.test(text)) mode = 1 + Number(text.slice('isolated:'.length))
  else if (/^[0-9]{1,2}$/.test(text)) mode = Number(text)
  else throw new InvalidArgumentError(option, text, 'must be `cross` or `isolated:<market>`')
  if (markets !== undefined && mode > markets) throw new InvalidArgumentError(option, text, `there are only ${markets} markets`)
  return mode
}
