#!/usr/bin/env -S node --import tsx
/**
 * `zkperp`: one CLI for every zkperp tool and service (DESIGN.md). Commands:
 *   devnet                                  run the local devnet (scripts/devnet.ts)
 *   deposit | withdraw | force-withdraw | refund-deposits      L1 transactions of a trader
 *   order | cancel | positions | withdraw --l2 | transfer       the gateway, over WebSocket, signed with the L2 key
 * Getting money out: withdraw --l2 --amount X asks the sequencer, signed with the L2 key; once its batch is proven
 * on L1 the amount is in the pending balance of the recipient, and withdraw alone pulls that balance to L1;
 * force-withdraw asks through L1 instead, for when the sequencer does not serve you.
 *   reconstruct | verify | exit             from L1 data alone
 * Global options: --rpc, --deployment <file> (default .devnet/deployment.json), --private-key (or
 * $ZKPERP_PRIVATE_KEY), --gateway <ws url>, --genesis <file>, --json, --verbose.
 *
 * Every failure is a typed error: one line `zkperp: CODE: message` on stderr and exit code 1 (2 for usage errors);
 * --verbose adds the details and the stack.
 */
import { spawn } from 'node:child_process'
import { realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { Command, CommanderError, Option } from 'commander'
import type { Address } from 'viem'
import { BaseError } from '../sdk/errors.ts'
import { MAX_SIZE, MAX_STORAGE_ID, MAX_TIMESTAMP } from '../sdk/protocol/bounds.ts'
import { deriveL2Key } from '../sdk/protocol/keys.ts'
import type { Domain, Genesis } from '../sdk/protocol/types.ts'
import { terminateBn128 } from '../scripts/circuit/vendor.ts'
import { type GlobalOptions, type L1Context, type Wallet, DEFAULT_DEPLOYMENT_FILE, connectL1, formatTokenAmount, parseAddress, parseMarginMode, parseTokenAmount, parseUnsigned, readGenesisFile, resolvePrivateKey, walletFor } from './context.ts'
import {
  BatchVerificationFailedError,
  ExodusNotActiveError,
  GatewayRejectedError,
  InvalidArgumentError,
  MissingOptionError,
  VerificationKeyMismatchError,
} from './errors.ts'
import { buildExitCall } from './exit.ts'
import { accountPositions, cancelOrder, placeOrder, requestWithdrawal, transferCollateral, type GatewayParameters } from './gatewayCommands.ts'
import { activateExodus, deposit, exodusStatus, refundDeposits, requestForcedWithdrawal, sendExit, withdrawPending } from './l1Actions.ts'
import { readL1History, scanEvents } from './l1History.ts'
import { reconstruct } from './reconstruct.ts'
import { devVerificationKey, missingVerifierConstants, readVerificationKeyFile, readVerifierCode, verifyBatches } from './verify.ts'
import { ERC20_ABI, ZK_PERP_ABI } from './zkPerpAbi.ts'

const ROOT = resolve(import.meta.dirname, '..')
const DEVNET_SCRIPT = resolve(ROOT, 'scripts/devnet.ts')

export type CliIo = {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  readonly env: NodeJS.ProcessEnv
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
}

/** JSON with bigints as decimal strings and bytes as hex. */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_, item: unknown) => (typeof item === 'bigint' ? item.toString() : item instanceof Uint8Array ? `0x${Buffer.from(item).toString('hex')}` : item),
    2,
  )
}

/** A command's outcome: the data (--json prints it) and the lines a person reads. */
type Outcome = { readonly data: unknown; readonly lines: readonly string[] }

type Runner = (options: GlobalOptions, io: CliIo) => Promise<Outcome>

// ---------------------------------------------------------------- shared resolution

async function tokenDecimals(l1: L1Context): Promise<number> {
  return l1.publicClient.readContract({ address: l1.deployment.token, abi: ERC20_ABI, functionName: 'decimals' })
}

function genesisFor(options: GlobalOptions, l1: L1Context): Genesis {
  if (options.genesis !== undefined) return readGenesisFile(options.genesis)
  if (l1.deployment.genesis !== undefined) return l1.deployment.genesis
  throw new MissingOptionError('--genesis', `${l1.deployment.path} carries no genesis; pass the genesis JSON the contract was deployed with`)
}

