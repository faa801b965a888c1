import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildBatchScenario } from '../scripts/circuit/batchPipeline.ts'
import { StateTree } from '../sdk/state/stateTree.ts'
import { connectL1, type L1Context } from './context.ts'
import { GenesisMismatchError } from './errors.ts'
import { readL1History, scanEvents } from './l1History.ts'
import { accountEquity, reconstruct } from './reconstruct.ts'
import { startTestChain, type TestChain } from './testChain.ts'

describe('reconstruct', () => {
  let chain: TestChain
  let l1: L1Context
  beforeAll(async () => {
    chain = await startTestChain()
    l1 = await connectL1({ deployment: chain.deploymentFile })
  })
  afterAll(async () => {
    await chain?.stop()
  })

  it('behavior: with no batch landed the state is the genesis', async () => {
    const result = await reconstruct({ publicClient: l1.publicClient, zkPerp: chain.deployment.zkPerp, fromBlock: chain.deployment.deploymentBlock, genesis: chain.genesis })
    expect(result.batches).toBe(0)
    expect(result.stateRoot).toBe(chain.fixture.genesis.stateRoot)
    expect(result.accounts.map((account) => account.index)).toEqual([0n, 1n])
  })

  it('behavior: replaying the landed batches from calldata reaches the on-chain root and the sequencer state', async () => {
    await chain.landFixtureBatches()
    const result = await reconstruct({ publicClient: l1.publicClient, zkPerp: chain.deployment.zkPerp, fromBlock: chain.deployment.deploymentBlock, genesis: chain.genesis })
    expect(result.batches).toBe(2)
    expect(result.stateRoot).toBe(chain.fixture.batches[1]!.newStateRoot)
    expect(result.history.batches.map((batch) => batch.batchNumber)).toEqual([1n, 2n])

    // The state the sequencer's own state machine produced (not read from L1) is the one reconstructed.
    const scenarioState = buildBatchScenario().batches[1].witness.state
    expect(StateTree.fromState(scenarioState).stateRoot(scenarioState)).toBe(result.stateRoot)
    for (const [index, account] of scenarioState.accounts) {
      const rebuilt = result.state.accounts.get(index)!
      expect(rebuilt.collateral).toBe(account.collateral)
      expect(rebuilt.positions).toEqual(account.positions)
      expect(rebuilt.owner).toBe(account.owner)
      expect([...rebuilt.orderSlots]).toEqual([...account.orderSlots])
    }
    const alice = result.accounts.find((account) => account.index === 2n)!
    expect(alice.positions).toEqual([{ market: 0, size: 10n }])
    expect(alice.equity).toBe(accountEquity(scenarioState, 2n))
    // Fees reached the fee account (trade: taker 5 bps, maker 2 bps).
    expect(result.accounts.find((account) => account.index === 1n)!.collateral).toBeGreaterThan(0n)
  })

  it('error: a genesis that is not the deployed one is refused', async () => {
    const other = { ...chain.genesis, markets: chain.genesis.markets.map((market, index) => (index === 0 ? { ...market, initialPrice: market.initialPrice + 10n } : market)) }
    await expect(reconstruct({ publicClient: l1.publicClient, zkPerp: chain.deployment.zkPerp, fromBlock: chain.deployment.deploymentBlock, genesis: other })).rejects.toBeInstanceOf(GenesisMismatchError)
  })

  it('behavior: the history reader decodes each batch header, pubdata and proof from submitBatch calldata', async () => {
    const history = await readL1History({ publicClient: l1.publicClient, zkPerp: chain.deployment.zkPerp, fromBlock: chain.deployment.deploymentBlock })
    chain.fixture.batches.forEach((batch, index) => {
      const landed = history.batches[index]!
      expect(landed.oldStateRoot).toBe(batch.oldStateRoot)
      expect(landed.newStateRoot).toBe(batch.newStateRoot)
      expect(landed.timestamp).toBe(batch.timestamp)
      expect(landed.commitment).toBe(batch.commitment)
      expect(Buffer.from(landed.pubdata).toString('hex')).toBe(batch.pubdata.slice(2))
      expect(landed.proof).toEqual(batch.proof)
    })
    expect(history.lastBatch.stateRoot).toBe(chain.fixture.batches[1]!.newStateRoot)
  })

  it('behavior: scanning one block per request finds the same events as one request', async () => {
    const range = { publicClient: l1.publicClient, zkPerp: chain.deployment.zkPerp, fromBlock: chain.deployment.deploymentBlock }
    const whole = await scanEvents(range, 'DepositQueued')
    const perBlock = await scanEvents({ ...range, blockRange: 1n }, 'DepositQueued')
    expect(whole.map((log) => log.args.priorityIndex)).toEqual([0n, 1n, 2n])
    expect(perBlock.map((log) => [log.blockNumber, log.args.priorityIndex])).toEqual(whole.map((log) => [log.blockNumber, log.args.priorityIndex]))
  })
})
