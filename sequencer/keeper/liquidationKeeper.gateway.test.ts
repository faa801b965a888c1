import { afterEach, describe, expect, it } from 'vitest'
import { ZkPerpClient } from '../../sdk/client/client.ts'
import { derivePublicKey } from '../../sdk/crypto/eddsa.ts'
import { signOraclePrice } from '../../sdk/protocol/signing.ts'
import { GENESIS_TIME, ORACLE_KEY, traderKey } from '../core/testWorkload.ts'
import type { Gateway } from '../gateway/server.ts'
import { startTestGateway, type TestGateway } from '../gateway/testGateway.ts'
import { sequencerView, type KeeperInput } from './keeperView.ts'
import { LiquidationKeeper } from './liquidationKeeper.ts'
import { silentLogger } from './testCore.ts'

const T = GENESIS_TIME
let gateway: TestGateway | undefined
let client: ZkPerpClient | undefined

afterEach(async () => {
  await client?.close()
  await gateway?.stop()
  client = undefined
  gateway = undefined
})

/**
 * The gateway's `submit` is typed for the kinds it was written with (deposit, funding, oracle); its sequencing path
 * stamps, encodes and logs any input, the liquidation kind included.
 */
function appendThrough(gateway: Gateway) {
  return (input: KeeperInput) => gateway.submit(input)
}

describe('LiquidationKeeper through a real gateway', () => {
  it('behavior: the liquidation is logged in the input log, and a restarted gateway recovers the identical core', async () => {
    let now = T
    gateway = await startTestGateway({ clock: () => now, fund: false, keys: [0, 1, 2].map((i) => traderKey(i).privateKey) })
    const amounts = [1_000_000_000_000n, 1_000_000_000_000n, 100_000_000n]
    for (let i = 0; i < 3; i++) {
      const privateKey = traderKey(i).privateKey
      await gateway.gateway.submit({
        kind: 'deposit',
        tx: { type: 'deposit', accountIndex: 2n + BigInt(i), amount: amounts[i]!, owner: 0xa11cen, create: { publicKey: derivePublicKey(privateKey), mode: 0 } },
      })
    }
    const { domain } = gateway.genesis
    client = await ZkPerpClient.connect({ url: gateway.gateway.url, domain })
    const order = (trader: number, isBuy: boolean, size: bigint, limitPrice: bigint) =>
      client!.signAndPlace({
        order: { accountIndex: 2n + BigInt(trader), market: 0, isBuy, reduceOnly: false, size, limitPrice, storageId: 1n, expiry: T + 86_400n },
        privateKey: traderKey(trader).privateKey,
      })
    expect((await order(0, false, 150n, 6_000_000n)).ok).toBe(true)
    expect((await order(2, true, 150n, 6_000_000n)).ok).toBe(true)
    expect((await order(1, true, 100n, 5_590_000n)).ok).toBe(true)
    const sequencer = gateway.gateway.sequencer
    expect(sequencer.account(4n)!.positions[0]!.size).toBe(150n)

    now = T + 10n
    await gateway.gateway.submit({ kind: 'oraclePrice', tx: signOraclePrice({ market: 0, price: 5_600_000n, timestamp: now }, ORACLE_KEY.privateKey, domain) })
    const keeper = new LiquidationKeeper({ view: sequencerView(sequencer), domain, append: appendThrough(gateway.gateway), clock: () => now, logger: silentLogger })
    const report = await keeper.notify()
    expect(report.applied).toEqual([expect.objectContaining({ type: 'liquidation', accountIndex: 4n, size: 38n, price: 5_590_000n, full: false })])
    expect(sequencer.account(4n)!.positions[0]!.size).toBe(112n)
    expect(sequencer.pendingTxs().map(({ tx }) => tx.type).at(-1)).toBe('liquidation')
    const before = Buffer.from(sequencer.snapshot())

    await client.close()
    client = undefined
    const { logPath } = gateway
    await gateway.stop({ keepLog: true })
    gateway = await startTestGateway({ clock: () => now, fund: false, logPath })
    expect(Buffer.from(gateway.gateway.sequencer.snapshot()).equals(before)).toBe(true)
  })
})