/** The signing domain: the genesis's (what the circuit and gateway check), else (chain id, ZkPerp address). */
function domainFor(l1: L1Context): Domain {
  return l1.deployment.genesis?.domain ?? { chainId: BigInt(l1.chain.id), rollupAddress: l1.deployment.zkPerp }
}

function gatewayFor(options: GlobalOptions, l1: L1Context): GatewayParameters {
  const url = options.gateway ?? l1.deployment.gatewayUrl
  if (url === undefined) throw new MissingOptionError('--gateway', 'give the gateway WebSocket URL (ws://host:port)')
  if (!/^wss?:\/\/[^\s]+$/.test(url)) throw new InvalidArgumentError('--gateway', url, 'must be a ws:// or wss:// URL')
  return { url, domain: domainFor(l1) }
}

async function l2KeyFor(l1: L1Context, wallet: Wallet): Promise<Uint8Array> {
  return (await deriveL2Key({ account: wallet.account as Parameters<typeof deriveL2Key>[0]['account'], chainId: BigInt(l1.chain.id), rollupAddress: l1.deployment.zkPerp })).privateKey
}

/** --account, else the one account L1 registered for the wallet's address. */
async function accountIndexFor(l1: L1Context, owner: Address, text: string | undefined): Promise<bigint> {
  if (text !== undefined) return parseUnsigned('--account', text, 0xffffffn)
  const logs = await scanEvents({ publicClient: l1.publicClient, zkPerp: l1.deployment.zkPerp, fromBlock: l1.deployment.deploymentBlock }, 'AccountRegistered', { owner })
  const indices = logs.map((log) => BigInt(log.args.accountIndex))
  if (indices.length === 1) return indices[0]!
  if (indices.length === 0) throw new MissingOptionError('--account', `no account is registered on L1 for ${owner}`)
  throw new MissingOptionError('--account', `${owner} owns accounts ${indices.join(', ')}; pick one`)
}

function transactionLines(action: string, result: { transactionHash: string; gasUsed: bigint; events: readonly { eventName: string; args: unknown }[] }): string[] {
  return [
    `${action}: ${result.transactionHash} (gas ${result.gasUsed})`,
    ...result.events.map((event) => `  ${event.eventName} ${toJson(event.args).replace(/\s+/g, ' ')}`),
  ]
}

// ---------------------------------------------------------------- commands

function depositCommand(local: { amount: string; account?: string; mode?: string; owner?: string }): Runner {
  return async (options, io) => {
    const l1 = await connectL1(options)
    const wallet = walletFor(l1, resolvePrivateKey(options, io.env))
    const decimals = await tokenDecimals(l1)
    const amount = parseTokenAmount('--amount', local.amount, decimals)
    if (amount === 0n) throw new InvalidArgumentError('--amount', local.amount, 'must be positive')
    if (local.account !== undefined && (local.mode !== undefined || local.owner !== undefined)) {
      throw new InvalidArgumentError('--mode/--owner', local.mode ?? local.owner ?? '', 'only a new account takes a mode or owner; a top-up (--account) does not')
    }
    const markets = Number(await l1.publicClient.readContract({ address: l1.deployment.zkPerp, abi: ZK_PERP_ABI, functionName: 'MARKETS' }))
    const result = await deposit(l1, wallet, {
      amount,
      ...(local.account === undefined ? {} : { accountIndex: parseUnsigned('--account', local.account, 0xffffffffn) }),
      ...(local.mode === undefined ? {} : { mode: parseMarginMode('--mode', local.mode, markets) }),
      ...(local.owner === undefined ? {} : { owner: parseAddress('--owner', local.owner) }),
    })
    const lines = [
      `deposited ${formatTokenAmount(amount, decimals)} into account ${result.accountIndex ?? '?'} (priority op ${result.priorityIndex ?? '?'})`,
      ...(result.publicKey === undefined ? [] : [`  L2 public key (${result.publicKey.x}, ${result.publicKey.y})`]),
      ...transactionLines('deposit', result),
    ]
    return { data: result, lines }
  }
}

type SpendOptions = { account?: string; storageId?: string; validUntil?: string }

/** Storage id (default: the current second, as orders) and validity (default: a day) of a withdraw or transfer. */
function spendIds(local: SpendOptions): { storageId: bigint; validUntil: bigint } {
  const now = BigInt(Math.floor(Date.now() / 1000))
  return {
    storageId: local.storageId === undefined ? now : parseUnsigned('--storage-id', local.storageId, MAX_STORAGE_ID),
    validUntil: local.validUntil === undefined ? now + 86_400n : parseUnsigned('--valid-until', local.validUntil, MAX_TIMESTAMP),
  }
}

