import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWalletClient, http } from 'viem'
import { NothingToWithdrawError, TransactionUnconfirmedError } from './errors.ts'
import { addressOf, deployFixtureZkPerp, impersonate, reorgChain, replayFixtureDeposit, startTestChain, tokenAbi, type TestChain } from './testChain.ts'
import { readPendingWithdrawal, withdrawPending } from './withdrawals.ts'
import { zkPerpAbi } from './zkPerpAbi.ts'

describe('withdrawPending', () => {
  let testChain: TestChain
  beforeAll(async () => {
    testChain = await startTestChain()
  })
  afterAll(async () => {
    await testChain?.stop()
  })

  /** A fresh ZkPerp in exodus where alice's refunded deposit is pending for her owner address (nothing proven). */
  async function pendingRefund() {
    const deployed = await deployFixtureZkPerp(testChain, { priorityDeadlineSeconds: 60n })
    const alice = testChain.fixture.deposits[0]!
    if (alice.call !== 'depositNewAccount') throw new Error('the fixture opens with alice\'s new-account deposit')
    await replayFixtureDeposit(testChain, deployed, alice)
    await testChain.testClient.increaseTime({ seconds: 120 })
    await testChain.testClient.mine({ blocks: 1 })
    const anyone = createWalletClient({ account: testChain.operator, chain: testChain.chain, transport: http(testChain.anvil.rpcUrl) })
    const send = async (hash: `0x${string}`) => testChain.publicClient.waitForTransactionReceipt({ hash })
    await send(await anyone.writeContract({ address: deployed.zkPerp, abi: zkPerpAbi, functionName: 'activateExodus' }))
    await send(await anyone.writeContract({ address: deployed.zkPerp, abi: zkPerpAbi, functionName: 'refundDeposit', args: [0n, alice.record] }))

    const owner = addressOf(alice.owner)
    const client = testChain.publicClient
    expect(await readPendingWithdrawal({ client, zkPerpAddress: deployed.zkPerp, owner })).toBe(alice.amount)
    await impersonate(testChain, owner)
    const wallet = createWalletClient({ account: owner, chain: testChain.chain, transport: http(testChain.anvil.rpcUrl) })
    return { deployed, alice, owner, client, wallet }
  }

  it('behavior: pulls a credited pending balance to the chosen address, once', async () => {
    const { deployed, alice, owner, client, wallet } = await pendingRefund()
    const recipient = addressOf(0x5afen)
    const paid = await withdrawPending({ publicClient: client, walletClient: wallet, zkPerpAddress: deployed.zkPerp, to: recipient })
    expect(paid.amount).toBe(alice.amount)
    expect(paid.to.toLowerCase()).toBe(recipient)
    expect(await client.readContract({ address: deployed.token, abi: tokenAbi, functionName: 'balanceOf', args: [recipient] })).toBe(alice.amount)
    expect(await readPendingWithdrawal({ client, zkPerpAddress: deployed.zkPerp, owner })).toBe(0n)

    await expect(withdrawPending({ publicClient: client, walletClient: wallet, zkPerpAddress: deployed.zkPerp })).rejects.toBeInstanceOf(NothingToWithdrawError)
  })

  it('error: a withdraw transaction a reorg drops before its confirmations fails at once, typed, and a re-run pays', async () => {
    const { deployed, alice, owner, client, wallet } = await pendingRefund()
    const sentFrom = await client.getBlockNumber({ cacheTime: 0 })
    const started = performance.now()
    const pulling = withdrawPending({ publicClient: client, walletClient: wallet, zkPerpAddress: deployed.zkPerp, confirmations: 3 })
    const rejected = expect(pulling).rejects.toMatchObject({ code: TransactionUnconfirmedError.code, details: { reason: 'dropped' } })
    // The automining chain puts the pull in the next block; take that block away before it is 3 deep.
    while ((await client.getBlockNumber({ cacheTime: 0 })) === sentFrom) await new Promise((resolve) => setTimeout(resolve, 20))
    await new Promise((resolve) => setTimeout(resolve, 300))
    await reorgChain(testChain, 1)
    await rejected
    expect(performance.now() - started).toBeLessThan(20_000)
    expect(await readPendingWithdrawal({ client, zkPerpAddress: deployed.zkPerp, owner })).toBe(alice.amount)
    const paid = await withdrawPending({ publicClient: client, walletClient: wallet, zkPerpAddress: deployed.zkPerp })
    expect(paid.amount).toBe(alice.amount)
    expect(await readPendingWithdrawal({ client, zkPerpAddress: deployed.zkPerp, owner })).toBe(0n)
  })
})
