/**
 * The whole path on a real devnet (anvil, ZkPerp with the generated `test` verifier, the node with its real prover
 * pool): two traders deposit on L1 through the `zkperp` CLI, trade over the gateway's WebSocket, funding is applied, the oracle moves,
 * one forces a withdrawal through L1 and pulls the payout, the other withdraws through L2 (a signed withdraw sent
 * with `zkperp withdraw --l2`) and pulls it, a signed transfer opens an isolated account, and a third trader at 9x
 * leverage is liquidated in a tier by the liquidation keeper when the price falls; every batch is proven and lands
 * on L1; `zkperp reconstruct` rebuilds the sequencer's root from calldata
 * alone and `zkperp verify` accepts every proof; the quote token held by ZkPerp equals what the state owes. Then the
 * node is stopped while a batch is being proven and restarted on its LevelDB folders: nothing acknowledged is lost
 * and every batch lands exactly once. Last, the operator vanishes: a forced withdrawal passes its deadline, exodus
 * starts and `zkperp exit` pays the owner from L1 data alone.
 *
 * The test plays the oracle itself and runs the funding and liquidation keepers by hand, so prices, funding and
 * scans happen when it says; the devnet's funding interval is shortened to 20 s.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseAbi, type Address, type Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { runCli } from '../cli/zkperp.ts'
import { ZK_PERP_ABI } from '../cli/zkPerpAbi.ts'
import { DEVNET_ORACLE_PRIVATE_KEY, type Devnet } from '../scripts/devnet.ts'
import { spendOutcome, ZkPerpClient } from '../sdk/client/client.ts'
import { signatureToWire } from '../sdk/client/messages.ts'
import { deriveL2Key } from '../sdk/protocol/keys.ts'
import { signOraclePrice } from '../sdk/protocol/signing.ts'
import { settleFunding } from '../sdk/state/funding.ts'
import { hashStoredBatchInfo } from '../sequencer/l1/batchProof.ts'
import { zkPerpAbi } from '../sequencer/l1/zkPerpAbi.ts'
import { FundingKeeper } from '../sequencer/keeper/fundingKeeper.ts'
import { LiquidationKeeper } from '../sequencer/keeper/liquidationKeeper.ts'
import { sequencerView } from '../sequencer/keeper/keeperView.ts'
import type { LandedBatch } from '../sequencer/node/settlement.ts'
import type { FaultPlan } from '../prover/testing/faultyProofWorker.ts'
import { startQuietDevnet, until } from './quietDevnet.ts'

const FAULTY_WORKER = new URL('../prover/testing/faultyProofWorker.ts', import.meta.url).href
const PROVER_FAULTS: FaultPlan = { 'batch-1': { 1: 'exit' }, 'batch-2': { 1: 'corruptProof' } }
const tokenAbi = parseAbi(['function balanceOf(address) view returns (uint256)'])
const USDC = 10n ** 6n

const ROOT = join(import.meta.dirname, '..')
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

/** Every input so far is in a batch that landed on L1. */
function settled(): Promise<void> {
  const { node } = devnet
  return until(devnet, 'every batch to land', () => {
    const status = node.status()
    if (status.settlement.status === 'paused') throw status.settlement.error
    if (status.batcher.status === 'paused') throw status.batcher.error
    // A tx drained by a running batcher pass is in no queue until its batch is persisted: wait for the pass too.
    const drained = node.gateway.sequencer.pendingTxs().length === 0 && node.batcher.bufferedTxs === 0 && !status.batcherPolling
    return drained && status.settlement.lastLanded === status.lastBatchPersisted
  })
}

type NodeProcess = { process: ChildProcess; gatewayUrl: string; httpUrl: string }
const children = new Set<ChildProcess>()