/** What a signed spend (L2 withdraw or transfer) needs: the chain, the gateway, the signer and a positive amount. */
async function spendContext(options: GlobalOptions, io: CliIo, local: SpendOptions, amountText: string) {
  const ids = spendIds(local)
  const l1 = await connectL1(options)
  const gateway = gatewayFor(options, l1)
  const wallet = walletFor(l1, resolvePrivateKey(options, io.env))
  const decimals = await tokenDecimals(l1)
  const amount = parseTokenAmount('--amount', amountText, decimals)
  if (amount === 0n) throw new InvalidArgumentError('--amount', amountText, 'must be positive')
  return { ...ids, l1, gateway, wallet, decimals, amount }
}

function withdrawCommand(local: { to?: string; l2?: boolean; amount?: string } & SpendOptions): Runner {
  if (local.l2 === true) return l2WithdrawCommand(local)
  return async (options, io) => {
    for (const [option, value] of [['--amount', local.amount], ['--account', local.account], ['--storage-id', local.storageId], ['--valid-until', local.validUntil]] as const) {
      if (value !== undefined) throw new InvalidArgumentError(option, value, 'only an L2 withdrawal (--l2) takes it; `zkperp withdraw` alone pulls the whole pending balance')
    }
    const l1 = await connectL1(options)
    const wallet = walletFor(l1, resolvePrivateKey(options, io.env))
    const result = await withdrawPending(l1, wallet, local.to === undefined ? undefined : parseAddress('--to', local.to))
    const pulled = result.events.find((event) => event.eventName === 'Withdrawn')
    const decimals = await tokenDecimals(l1)
    const amount = pulled?.eventName === 'Withdrawn' ? pulled.args.amount : 0n
    return { data: result, lines: [`withdrew ${formatTokenAmount(amount, decimals)}`, ...transactionLines('withdraw', result)] }
  }
}

/** `withdraw --l2`: a signed L2 withdrawal through the gateway; L1 credits `--to` once its batch is proven. */
function l2WithdrawCommand(local: { to?: string; amount?: string } & SpendOptions): Runner {
  return async (options, io) => {
    if (local.amount === undefined) throw new MissingOptionError('--amount', 'an L2 withdrawal names the amount to take out')
    const { storageId, validUntil, l1, gateway, wallet, decimals, amount } = await spendContext(options, io, local, local.amount)
    const to = local.to === undefined ? wallet.account.address : parseAddress('--to', local.to)
    const accountIndex = await accountIndexFor(l1, wallet.account.address, local.account)
    const result = await requestWithdrawal(gateway, {
      withdraw: { accountIndex, amount, to: BigInt(to), storageId, validUntil },
      l2PrivateKey: await l2KeyFor(l1, wallet),
    })
    const collateral = BigInt(String(result.event.collateral))
    return {
      data: { accountIndex, storageId, validUntil, to, ...result },
      lines: [
        `withdrawal of ${formatTokenAmount(amount, decimals)} from account ${accountIndex} accepted: seq ${result.ack.seq}, storage id ${storageId}; collateral now ${formatTokenAmount(collateral, decimals)}`,
        `  credited to ${to}'s pending balance once its batch is proven on L1; then pull it with \`zkperp withdraw\``,
      ],
    }
  }
}

/** `transfer`: collateral to another account of the same owner (a new one in the L2 index range with --mode). */
function transferCommand(local: { toAccount: string; amount: string; mode?: string } & SpendOptions): Runner {
  return async (options, io) => {
    const toIndex = parseUnsigned('--to-account', local.toAccount, 0xffffffn)
    const { storageId, validUntil, l1, gateway, wallet, decimals, amount } = await spendContext(options, io, local, local.amount)
    const fromIndex = await accountIndexFor(l1, wallet.account.address, local.account)
    const targetMode = local.mode === undefined ? await existingMode(gateway, toIndex) : parseMarginMode('--mode', local.mode)
    const result = await transferCollateral(gateway, {
      transfer: { fromIndex, toIndex, amount, targetMode, storageId, validUntil },
      l2PrivateKey: await l2KeyFor(l1, wallet),
    })
    const [fromCollateral, toCollateral] = [result.event.fromCollateral, result.event.toCollateral].map((value) => BigInt(String(value))) as [bigint, bigint]
    return {
      data: { fromIndex, toIndex, storageId, validUntil, ...result },
      lines: [
        `transfer of ${formatTokenAmount(amount, decimals)} from account ${fromIndex} to ${result.event.created === true ? 'new ' : ''}account ${toIndex} accepted: seq ${result.ack.seq}, storage id ${storageId}`,
        `  collateral now ${formatTokenAmount(fromCollateral, decimals)} (account ${fromIndex}), ${formatTokenAmount(toCollateral, decimals)} (account ${toIndex})`,
      ],
    }
  }
}

