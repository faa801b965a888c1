/**
 * The whole path on a real devnet (anvil, ZkPerp with the generated `test` verifier, the node with its real prover
 * pool): two traders deposit on L1 through the `zkperp` CLI, trade over the gateway's WebSocket, the oracle moves,
 * one forces a withdrawal through L1 and pulls the payout; every batch is proven and lands on L1; `zkperp reconstruct` rebuilds the sequencer's root from calldata
 * alone and `zkperp verify` accepts every proof; the quote token held by ZkPerp equals what the state owes. Then the
 * node is stopped while a batch is being proven and restarted on its LevelDB folders: nothing acknowledged is lost
 * and every batch lands exactly once.
 *
 * Not here yet: L2 withdrawals, funding and liquidations in batches — the batch circuit does not prove those tx
 * types (circuits/STATEMENTS.md), so the batcher pauses on them rather than skip them.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAbi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { runCli } from '../cli/zkperp.ts'
import { ZK_PERP_ABI } from '../cli/zkPerpAbi.ts'
import { startDevnet, DEVNET_ORACLE_PRIVATE_KEY, type Devnet } from '../scripts/devnet.ts'
import { ZkPerpClient } from '../sdk/client/client.ts'
import { deriveL2Key } from '../sdk/protocol/keys.ts'
import { signOraclePrice } from '../sdk/protocol/signing.ts'
import { hashStoredBatchInfo } from '../sequencer/l1/batchProof.ts'
import { zkPerpAbi } from '../sequencer/l1/zkPerpAbi.ts'
import type { LandedBatch } from '../sequencer/node/settlement.ts'

const tokenAbi = parseAbi(['function balanceOf(address) view returns (uint256)'])
const USDC = 10n ** 6n

let devnet: Devnet
let stateDir: string
const landed: LandedBatch[] = []

/** Runs the CLI in this process against the devnet's deployment file; returns its `--json` output. */
async function zkperp(privateKey: Hex | undefined, ...args: string[]): Promise<Record<string, unknown>> {
  let stdout = ''
  let stderr = ''
  const io = { stdout: (text: string) => void (stdout += text), stderr: (text: string) => void (stderr += text), env: {} }
  const code = await runCli(['--json', '--deployment', devnet.deploymentFile, ...(privateKey === undefined ? [] : ['--private-key', privateKey]), ...args], io)
  if (code !== 0) throw new Error(`zkperp ${args.join(' ')} exited ${code}: ${stderr}`)
  return JSON.parse(stdout) as Record<string, unknown>
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(devnet.node.status(), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Every input so far is in a batch that landed on L1. */
function settled(): Promise<void> {
  const { node } = devnet
  return until('every batch to land', () => {
    const status = node.status()
    if (status.settlement.status === 'paused') throw status.settlement.error
    if (status.batcher.status === 'paused') throw status.batcher.error
    return node.gateway.sequencer.pendingTxs().length === 0 && node.batcher.bufferedTxs === 0 && status.settlement.lastLanded === status.lastBatchPersisted
  })
}

function tokenBalance(address: Address): Promise<bigint> {
  return devnet.node.publicClient.readContract({ address: devnet.deployment.token, abi: tokenAbi, functionName: 'balanceOf', args: [address] })
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'zkperp-e2e-'))
  devnet = await startDevnet({
    port: 0,
    gatewayPort: 0,
    stateDir,
    log: () => {},
    logger: pino({ level: 'silent' }),
    // The test plays the oracle itself, so prices move when it says.
    node: { batch: { maxWaitMs: 300, pollIntervalMs: 50 }, keeper: false },
  })
  devnet.node.settlement.onLanded((batch) => landed.push(batch))
})

afterAll(async () => {
  await devnet?.stop()
  rmSync(stateDir, { recursive: true, force: true })
})

