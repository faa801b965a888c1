/**
 * A slow prover cannot push a forced withdrawal past its deadline (RELIABILITY.md, proof lag). On a real devnet
 * whose node allows one batch waiting for L1 and whose every proof starts late, two traders flood crossing orders
 * while a third account forces a withdrawal on L1 with a 240 s window. The backlog gate refuses most of the flood,
 * so only the batches already waiting are ahead of the withdrawal: it lands well inside its window, and the
 * deadline gauges show it pending meanwhile. Without the gate the flood queues hundreds of batches ahead of it.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privateKeyToAccount } from 'viem/accounts'
import { createPublicClient, http, type Hex, type PublicClient } from 'viem'
import { runCli } from '../cli/zkperp.ts'
import type { Devnet } from '../scripts/devnet.ts'
import { readPriorityDeadline } from '../sequencer/l1/priorityDeadline.ts'
import { zkPerpAbi } from '../sequencer/l1/zkPerpAbi.ts'
import { ZkPerpClient } from '../sdk/client/client.ts'
import { deriveL2Key } from '../sdk/protocol/keys.ts'
import type { FaultPlan, WorkerFault } from '../prover/testing/faultyProofWorker.ts'
import { gauge, startSlowProverDevnet, until } from './quietDevnet.ts'

const PROOF_DELAY_MS = 3_000
// Every batch's first proof attempt starts PROOF_DELAY_MS late, on top of real proving.
const PROVER_FAULTS: FaultPlan = Object.fromEntries(
  Array.from({ length: 200 }, (_, index) => [`batch-${index + 1}`, { 1: { delayMs: PROOF_DELAY_MS } as WorkerFault }]),
)
const WINDOW_SECONDS = 240n

let devnet: Devnet
let l1: PublicClient
let stateDir: string

/** `zkperp deposit` from anvil key `keyIndex`; returns the new account's index. */
async function depositFrom(keyIndex: number, amount: string): Promise<bigint> {
  let stdout = ''
  const io = { stdout: (text: string) => void (stdout += text), stderr: () => {}, env: {} }
  const code = await runCli(['--json', '--deployment', devnet.deploymentFile, '--private-key', devnet.keys[keyIndex] as Hex, 'deposit', '--amount', amount], io)
  expect(code).toBe(0)
  return BigInt((JSON.parse(stdout) as { accountIndex: string }).accountIndex)
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'zkperp-e2e-deadline-'))
  devnet = await startSlowProverDevnet(stateDir, PROVER_FAULTS, { priorityDeadlineSeconds: WINDOW_SECONDS })
  l1 = createPublicClient({ transport: http(devnet.rpcUrl), cacheTime: 0 }) as PublicClient
})

afterAll(async () => {
  await devnet?.stop()
  rmSync(stateDir, { recursive: true, force: true })
})