/** The margin mode of an existing target account (a transfer must name it); a new account needs --mode. */
async function existingMode(gateway: GatewayParameters, accountIndex: bigint): Promise<number> {
  try {
    return Number((await accountPositions(gateway, accountIndex)).mode)
  } catch (error) {
    if (error instanceof GatewayRejectedError && error.rejection.code === 'ACCOUNT_NOT_FOUND') {
      throw new MissingOptionError('--mode', `account ${accountIndex} does not exist yet: give the new account's mode (cross | isolated:<market>)`)
    }
    throw error
  }
}

function forceWithdrawCommand(local: { account?: string; amount: string }): Runner {
  return async (options, io) => {
    const l1 = await connectL1(options)
    const wallet = walletFor(l1, resolvePrivateKey(options, io.env))
    const decimals = await tokenDecimals(l1)
    const amount = parseTokenAmount('--amount', local.amount, decimals)
    const accountIndex = await accountIndexFor(l1, wallet.account.address, local.account)
    const result = await requestForcedWithdrawal(l1, wallet, accountIndex, amount)
    const requested = result.events.find((event) => event.eventName === 'ForcedWithdrawalRequested')
    const deadline = requested?.eventName === 'ForcedWithdrawalRequested' ? requested.args.deadline : undefined
    return {
      data: result,
      lines: [
        `forced withdrawal of up to ${formatTokenAmount(amount, decimals)} from account ${accountIndex} queued; a batch must process it by ${deadline ?? '?'} or exodus can be activated`,
        ...transactionLines('requestForcedWithdrawal', result),
      ],
    }
  }
}

function refundCommand(local: { all?: boolean }): Runner {
  return async (options, io) => {
    const l1 = await connectL1(options)
    const wallet = walletFor(l1, resolvePrivateKey(options, io.env))
    if (!(await exodusStatus(l1)).active) throw new ExodusNotActiveError(l1.deployment.zkPerp, 'deposits are refunded only in exodus')
    const result = await refundDeposits(l1, wallet, local.all === true ? undefined : wallet.account.address)
    const decimals = await tokenDecimals(l1)
    return {
      data: result,
      lines: [
        `refunded ${result.refunded.length} deposit(s) to pending balances${result.refunded.length > 0 ? '; pull with `zkperp withdraw`' : ''}`,
        ...result.refunded.map((each) => `  priority op ${each.priorityIndex}: ${formatTokenAmount(each.amount, decimals)} to ${each.to}`),
      ],
    }
  }
}

