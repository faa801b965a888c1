import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestClient, getAddress, http, parseAbi } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { buildBatchScenario } from '../scripts/circuit/batchPipeline.ts'
import { deriveL2Key } from '../sdk/protocol/keys.ts'
import { connectL1, walletFor, type L1Context } from './context.ts'
import { L1TransactionError } from './errors.ts'
import { buildExitCall } from './exit.ts'
import { activateExodus, deposit, exodusStatus, refundDeposits, requestForcedWithdrawal, sendExit, withdrawPending } from './l1Actions.ts'
import { accountEquity, reconstruct } from './reconstruct.ts'
import { ANVIL_KEYS, PRIORITY_DEADLINE_SECONDS, startTestChain, type TestChain } from './testChain.ts'
import { ERC20_ABI, ZK_PERP_ABI } from './zkPerpAbi.ts'

describe('L1 actions', () => {
  let chain: TestChain
  let l1: L1Context
  const trader = privateKeyToAccount(ANVIL_KEYS[1])
  const stranger = privateKeyToAccount(ANVIL_KEYS[2])
  const balanceOf = (owner: `0x${string}`) => l1.publicClient.readContract({ address: chain.deployment.token, abi: ERC20_ABI, functionName: 'balanceOf', args: [owner] })

  beforeAll(async () => {
    chain = await startTestChain()
    await chain.landFixtureBatches()
    l1 = await connectL1({ deployment: chain.deploymentFile })
    // The devnet token mints to anyone.
    const wallet = walletFor(l1, ANVIL_KEYS[1])
    const hash = await wallet.client.writeContract({ address: chain.deployment.token, abi: parseAbi(['function mint(address to, uint256 amount)']), functionName: 'mint', args: [trader.address, 1_000_000_000n] })
    await l1.publicClient.waitForTransactionReceipt({ hash })
  })
  afterAll(async () => {
    await chain?.stop()
  })

  it('behavior: deposit creates an account with the L2 key derived from the wallet, after approving', async () => {
    const result = await deposit(l1, walletFor(l1, ANVIL_KEYS[1]), { amount: 250_000_000n })
    const expectedKey = (await deriveL2Key({ account: trader, chainId: 31337n, rollupAddress: chain.deployment.zkPerp })).publicKey
    expect(result.approveTransactionHash).toBeDefined()
    expect(result.publicKey).toEqual(expectedKey)
    expect(result.accountIndex).toBe(4n) // the fixture created 2 and 3
    expect(result.priorityIndex).toBe(3n) // after the fixture's three deposits
    const registered = result.events.find((event) => event.eventName === 'AccountRegistered')
    expect(registered?.args).toEqual({ accountIndex: 4, owner: trader.address, publicKeyX: expectedKey.x, publicKeyY: expectedKey.y, mode: 0n })
    const queued = result.events.find((event) => event.eventName === 'DepositQueued')
    expect(queued?.args).toMatchObject({ priorityIndex: 3n, accountIndex: 4, depositor: trader.address, amount: 250_000_000n })
    expect(await balanceOf(trader.address)).toBe(750_000_000n)
  })

  it('behavior: deposit with an account index tops it up (depositTo)', async () => {
    const result = await deposit(l1, walletFor(l1, ANVIL_KEYS[1]), { amount: 1_500_000n, accountIndex: 2n })
    expect(result.publicKey).toBeUndefined()
    expect(result.events.map((event) => event.eventName)).toEqual(['DepositQueued'])
    expect(result.events[0]!.args).toMatchObject({ priorityIndex: 4n, accountIndex: 2, depositor: trader.address, amount: 1_500_000n })
  })

  it('error: a top-up of an account L1 never created reverts before sending, with the contract error', async () => {
    const error = await deposit(l1, walletFor(l1, ANVIL_KEYS[1]), { amount: 1n, accountIndex: 7n }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(L1TransactionError)
    expect((error as L1TransactionError).details).toMatchObject({ errorName: 'UnknownAccount', args: [7, 5] })
  })

  it('behavior: force-withdraw queues a forced withdrawal bound to the requester and amount', async () => {
    const result = await requestForcedWithdrawal(l1, walletFor(l1, ANVIL_KEYS[2]), 2n, 123_000_000n)
    const requested = result.events.find((event) => event.eventName === 'ForcedWithdrawalRequested')
    expect(requested?.args).toMatchObject({ priorityIndex: 5n, accountIndex: 2, requester: stranger.address, amount: 123_000_000n })
  })

  it('error: exit before exodus is refused by the contract', async () => {
    const reconstructed = await reconstruct({ publicClient: l1.publicClient, zkPerp: chain.deployment.zkPerp, fromBlock: chain.deployment.deploymentBlock, genesis: chain.genesis })
    const error = await sendExit(l1, walletFor(l1, ANVIL_KEYS[2]), buildExitCall(reconstructed, 2n).args).catch((caught: unknown) => caught)
    expect((error as L1TransactionError).details).toMatchObject({ errorName: 'ExodusNotActive' })
  })

  it('behavior: after the deadline of an unprocessed priority op, exodus activates and exit pays each account its equity', async () => {
    expect((await exodusStatus(l1)).expiredPriorityOp).toBe(false)
    const testClient = createTestClient({ chain: l1.chain, transport: http(l1.rpcUrl), mode: 'anvil' })
    await testClient.increaseTime({ seconds: Number(PRIORITY_DEADLINE_SECONDS) + 1 })
    await testClient.mine({ blocks: 1 })
    expect(await exodusStatus(l1)).toMatchObject({ active: false, expiredPriorityOp: true, head: 3n })
    const activated = await activateExodus(l1, walletFor(l1, ANVIL_KEYS[2]))
    expect(activated.events.map((event) => event.eventName)).toEqual(['ExodusActivated'])

    const reconstructed = await reconstruct({ publicClient: l1.publicClient, zkPerp: chain.deployment.zkPerp, fromBlock: chain.deployment.deploymentBlock, genesis: chain.genesis })
    // Expected payouts from the sequencer's own state machine, not from L1.
    const scenarioState = buildBatchScenario().batches[1].witness.state
    for (const [index, owner] of [[2n, '0x00000000000000000000000000000000000a11ce'], [3n, '0x0000000000000000000000000000000000000b0b']] as const) {
      const expected = accountEquity(scenarioState, index)
      expect(expected).toBeGreaterThan(0n)
      const call = buildExitCall(reconstructed, index)
      expect(call.equity).toBe(expected)
      expect(call.owner).toBe(owner)
      const result = await sendExit(l1, walletFor(l1, ANVIL_KEYS[2]), call.args)
      const exited = result.events.find((event) => event.eventName === 'AccountExited')
      expect(exited?.args).toEqual({ accountIndex: Number(index), owner: getAddress(owner), equity: expected, payout: expected })
      expect(await l1.publicClient.readContract({ address: chain.deployment.zkPerp, abi: ZK_PERP_ABI, functionName: 'pendingWithdrawals', args: [getAddress(owner)] })).toBe(expected)
    }
    const again = await sendExit(l1, walletFor(l1, ANVIL_KEYS[2]), buildExitCall(reconstructed, 2n).args).catch((caught: unknown) => caught)
    expect((again as L1TransactionError).details).toMatchObject({ errorName: 'AccountAlreadyExited', args: [2] })
  })

  it('behavior: in exodus the trader refunds its unprocessed deposits and withdraws them', async () => {
    const wallet = walletFor(l1, ANVIL_KEYS[1])
    // Nothing queued by the stranger: the filter leaves both of the trader's deposits alone.
    expect((await refundDeposits(l1, wallet, stranger.address)).refunded).toEqual([])
    const { refunded } = await refundDeposits(l1, wallet, trader.address)
    // The new account's deposit refunds to its owner, the top-up of account 2 to its depositor: both the trader.
    expect(refunded.map((each) => [each.priorityIndex, each.amount])).toEqual([[3n, 250_000_000n], [4n, 1_500_000n]])
    expect((await refundDeposits(l1, wallet)).refunded).toEqual([])
    const pulled = await withdrawPending(l1, wallet)
    expect(pulled.events.find((event) => event.eventName === 'Withdrawn')?.args).toEqual({ owner: trader.address, to: trader.address, amount: 251_500_000n })
    expect(await balanceOf(trader.address)).toBe(1_000_000_000n)
    const nothing = await withdrawPending(l1, wallet).catch((caught: unknown) => caught)
    expect((nothing as L1TransactionError).details).toMatchObject({ errorName: 'NothingToWithdraw' })
  })
})
