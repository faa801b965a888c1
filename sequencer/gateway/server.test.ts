import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { ZkPerpClient } from '../../sdk/client/client.ts'
import { orderToWire } from '../../sdk/client/messages.ts'
import { signOrder } from '../../sdk/protocol/signing.ts'
import { buildSignatureCases, SIGNATURE_CASES_DOMAIN, SIGNATURE_CASES_ORDER, SIGNATURE_CASES_PRIVATE_KEY } from '../../sdk/protocol/signatureCases.ts'
import type { Order } from '../../sdk/protocol/types.ts'
import { GENESIS_TIME, traderKey } from '../core/testWorkload.ts'
import { startTestGateway, type TestGateway } from './testGateway.ts'

// Accounts 2..6 are test traders 0..4; account 7 holds the signature-cases key (its order names account 7).
const keys = [...Array.from({ length: 5 }, (_, i) => traderKey(i).privateKey), SIGNATURE_CASES_PRIVATE_KEY]
let test: TestGateway
let client: ZkPerpClient
let storageId = 100n

function order(trader: number, fields: Partial<Order> = {}): Order {
  return {
    accountIndex: 2n + BigInt(trader),
    market: 0,
    isBuy: true,
    reduceOnly: false,
    size: 1n,
    limitPrice: 5_999_000n,
    storageId: storageId++,
    expiry: GENESIS_TIME + 3_600n,
    ...fields,
  }
}

async function raw(text: string | Buffer, target: ZkPerpClient = client): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>
      if (message.type === 'event') return
      target.socket.off('message', onMessage)
      resolve(message)
    }
    target.socket.on('message', onMessage)
    target.sendRaw(text)
  })
}

function codeOf(reply: Record<string, unknown>): string | undefined {
  return (reply.error as { code?: string } | undefined)?.code
}

beforeAll(async () => {
  test = await startTestGateway({ domain: SIGNATURE_CASES_DOMAIN, keys, accountRateLimit: { ratePerSecond: 1_000, burst: 1_000 } })
  client = await ZkPerpClient.connect({ url: test.gateway.url, domain: test.genesis.domain })
})

afterAll(async () => {
  await client?.close()
  await test?.stop()
})