function orderCommand(local: {
  market: string; side: string; size: string; price: string; account?: string; storageId?: string; expiry?: string
  reduceOnly?: boolean; ioc?: boolean; postOnly?: boolean; clientId?: string
}): Runner {
  return async (options, io) => {
    if (local.side !== 'buy' && local.side !== 'sell') throw new InvalidArgumentError('--side', local.side, 'must be buy or sell')
    const market = Number(parseUnsigned('--market', local.market, 15n))
    const size = parseUnsigned('--size', local.size, MAX_SIZE)
    if (size === 0n) throw new InvalidArgumentError('--size', local.size, 'must be at least one lot')
    const limitPrice = parseUnsigned('--price', local.price, (1n << 48n) - 1n)
    if (limitPrice === 0n) throw new InvalidArgumentError('--price', local.price, 'must be positive')
    const now = BigInt(Math.floor(Date.now() / 1000))
    // Default storage id: the current second. Ids only have to grow within a slot, and seconds do.
    const storageId = local.storageId === undefined ? now : parseUnsigned('--storage-id', local.storageId, 0xffffffffn)
    const expiry = local.expiry === undefined ? now + 30n * 86_400n : parseUnsigned('--expiry', local.expiry, MAX_TIMESTAMP)
    const l1 = await connectL1(options)
    const gateway = gatewayFor(options, l1)
    const wallet = walletFor(l1, resolvePrivateKey(options, io.env))
    const accountIndex = await accountIndexFor(l1, wallet.account.address, local.account)
    const result = await placeOrder(gateway, {
      order: { accountIndex, market, isBuy: local.side === 'buy', reduceOnly: local.reduceOnly === true, size, limitPrice, storageId, expiry },
      l2PrivateKey: await l2KeyFor(l1, wallet),
      ...(local.ioc === true ? { timeInForce: 'IOC' as const } : {}),
      ...(local.postOnly === true ? { postOnly: true } : {}),
      ...(local.clientId === undefined ? {} : { clientOrderId: local.clientId }),
    })
    return {
      data: { accountIndex, storageId, ...result },
      lines: [
        `order ${local.side} ${size} @ ${limitPrice} on market ${market} accepted: seq ${result.ack.seq}, storage id ${storageId}${result.duplicate ? ' (duplicate: first ack)' : ''}`,
        ...result.events.map((event) => `  ${toJson(event).replace(/\s+/g, ' ')}`),
      ],
    }
  }
}

function cancelCommand(local: { market: string; storageId: string; account?: string }): Runner {
  return async (options, io) => {
    const market = Number(parseUnsigned('--market', local.market, 15n))
    const storageId = parseUnsigned('--storage-id', local.storageId, 0xffffffffn)
    const l1 = await connectL1(options)
    const gateway = gatewayFor(options, l1)
    const wallet = walletFor(l1, resolvePrivateKey(options, io.env))
    const accountIndex = await accountIndexFor(l1, wallet.account.address, local.account)
    const result = await cancelOrder(gateway, { accountIndex, market, storageId, l2PrivateKey: await l2KeyFor(l1, wallet) })
    return { data: { accountIndex, ...result }, lines: [`cancel of storage id ${storageId} on market ${market} accepted: seq ${result.ack.seq}`] }
  }
}

function positionsCommand(local: { account?: string }): Runner {
  return async (options, io) => {
    const l1 = await connectL1(options)
    const gateway = gatewayFor(options, l1)
    let accountIndex: bigint
    if (local.account !== undefined) accountIndex = parseUnsigned('--account', local.account, 0xffffffn)
    else accountIndex = await accountIndexFor(l1, walletFor(l1, resolvePrivateKey(options, io.env)).account.address, undefined)
    const snapshot = await accountPositions(gateway, accountIndex)
    const decimals = await tokenDecimals(l1)
    const positions = (snapshot.positions as { size: string }[] | undefined) ?? []
    const orders = (snapshot.openOrders as { market: number; side: string; remaining: string; limitPrice: string; storageId: string }[] | undefined) ?? []
    return {
      data: snapshot,
      lines: [
        `account ${accountIndex}: collateral ${formatTokenAmount(BigInt(String(snapshot.collateral)), decimals)}, mode ${String(snapshot.mode)}`,
        ...positions.flatMap((position, market) => (BigInt(position.size) === 0n ? [] : [`  market ${market}: size ${position.size}`])),
        ...orders.map((order) => `  open ${order.side} ${order.remaining} @ ${order.limitPrice} on market ${order.market} (storage id ${order.storageId})`),
      ],
    }
  }
}

const reconstructCommand: Runner = async (options) => {
  const l1 = await connectL1(options)
  const result = await reconstruct({ publicClient: l1.publicClient, zkPerp: l1.deployment.zkPerp, fromBlock: l1.deployment.deploymentBlock, genesis: genesisFor(options, l1) })
  const data = {
    stateRoot: result.stateRoot,
    batches: result.batches,
    lastBatch: result.history.lastBatch,
    accounts: result.accounts,
    markets: result.markets,
  }
  return {
    data,
    lines: [
      `reconstructed ${result.batches} batch(es) from L1 calldata; state root ${result.stateRoot} equals the contract's`,
      ...result.markets.map((market) => `  market ${market.market}: oracle ${market.oraclePrice}, funding index ${market.fundingIndex}, open interest ${market.openInterest}`),
      ...result.accounts.map((account) =>
        `  account ${account.index}: owner 0x${account.owner.toString(16).padStart(40, '0')}, collateral ${account.collateral}, equity ${account.equity}${account.positions.map((position) => `, m${position.market} ${position.size}`).join('')}`,
      ),
    ],
  }
}

