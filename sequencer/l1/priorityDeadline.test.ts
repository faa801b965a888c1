import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PriorityDeadlineMonitor, readPriorityDeadline, type PriorityDeadlineReading } from './priorityDeadline.ts'
import { deployFixtureZkPerp, replayFixtureDeposit, requestForcedWithdrawal, startTestChain, type TestChain } from './testChain.ts'

const WINDOW = 1_000n

describe('priority deadline', () => {
  let testChain: TestChain

  beforeAll(async () => {
    testChain = await startTestChain()
  })
  afterAll(async () => {
    await testChain?.stop()
  })

  it("behavior: reads the oldest pending op's deadline slack from L1, and it shrinks with L1 time down past zero", async () => {
    const deployed = await deployFixtureZkPerp(testChain, { priorityDeadlineSeconds: WINDOW })
    const read = () => readPriorityDeadline(testChain.publicClient, deployed.zkPerp)
    expect(await read()).toMatchObject({ pending: 0n, oldest: undefined })

    const [alice] = testChain.fixture.deposits
    await replayFixtureDeposit(testChain, deployed, alice!)
    const queued = await read()
    expect(queued.pending).toBe(1n)
    expect(queued.oldest).toEqual({ priorityIndex: 0n, deadline: queued.oldest!.deadline, slackSeconds: WINDOW })

    // A second op does not change which one is oldest.
    await testChain.testClient.increaseTime({ seconds: 400 })
    await requestForcedWithdrawal(testChain, deployed, alice!.caller, 2n, 1n)
    const later = await read()
    expect(later.pending).toBe(2n)
    expect(later.oldest!.priorityIndex).toBe(0n)
    expect(later.oldest!.slackSeconds).toBe(queued.oldest!.deadline - later.blockTimestamp)
    expect(later.oldest!.slackSeconds).toBeLessThanOrEqual(WINDOW - 400n)

    await testChain.testClient.increaseTime({ seconds: 700 })
    await testChain.testClient.mine({ blocks: 1 })
    const overdue = await read()
    expect(overdue.oldest!.slackSeconds).toBeLessThan(0n)
  })

  it('behavior: the monitor reports readings until stopped, and a failed reading goes to onError without stopping it', async () => {
    const deployed = await deployFixtureZkPerp(testChain, { priorityDeadlineSeconds: WINDOW })
    const readings: PriorityDeadlineReading[] = []
    const errors: unknown[] = []
    let failNext = true
    const client = new Proxy(testChain.publicClient, {
      get(target, property, receiver) {
        if (property === 'getBlock' && failNext) {
          failNext = false
          return () => Promise.reject(new Error('injected RPC failure'))
        }
        return Reflect.get(target, property, receiver)
      },
    })
    const monitor = new PriorityDeadlineMonitor({ client, zkPerpAddress: deployed.zkPerp, intervalMs: 20, onReading: (reading) => void readings.push(reading), onError: (error) => void errors.push(error) })
    monitor.start()
    await expect.poll(() => readings.length, { timeout: 5_000 }).toBeGreaterThan(2)
    await monitor.stop()
    const stoppedAt = readings.length
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(readings.length).toBe(stoppedAt)
    expect(errors).toHaveLength(1)
    expect(readings.every((reading) => reading.pending === 0n)).toBe(true)
  })
})
