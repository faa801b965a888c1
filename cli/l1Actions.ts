/**
 * The CLI's L1 transactions: deposit (approve + depositNewAccount / depositTo, the L2 key derived from the wallet),
 * withdraw (pull the pending balance), force-withdraw (requestForcedWithdrawal), activate exodus and exit. Each
 * simulates first, so a revert surfaces as a typed error with the contract's custom error name and values before any
 * gas is spent, then waits for the receipt and returns the events it emitted.
 */
import {
  type Abi,
  type Address,
  BaseError as ViemBaseError,
  ContractFunctionRevertedError,
  type Hex,
  type Log,
  parseEventLogs,
} from 'viem'
import { deriveL2Key } from '../sdk/protocol/keys.ts'
import type { PublicKey } from '../sdk/protocol/types.ts'
import { awaitCanonicalReceipt } from '../sequencer/l1/receipts.ts'
import type { L1Context, Wallet } from './context.ts'
import { L1TransactionError } from './errors.ts'
import type { ExitCallArguments } from './exit.ts'
import { scanEvents } from './l1History.ts'
import { ERC20_ABI, ZK_PERP_ABI } from './zkPerpAbi.ts'

type ZkPerpEvent = ReturnType<typeof parseEventLogs<typeof ZK_PERP_ABI>>[number]

export type L1ActionReturnType = {
  readonly transactionHash: Hex
  readonly blockNumber: bigint
  readonly gasUsed: bigint
  /** The ZkPerp events the transaction emitted, decoded. */
  readonly events: readonly ZkPerpEvent[]
}

/** Simulate, send, wait; a revert or a failed receipt becomes L1TransactionError naming the contract error. */
async function send(
  l1: L1Context,
  wallet: Wallet,
  action: string,
  request: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] },
): Promise<L1ActionReturnType> {
  let hash: Hex
  try {
    const simulated = await l1.publicClient.simulateContract({ ...request, account: wallet.account } as Parameters<typeof l1.publicClient.simulateContract>[0])
    hash = await wallet.client.writeContract(simulated.request as Parameters<typeof wallet.client.writeContract>[0])
  } catch (cause) {
    throw revertError(action, cause)
  }
  // Not viem's receipt wait: it waits out its whole timeout for a transaction a reorg dropped.
  const waited = await awaitCanonicalReceipt({ publicClient: l1.publicClient, hash })
  if (waited.status === 'dropped') throw new L1TransactionError(action, 'transaction dropped from the chain (a reorg?); nothing happened, run it again', { transactionHash: hash })
  if (waited.status === 'timeout') throw new L1TransactionError(action, 'transaction not mined in time; it may still land, check before running it again', { transactionHash: hash })
  const { receipt } = waited
  if (receipt.status !== 'success') throw new L1TransactionError(action, 'transaction reverted', { transactionHash: hash })
  const events = parseEventLogs({ abi: ZK_PERP_ABI, logs: receipt.logs.filter((log: Log) => log.address.toLowerCase() === l1.deployment.zkPerp.toLowerCase()) })
  return { transactionHash: hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, events }
}

function revertError(action: string, cause: unknown): L1TransactionError {
  if (cause instanceof ViemBaseError) {
    const reverted = cause.walk((error) => error instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError && reverted.data !== undefined) {
      const args = (reverted.data.args ?? []).map((value) => (typeof value === 'bigint' ? value.toString() : value))
      return new L1TransactionError(action, `reverted with ${reverted.data.errorName}(${args.join(', ')})`, { errorName: reverted.data.errorName, args }, cause)
    }
    return new L1TransactionError(action, cause.shortMessage, {}, cause)
  }
  return new L1TransactionError(action, cause instanceof Error ? cause.message : String(cause), {}, cause)
}

export type DepositParameters = {
  /** Base units of the quote token. */
  readonly amount: bigint
  /** Top up this existing account (`depositTo`); absent: create a new account of the wallet (`depositNewAccount`). */
  readonly accountIndex?: bigint
  /** New accounts only: 0 cross, 1 + m isolated to market m. */
  readonly mode?: number
  /** New accounts only: the L1 owner (default: the wallet). */
  readonly owner?: Address
}

export type DepositReturnType = L1ActionReturnType & {
  readonly approveTransactionHash?: Hex
  /** New accounts: the L2 key registered (derived from the wallet's EIP-712 signature). */
  readonly publicKey?: PublicKey
  readonly accountIndex?: bigint
  readonly priorityIndex?: bigint
}

/** Approve the contract for `amount` (only when the allowance is short), then deposit. */
export async function deposit(l1: L1Context, wallet: Wallet, parameters: DepositParameters): Promise<DepositReturnType> {
  const { zkPerp, token } = l1.deployment
  let approveTransactionHash: Hex | undefined
  const allowance = await l1.publicClient.readContract({ address: token, abi: ERC20_ABI, functionName: 'allowance', args: [wallet.account.address, zkPerp] })
  if (allowance < parameters.amount) {
    approveTransactionHash = (await send(l1, wallet, 'approve', { address: token, abi: ERC20_ABI, functionName: 'approve', args: [zkPerp, parameters.amount] })).transactionHash
  }
  const approved = approveTransactionHash === undefined ? {} : { approveTransactionHash }
  if (parameters.accountIndex !== undefined) {
    const result = await send(l1, wallet, 'depositTo', { address: zkPerp, abi: ZK_PERP_ABI, functionName: 'depositTo', args: [Number(parameters.accountIndex), parameters.amount] })
    const queued = result.events.find((event) => event.eventName === 'DepositQueued')
    return { ...result, ...approved, accountIndex: parameters.accountIndex, ...(queued?.eventName === 'DepositQueued' ? { priorityIndex: queued.args.priorityIndex } : {}) }
  }
  const { publicKey } = await deriveL2Key({ account: wallet.account as Parameters<typeof deriveL2Key>[0]['account'], chainId: BigInt(l1.chain.id), rollupAddress: zkPerp })
  const owner = parameters.owner ?? wallet.account.address
  const result = await send(l1, wallet, 'depositNewAccount', {
    address: zkPerp,
    abi: ZK_PERP_ABI,
    functionName: 'depositNewAccount',
    args: [owner, publicKey.x, publicKey.y, BigInt(parameters.mode ?? 0), parameters.amount],
  })
  const queued = result.events.find((event) => event.eventName === 'DepositQueued')
  return {
    ...result,
    ...approved,
    publicKey,
    ...(queued?.eventName === 'DepositQueued' ? { accountIndex: BigInt(queued.args.accountIndex), priorityIndex: queued.args.priorityIndex } : {}),
  }
}