function verifyCommand(local: { vkey?: string }, log: (line: string) => void): Runner {
  return async (options) => {
    const l1 = await connectL1(options)
    const address = l1.deployment.zkPerp
    const read = (functionName: 'ACCOUNT_DEPTH' | 'MARKETS' | 'BATCH_SLOTS') => l1.publicClient.readContract({ address, abi: ZK_PERP_ABI, functionName }).then(Number)
    const sizes = { accountDepth: await read('ACCOUNT_DEPTH'), markets: await read('MARKETS'), batchSlots: await read('BATCH_SLOTS') }
    let vkey
    let keySource: string
    if (local.vkey !== undefined) {
      vkey = readVerificationKeyFile(local.vkey)
      keySource = local.vkey
    } else {
      const dev = await devVerificationKey(sizes, options.verbose ? log : () => {})
      vkey = dev.vkey
      keySource = `dev key of circuit config "${dev.configName}" (INSECURE development setup; pass --vkey for a production key)`
    }
    const verifier = await l1.publicClient.readContract({ address, abi: ZK_PERP_ABI, functionName: 'VERIFIER' })
    const embedded = missingVerifierConstants(await readVerifierCode(l1.publicClient, verifier), vkey)
    const history = await readL1History({ publicClient: l1.publicClient, zkPerp: address, fromBlock: l1.deployment.deploymentBlock })
    const checks = await verifyBatches({ batches: history.batches, vkey, batchSlots: sizes.batchSlots })
    const report = checks.map((check) => ({ ...check }))
    const failed = checks.filter((check) => !check.ok).map((check) => check.batchNumber)
    if (failed.length > 0) throw new BatchVerificationFailedError(failed, report)
    if (embedded.missing > 0) throw new VerificationKeyMismatchError(verifier, embedded.missing, embedded.total)
    return {
      data: { verificationKey: keySource, verifier, verifierEmbedsKey: true, batches: report },
      lines: [
        `verification key: ${keySource}; the deployed verifier ${verifier} embeds it`,
        ...checks.map((check) => `  batch ${check.batchNumber}: commitment recomputed from calldata ✓, proof ✓`),
        `${checks.length} batch proof(s) verified`,
      ],
    }
  }
}

function exitCommand(local: { account: string; activate?: boolean; dryRun?: boolean }): Runner {
  return async (options, io) => {
    const accountIndex = parseUnsigned('--account', local.account, 0xffffffn)
    const l1 = await connectL1(options)
    const reconstructed = await reconstruct({ publicClient: l1.publicClient, zkPerp: l1.deployment.zkPerp, fromBlock: l1.deployment.deploymentBlock, genesis: genesisFor(options, l1) })
    const call = buildExitCall(reconstructed, accountIndex)
    const decimals = await tokenDecimals(l1)
    const summary = `account ${accountIndex} (owner ${call.owner}) is worth ${formatTokenAmount(call.equity, decimals)} at batch ${call.lastBatch.batchNumber}`
    if (local.dryRun === true) return { data: { equity: call.equity, owner: call.owner, args: call.args }, lines: [summary, '(dry run: nothing sent)'] }
    const wallet = walletFor(l1, resolvePrivateKey(options, io.env))
    const status = await exodusStatus(l1)
    const lines: string[] = [summary]
    if (!status.active) {
      if (!status.expiredPriorityOp) throw new ExodusNotActiveError(l1.deployment.zkPerp, 'no priority op is past its deadline yet')
      if (local.activate !== true) throw new ExodusNotActiveError(l1.deployment.zkPerp, 'a priority op has expired: pass --activate to freeze it first')
      lines.push(...transactionLines('activateExodus', await activateExodus(l1, wallet)))
    }
    const result = await sendExit(l1, wallet, call.args)
    const exited = result.events.find((event) => event.eventName === 'AccountExited')
    const payout = exited?.eventName === 'AccountExited' ? exited.args.payout : 0n
    lines.push(`exit paid ${formatTokenAmount(payout, decimals)} to ${call.owner}'s pending balance; the owner pulls it with \`zkperp withdraw\``, ...transactionLines('exit', result))
    return { data: { equity: call.equity, owner: call.owner, payout, ...result }, lines }
  }
}

