import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestClient, http, parseAbi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { buildBatchScenario } from '../scripts/circuit/batchPipeline.ts'
import { deriveL2Key } from '../sdk/protocol/keys.ts'
import { startTestGateway, type TestGateway } from '../sequencer/gateway/testGateway.ts'
import { connectL1, walletFor } from './context.ts'
import { accountEquity } from './reconstruct.ts'
import { ANVIL_KEYS, PRIORITY_DEADLINE_SECONDS, startTestChain, type TestChain } from './testChain.ts'
import { runCli } from './zkperp.ts'

const ENTRY = resolve(import.meta.dirname, 'zkperp.ts')

/** Runs the CLI in process, capturing stdout and stderr. */
async function cli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(argv, { stdout: (text) => { stdout += text }, stderr: (text) => { stderr += text }, env })
  return { code, stdout, stderr }
}

describe('zkperp', () => {
  let chain: TestChain
  let base: string[]
  const trader = privateKeyToAccount(ANVIL_KEYS[1])

  beforeAll(async () => {
    chain = await startTestChain()
    await chain.landFixtureBatches()
    base = ['--deployment', chain.deploymentFile]
    const l1 = await connectL1({ deployment: chain.deploymentFile })
    const hash = await walletFor(l1, ANVIL_KEYS[1]).client.writeContract({ address: chain.deployment.token, abi: parseAbi(['function mint(address to, uint256 amount)']), functionName: 'mint', args: [trader.address, 10n ** 12n] })
    await l1.publicClient.waitForTransactionReceipt({ hash })
  })
  afterAll(async () => {
    await chain?.stop()
  })

  it('behavior: reconstruct prints the root L1 stores and the accounts', async () => {
    const text = await cli([...base, 'reconstruct'])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(`reconstructed 2 batch(es) from L1 calldata; state root ${chain.fixture.batches[1]!.newStateRoot}`)
    const json = await cli([...base, '--json', 'reconstruct'])
    const data = JSON.parse(json.stdout) as { stateRoot: string; accounts: { index: string; equity: string }[] }
    expect(data.stateRoot).toBe(chain.fixture.batches[1]!.newStateRoot.toString())
    expect(data.accounts.map((account) => account.index)).toEqual(['0', '1', '2', '3'])
  })

  it('behavior: verify reports every landed batch verified against the key the deployed verifier embeds', async () => {
    const result = await cli([...base, '--json', 'verify'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const data = JSON.parse(result.stdout) as { verifierEmbedsKey: boolean; batches: { batchNumber: string; ok: boolean; commitment: string }[] }
    expect(data.verifierEmbedsKey).toBe(true)
    expect(data.batches).toEqual(chain.fixture.batches.map((batch) => expect.objectContaining({ batchNumber: batch.batchNumber.toString(), ok: true, commitment: batch.commitment.toString() })))
  })

  it('error: bad input is one typed line and exit code 1, or 2 for usage', async () => {
    const env = { ZKPERP_PRIVATE_KEY: ANVIL_KEYS[1] }
    const tooPrecise = await cli([...base, 'deposit', '--amount', '1.0000001'], env)
    expect(tooPrecise).toMatchObject({ code: 1, stderr: 'zkperp: CLI_INVALID_ARGUMENT: --amount: the token has only 6 decimals (got "1.0000001")\n' })
    const noKey = await cli([...base, 'deposit', '--amount', '1'])
    expect(noKey).toMatchObject({ code: 1, stderr: 'zkperp: CLI_MISSING_OPTION: --private-key is required: give it or set ZKPERP_PRIVATE_KEY\n' })
    const badKey = await cli([...base, '--private-key', '0x1234', 'withdraw'])
    expect(badKey.stderr).toBe('zkperp: CLI_INVALID_ARGUMENT: --private-key: must be 32 bytes of hex (got "<hidden>")\n')
    const nothing = await cli([...base, 'withdraw'], env)
    expect(nothing).toMatchObject({ code: 1 })
    expect(nothing.stderr).toMatch(/^zkperp: CLI_L1_TRANSACTION: withdraw: reverted with NothingToWithdraw\(0x70997970C51812dc3A010C7d01b50e0d17dc79C8\)\n$/)
    const missing = await cli([...base, 'exit'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toBe("error: required option '--account <index>' not specified\n")
    const json = await cli([...base, '--json', 'force-withdraw', '--account', 'two', '--amount', '1'], env)
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: 'CLI_INVALID_ARGUMENT', message: '--account: must be a non-negative integer (got "two")', details: { option: '--account', value: 'two', reason: 'must be a non-negative integer' } } })
  })

  it('behavior: order, positions and cancel go through a real gateway, signed with the wallet-derived L2 key', async () => {
    const l2 = await deriveL2Key({ account: trader, chainId: 31337n, rollupAddress: chain.deployment.zkPerp })
    // Account 2 holds the wallet's derived key, account 3 another trader's.
    const gateway: TestGateway = await startTestGateway({ keys: [l2.privateKey, new Uint8Array(32).fill(7)] })
    try {
      const env = { ZKPERP_PRIVATE_KEY: ANVIL_KEYS[1] }
      const flags = [...base, '--gateway', gateway.gateway.url, '--json']
      const placed = await cli([...flags, 'order', '--account', '2', '--market', '0', '--side', 'buy', '--size', '3', '--price', '5990000', '--storage-id', '11', '--post-only'], env)
      expect(placed.stderr).toBe('')
      expect(placed.code).toBe(0)
      expect(BigInt((JSON.parse(placed.stdout) as { ack: { seq: string } }).ack.seq)).toBeGreaterThan(0n)

      const positions = JSON.parse((await cli([...flags, 'positions', '--account', '2'], env)).stdout) as { openOrders: { storageId: string; remaining: string; side: string }[] }
      expect(positions.openOrders).toEqual([expect.objectContaining({ storageId: '11', remaining: '3', side: 'buy' })])

      const cancelled = await cli([...flags, 'cancel', '--account', '2', '--market', '0', '--storage-id', '11'], env)
      expect(cancelled.code).toBe(0)
      const after = JSON.parse((await cli([...flags, 'positions', '--account', '2'], env)).stdout) as { openOrders: unknown[] }
      expect(after.openOrders).toEqual([])

      // Account 3's key is not the wallet's: the gateway refuses the signature, and the CLI says so in one line.
      const forged = await cli([...base, '--gateway', gateway.gateway.url, 'order', '--account', '3', '--market', '0', '--side', 'sell', '--size', '1', '--price', '6010000', '--storage-id', '1'], env)
      expect(forged.code).toBe(1)
      expect(forged.stderr).toMatch(/^zkperp: CLI_GATEWAY_REJECTED: order rejected by the gateway: BAD_SIGNATURE /)
      const offTick = await cli([...base, '--gateway', gateway.gateway.url, 'order', '--account', '2', '--market', '0', '--side', 'sell', '--size', '1', '--price', '6010001', '--storage-id', '2'], env)
      expect(offTick.stderr).toMatch(/^zkperp: CLI_GATEWAY_REJECTED: order rejected by the gateway: PRICE_OFF_TICK /)
    } finally {
      await gateway.stop()
    }
  })

  it('behavior: withdraw --l2 and transfer go through a real gateway, signed with the wallet-derived L2 key', async () => {
    const l2 = await deriveL2Key({ account: trader, chainId: 31337n, rollupAddress: chain.deployment.zkPerp })
    // Account 2 holds the wallet's derived key and $1,000,000; account 3 another trader's key.
    const gateway: TestGateway = await startTestGateway({ keys: [l2.privateKey, new Uint8Array(32).fill(7)] })
    try {
      const env = { ZKPERP_PRIVATE_KEY: ANVIL_KEYS[1] }
      const flags = [...base, '--gateway', gateway.gateway.url]
      const withdrawn = await cli([...flags, '--json', 'withdraw', '--l2', '--account', '2', '--amount', '12.5', '--to', '0x0000000000000000000000000000000000000B0b', '--storage-id', '21'], env)
      expect(withdrawn.stderr).toBe('')
      expect(withdrawn.code).toBe(0)
      const data = JSON.parse(withdrawn.stdout) as { ack: { seq: string; kind: number }; event: Record<string, string>; to: string }
      expect(data.ack.kind).toBe(8)
      expect(data.event).toMatchObject({ type: 'withdrawAccepted', accountIndex: '2', amount: '12500000', to: '2827', collateral: (10n ** 12n - 12_500_000n).toString() })
      const queued = gateway.gateway.sequencer.pendingTxs().at(-1)?.tx
      expect(queued).toMatchObject({ type: 'withdraw', accountIndex: 2n, amount: 12_500_000n, to: 0xb0bn, storageId: 21n })

      // Human output says where the money goes next; a replay of the storage id and an overdraft are typed lines.
      const text = await cli([...flags, 'withdraw', '--l2', '--account', '2', '--amount', '1', '--storage-id', '22'], env)
      expect(text.stdout).toMatch(/^withdrawal of 1 from account 2 accepted: seq \d+, storage id 22; collateral now 999986\.5\n  credited to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8's pending balance once its batch is proven on L1; then pull it with `zkperp withdraw`\n$/)
      const replayed = await cli([...flags, 'withdraw', '--l2', '--account', '2', '--amount', '1', '--storage-id', '22'], env)
      expect(replayed).toMatchObject({ code: 1, stderr: expect.stringMatching(/^zkperp: CLI_GATEWAY_REJECTED: withdraw rejected by the gateway: STORAGE_ID_USED /) })
      const overdraft = await cli([...flags, 'withdraw', '--l2', '--account', '2', '--amount', '2000000', '--storage-id', '23'], env)
      expect(overdraft).toMatchObject({ code: 1, stderr: expect.stringMatching(/^zkperp: CLI_GATEWAY_REJECTED: withdraw rejected by the gateway: INSUFFICIENT_MARGIN /) })
      const forged = await cli([...flags, 'withdraw', '--l2', '--account', '3', '--amount', '1', '--storage-id', '1'], env)
      expect(forged.stderr).toMatch(/^zkperp: CLI_GATEWAY_REJECTED: withdraw rejected by the gateway: BAD_SIGNATURE /)

      // `withdraw` without --l2 pulls the pending balance and takes no amount; --l2 needs one.
      const mixed = await cli([...flags, 'withdraw', '--amount', '1'], env)
      expect(mixed).toMatchObject({ code: 1, stderr: expect.stringMatching(/^zkperp: CLI_INVALID_ARGUMENT: --amount: only an L2 withdrawal \(--l2\) takes it/) })
      const noAmount = await cli([...flags, 'withdraw', '--l2', '--account', '2'], env)
      expect(noAmount).toMatchObject({ code: 1, stderr: expect.stringMatching(/^zkperp: CLI_MISSING_OPTION: --amount is required/) })

      // A transfer creates the wallet's isolated account 8 (L2 index range), then tops it up in its own mode.
      const created = await cli([...flags, 'transfer', '--account', '2', '--to-account', '8', '--amount', '100', '--mode', 'isolated:0', '--storage-id', '24'], env)
      expect(created.stderr).toBe('')
      expect(created.stdout).toMatch(/^transfer of 100 from account 2 to new account 8 accepted: seq \d+, storage id 24\n  collateral now 999886\.5 \(account 2\), 100 \(account 8\)\n$/)
      const topUp = JSON.parse((await cli([...flags, '--json', 'transfer', '--account', '2', '--to-account', '8', '--amount', '0.5', '--storage-id', '25'], env)).stdout) as { event: Record<string, unknown> }
      expect(topUp.event).toMatchObject({ type: 'transferAccepted', targetMode: 1, created: false, toCollateral: '100500000' })
      const positions = JSON.parse((await cli([...flags, '--json', 'positions', '--account', '8'], env)).stdout) as { collateral: string; mode: number }
      expect(positions).toMatchObject({ collateral: '100500000', mode: 1 })
      const noMode = await cli([...flags, 'transfer', '--account', '2', '--to-account', '9', '--amount', '1'], env)
      expect(noMode).toMatchObject({ code: 1, stderr: expect.stringMatching(/^zkperp: CLI_MISSING_OPTION: --mode is required: account 9 does not exist yet/) })
      const wrongMode = await cli([...flags, 'transfer', '--account', '2', '--to-account', '8', '--amount', '1', '--mode', 'cross', '--storage-id', '26'], env)
      expect(wrongMode.stderr).toMatch(/^zkperp: CLI_GATEWAY_REJECTED: transfer rejected by the gateway: TRANSFER_TARGET_MODE_MISMATCH /)
    } finally {
      await gateway.stop()
    }
  })

  it('behavior: deposit and force-withdraw emit their events; exit --activate pays the right amount after the deadline', async () => {
    const env = { ZKPERP_PRIVATE_KEY: ANVIL_KEYS[1] }
    const deposited = JSON.parse((await cli([...base, '--json', 'deposit', '--amount', '250.5', '--mode', 'isolated:1'], env)).stdout) as { accountIndex: string; events: { eventName: string; args: Record<string, unknown> }[] }
    expect(deposited.accountIndex).toBe('4')
    expect(deposited.events.map((event) => event.eventName)).toEqual(['DepositQueued', 'AccountRegistered'])
    expect(deposited.events[0]!.args).toMatchObject({ accountIndex: 4, amount: '250500000' })
    expect(deposited.events[1]!.args).toMatchObject({ accountIndex: 4, mode: '2', owner: trader.address })

    // The wallet owns exactly account 4 on L1, so --account may be left out.
    const forced = await cli([...base, 'force-withdraw', '--amount', '100'], env)
    expect(forced.code).toBe(0)
    expect(forced.stdout).toContain('forced withdrawal of up to 100 from account 4 queued')
    expect(forced.stdout).toContain('ForcedWithdrawalRequested')

    const early = await cli([...base, 'exit', '--account', '2', '--activate'], env)
    expect(early).toMatchObject({ code: 1, stderr: expect.stringMatching(/^zkperp: CLI_EXODUS_NOT_ACTIVE: .*no priority op is past its deadline yet\n$/) })

    const l1 = await connectL1({ deployment: chain.deploymentFile })
    const testClient = createTestClient({ chain: l1.chain, transport: http(l1.rpcUrl), mode: 'anvil' })
    await testClient.increaseTime({ seconds: Number(PRIORITY_DEADLINE_SECONDS) + 1 })
    await testClient.mine({ blocks: 1 })

    const notYet = await cli([...base, 'exit', '--account', '3'], env)
    expect(notYet.stderr).toMatch(/pass --activate/)
    const expected = accountEquity(buildBatchScenario().batches[1].witness.state, 3n)
    const exited = await cli([...base, '--json', 'exit', '--account', '3', '--activate'], env)
    expect(exited.stderr).toBe('')
    expect(JSON.parse(exited.stdout)).toMatchObject({ equity: expected.toString(), payout: expected.toString(), owner: '0x0000000000000000000000000000000000000b0b' })
    const twice = await cli([...base, 'exit', '--account', '3'], env)
    expect(twice.stderr).toMatch(/reverted with AccountAlreadyExited\(3\)/)

    // The trader's own deposits were never processed: refunded, then pulled.
    expect((await cli([...base, 'refund-deposits'], env)).stdout).toContain('refunded 1 deposit(s)')
    const pulled = await cli([...base, 'withdraw'], env)
    expect(pulled.stdout).toMatch(/^withdrew 250\.5\n/)
  })

  it('behavior: the real binary exits 0 with output, and 1 with one line on stderr', async () => {
    const run = promisify(execFile)
    const ok = await run(process.execPath, ['--import', 'tsx', ENTRY, '--deployment', chain.deploymentFile, '--json', 'reconstruct'])
    expect((JSON.parse(ok.stdout) as { stateRoot: string }).stateRoot).toBe(chain.fixture.batches[1]!.newStateRoot.toString())
    const failed = await run(process.execPath, ['--import', 'tsx', ENTRY, '--deployment', '/nonexistent/deployment.json', 'reconstruct']).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    )
    expect(failed?.code).toBe(1)
    expect(failed?.stderr.trim().split('\n')).toEqual(['zkperp: CLI_DEPLOYMENT_FILE: deployment file /nonexistent/deployment.json: not found (start the devnet with `zkperp devnet`, or pass --deployment <file>)'])
  })
})