describe('gateway', () => {
  it('behavior: a signed order is acked with the log seq and chain head, signed by the sequencer key; crossing orders fill', async () => {
    const maker = await client.signAndPlace({ order: order(0, { isBuy: false, size: 3n, limitPrice: 6_000_020n }), privateKey: keys[0]! })
    expect(maker.ok).toBe(true)
    if (!maker.ok) return
    const head = test.gateway.log.head()
    expect(BigInt(maker.ack.seq)).toBe(head.seq)
    expect(maker.ack.chainHead).toBe(`0x${Buffer.from(head.hash).toString('hex')}`)
    expect(await client.verifyAck(maker.ack, test.gateway.address)).toBe(true)
    expect(maker.events).toContainEqual(expect.objectContaining({ type: 'orderRested', remaining: '3' }))

    const taker = await client.signAndPlace({ order: order(1, { size: 2n, limitPrice: 6_000_100n }), privateKey: keys[1]! })
    expect(taker.ok && taker.events).toContainEqual(expect.objectContaining({ type: 'fill', price: '6000020', size: '2', makerIndex: '2' }))
    const book = await client.getBook(0)
    expect(book.asks).toContainEqual(['6000020', '1', 1])
    const account = await client.getAccount(3n)
    expect((account.positions as { size: string }[])[0]!.size).toBe('2')
  })

  it('behavior: orders acked together share one group signature, and each ack verifies alone; a tampered one does not', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => client.signAndPlace({ order: order(4, { limitPrice: 5_000_000n + BigInt(i) * 1_000n }), privateKey: keys[4]! })),
    )
    const acks = results.map((result) => (result.ok ? result.ack : undefined))
    expect(acks.every((ack) => ack !== undefined)).toBe(true)
    const seqs = acks.map((ack) => BigInt(ack!.seq))
    expect(new Set(seqs).size).toBe(6)
    // One synced log write made them durable together: fewer signatures than acks.
    expect(new Set(acks.map((ack) => ack!.signature)).size).toBeLessThan(6)
    for (const ack of acks) expect(await client.verifyAck(ack!, test.gateway.address)).toBe(true)
    const grouped = acks.find((ack) => ack!.proof.length > 0)!
    expect(await client.verifyAck({ ...grouped, seq: (BigInt(grouped.seq) + 1n).toString() }, test.gateway.address)).toBe(false)
    expect(await client.verifyAck({ ...grouped, proof: grouped.proof.slice(1) }, test.gateway.address)).toBe(false)
    expect(await client.verifyAck({ ...grouped, proof: ['0x12'] }, test.gateway.address)).toBe(false)
  })

  it('behavior: the same signed order sent 5 times gets one ack and executes once', async () => {
    const signed = signOrder(order(2, { isBuy: false, size: 1n, limitPrice: 6_100_000n }), keys[2]!, test.genesis.domain)
    const results = await Promise.all(Array.from({ length: 5 }, () => client.placeOrder({ order: signed })))
    expect(results.filter((result) => result.ok)).toHaveLength(1)
    for (const result of results) if (!result.ok) expect(['ORDER_IN_FLIGHT', 'STORAGE_ID_NOT_FRESH']).toContain(result.error.code)
    const again = await client.placeOrder({ order: signed })
    expect(!again.ok && again.error.code).toBe('STORAGE_ID_NOT_FRESH')
    expect(test.gateway.sequencer.engine(0).getOrder(4, signed.storageId)?.remaining).toBe(1n)
  })

  it('behavior: the same client order id with the same body returns the first ack; with another body it is rejected', async () => {
    const signed = signOrder(order(3, { limitPrice: 5_990_000n }), keys[3]!, test.genesis.domain)
    const first = await client.placeOrder({ order: signed, clientOrderId: 'idem-1' })
    const second = await client.placeOrder({ order: signed, clientOrderId: 'idem-1' })
    expect(first.ok && second.ok).toBe(true)
    if (!first.ok || !second.ok) return
    expect(second.duplicate).toBe(true)
    // The same ack fields, signed again (as a group of one) by the sequencer.
    expect({ ...second.ack, proof: [], signature: '' }).toEqual({ ...first.ack, proof: [], signature: '' })
    expect(await client.verifyAck(second.ack, test.gateway.address)).toBe(true)
    const other = await client.signAndPlace({ order: order(3, { limitPrice: 5_980_000n }), privateKey: keys[3]!, clientOrderId: 'idem-1' })
    expect(!other.ok && other.error.code).toBe('CLIENT_ORDER_ID_REUSED')
  })

  it('error: every bad signature class is rejected with its code, before the log', async () => {
    const cases = buildSignatureCases().filter(
      (c) => c.expectedCode !== null && c.point !== 'A' && c.domain === SIGNATURE_CASES_DOMAIN && c.publicKey.x === buildSignatureCases()[0]!.publicKey.x,
    )
    expect(cases.length).toBeGreaterThan(8)
    const head = test.gateway.log.head().seq
    for (const c of cases) {
      const reply = await raw(JSON.stringify({ type: 'order', id: 'sig', order: orderToWire({ ...c.order, signature: c.signature }) }))
      // A tampered account index names an account that does not exist: refused before the signature is read.
      const expected = c.name === 'tampered accountIndex' ? 'ACCOUNT_NOT_FOUND' : c.expectedCode
      expect([c.name, codeOf(reply)]).toEqual([c.name, expected])
    }
    const wrongKey = signOrder({ ...SIGNATURE_CASES_ORDER, storageId: 4242n }, keys[0]!, SIGNATURE_CASES_DOMAIN)
    expect(codeOf(await raw(JSON.stringify({ type: 'order', id: 'k', order: orderToWire(wrongKey) })))).toBe('BAD_SIGNATURE')
    expect(test.gateway.log.head().seq).toBe(head)
  })

  it('error: malformed, deep, duplicate-key and off-schema messages get typed rejections and change nothing', async () => {
    const head = test.gateway.log.head().seq
    const valid = orderToWire(signOrder(order(0), keys[0]!, test.genesis.domain))
    const withOrder = (changes: Record<string, unknown>) => JSON.stringify({ type: 'order', id: 'x', order: { ...valid, ...changes } })
    const cases: [string, string][] = [
      ['{"type":"order",', 'MESSAGE_NOT_JSON'],
      ['[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', 'MESSAGE_TOO_DEEP'],
      ['{"type":"ping","id":"a","id":"b"}', 'DUPLICATE_KEY'],
      [withOrder({ size: 1.5 }), 'SCHEMA_INVALID'],
      [withOrder({ size: '1.5' }), 'SCHEMA_INVALID'],
      [withOrder({ size: '1e3' }), 'SCHEMA_INVALID'],
      [withOrder({ size: 9007199254740993 }), 'SCHEMA_INVALID'],
      [withOrder({ size: '-1' }), 'SCHEMA_INVALID'],
      [withOrder({ size: '0' }), 'SIZE_OUT_OF_RANGE'],
      [withOrder({ size: '1099511627776' }), 'SIZE_OUT_OF_RANGE'],
      [withOrder({ limitPrice: '281474976710656' }), 'PRICE_OUT_OF_RANGE'],
      [withOrder({ limitPrice: '5999005' }), 'PRICE_OFF_TICK'],
      [withOrder({ storageId: '4294967296' }), 'STORAGE_ID_OUT_OF_RANGE'],
      [withOrder({ market: 9 }), 'UNKNOWN_MARKET'],
      [withOrder({ market: 16 }), 'SCHEMA_INVALID'],
      [withOrder({ market: 0.5 }), 'SCHEMA_INVALID'],
      [withOrder({ extra: 1 }), 'SCHEMA_INVALID'],
      [JSON.stringify({ type: 'order', id: 'x', order: valid, leverage: '10' }), 'SCHEMA_INVALID'],
      [withOrder({ accountIndex: '15' }), 'ACCOUNT_NOT_FOUND'],
      [JSON.stringify({ type: 'subscribe', id: 's', stream: 'book:9' }), 'UNKNOWN_STREAM'],
    ]
    for (const [text, code] of cases) expect([text.slice(0, 60), codeOf(await raw(text))]).toEqual([text.slice(0, 60), code])
    expect(test.gateway.log.head().seq).toBe(head)
  })

  it('behavior: fc.anything() and fc.json() frames get a typed rejection, and the server stays up', async () => {
    const head = test.gateway.log.head().seq
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.anything().map((value) => { try { return JSON.stringify(value) ?? 'undefined' } catch { return String(value) } })), async (text) => {
        const reply = await raw(text)
        expect(reply.type).toBe('rejected')
        expect(typeof codeOf(reply)).toBe('string')
      }),
      { numRuns: 150, seed: 42 },
    )
    expect(test.gateway.log.head().seq).toBe(head)
    expect((await client.health()).status).toBe('ok')
  })

  it('error: a frame over 64 KiB closes that connection with 1009; the server stays up', async () => {
    const victim = await ZkPerpClient.connect({ url: test.gateway.url, domain: test.genesis.domain })
    const closed = new Promise<number>((resolve) => victim.socket.once('close', (code) => resolve(code)))
    victim.sendRaw(Buffer.alloc(64 * 1024 + 1, 0x20))
    expect(await closed).toBe(1009)
    const ping = await client.request({ type: 'ping' })
    expect(ping.type).toBe('pong')
  })

  it('behavior: a client flooding at 10x its limit gets RATE_LIMITED while another client is still acked', async () => {
    const limited = await startTestGateway({ accountRateLimit: { ratePerSecond: 20, burst: 20 } })
    try {
      const flooder = await ZkPerpClient.connect({ url: limited.gateway.url, domain: limited.genesis.domain })
      const other = await ZkPerpClient.connect({ url: limited.gateway.url, domain: limited.genesis.domain })
      let id = 1n
      const flood = await Promise.all(
        Array.from({ length: 200 }, () =>
          flooder.signAndPlace({ order: { ...order(0), storageId: id++, limitPrice: 5_900_000n }, privateKey: traderKey(0).privateKey }),
        ),
      )
      const otherResult = await other.signAndPlace({ order: { ...order(1), storageId: 1n, limitPrice: 5_900_000n }, privateKey: traderKey(1).privateKey })
      const codes = flood.map((result) => (result.ok ? 'ok' : result.error.code))
      expect(codes.filter((code) => code === 'RATE_LIMITED').length).toBeGreaterThan(150)
      expect(codes.filter((code) => code === 'ok').length).toBeGreaterThanOrEqual(20)
      expect(otherResult.ok).toBe(true)
      await flooder.close()
      await other.close()
    } finally {
      await limited.stop()
    }
  })

  it('behavior: book and account streams carry contiguous seqs and start from an HTTP snapshot', async () => {
    const watcher = await ZkPerpClient.connect({ url: test.gateway.url, domain: test.genesis.domain })
    const updates: { type: string; seq: bigint }[] = []
    await watcher.subscribe('book:1', (update) => updates.push({ type: update.type, seq: update.seq }))
    for (let i = 0; i < 5; i++) {
      await client.signAndPlace({ order: order(4, { market: 1, limitPrice: 2_990_000n - BigInt(i) * 10n }), privateKey: keys[4]! })
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(updates[0]!.type).toBe('snapshot')
    const seqs = updates.map((update) => update.seq)
    expect(seqs.slice(1)).toEqual(seqs.slice(1).map((_, i) => seqs[0]! + BigInt(i) + 1n))
    expect(updates.length).toBe(6)
    expect(watcher.gaps).toBe(0)
    await watcher.close()
  })

  it('behavior: /metrics counts acks and rejections by code; /health reports the log head', async () => {
    const text = await (await fetch(`${test.gateway.httpUrl}/metrics`)).text()
    expect(text).toMatch(/zkperp_gateway_rejections_total\{code="BAD_SIGNATURE"\} \d+/)
    expect(text).toMatch(/zkperp_gateway_ack_latency_seconds_count \d+/)
    const health = await client.health()
    expect(health.seq).toBe(test.gateway.log.head().seq.toString())
  })
})