/** `npm run node` on the devnet's node config, as its own process; resolves once it serves. */
function spawnNode(): Promise<NodeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/node.ts', '--config', devnet.nodeConfigFile], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'error' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return new Promise((resolve, reject) => {
    let buffered = ''
    child.stdout!.on('data', (data: Buffer) => {
      buffered += data.toString()
      const line = buffered.split('\n').find((candidate) => candidate.startsWith('{"ready"'))
      if (line !== undefined) {
        const ready = JSON.parse(line) as { gatewayUrl: string; httpUrl: string }
        resolve({ process: child, gatewayUrl: ready.gatewayUrl, httpUrl: ready.httpUrl })
      }
    })
    child.once('exit', (code) => reject(new Error(`node process exited ${code} before it was ready`)))
  })
}

/** One unlabelled value from the node's /metrics. */
async function metric(node: NodeProcess, name: string): Promise<bigint> {
  const text = await (await fetch(`${node.httpUrl}/metrics`)).text()
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `))
  if (line === undefined) throw new Error(`no metric ${name}`)
  return BigInt(line.split(' ')[1]!)
}

/** Demo traders 1 and 2 (Alice, Bob): their L1 keys and the L2 keys derived from their wallets, as the CLI does. */
async function demoTraderKeys() {
  const [, aliceKey, bobKey] = devnet.keys as [Hex, Hex, Hex]
  const derive = (key: Hex) => deriveL2Key({ account: privateKeyToAccount(key), chainId: 31_337n, rollupAddress: devnet.deployment.zkPerp })
  return { aliceKey, bobKey, aliceL2: await derive(aliceKey), bobL2: await derive(bobKey) }
}

function tokenBalance(address: Address): Promise<bigint> {
  return devnet.node.publicClient.readContract({ address: devnet.deployment.token, abi: tokenAbi, functionName: 'balanceOf', args: [address] })
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'zkperp-e2e-'))
  devnet = await startQuietDevnet(stateDir, {
    // The test plays the oracle itself, so prices move when it says; funding is due every 20 s, not every hour.
    // The first attempt of batch 1's proof crashes its worker thread and batch 2's first proof is corrupt: the
    // pool must retry both and land every batch anyway (a hang is covered by prover/proverPool.test.ts).
    node: { batch: { maxWaitMs: 300, pollIntervalMs: 50 }, keeper: false, prover: { workerFilename: FAULTY_WORKER, workerData: { faults: PROVER_FAULTS } } },
    fundingIntervalSeconds: 20n,
  })
  devnet.node.settlement.onLanded((batch) => landed.push(batch))
})

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL')
  await devnet?.stop()
  rmSync(stateDir, { recursive: true, force: true })
})

describe('devnet settlement loop', () => {
  it('behavior: L1 deposits, a WebSocket trade, an oracle move, funding, a forced and an L2 withdrawal, a transfer and a tiered liquidation by the keeper are proven, land on L1, reconstruct and verify; token balances match the state', async () => {
    const { node, genesis } = devnet
    const sequencer = node.gateway.sequencer
    const { aliceKey, bobKey } = await demoTraderKeys()
    const alice = privateKeyToAccount(aliceKey)
    const bob = privateKeyToAccount(bobKey)
    const aliceTokensBefore = await tokenBalance(alice.address)
    const bobTokensBefore = await tokenBalance(bob.address)

    // ─── Deposits on L1, sequenced through the chain watcher ──────────────────────────────────────────────
    const aliceDeposit = await zkperp(aliceKey, 'deposit', '--amount', '10000')
    const bobDeposit = await zkperp(bobKey, 'deposit', '--amount', '10000')
    const aliceIndex = BigInt(aliceDeposit.accountIndex as string)
    const bobIndex = BigInt(bobDeposit.accountIndex as string)
    await until(devnet, 'both deposits in the sequencer', () => sequencer.account(aliceIndex) !== undefined && sequencer.account(bobIndex) !== undefined)
    expect(sequencer.account(aliceIndex)!.collateral).toBe(10_000n * USDC)

    // ─── A fresh oracle price, then a trade over WebSocket signed with the wallet-derived L2 keys ─────────
    const now = () => BigInt(Math.floor(Date.now() / 1000))
    await node.gateway.submit({ kind: 'oraclePrice', tx: signOraclePrice({ market: 0, price: 6_000_000n, timestamp: now() }, DEVNET_ORACLE_PRIVATE_KEY, genesis.domain) })
    const { aliceL2, bobL2 } = await demoTraderKeys()
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

    // ─── Funding: Bob's bid above the oracle is the book's premium; the keeper charges longs at the clamp ───
    // Oracle timestamps strictly increase and may not run ahead of the gateway's clock: wait for the next second.
    let lastOracleTime = 0n
    const oracle = async (price: bigint) => {
      while (now() <= lastOracleTime) await new Promise((resolve) => setTimeout(resolve, 50))
      lastOracleTime = now()
      const { events } = await node.gateway.submit({ kind: 'oraclePrice', tx: signOraclePrice({ market: 0, price, timestamp: lastOracleTime }, DEVNET_ORACLE_PRIVATE_KEY, genesis.domain) })
      expect(events.map((event) => event.type)).not.toContain('txRejected')
    }
    await oracle(6_000_000n)
    const fundingClient = await ZkPerpClient.connect({ url: devnet.gatewayUrl, domain: genesis.domain })
    try {
      const bid = { accountIndex: bobIndex, market: 0, storageId: 6n }
      expect((await fundingClient.signAndPlace({ order: { ...bid, isBuy: true, reduceOnly: false, size: 20n, limitPrice: 6_030_000n, expiry: now() + 600n }, privateKey: bobL2.privateKey })).ok).toBe(true)
      const funding = new FundingKeeper({ view: sequencerView(sequencer), append: (input) => node.gateway.submit(input), clock: now, logger: pino({ level: 'silent' }), impactNotional: 100n * USDC })
      funding.sample()
      const ticked = await funding.tick()
      expect(ticked.applied).toContainEqual(expect.objectContaining({ type: 'fundingUpdate', market: 0, ratePpm: 750n }))
      expect((await fundingClient.cancelOrder({ ...bid, privateKey: bobL2.privateKey })).ok).toBe(true)
    } finally {
      await fundingClient.close()
    }
    const bobFunding = settleFunding(sequencer.account(bobIndex)!, sequencer.state.markets).payment
    expect(bobFunding).toBeGreaterThan(0n)
    expect(settleFunding(sequencer.account(aliceIndex)!, sequencer.state.markets).payment).toBe(-bobFunding)
    await settled()
    expect(landed.some((batch) => batch.batch.records.some((record) => record.type === 'fundingUpdate' && record.ratePpm === 750n))).toBe(true)

    // ─── The oracle moves; Alice forces a withdrawal through L1, the batch pays it, she pulls it ──────────
    await node.gateway.submit({ kind: 'oraclePrice', tx: signOraclePrice({ market: 0, price: 6_100_000n, timestamp: now() }, DEVNET_ORACLE_PRIVATE_KEY, genesis.domain) })
    await zkperp(aliceKey, 'force-withdraw', '--amount', '1000', '--account', aliceIndex.toString())
    await until(devnet, 'the forced withdrawal in the sequencer', () => sequencer.priorityInputs === 3n)
    await settled()
    const pending = await node.publicClient.readContract({ address: devnet.deployment.zkPerp, abi: ZK_PERP_ABI, functionName: 'pendingWithdrawals', args: [alice.address] })
    expect(pending).toBe(1_000n * USDC)
    await zkperp(aliceKey, 'withdraw')
    expect(await tokenBalance(alice.address)).toBe(aliceTokensBefore - 10_000n * USDC + 1_000n * USDC)

    // ─── Bob withdraws through L2: a signed withdraw, proven in a batch, credited on L1, pulled ──────────────
    // Bob holds a position, so his withdrawal needs a fresh oracle price (the forced withdrawal took a while).
    await node.gateway.submit({ kind: 'oraclePrice', tx: signOraclePrice({ market: 0, price: 6_100_000n, timestamp: now() }, DEVNET_ORACLE_PRIVATE_KEY, genesis.domain) })
    // The withdrawal settles Bob's funding first (he was long while longs paid).
    const bobCollateral = settleFunding(sequencer.account(bobIndex)!, sequencer.state.markets).account.collateral
    // Storage id 4: a slot none of Bob's orders in these tests use (the default, the current second, could be one).
    const requested = await zkperp(bobKey, 'withdraw', '--l2', '--amount', '500', '--account', bobIndex.toString(), '--storage-id', '4')
    expect((requested.ack as { kind: number }).kind).toBe(8)
    expect(sequencer.account(bobIndex)!.collateral).toBe(bobCollateral - 500n * USDC)
    // ─── Alice moves collateral to a new isolated account of hers (first index of the L2-created range) ──────
    const isolatedIndex = 1n << BigInt(2 * genesis.sizes.accountDepth - 1)
    const transferClient = await ZkPerpClient.connect({ url: devnet.gatewayUrl, domain: genesis.domain })
    try {
      const transferred = await transferClient.transfer({
        fromIndex: aliceIndex, toIndex: isolatedIndex, amount: 250n * USDC, targetMode: 1, storageId: 5n, validUntil: now() + 3_600n, privateKey: aliceL2.privateKey,
      })
      expect(spendOutcome(transferred)).toMatchObject({ accepted: true, event: { created: true } })
    } finally {
      await transferClient.close()
    }
    await settled()
    const spendBatch = landed.find((batch) => batch.batch.records.some((record) => record.type === 'withdraw'))
    expect(spendBatch?.batch.records.map((record) => record.type)).toContain('withdraw')
    expect(landed.some((batch) => batch.batch.records.some((record) => record.type === 'transfer'))).toBe(true)
    const bobPending = await node.publicClient.readContract({ address: devnet.deployment.zkPerp, abi: ZK_PERP_ABI, functionName: 'pendingWithdrawals', args: [bob.address] })
    expect(bobPending).toBe(500n * USDC)
    await zkperp(bobKey, 'withdraw')
    expect(await tokenBalance(bob.address)).toBe(bobTokensBefore - 10_000n * USDC + 500n * USDC)
    expect(sequencer.account(isolatedIndex)).toMatchObject({ owner: BigInt(alice.address), mode: 1, collateral: 250n * USDC })

    // ─── Carol, 9x long, is liquidated in a tier by the keeper when the price falls ────────────────────────
    const carolKey = devnet.keys[3] as Hex
    const carolIndex = BigInt((await zkperp(carolKey, 'deposit', '--amount', '100')).accountIndex as string)
    await until(devnet, 'Carol\'s deposit in the sequencer', () => sequencer.account(carolIndex) !== undefined)
    const carolL2 = await deriveL2Key({ account: privateKeyToAccount(carolKey), chainId: 31_337n, rollupAddress: devnet.deployment.zkPerp })
    await oracle(6_100_000n)
    const riskClient = await ZkPerpClient.connect({ url: devnet.gatewayUrl, domain: genesis.domain })
    try {
      const expiry = now() + 86_400n
      const place = async (accountIndex: bigint, isBuy: boolean, size: bigint, limitPrice: bigint, storageId: bigint, privateKey: Uint8Array) => {
        const placed = await riskClient.signAndPlace({ order: { accountIndex, market: 0, isBuy, reduceOnly: false, size, limitPrice, storageId, expiry }, privateKey })
        expect(placed.ok).toBe(true)
      }
      // 150 lots at 6.1 (915 USDC of notional) on 100 USDC; Alice rests a bid at 5.7 for the keeper to close into.
      await place(aliceIndex, false, 150n, 6_100_000n, 6n, aliceL2.privateKey)
      await place(carolIndex, true, 150n, 6_100_000n, 1n, carolL2.privateKey)
      await place(aliceIndex, true, 38n, 5_700_000n, 7n, aliceL2.privateKey)
    } finally {
      await riskClient.close()
    }
    expect(sequencer.account(carolIndex)!.positions[0]!.size).toBe(150n)
    // At 5.7 Carol's equity (≈ 39.5 USDC) is below 5 % maintenance (42.75) but above the 3 % full-close line, and
    // closing a quarter (38 lots) restores maintenance: a partial tier.
    await oracle(5_700_000n)
    const keeper = new LiquidationKeeper({ view: sequencerView(sequencer), domain: genesis.domain, append: (input) => node.gateway.submit(input), clock: now, logger: pino({ level: 'silent' }) })
    const report = await keeper.notify()
    expect(report.applied, JSON.stringify(report, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toEqual([expect.objectContaining({ type: 'liquidation', accountIndex: carolIndex, size: 38n, price: 5_700_000n, full: false })])
    expect(sequencer.account(carolIndex)!.positions[0]!.size).toBe(112n)
    await settled()
    const liquidationBatch = landed.find((batch) => batch.batch.records.some((record) => record.type === 'liquidation'))
    expect(liquidationBatch?.batch.records.find((record) => record.type === 'liquidation')).toMatchObject({ accountIndex: carolIndex, size: 38n, full: false })

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
    // The injected prover faults were survived: one worker crash, one proof refused by local verification.
    expect(metrics).toMatch(/zkperp_prover_failures_total\{kind="exit"\} 1\b/)
    expect(metrics).toMatch(/zkperp_prover_failures_total\{kind="verify"\} 1\b/)
    // Six orders: the first trade's two, Bob's premium bid, Carol's trade's two and the bid the keeper closes her into.
    expect(metrics).toMatch(/zkperp_gateway_acks_total\{kind="1"\} 6/)

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
    const { aliceL2, bobL2 } = await demoTraderKeys()
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
    await until(devnet, 'a batch persisted but not yet on L1', () => before.batcher.lastBatchInfo.batchNumber > landedBefore)
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

  it('behavior: the node process killed with SIGKILL mid-batch restarts from its LevelDB logs: no acknowledged order lost, the same root, every batch landed once', async () => {
    const { genesis } = devnet
    const { aliceL2, bobL2 } = await demoTraderKeys()
    await settled()
    // From here the node runs as its own process, on the same LevelDB folders.
    await devnet.node.stop()
    let child = await spawnNode()
    const now = () => BigInt(Math.floor(Date.now() / 1000))
    const client = await ZkPerpClient.connect({ url: child.gatewayUrl, domain: genesis.domain })
    const expiry = now() + 86_400n
    try {
      const oracle = signOraclePrice({ market: 0, price: 6_100_000n, timestamp: now() }, DEVNET_ORACLE_PRIVATE_KEY, genesis.domain)
      const reply = await client.request({ type: 'oraclePrice', market: 0, price: '6100000', timestamp: oracle.timestamp.toString(), signature: signatureToWire(oracle.signature) })
      expect(reply.type).toBe('ack')
      expect((await client.signAndPlace({ order: { accountIndex: 2n, market: 0, isBuy: true, reduceOnly: false, size: 20n, limitPrice: 6_100_000n, storageId: 10n, expiry }, privateKey: aliceL2.privateKey })).ok).toBe(true)
      expect((await client.signAndPlace({ order: { accountIndex: 3n, market: 0, isBuy: false, reduceOnly: true, size: 20n, limitPrice: 6_100_000n, storageId: 10n, expiry }, privateKey: bobL2.privateKey })).ok).toBe(true)
      expect((await client.signAndPlace({ order: { accountIndex: 2n, market: 0, isBuy: true, reduceOnly: false, size: 7n, limitPrice: 5_500_000n, storageId: 11n, expiry }, privateKey: aliceL2.privateKey })).ok).toBe(true)
    } finally {
      await client.close()
    }
    const landedBefore = await metric(child, 'zkperp_batches_landed')
    await until(devnet, 'a batch persisted in the child, not yet on L1', async () => (await metric(child, 'zkperp_batches_persisted')) > landedBefore)
    expect(await metric(child, 'zkperp_batches_landed')).toBe(landedBefore)
    child.process.kill('SIGKILL')
    await new Promise((resolve) => child.process.once('exit', resolve))

    child = await spawnNode()
    const bobOnL1 = async () => {
      let reconstructed: Record<string, unknown>
      try {
        reconstructed = await zkperp(undefined, 'reconstruct')
      } catch (error) {
        // A batch that lands while reconstruct scans is refused with CLI_L1_HISTORY: scan again on the next poll.
        if (error instanceof Error && error.message.includes('CLI_L1_HISTORY')) return undefined
        throw error
      }
      const accounts = reconstructed.accounts as { index: string; positions: { market: number; size: string }[] }[]
      return accounts.find((account) => account.index === '3')!.positions.find((position) => position.market === 0)!.size
    }
    // The fill's batch is on L1 (read from calldata alone), and no batch the child persisted is still unlanded.
    await until(devnet, 'the restarted child to land the fill and every batch it persisted', async () => {
      if ((await bobOnL1()) !== '80') return false
      return (await metric(child, 'zkperp_batches_landed')) === (await metric(child, 'zkperp_batches_persisted'))
    })
    const book = (await (await fetch(`${child.httpUrl}/book/0`)).json()) as { bids: string[][] }
    expect(book.bids).toContainEqual(['5500000', '7', 1])
    const bob = (await (await fetch(`${child.httpUrl}/account/3`)).json()) as { positions: { size: string }[] }
    expect(bob.positions[0]!.size).toBe('80')

    const reconstructed = await zkperp(undefined, 'reconstruct')
    const l1Last = await devnet.node.publicClient.readContract({ address: devnet.deployment.zkPerp, abi: zkPerpAbi, functionName: 'lastBatchNumber' })
    expect(BigInt(reconstructed.batches as number)).toBe(BigInt(l1Last))
    expect(BigInt(l1Last)).toBe(await metric(child, 'zkperp_batches_landed'))
    child.process.kill('SIGTERM')
    await new Promise((resolve) => child.process.once('exit', resolve))
  }, 600_000)

  it('behavior: a forced withdrawal the operator never processes leads to exodus; `zkperp exit` pays the owner its equity from L1 data alone, once', async () => {
    const { node } = devnet
    const [, , bobKey] = devnet.keys as [Hex, Hex, Hex]
    const bob = privateKeyToAccount(bobKey)
    const bobIndex = 3n
    // The operator vanishes: no node runs from here on.
    for (const child of children) child.kill('SIGKILL')
    await node.stop()
    await zkperp(bobKey, 'force-withdraw', '--amount', '500', '--account', bobIndex.toString())
    const dryRun = await zkperp(undefined, 'exit', '--account', bobIndex.toString(), '--dry-run')
    const equity = BigInt(dryRun.equity as string)
    expect(equity).toBeGreaterThan(0n)
    // Early: the request is not past its deadline, so exodus cannot start.
    await expect(zkperp(bobKey, 'exit', '--account', bobIndex.toString(), '--activate')).rejects.toThrow(/EXODUS|exodus/)

    const testClient = node.publicClient as unknown as { request(args: { method: string; params: unknown[] }): Promise<unknown> }
    await testClient.request({ method: 'evm_increaseTime', params: [3 * 86_400 + 60] })
    await testClient.request({ method: 'evm_mine', params: [] })
    const tokensBefore = await tokenBalance(bob.address)
    const exited = await zkperp(bobKey, 'exit', '--account', bobIndex.toString(), '--activate')
    expect(BigInt(exited.payout as string)).toBe(equity)
    console.log(`[e2e] exodus exit: gas ${String(exited.gasUsed)}`)
    await zkperp(bobKey, 'withdraw')
    expect(await tokenBalance(bob.address)).toBe(tokensBefore + equity)
    // Once only.
    await expect(zkperp(bobKey, 'exit', '--account', bobIndex.toString())).rejects.toThrow()
  }, 600_000)
})
