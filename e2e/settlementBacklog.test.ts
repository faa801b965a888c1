/**
 * Intake follows settlement (RELIABILITY.md, proof lag): on a real devnet whose node allows one batch waiting for
 * L1, a deposit's batch is held in the prover (its first proof attempt is delayed by the fault-injecting worker);
 * while it waits, new orders are refused with SETTLEMENT_BACKLOG and the zkperp_intake_paused gauge is 1; once the
 * batch lands, the gauge drops to 0 and the same order is acked.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { privateKeyToAccount } from 'viem/accounts'
import type { Hex } from 'viem'
import { runCli } from '../cli/zkperp.ts'
import type { Devnet } from '../scripts/devnet.ts'
import { ZkPerpClient } from '../sdk/client/client.ts'
import { deriveL2Key } from '../sdk/protocol/keys.ts'
import type { FaultPlan } from '../prover/testing/faultyProofWorker.ts'
import { gauge, startSlowProverDevnet, until } from './quietDevnet.ts'

// Batch 1 (the deposit) waits 5 s before its proof even starts: the window in which the backlog is at its limit.
const PROVER_FAULTS: FaultPlan = { 'batch-1': { 1: { delayMs: 5_000 } } }

let devnet: Devnet
let stateDir: string

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'zkperp-e2e-backlog-'))
  devnet = await startSlowProverDevnet(stateDir, PROVER_FAULTS)
})

afterAll(async () => {
  await devnet?.stop()
  rmSync(stateDir, { recursive: true, force: true })
})

describe('devnet settlement backlog', () => {
  it('behavior: while a batch waits for L1 at the backlog limit, new orders are refused with SETTLEMENT_BACKLOG; once it lands they are acked', async () => {
    const { node, genesis } = devnet
    const aliceKey = devnet.keys[1] as Hex
    let stdout = ''
    const io = { stdout: (text: string) => void (stdout += text), stderr: () => {}, env: {} }
    expect(await runCli(['--json', '--deployment', devnet.deploymentFile, '--private-key', aliceKey, 'deposit', '--amount', '1000'], io)).toBe(0)
    const accountIndex = BigInt((JSON.parse(stdout) as { accountIndex: string }).accountIndex)
    await until(devnet, 'the deposit in a persisted batch', () => node.gateway.sequencer.account(accountIndex) !== undefined && node.settlement.backlog === 1n)
    expect(await gauge(devnet, 'zkperp_intake_paused')).toBe(1)

    const aliceL2 = await deriveL2Key({ account: privateKeyToAccount(aliceKey), chainId: 31_337n, rollupAddress: devnet.deployment.zkPerp })
    const client = await ZkPerpClient.connect({ url: devnet.gatewayUrl, domain: genesis.domain })
    try {
      const order = { accountIndex, market: 0, isBuy: true, reduceOnly: false, size: 1n, limitPrice: 5_000_000n, storageId: 1n, expiry: BigInt(Math.floor(Date.now() / 1000)) + 3_600n }
      const refused = await client.signAndPlace({ order, privateKey: aliceL2.privateKey })
      expect(!refused.ok && refused.error.code).toBe('SETTLEMENT_BACKLOG')
      expect(!refused.ok && refused.error.details).toEqual({ backlog: '1', limit: '1' })

      await until(devnet, 'batch 1 on L1', () => node.status().settlement.lastLanded === 1n)
      expect(node.settlement.backlog).toBe(0n)
      expect(await gauge(devnet, 'zkperp_intake_paused')).toBe(0)
      const accepted = await client.signAndPlace({ order, privateKey: aliceL2.privateKey })
      expect(accepted.ok).toBe(true)
    } finally {
      await client.close()
    }
  })
})
