/**
 * Withdrawals and transfers over a real WebSocket: acked like orders (log seq, chain head, sequencer signature, the
 * signed message's hash), the core's verdict in the ack's events and on the account streams, every rejection class
 * typed, and a replayed signed message executed once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spendOutcome, ZkPerpClient, type StreamUpdate } from '../../sdk/client/client.ts'
import { fieldToBytes32, transferToWire, withdrawToWire } from '../../sdk/client/messages.ts'
import { derivePublicKey } from '../../sdk/crypto/eddsa.ts'
import { SUBGROUP_ORDER } from '../../sdk/crypto/curveParameters.ts'
import { domainHash, transferHash, withdrawHash } from '../../sdk/protocol/hashing.ts'
import { signOrder, signTransfer, signWithdraw } from '../../sdk/protocol/signing.ts'
import type { TransferMessage, WithdrawMessage } from '../../sdk/protocol/types.ts'
import { GENESIS_TIME, traderKey } from '../core/testWorkload.ts'
import { startTestGateway, type TestGateway } from './testGateway.ts'

const USDC = 1_000_000n
const FUNDED = 1_000_000n * USDC
let test: TestGateway
let client: ZkPerpClient
let storageId = 100n

const key = (trader: number) => traderKey(trader).privateKey

function withdrawal(trader: number, fields: Partial<WithdrawMessage> = {}): WithdrawMessage {
  return { accountIndex: 2n + BigInt(trader), amount: 10n * USDC, to: 0xb0bn, storageId: storageId++, validUntil: GENESIS_TIME + 3_600n, ...fields }
}

function transferOf(trader: number, fields: Partial<TransferMessage> = {}): TransferMessage {
  return { fromIndex: 2n + BigInt(trader), toIndex: 8n, amount: 10n * USDC, targetMode: 0, storageId: storageId++, validUntil: GENESIS_TIME + 3_600n, ...fields }
}

/** Sends raw text and resolves with the next non-event reply. */
async function raw(text: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>
      if (message.type === 'event') return
      client.socket.off('message', onMessage)
      resolve(message)
    }
    client.socket.on('message', onMessage)
    client.sendRaw(text)
  })
}

function codeOf(reply: Record<string, unknown>): string | undefined {
  return (reply.error as { code?: string } | undefined)?.code
}

async function collateralOf(accountIndex: bigint): Promise<bigint> {
  return BigInt((await client.getAccount(accountIndex)).collateral as string)
}

beforeAll(async () => {
  test = await startTestGateway({ accountRateLimit: { ratePerSecond: 1_000, burst: 1_000 } })
  // Account 7 belongs to another owner (the test traders 2..6 all belong to 0xa11ce).
  await test.gateway.submit({
    kind: 'deposit',
    tx: { type: 'deposit', accountIndex: 7n, amount: 50n * USDC, owner: 0xca401n, create: { publicKey: derivePublicKey(key(4)), mode: 0 } },
  })
  client = await ZkPerpClient.connect({ url: test.gateway.url, domain: test.genesis.domain })
})

afterAll(async () => {
  await client?.close()
  await test?.stop()
})