/** Pull the wallet's pending balance (proven withdrawals, exits, refunds) to `to` (default: the wallet). */
export function withdrawPending(l1: L1Context, wallet: Wallet, to?: Address): Promise<L1ActionReturnType> {
  return send(l1, wallet, 'withdraw', { address: l1.deployment.zkPerp, abi: ZK_PERP_ABI, functionName: 'withdraw', args: [to ?? wallet.account.address] })
}

/** Queue a forced withdrawal of up to `amount` base units from `accountIndex`. */
export function requestForcedWithdrawal(l1: L1Context, wallet: Wallet, accountIndex: bigint, amount: bigint): Promise<L1ActionReturnType> {
  return send(l1, wallet, 'requestForcedWithdrawal', {
    address: l1.deployment.zkPerp,
    abi: ZK_PERP_ABI,
    functionName: 'requestForcedWithdrawal',
    args: [Number(accountIndex), amount],
  })
}

export function activateExodus(l1: L1Context, wallet: Wallet): Promise<L1ActionReturnType> {
  return send(l1, wallet, 'activateExodus', { address: l1.deployment.zkPerp, abi: ZK_PERP_ABI, functionName: 'activateExodus', args: [] })
}

export function sendExit(l1: L1Context, wallet: Wallet, args: ExitCallArguments): Promise<L1ActionReturnType> {
  return send(l1, wallet, 'exit', { address: l1.deployment.zkPerp, abi: ZK_PERP_ABI, functionName: 'exit', args })
}

/** Whether exodus is active, and when not, whether the oldest pending priority op has expired (activation possible). */
export async function exodusStatus(l1: L1Context): Promise<{ active: boolean; expiredPriorityOp: boolean; head: bigint; deadline: bigint }> {
  const address = l1.deployment.zkPerp
  const [active, head, tail, block] = await Promise.all([
    l1.publicClient.readContract({ address, abi: ZK_PERP_ABI, functionName: 'exodusActive' }),
    l1.publicClient.readContract({ address, abi: ZK_PERP_ABI, functionName: 'priorityHead' }),
    l1.publicClient.readContract({ address, abi: ZK_PERP_ABI, functionName: 'priorityTail' }),
    l1.publicClient.getBlock(),
  ])
  const deadline = head < tail ? (await l1.publicClient.readContract({ address, abi: ZK_PERP_ABI, functionName: 'priorityOps', args: [head] }))[1] : 0n
  return { active, expiredPriorityOp: deadline !== 0n && block.timestamp > deadline, head, deadline }
}

export type PendingDeposit = { readonly priorityIndex: bigint; readonly record: Hex; readonly to: Address; readonly amount: bigint }

/** Deposits queued on L1 that no batch processed (priority index ≥ the queue head) and not yet refunded. */
export async function unprocessedDeposits(l1: L1Context): Promise<PendingDeposit[]> {
  const address = l1.deployment.zkPerp
  const head = await l1.publicClient.readContract({ address, abi: ZK_PERP_ABI, functionName: 'priorityHead' })
  const logs = await scanEvents({ publicClient: l1.publicClient, zkPerp: address, fromBlock: l1.deployment.deploymentBlock }, 'DepositQueued')
  const pending: PendingDeposit[] = []
  for (const log of logs) {
    if (log.args.priorityIndex < head) continue
    const [recordHash] = await l1.publicClient.readContract({ address, abi: ZK_PERP_ABI, functionName: 'priorityOps', args: [log.args.priorityIndex] })
    if (BigInt(recordHash) === 0n) continue // already refunded
    // The record's first chunk ends with the 20-byte address the refund goes to (depositor, or owner of a new account).
    const to = `0x${log.args.record.slice(2 + 24, 2 + 64)}` as Address
    pending.push({ priorityIndex: log.args.priorityIndex, record: log.args.record, to, amount: log.args.amount })
  }
  return pending
}

/** In exodus: refund unprocessed deposits (those paying `to` when given, else all) to their pending balances. */
export async function refundDeposits(l1: L1Context, wallet: Wallet, to?: Address): Promise<{ refunded: PendingDeposit[]; transactions: L1ActionReturnType[] }> {
  const pending = (await unprocessedDeposits(l1)).filter((deposit) => to === undefined || deposit.to.toLowerCase() === to.toLowerCase())
  const transactions: L1ActionReturnType[] = []
  for (const deposit of pending) {
    transactions.push(await send(l1, wallet, 'refundDeposit', {
      address: l1.deployment.zkPerp,
      abi: ZK_PERP_ABI,
      functionName: 'refundDeposit',
      args: [deposit.priorityIndex, deposit.record],
    }))
  }
  return { refunded: pending, transactions }
}