/** `zkperp devnet`: scripts/devnet.ts's own main, in a child process that owns the terminal and its signals. */
function runDevnet(args: readonly string[]): Promise<number> {
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DEVNET_SCRIPT, ...args], { stdio: 'inherit', cwd: ROOT })
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal)
    const onInt = forward('SIGINT')
    const onTerm = forward('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    child.once('exit', (code, signal) => {
      process.removeListener('SIGINT', onInt)
      process.removeListener('SIGTERM', onTerm)
      resolveExit(code ?? (signal === null ? 1 : 0))
    })
  })
}

// ---------------------------------------------------------------- the program

/** Runs the CLI on `argv` (without node and script); resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let pending: { runner: Runner } | { devnet: readonly string[] } | undefined
  const program = new Command('zkperp')
    .description('zkperp: ZK-proven perpetual futures — trader, verifier and exodus tools')
    .addOption(new Option('--rpc <url>', 'L1 JSON-RPC URL (default: the deployment file\'s rpcUrl)'))
    .addOption(new Option('--deployment <file>', 'deployment file').default(DEFAULT_DEPLOYMENT_FILE))
    .addOption(new Option('--private-key <hex>', 'L1 wallet key (default: $ZKPERP_PRIVATE_KEY)'))
    .addOption(new Option('--gateway <url>', 'gateway WebSocket URL, ws://host:port'))
    .addOption(new Option('--genesis <file>', 'genesis JSON (default: the deployment file\'s genesis)'))
    .option('--json', 'machine-readable output', false)
    .option('--verbose', 'details and stacks on errors, build logs', false)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError()

  const set = (runner: Runner) => {
    pending = { runner }
  }
  program.command('devnet').description('run the local devnet (anvil, contracts, services)').allowUnknownOption().helpOption(false).argument('[args...]')
    .action((args: string[]) => { pending = { devnet: args } })
  program.command('deposit').description('deposit the quote token: a new account (L2 key derived from the wallet) or a top-up')
    .requiredOption('--amount <tokens>', 'amount in token units, e.g. 100 or 12.5')
    .option('--account <index>', 'top up this account instead of creating one')
    .option('--mode <mode>', 'new account: cross | isolated:<market>')
    .option('--owner <address>', 'new account: L1 owner (default: the wallet)')
    .action((local: { amount: string; account?: string; mode?: string; owner?: string }) => set(depositCommand(local)))
  program.command('withdraw').description('pull the pending balance (proven withdrawals, exits, refunds) to L1; with --l2, ask the sequencer to withdraw from an account')
    .option('--to <address>', 'recipient (default: the wallet); with --l2, the L1 address credited once the batch is proven')
    .option('--l2', 'sign an L2 withdrawal and send it to the gateway (then pull it with `zkperp withdraw` once proven)')
    .option('--amount <tokens>', 'with --l2: amount in token units, e.g. 100 or 12.5')
    .option('--account <index>', 'with --l2: account (default: the wallet\'s only account)')
    .option('--storage-id <id>', 'with --l2: slot id, consumed (default: the current unix second)')
    .option('--valid-until <seconds>', 'with --l2: unix time after which no batch may include it (default: in a day)')
    .action((local: Parameters<typeof withdrawCommand>[0]) => set(withdrawCommand(local)))
  program.command('force-withdraw').description('request a withdrawal through L1 (the sequencer must process it before the deadline)')
    .requiredOption('--amount <tokens>', 'most to withdraw, in token units')
    .option('--account <index>', 'account (default: the wallet\'s only account)')
    .action((local: { amount: string; account?: string }) => set(forceWithdrawCommand(local)))
  program.command('refund-deposits').description('in exodus: refund deposits no batch processed (default: those paying the wallet)')
    .option('--all', 'refund every unprocessed deposit, whoever it pays')
    .action((local: { all?: boolean }) => set(refundCommand(local)))
  program.command('order').description('sign an order with the L2 key and place it on the gateway')
    .requiredOption('--market <index>', 'market index')
    .requiredOption('--side <side>', 'buy | sell')
    .requiredOption('--size <lots>', 'size in lots')
    .requiredOption('--price <units>', 'limit price in quote base units per lot')
    .option('--account <index>', 'account (default: the wallet\'s only account)')
    .option('--storage-id <id>', 'order slot id (default: the current unix second)')
    .option('--expiry <seconds>', 'unix expiry (default: in 30 days)')
    .option('--reduce-only', 'only reduce the position')
    .option('--ioc', 'immediate or cancel')
    .option('--post-only', 'rest only; never take')
    .option('--client-id <id>', 'idempotency key')
    .action((local: Parameters<typeof orderCommand>[0]) => set(orderCommand(local)))
  program.command('cancel').description('cancel a resting order (signed with the L2 key)')
    .requiredOption('--market <index>', 'market index')
    .requiredOption('--storage-id <id>', 'the order\'s storage id')
    .option('--account <index>', 'account (default: the wallet\'s only account)')
    .action((local: { market: string; storageId: string; account?: string }) => set(cancelCommand(local)))
  program.command('transfer').description('move collateral to another account of the same owner (signed with the L2 key)')
    .requiredOption('--to-account <index>', 'target account: one of yours, or an empty index of the L2 range (a new account)')
    .requiredOption('--amount <tokens>', 'amount in token units')
    .option('--mode <mode>', 'the target\'s margin mode: cross | isolated:<market> (default: the existing target\'s)')
    .option('--account <index>', 'source account (default: the wallet\'s only account)')
    .option('--storage-id <id>', 'slot id, consumed (default: the current unix second)')
    .option('--valid-until <seconds>', 'unix time after which no batch may include it (default: in a day)')
    .action((local: Parameters<typeof transferCommand>[0]) => set(transferCommand(local)))
  program.command('positions').description('collateral, positions and open orders from the gateway')
    .option('--account <index>', 'account (default: the wallet\'s only account)')
    .action((local: { account?: string }) => set(positionsCommand(local)))
  program.command('reconstruct').description('rebuild the state from L1 calldata alone and check the on-chain root')
    .action(() => set(reconstructCommand))
  program.command('verify').description('check every landed batch proof off-chain against the verification key')
    .option('--vkey <file>', 'snarkjs verification key JSON (default: the dev key of the deployed sizes)')
    .action((local: { vkey?: string }) => set(verifyCommand(local, (line) => io.stderr(`${line}\n`))))
  program.command('exit').description('in exodus: exit an account with a Merkle proof built from L1 data alone')
    .requiredOption('--account <index>', 'account to exit (its owner is paid)')
    .option('--activate', 'activate exodus first if a priority op has expired')
    .option('--dry-run', 'build and print the exit call without sending it')
    .action((local: { account: string; activate?: boolean; dryRun?: boolean }) => set(exitCommand(local)))

  let options: GlobalOptions = { deployment: DEFAULT_DEPLOYMENT_FILE, json: false, verbose: false }
  try {
    await program.parseAsync([...argv], { from: 'user' })
    options = program.opts<GlobalOptions>()
    if (pending === undefined) {
      io.stderr(program.helpInformation())
      return 2
    }
    if ('devnet' in pending) return await runDevnet(pending.devnet)
    const outcome = await pending.runner(options, io)
    io.stdout(options.json ? `${toJson(outcome.data)}\n` : `${outcome.lines.join('\n')}\n`)
    return 0
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2 // commander printed its one line
    options = { ...options, ...program.opts<Partial<GlobalOptions>>() }
    reportError(error, options, io)
    return 1
  } finally {
    // snarkjs keeps curve worker threads alive; a CLI run must end. (After a terminate the global is null.)
    if ((globalThis as { curve_bn128?: unknown }).curve_bn128 != null) await terminateBn128()
  }
}

function reportError(error: unknown, options: GlobalOptions, io: CliIo): void {
  if (error instanceof BaseError) {
    io.stderr(`zkperp: ${error.code}: ${error.message}\n`)
    if (options.json) io.stdout(`${toJson({ error: error.toJSON() })}\n`)
    if (options.verbose) io.stderr(`${toJson(error.details)}\n${error.stack ?? ''}\n${error.cause instanceof Error ? `caused by: ${error.cause.stack ?? error.cause.message}\n` : ''}`)
    return
  }
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
  io.stderr(`zkperp: INTERNAL: ${message}\n`)
  if (options.json) io.stdout(`${toJson({ error: { code: 'INTERNAL', message } })}\n`)
  if (options.verbose && error instanceof Error) io.stderr(`${error.stack ?? ''}\n`)
}

// Through the package's `bin` entry argv[1] is a symlink: compare real paths.
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(import.meta.filename)) {
  runCli(process.argv.slice(2)).then((code) => process.exit(code))
}
