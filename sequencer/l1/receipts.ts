/**
 * Waiting for a transaction to be final enough, on a chain that reorganises. viem's `waitForTransactionReceipt`
 * is not used: for a transaction a reorg dropped it waits out its whole timeout (measured: the batch submitter's
 * reorg test hung), for a receipt that cannot come.
 */
import {
  BlockNotFoundError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
} from 'viem'
import { sleep } from './retry.ts'

/** For `.catch`: the value when viem reports the block, transaction or receipt unknown; other errors pass. */
export function ifNotFound<T>(value: T): (error: unknown) => T {
  return (error) => {
    if (error instanceof TransactionReceiptNotFoundError || error instanceof TransactionNotFoundError || error instanceof BlockNotFoundError) return value
    throw error
  }
}

/** Runs one RPC read; the batch submitter passes its retry policy, others call straight through. */
export type RpcCall = <T>(operation: string, call: () => Promise<T>) => Promise<T>

const direct: RpcCall = (_operation, call) => call()

export type AwaitCanonicalReceiptParameters = {
  readonly publicClient: PublicClient
  readonly hash: Hex
  /** Blocks the receipt's block must be deep (1: mined). Default 1. */
  readonly confirmations?: number
  /** Give up after this long. Default 120 s. */
  readonly timeoutMs?: number
  readonly rpc?: RpcCall
}

export type AwaitCanonicalReceiptReturnType =
  | { readonly status: 'confirmed'; readonly receipt: TransactionReceipt }
  /** The node no longer knows the transaction (a reorg dropped it, or it was replaced): it will not land as sent. */
  | { readonly status: 'dropped' }
  /** Still pending, or not yet deep enough, when the time ran out: it may land later. */
  | { readonly status: 'timeout' }

/** The receipt of `hash` once its block is `confirmations` deep and still canonical. */
export async function awaitCanonicalReceipt(parameters: AwaitCanonicalReceiptParameters): Promise<AwaitCanonicalReceiptReturnType> {
  const { publicClient, hash } = parameters
  const rpc = parameters.rpc ?? direct
  const confirmations = BigInt(parameters.confirmations ?? 1)
  const deadline = performance.now() + (parameters.timeoutMs ?? 120_000)
  const pollMs = Math.min(1_000, Math.max(50, publicClient.pollingInterval))
  for (;;) {
    const receipt = await rpc('getTransactionReceipt', () => publicClient.getTransactionReceipt({ hash }).catch(ifNotFound(undefined)))
    if (receipt === undefined) {
      const known = await rpc('getTransaction', () => publicClient.getTransaction({ hash }).then(() => true, ifNotFound(false)))
      if (!known) return { status: 'dropped' }
    } else {
      const head = await rpc('getBlockNumber', () => publicClient.getBlockNumber({ cacheTime: 0 }))
      if (head - receipt.blockNumber + 1n >= confirmations) {
        const block = await rpc('getBlock', () => publicClient.getBlock({ blockNumber: receipt.blockNumber }).catch(ifNotFound(undefined)))
        // Another block at that height: the receipt is stale (reorged out, or moved); read it again.
        if (block?.hash === receipt.blockHash) return { status: 'confirmed', receipt }
      }
    }
    if (performance.now() > deadline) return { status: 'timeout' }
    await sleep(pollMs)
  }
}