describe('gateway withdraw', () => {
  it('behavior: a signed withdraw is acked with the log seq, chain head and its message hash; the account stream reports the new collateral', async () => {
    const updates: StreamUpdate[] = []
    await client.subscribe('account:2', (update) => updates.push(update))
    const message = withdrawal(0, { amount: 250n * USDC, to: 0x1234n })
    const result = await client.withdraw({ ...message, privateKey: key(0) })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const head = test.gateway.log.head()
    expect(BigInt(result.ack.seq)).toBe(head.seq)
    expect(result.ack.chainHead).toBe(`0x${Buffer.from(head.hash).toString('hex')}`)
    expect(result.ack.kind).toBe(8)
    expect(result.ack.messageHash).toBe(fieldToBytes32(withdrawHash(message, domainHash(test.genesis.domain))))
    expect(await client.verifyAck(result.ack, test.gateway.address)).toBe(true)
    const collateral = (FUNDED - 250n * USDC).toString()
    expect(spendOutcome(result)).toEqual({
      accepted: true,
      event: { type: 'withdrawAccepted', accountIndex: '2', storageId: message.storageId.toString(), amount: '250000000', to: '4660', collateral },
    })
    expect(await collateralOf(2n)).toBe(FUNDED - 250n * USDC)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(updates.map((update) => update.type)).toEqual(['snapshot', 'event'])
    expect(updates[1]!.data).toMatchObject({ type: 'withdrawAccepted', collateral })
    expect(test.gateway.sequencer.pendingTxs().at(-1)?.tx).toMatchObject({ type: 'withdraw', accountIndex: 2n, amount: 250n * USDC, to: 0x1234n })
    await client.unsubscribe('account:2')
  })

  it('behavior: the same signed withdraw sent 5 times executes once; a later copy is STORAGE_ID_USED before the log', async () => {
    const signed = signWithdraw(withdrawal(1), key(1), test.genesis.domain)
    const before = await collateralOf(3n)
    const results = await Promise.all(Array.from({ length: 5 }, () => client.sendWithdraw(signed)))
    expect(results.filter((result) => result.ok)).toHaveLength(1)
    expect(spendOutcome(results.find((result) => result.ok)!).accepted).toBe(true)
    for (const result of results) if (!result.ok) expect(['STORAGE_ID_IN_FLIGHT', 'STORAGE_ID_USED']).toContain(result.error.code)
    const head = test.gateway.log.head().seq
    const again = await client.sendWithdraw(signed)
    expect(!again.ok && again.error).toMatchObject({ code: 'STORAGE_ID_USED', details: { accountIndex: '3', storageId: signed.storageId.toString(), slotStorageId: signed.storageId.toString() } })
    expect(test.gateway.log.head().seq).toBe(head)
    expect(await collateralOf(3n)).toBe(before - 10n * USDC)
  })

  it('error: a storage id a resting order holds is STORAGE_ID_USED, and the order keeps resting', async () => {
    const orderId = storageId++
    const placed = await client.signAndPlace({
      order: { accountIndex: 4n, market: 0, isBuy: true, reduceOnly: false, size: 1n, limitPrice: 5_000_000n, storageId: orderId, expiry: GENESIS_TIME + 3_600n },
      privateKey: key(2),
    })
    expect(placed.ok).toBe(true)
    const result = await client.withdraw({ ...withdrawal(2, { storageId: orderId }), privateKey: key(2) })
    expect(!result.ok && result.error).toMatchObject({ code: 'STORAGE_ID_USED', details: { slotStorageId: orderId.toString() } })
    expect(test.gateway.sequencer.liveOrder(4n, orderId)?.remaining).toBe(1n)
  })

  it('error: a withdraw the state machine refuses is acked with the verdict: INSUFFICIENT_MARGIN, ORDER_EXPIRED; nothing moves', async () => {
    const rejected: StreamUpdate[] = []
    await client.subscribe('account:5', (update) => rejected.push(update))
    const tooMuch = await client.withdraw({ ...withdrawal(3, { amount: FUNDED + 1n }), privateKey: key(3) })
    expect(tooMuch.ok).toBe(true)
    expect(spendOutcome(tooMuch)).toMatchObject({ accepted: false, error: { code: 'INSUFFICIENT_MARGIN', details: { accountIndex: '5', equity: '-1', requiredMargin: '0' } } })
    const expired = await client.withdraw({ ...withdrawal(3, { validUntil: GENESIS_TIME - 1n }), privateKey: key(3) })
    expect(spendOutcome(expired)).toMatchObject({ accepted: false, error: { code: 'ORDER_EXPIRED', details: { expiry: (GENESIS_TIME - 1n).toString() } } })
    expect(await collateralOf(5n)).toBe(FUNDED)
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(rejected.slice(1).map((update) => [update.data.type, update.data.code])).toEqual([
      ['withdrawRejected', 'INSUFFICIENT_MARGIN'],
      ['withdrawRejected', 'ORDER_EXPIRED'],
    ])
    await client.unsubscribe('account:5')
  })

  it('error: every bad signature class is rejected with its code, before the log', async () => {
    const head = test.gateway.log.head().seq
    const signed = signWithdraw(withdrawal(0), key(0), test.genesis.domain)
    const send = (wire: Record<string, unknown>) => raw(JSON.stringify({ type: 'withdraw', id: 'w', withdraw: wire }))
    const wire = withdrawToWire(signed)
    const cases: [string, Record<string, unknown>, string][] = [
      ['another key', withdrawToWire(signWithdraw(withdrawal(0), key(1), test.genesis.domain)), 'BAD_SIGNATURE'],
      ['tampered amount', { ...wire, amount: (signed.amount + 1n).toString() }, 'BAD_SIGNATURE'],
      ['tampered recipient', { ...wire, to: '0x000000000000000000000000000000000000dead' }, 'BAD_SIGNATURE'],
      ['another domain', withdrawToWire(signWithdraw(withdrawal(0), key(0), { ...test.genesis.domain, chainId: 1n })), 'BAD_SIGNATURE'],
      ['S above the subgroup order', { ...wire, signature: { ...wire.signature, S: (signed.signature.S + SUBGROUP_ORDER).toString() } }, 'SIGNATURE_S_OUT_OF_RANGE'],
      ['R8 off the curve', { ...wire, signature: { ...wire.signature, R8x: '1' } }, 'POINT_NOT_ON_CURVE'],
    ]
    for (const [name, body, code] of cases) expect([name, codeOf(await send(body))]).toEqual([name, code])
    expect(test.gateway.log.head().seq).toBe(head)
  })

  it('error: malformed, off-schema and out-of-bounds withdraws get typed rejections and change nothing', async () => {
    const head = test.gateway.log.head().seq
    const valid = withdrawToWire(signWithdraw(withdrawal(0), key(0), test.genesis.domain))
    const withFields = (changes: Record<string, unknown>) => JSON.stringify({ type: 'withdraw', id: 'x', withdraw: { ...valid, ...changes } })
    const cases: [string, string][] = [
      [withFields({ amount: 10 }), 'SCHEMA_INVALID'],
      [withFields({ amount: '1.5' }), 'SCHEMA_INVALID'],
      [withFields({ amount: '-1' }), 'SCHEMA_INVALID'],
      [withFields({ amount: '010' }), 'SCHEMA_INVALID'],
      [withFields({ to: '0x1234' }), 'SCHEMA_INVALID'],
      [withFields({ to: '4660' }), 'SCHEMA_INVALID'],
      [withFields({ fee: '1' }), 'SCHEMA_INVALID'],
      [JSON.stringify({ type: 'withdraw', id: 'x', withdraw: valid, priority: true }), 'SCHEMA_INVALID'],
      [withFields({ amount: '0' }), 'WITHDRAWAL_AMOUNT_OUT_OF_RANGE'],
      [withFields({ amount: (1n << 63n).toString() }), 'WITHDRAWAL_AMOUNT_OUT_OF_RANGE'],
      [withFields({ storageId: '4294967296' }), 'STORAGE_ID_OUT_OF_RANGE'],
      [withFields({ validUntil: '4294967296' }), 'TIMESTAMP_OUT_OF_RANGE'],
      [withFields({ accountIndex: '16' }), 'ACCOUNT_INDEX_OUT_OF_RANGE'],
      [withFields({ accountIndex: '15' }), 'ACCOUNT_NOT_FOUND'],
      [withFields({ accountIndex: '1' }), 'SYSTEM_ACCOUNT_NOT_ALLOWED'],
    ]
    for (const [text, code] of cases) expect([text.slice(0, 90), codeOf(await raw(text))]).toEqual([text.slice(0, 90), code])
    expect(test.gateway.log.head().seq).toBe(head)
  })
})