describe('devnet settlement loop', () => {
  it('behavior: L1 deposits, a WebSocket trade, an oracle move and a forced withdrawal are proven, land on L1, reconstruct and verify; token balances match the state', async () => {
    const { node, genesis } = devnet
    const sequencer = node.gateway.sequencer
    const [, aliceKey, bobKey] = devnet.keys as [Hex, Hex, Hex]
    const alice = privateKeyToAccount(aliceKey)
    const bob = privateKeyToAccount(bobKey)
    const aliceTokensBefore = await tokenBalance(alice.address)

    // ─── Deposits on L1, sequenced through the chain watcher ──────────────────────────────────────────────
    const aliceDeposit = await zkperp(aliceKey, 'deposit', '--amount', '10000')
    const bobDeposit = await zkperp(bobKey, 'deposit', '--amount', '10000')
    const aliceIndex = BigInt(aliceDeposit.accountIndex as string)
    const bobIndex = BigInt(bobDeposit.accountIndex as string)
    await until('both deposits in the sequencer', () => sequencer.account(aliceIndex) !== undefined && sequencer.account(bobIndex) !== undefined)
    expect(sequencer.account(aliceIndex)!.collateral).toBe(10_000n * USDC)

    // ─── A fresh oracle price, then a trade over WebSocket signed with the wallet-derived L2 keys ─────────
    const now = () => BigInt(Math.floor(Date.now() / 1000))
    await node.gateway.submit({ kind: 'oraclePrice', tx: signOraclePrice({ market: 0, price: 6_000_000n, timestamp: now() }, DEVNET_ORACLE_PRIVATE_KEY, genesis.domain) })
    const aliceL2 = await deriveL2Key({ account: alice, chainId: 31_337n, rollupAddress: devnet.deployment.zkPerp })
    const bobL2 = await deriveL2Key({ account: bob, chainId: 31_337n, rollupAddress: devnet.deployment.zkPerp })
    const client = await ZkPerpClient.connect({ url: devnet.gatewayUrl, domain: genesis.domain })
    try {
      const expiry = now() + 86_400n
      const sell = await client.signAndPlace({
        order: { accountIndex: aliceIndex, market: 0, isBuy: false, reduceOnly: false, size: 200n, limitPrice: 6_000_000n, storageId: 1n, expiry },
        privateKey: aliceL2.privateKey,
      })
      expect(sell.ok).toBe(true)
      const filledAt = performance.now()
      const buy = await client.signAndPlace({
        order: { accountIndex: bobIndex, market: 0, isBuy: true, reduceOnly: false, size: 200n, limitPrice: 6_000_000n, storageId: 1n, expiry },
        privateKey: bobL2.privateKey,
      })
      expect(buy.ok).toBe(true)
      expect(sequencer.account(bobIndex)!.positions[0]!.size).toBe(200n)
      expect(sequencer.account(aliceIndex)!.positions[0]!.size).toBe(-200n)
      await settled()
      const tradeBatch = landed.find((batch) => batch.batch.records.some((record) => record.type === 'trade'))!
      expect(tradeBatch).toBeDefined()
      console.log(`[e2e] fill → batch final on L1: ${((performance.now() - filledAt) / 1000).toFixed(1)} s (batch ${tradeBatch.batch.batchNumber})`)
    } finally {
      await client.close()
    }

    // ─── The oracle moves; Alice forces a withdrawal through L1, the batch pays it, she pulls it ──────────
    await node.gateway.submit({ kind: 'oraclePrice', tx: signOraclePrice({ market: 0, price: 6_100_000n, timestamp: now() }, DEVNET_ORACLE_PRIVATE_KEY, genesis.domain) })
    await zkperp(aliceKey, 'force-withdraw', '--amount', '1000', '--account', aliceIndex.toString())
    await until('the forced withdrawal in the sequencer', () => sequencer.priorityInputs === 3n)
    await settled()
    const pending = await node.publicClient.readContract({ address: devnet.deployment.zkPerp, abi: ZK_PERP_ABI, functionName: 'pendingWithdrawals', args: [alice.address] })
    expect(pending).toBe(1_000n * USDC)
    await zkperp(aliceKey, 'withdraw')
    expect(await tokenBalance(alice.address)).toBe(aliceTokensBefore - 10_000n * USDC + 1_000n * USDC)

    // ─── L1 holds the sequencer's root; custody equals what the state owes ────────────────────────────────
    const last = node.batcher.lastBatchInfo
    const l1Hash = await node.publicClient.readContract({ address: devnet.deployment.zkPerp, abi: zkPerpAbi, functionName: 'lastBatchHash' })
    expect(l1Hash).toBe(hashStoredBatchInfo(last))
    // Fees are credited to the fee account once per batch; the live state holds them in the batch accumulator.
    const { state } = sequencer
    const owed = [...state.accounts.values()].reduce((total, account) => total + account.collateral, 0n) + state.batchFees + state.batchPenalties
    expect(await tokenBalance(devnet.deployment.zkPerp)).toBe(owed)

    // ─── From L1 alone ─────────────────────────────────────────────────────────────────────────────────────
    const reconstructed = await zkperp(undefined, 'reconstruct')
    expect(BigInt(reconstructed.stateRoot as string)).toBe(last.stateRoot)
    const accounts = reconstructed.accounts as { collateral: string }[]
    expect(accounts.reduce((total, account) => total + BigInt(account.collateral), 0n)).toBe(owed)
    const verified = await zkperp(undefined, 'verify')
    const checks = verified.batches as { ok: boolean }[]
    expect(checks.length).toBe(Number(last.batchNumber))
    expect(checks.every((check) => check.ok)).toBe(true)

    // One /metrics for the whole node: gateway, prover pool and settlement.
    const metrics = await (await fetch(`${node.gateway.httpUrl}/metrics`)).text()
    expect(metrics).toContain(`zkperp_batches_landed ${last.batchNumber}`)
    expect(metrics).toContain('zkperp_proof_lag_batches 0')
    expect(metrics).toMatch(new RegExp(`zkperp_batch_proof_seconds_count ${last.batchNumber}\\b`))
    expect(metrics).toMatch(/zkperp_l1_gas_total [1-9]/)
    expect(metrics).toMatch(/zkperp_gateway_acks_total\{kind="1"\} 2/)

    for (const batch of landed) {
      const { proof } = batch.proven
      const gas = batch.result.status === 'submitted' ? batch.result.gasUsed : undefined
      console.log(
        `[e2e] batch ${batch.batch.batchNumber}: ${batch.batch.records.map((record) => record.type).join(',')} · witness ${(proof.witnessMs / 1000).toFixed(1)} s + prove ${(proof.provingMs / 1000).toFixed(1)} s · landed ${(batch.landedAfterMs / 1000).toFixed(1)} s after cut · gas ${gas}`,
      )
    }
  }, 600_000)

  it('behavior: a node stopped while a batch is proven restarts from its logs: the acknowledged order is still on the book and every batch lands exactly once', async () => {
    const { genesis } = devnet
    const [, aliceKey, bobKey] = devnet.keys as [Hex, Hex, Hex]
    const aliceL2 = await deriveL2Key({ account: privateKeyToAccount(aliceKey), chainId: 31_337n, rollupAddress: devnet.deployment.zkPerp })
    const bobL2 = await deriveL2Key({ account: privateKeyToAccount(bobKey), chainId: 31_337n, rollupAddress: devnet.deployment.zkPerp })
    const [aliceIndex, bobIndex] = [2n, 3n]
    const now = () => BigInt(Math.floor(Date.now() / 1000))
    const before = devnet.node
    await before.gateway.submit({ kind: 'oraclePrice', tx: signOraclePrice({ market: 0, price: 6_100_000n, timestamp: now() }, DEVNET_ORACLE_PRIVATE_KEY, genesis.domain) })
    const client = await ZkPerpClient.connect({ url: devnet.gatewayUrl, domain: genesis.domain })
    const expiry = now() + 86_400n
    try {
      // Bob closes half his long against Alice's bid; Alice also rests a bid that nobody fills.
      expect((await client.signAndPlace({ order: { accountIndex: aliceIndex, market: 0, isBuy: true, reduceOnly: false, size: 100n, limitPrice: 6_100_000n, storageId: 2n, expiry }, privateKey: aliceL2.privateKey })).ok).toBe(true)
      expect((await client.signAndPlace({ order: { accountIndex: bobIndex, market: 0, isBuy: false, reduceOnly: true, size: 100n, limitPrice: 6_100_000n, storageId: 2n, expiry }, privateKey: bobL2.privateKey })).ok).toBe(true)
      expect((await client.signAndPlace({ order: { accountIndex: aliceIndex, market: 0, isBuy: true, reduceOnly: false, size: 50n, limitPrice: 5_000_000n, storageId: 3n, expiry }, privateKey: aliceL2.privateKey })).ok).toBe(true)
    } finally {
      await client.close()
    }
    const landedBefore = before.settlement.status.lastLanded
    await until('a batch persisted but not yet on L1', () => before.batcher.lastBatchInfo.batchNumber > landedBefore)
    expect(before.settlement.status.lastLanded).toBe(landedBefore)
    const core = (node: typeof before) => {
      const sequencer = node.gateway.sequencer
      return { lastSeq: sequencer.lastSeq, accounts: [...sequencer.state.accounts.entries()], bids: sequencer.engine(0).depth('buy'), asks: sequencer.engine(0).depth('sell') }
    }
    const coreBefore = core(before)

    const after = await devnet.restartNode()
    expect(after).not.toBe(before)
    // The core is rebuilt from the input log alone: the same state and book as before the stop.
    expect(core(after)).toEqual(coreBefore)
    expect(coreBefore.bids).toContainEqual([5_000_000n, 50n, 1])
    await settled()

    const history = await zkperp(undefined, 'reconstruct')
    const last = after.batcher.lastBatchInfo
    expect(BigInt(history.stateRoot as string)).toBe(last.stateRoot)
    expect(BigInt(history.batches as number)).toBe(last.batchNumber)
    const l1Last = await after.publicClient.readContract({ address: devnet.deployment.zkPerp, abi: zkPerpAbi, functionName: 'lastBatchNumber' })
    expect(BigInt(l1Last)).toBe(last.batchNumber)
    expect(after.gateway.sequencer.account(bobIndex)!.positions[0]!.size).toBe(100n)
  }, 600_000)
})