describe('devnet forced withdrawal under a slow prover', () => {
  it('behavior: while orders flood and every proof is slow, a forced withdrawal lands well inside its deadline; the gate held the flood back', async () => {
    const { node, genesis } = devnet
    const alice = await depositFrom(1, '1000')
    const bob = await depositFrom(2, '1000')
    const carol = await depositFrom(3, '100')
    await until(devnet, 'the deposits on L1', async () => (await readPriorityDeadline(l1, devnet.deployment.zkPerp)).pending === 0n)

    const keyOf = (index: number) => deriveL2Key({ account: privateKeyToAccount(devnet.keys[index] as Hex), chainId: 31_337n, rollupAddress: devnet.deployment.zkPerp })
    const [aliceL2, bobL2] = await Promise.all([keyOf(1), keyOf(2)])
    const client = await ZkPerpClient.connect({ url: devnet.gatewayUrl, domain: genesis.domain })
    const counts = { trades: 0, refused: 0, otherErrors: [] as string[] }
    let flooding = true
    const expiry = BigInt(Math.floor(Date.now() / 1000)) + 3_600n
    // Alice rests an order, Bob takes it with IOC; sides alternate so positions stay within one lot. A resting
    // order left behind by a refused take is cancelled (cancels pass the gate).
    const flood = (async () => {
      for (let round = 1n; flooding; round++) {
        const aliceBuys = round % 2n === 0n
        const maker = { accountIndex: alice, market: 0, isBuy: aliceBuys, reduceOnly: false, size: 1n, limitPrice: 5_000_000n, storageId: round, expiry }
        const placed = await client.signAndPlace({ order: maker, privateKey: aliceL2.privateKey })
        if (!placed.ok) {
          if (placed.error.code === 'SETTLEMENT_BACKLOG') counts.refused++
          else counts.otherErrors.push(placed.error.code)
          await new Promise((resolve) => setTimeout(resolve, 20))
          continue
        }
        const taker = { accountIndex: bob, market: 0, isBuy: !aliceBuys, reduceOnly: false, size: 1n, limitPrice: 5_000_000n, storageId: round, expiry }
        const took = await client.signAndPlace({ order: taker, privateKey: bobL2.privateKey, timeInForce: 'IOC' })
        if (took.ok) counts.trades++
        else {
          if (took.error.code === 'SETTLEMENT_BACKLOG') counts.refused++
          else counts.otherErrors.push(took.error.code)
          await client.cancelOrder({ accountIndex: alice, market: 0, storageId: round, privateKey: aliceL2.privateKey })
        }
      }
    })()

    try {
      await until(devnet, 'the gate refusing part of the flood', () => counts.refused > 0 && counts.trades > 0)
      const landedBefore = node.status().settlement.lastLanded
      let stdout = ''
      const io = { stdout: (text: string) => void (stdout += text), stderr: () => {}, env: {} }
      expect(await runCli(['--json', '--deployment', devnet.deploymentFile, '--private-key', devnet.keys[3] as Hex, 'force-withdraw', '--amount', '40', '--account', carol.toString()], io)).toBe(0)
      const requested = await readPriorityDeadline(l1, devnet.deployment.zkPerp)
      expect(requested.pending).toBe(1n)
      const { priorityIndex, deadline } = requested.oldest!

      let smallestSlack = Number.POSITIVE_INFINITY
      let mostPending = 0
      await until(devnet, 'the forced withdrawal processed on L1', async () => {
        smallestSlack = Math.min(smallestSlack, await gauge(devnet, 'zkperp_priority_deadline_slack_seconds'))
        mostPending = Math.max(mostPending, await gauge(devnet, 'zkperp_priority_ops_pending'))
        const reading = await readPriorityDeadline(l1, devnet.deployment.zkPerp)
        if (reading.oldest !== undefined && reading.oldest.priorityIndex === priorityIndex) return false
        // Processed at or before this block, which is still inside the window.
        expect(reading.blockTimestamp).toBeLessThan(deadline)
        return true
      })
      const waitedSeconds = Number((await l1.getBlock()).timestamp - (deadline - WINDOW_SECONDS))
      const batchesLanded = node.status().settlement.lastLanded - landedBefore
      console.log(`[deadline] forced withdrawal processed ${waitedSeconds} s into its ${WINDOW_SECONDS} s window, ${batchesLanded} batches landed meanwhile; flood: ${counts.trades} trades acked, ${counts.refused} orders refused for the backlog`)
      // The gauges saw the op waiting and inside its window. (Its slack is measured in L1 time, which an
      // automining anvil advances only when it mines, so it may stay at the whole window until a batch lands.)
      expect(mostPending).toBeGreaterThanOrEqual(1)
      expect(smallestSlack).toBeLessThanOrEqual(Number(WINDOW_SECONDS))
      expect(smallestSlack).toBeGreaterThan(0)
      expect(waitedSeconds).toBeLessThan(Number(WINDOW_SECONDS) / 2)
      expect(counts.otherErrors).toEqual([])
    } finally {
      flooding = false
      await flood
      await client.close()
    }
    expect(await l1.readContract({ address: devnet.deployment.zkPerp, abi: zkPerpAbi, functionName: 'exodusActive' })).toBe(false)
    // Real proving of every batch, each started 3 s late, on 2 cores: 95–110 s in earlier runs, over 120 s in one.
    // The limit bounds the harness, not the claim (the withdrawal's wait in L1 time is asserted above).
  }, 360_000)
})
