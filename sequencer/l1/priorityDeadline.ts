/**
 * How close L1's oldest unprocessed priority op (a deposit or a forced withdrawal) is to its deadline: once a
 * deadline passes, anyone may freeze ZkPerp (exodus). Read from the contract at one block, so it is right after a
 * restart and counts ops the node has not even seen yet; nothing here is local state.
 */
import type { Address, PublicClient } from 'viem'
import { zkPerpAbi } from './zkPerpAbi.ts'

export type PriorityDeadlineReading = {
  readonly blockNumber: bigint
  readonly blockTimestamp: bigint
  /** Ops queued on L1 and not yet processed by a landed batch. */
  readonly pending: bigint
  /** The oldest pending op; `slackSeconds` = its deadline − the block's time, ≤ 0 once exodus can be activated. */
  readonly oldest: { readonly priorityIndex: bigint; readonly deadline: bigint; readonly slackSeconds: bigint } | undefined
}

export async function readPriorityDeadline(client: PublicClient, zkPerpAddress: Address): Promise<PriorityDeadlineReading> {
  const block = await client.getBlock({ blockTag: 'latest' })
  const at = { address: zkPerpAddress, abi: zkPerpAbi, blockNumber: block.number } as const
  const [head, tail] = await Promise.all([
    client.readContract({ ...at, functionName: 'priorityHead' }),
    client.readContract({ ...at, functionName: 'priorityTail' }),
  ])
  const reading = { blockNumber: block.number, blockTimestamp: block.timestamp, pending: tail - head }
  if (head >= tail) return { ...reading, oldest: undefined }
  const [, deadline] = await client.readContract({ ...at, functionName: 'priorityOps', args: [head] })
  return { ...reading, oldest: { priorityIndex: head, deadline, slackSeconds: deadline - block.timestamp } }
}

export type PriorityDeadlineMonitorParameters = {
  readonly client: PublicClient
  readonly zkPerpAddress: Address
  /** Between readings. */
  readonly intervalMs: number
  readonly onReading: (reading: PriorityDeadlineReading) => void
  /** A failed reading (logs); the monitor keeps going. */
  readonly onError: (error: unknown) => void
}

/** Reads `readPriorityDeadline` every `intervalMs` until stopped; one reading at a time. */
export class PriorityDeadlineMonitor {
  readonly #parameters: PriorityDeadlineMonitorParameters
  #timer: NodeJS.Timeout | undefined
  #reading: Promise<void> | undefined

  constructor(parameters: PriorityDeadlineMonitorParameters) {
    this.#parameters = parameters
  }

  start(): void {
    if (this.#timer !== undefined) return
    void this.readOnce()
    this.#timer = setInterval(() => void this.readOnce(), this.#parameters.intervalMs)
  }

  /** One reading now (skipped while one is in flight). */
  readOnce(): Promise<void> {
    this.#reading ??= readPriorityDeadline(this.#parameters.client, this.#parameters.zkPerpAddress)
      .then(this.#parameters.onReading, this.#parameters.onError)
      .finally(() => {
        this.#reading = undefined
      })
    return this.#reading
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#reading
  }
}
