/**
 * The owner's side of a withdrawal: proven withdrawals (and forced withdrawals, exits, refunds) credit
 * `pendingWithdrawals[owner]` on ZkPerp; the owner pulls it with `withdraw(to)`. Used by the CLI and the e2e tests.
 */
import type { Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem'
import { parseEventLogs } from 'viem'
import { decodeRevert } from './batchSubmitter.ts'
import { NothingToWithdrawError, TransactionUnconfirmedError, WithdrawalFailedError } from './errors.ts'
import { awaitCanonicalReceipt } from './receipts.ts'
import { zkPerpAbi } from './zkPerpAbi.ts'

export type ReadPendingWithdrawalParameters = {
  readonly client: PublicClient
  readonly zkPerpAddress: Address
  readonly owner: Address
}

/** The quote-token amount (base units) `owner` can pull now. */
export async function readPendingWithdrawal({ client, zkPerpAddress, owner }: ReadPendingWithdrawalParameters): Promise<bigint> {
  return client.readContract({ address: zkPerpAddress, abi: zkPerpAbi, functionName: 'pendingWithdrawals', args: [owner] })
}

export type WithdrawPendingParameters = {
  readonly publicClient: PublicClient
  /** The owner's wallet: its account is `msg.sender`, whose pending balance is paid. */
  readonly walletClient: WalletClient<Transport, Chain, Account>
  readonly zkPerpAddress: Address
  /** Where the tokens go (default: the owner). */
  readonly to?: Address
  /** Confirmations to wait for (default 1). */
  readonly confirmations?: number
  /** How long to wait for them (default 120 s). */
  readonly receiptTimeoutMs?: number
}

export type WithdrawPendingReturnType = {
  readonly amount: bigint
  readonly to: Address
  readonly transactionHash: Hex
  readonly blockNumber: bigint
  readonly gasUsed: bigint
}

/**
 * Pulls the owner's whole pending balance to `to`. NothingToWithdrawError (checked before sending) when there is
 * none; the amount paid is read from the `Withdrawn` event of the receipt. TransactionUnconfirmedError when the
 * transaction is dropped by a reorg before its confirmations (the balance is still pending: run it again) or is
 * not confirmed in time.
 */
export async function withdrawPending(parameters: WithdrawPendingParameters): Promise<WithdrawPendingReturnType> {
  const { publicClient, walletClient, zkPerpAddress } = parameters
  const owner = walletClient.account.address
  const to = parameters.to ?? owner
  try {
    await publicClient.simulateContract({ address: zkPerpAddress, abi: zkPerpAbi, functionName: 'withdraw', args: [to], account: walletClient.account })
  } catch (error) {
    if (decodeRevert(error)?.errorName === 'NothingToWithdraw') throw new NothingToWithdrawError(owner)
    throw error
  }
  const hash = await walletClient.writeContract({ address: zkPerpAddress, abi: zkPerpAbi, functionName: 'withdraw', args: [to], account: walletClient.account, chain: walletClient.chain })
  const waited = await awaitCanonicalReceipt({ publicClient, hash, confirmations: parameters.confirmations ?? 1, timeoutMs: parameters.receiptTimeoutMs ?? 120_000 })
  if (waited.status !== 'confirmed') throw new TransactionUnconfirmedError('withdraw', waited.status, hash)
  const { receipt } = waited
  const [withdrawn] = parseEventLogs({ abi: zkPerpAbi, eventName: 'Withdrawn', logs: receipt.logs, strict: true })
  if (receipt.status !== 'success' || withdrawn === undefined) throw new WithdrawalFailedError(owner, hash)
  return { amount: withdrawn.args.amount, to: withdrawn.args.to, transactionHash: hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed }
}
