/**
 * The order gate (`orderIntake`): while it refuses, new orders get its typed error and never reach the log; what
 * lowers risk or was already acknowledged still goes through (a replayed client order id, cancels, withdrawals).
 * The node's gate is settlement's backlog (sequencer/node/settlement.ts); its error is used here as it is there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ZkPerpClient } from '../../sdk/client/client.ts'
import type { Order } from '../../sdk/protocol/types.ts'
import { GENESIS_TIME, traderKey } from '../core/testWorkload.ts'
import { SettlementBacklogError } from '../node/errors.ts'
import { startTestGateway, type TestGateway } from './testGateway.ts'

const key = traderKey(0).privateKey
let test: TestGateway
let client: ZkPerpClient
let refusal: SettlementBacklogError | undefined
let storageId = 100n

function order(fields: Partial<Order> = {}): Order {
  return { accountIndex: 2n, market: 0, isBuy: true, reduceOnly: false, size: 1n, limitPrice: 5_999_000n, storageId: storageId++, expiry: GENESIS_TIME + 3_600n, ...fields }
}

beforeAll(async () => {
  test = await startTestGateway({ keys: [key], orderIntake: () => refusal })
  client = await ZkPerpClient.connect({ url: test.gateway.url, domain: test.genesis.domain })
})

afterAll(async () => {
  await client?.close()
  await test?.stop()
})

describe('gateway order intake gate', () => {
  it('behavior: a refused order gets the gate’s code and details and is not logged; once the gate opens the same order is acked', async () => {
    refusal = new SettlementBacklogError(16n, 16n)
    const head = test.gateway.log.head().seq
    const signed = order()
    const refused = await client.signAndPlace({ order: signed, privateKey: key })
    expect(!refused.ok && refused.error.code).toBe('SETTLEMENT_BACKLOG')
    expect(!refused.ok && refused.error.details).toEqual({ backlog: '16', limit: '16' })
    expect(test.gateway.log.head().seq).toBe(head)

    refusal = undefined
    const accepted = await client.signAndPlace({ order: signed, privateKey: key })
    expect(accepted.ok).toBe(true)
    expect(test.gateway.log.head().seq).toBe(head + 1n)
  })

  it('behavior: while new orders are refused, an acked client order id still gets its ack, and cancels and withdrawals go through', async () => {
    const resting = order({ limitPrice: 5_900_000n })
    const first = await client.signAndPlace({ order: resting, privateKey: key, clientOrderId: 'gate-1' })
    expect(first.ok).toBe(true)

    refusal = new SettlementBacklogError(20n, 16n)
    try {
      const replay = await client.signAndPlace({ order: resting, privateKey: key, clientOrderId: 'gate-1' })
      expect(replay.ok && replay.duplicate).toBe(true)
      const fresh = await client.signAndPlace({ order: order(), privateKey: key, clientOrderId: 'gate-2' })
      expect(!fresh.ok && fresh.error.code).toBe('SETTLEMENT_BACKLOG')

      const cancelled = await client.cancelOrder({ accountIndex: 2n, market: 0, storageId: resting.storageId, privateKey: key })
      expect(cancelled.ok).toBe(true)
      expect(test.gateway.sequencer.engine(0).getOrder(2, resting.storageId)).toBeUndefined()

      const withdrawn = await client.withdraw({ accountIndex: 2n, amount: 1_000_000n, to: 0xb0bn, storageId: storageId++, validUntil: GENESIS_TIME + 3_600n, privateKey: key })
      expect(withdrawn.ok).toBe(true)
    } finally {
      refusal = undefined
    }
  })
})