describe('gateway transfer', () => {
  it('behavior: a transfer to an empty L2 index creates the owner\'s new account; both account streams report transfers', async () => {
    const source: StreamUpdate[] = []
    await client.subscribe('account:2', (update) => source.push(update))
    const message = transferOf(0, { toIndex: 8n, amount: 1_000n * USDC, targetMode: 1 })
    const before = await collateralOf(2n)
    const result = await client.transfer({ ...message, privateKey: key(0) })
    if (!result.ok) throw new Error(`transfer rejected: ${result.error.code}`)
    expect(result.ack).toMatchObject({ kind: 9, messageHash: fieldToBytes32(transferHash(message, domainHash(test.genesis.domain))) })
    expect(await client.verifyAck(result.ack, test.gateway.address)).toBe(true)
    expect(spendOutcome(result)).toMatchObject({ accepted: true, event: { type: 'transferAccepted', fromIndex: '2', toIndex: '8', created: true, toCollateral: '1000000000' } })
    expect(await collateralOf(2n)).toBe(before - 1_000n * USDC)
    expect(await client.getAccount(8n)).toMatchObject({ collateral: '1000000000', mode: 1 })

    const target: StreamUpdate[] = []
    await client.subscribe('account:8', (update) => target.push(update))
    const topUp = await client.transfer({ ...transferOf(0, { toIndex: 8n, amount: 5n * USDC, targetMode: 1 }), privateKey: key(0) })
    expect(spendOutcome(topUp)).toMatchObject({ accepted: true, event: { created: false, toCollateral: '1005000000' } })
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(source.filter((update) => update.type === 'event').map((update) => update.data.type)).toEqual(['transferAccepted', 'transferAccepted'])
    expect(target.map((update) => [update.type, update.data.type ?? update.data.collateral])).toEqual([['snapshot', '1000000000'], ['event', 'transferAccepted']])
    await client.unsubscribe('account:2')
    await client.unsubscribe('account:8')
  })

  it('error: a transfer the state machine refuses is acked with its code: another owner, another mode, more than is free', async () => {
    const cases: [TransferMessage, string][] = [
      [transferOf(0, { toIndex: 7n }), 'TRANSFER_OWNER_MISMATCH'],
      [transferOf(0, { toIndex: 8n, targetMode: 0 }), 'TRANSFER_TARGET_MODE_MISMATCH'],
      [transferOf(0, { toIndex: 6n, amount: FUNDED * 2n }), 'INSUFFICIENT_MARGIN'],
      [transferOf(0, { toIndex: 2n }), 'SAME_ACCOUNT'],
    ]
    const before = await collateralOf(2n)
    for (const [message, code] of cases) {
      const result = await client.transfer({ ...message, privateKey: key(0) })
      expect(result.ok).toBe(true)
      expect([code, spendOutcome(result)]).toMatchObject([code, { accepted: false, error: { code } }])
    }
    expect(await collateralOf(2n)).toBe(before)
    // Between two existing accounts of the same owner it goes through.
    const existing = await client.transfer({ ...transferOf(4, { toIndex: 2n }), privateKey: key(4) })
    expect(spendOutcome(existing)).toMatchObject({ accepted: true, event: { created: false } })
  })

  it('error: off-schema transfers are rejected before the log', async () => {
    const head = test.gateway.log.head().seq
    const valid = transferToWire(signTransfer(transferOf(0), key(0), test.genesis.domain))
    const withFields = (changes: Record<string, unknown>) => JSON.stringify({ type: 'transfer', id: 'x', transfer: { ...valid, ...changes } })
    for (const [text, code] of [
      [withFields({ targetMode: '1' }), 'SCHEMA_INVALID'],
      [withFields({ targetMode: 17 }), 'SCHEMA_INVALID'],
      [withFields({ owner: '1' }), 'SCHEMA_INVALID'],
      [withFields({ toIndex: '16' }), 'ACCOUNT_INDEX_OUT_OF_RANGE'],
      [withFields({ amount: '0' }), 'WITHDRAWAL_AMOUNT_OUT_OF_RANGE'],
      [withFields({ fromIndex: '0' }), 'SYSTEM_ACCOUNT_NOT_ALLOWED'],
    ] as const) {
      expect([text.slice(0, 90), codeOf(await raw(text))]).toEqual([text.slice(0, 90), code])
    }
    expect(test.gateway.log.head().seq).toBe(head)
  })
})

describe('gateway restart', () => {
  it('behavior: a gateway restarted on its log replays withdraws and transfers to the same core, byte for byte', async () => {
    // An order shares a slot with a later withdraw, so replay also repeats the cancel-by-overwrite.
    const orderId = storageId++
    const order = signOrder({ accountIndex: 3n, market: 0, isBuy: true, reduceOnly: false, size: 2n, limitPrice: 5_000_000n, storageId: orderId, expiry: GENESIS_TIME + 3_600n }, key(1), test.genesis.domain)
    expect((await client.placeOrder({ order })).ok).toBe(true)
    const overwrite = await client.withdraw({ ...withdrawal(1, { storageId: orderId + 16n }), privateKey: key(1) })
    expect(overwrite.ok && overwrite.events.map((event) => event.type)).toEqual(['orderCancelled', 'withdrawAccepted'])
    const before = Buffer.from(test.gateway.sequencer.snapshot())
    await client.close()
    await test.stop({ keepLog: true })
    test = await startTestGateway({ logPath: test.logPath, fund: false })
    client = await ZkPerpClient.connect({ url: test.gateway.url, domain: test.genesis.domain })
    expect(Buffer.from(test.gateway.sequencer.snapshot()).equals(before)).toBe(true)
    expect(test.gateway.sequencer.pendingTxs().map((queued) => queued.tx.type)).toContain('transfer')
  })
})
