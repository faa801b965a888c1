import { describe, expect, it } from 'vitest'
import { signOrder, signTransfer, signWithdraw } from '../../sdk/protocol/signing.ts'
import type { TransferMessage, WithdrawMessage } from '../../sdk/protocol/types.ts'
import { prepareTx } from '../../sdk/state/applyTx.ts'
import { readOrderSlot } from '../../sdk/state/orderSlots.ts'
import { cloneState } from '../../sdk/state/state.ts'
import { decodeInput, encodeInput, INPUT_KIND, type OrderInput, type SequencerInput, type TransferInput, type WithdrawInput } from './inputCodec.ts'
import { Sequencer, type SequencerEvent } from './sequencer.ts'
import { applyInputs, GENESIS_TIME, fundingInputs, generateWorkload, oracleInput, testGenesis, traderKey } from './testWorkload.ts'

const genesis = testGenesis()
const T = GENESIS_TIME
const USDC = 1_000_000n

/** Accounts 2..6 are traders 0..4 (owners 0xa11ce0 + i); trader 4 holds $100, the others $1,000,000. */
function started(): Sequencer {
  const sequencer = new Sequencer({ genesis })
  applyInputs(sequencer, [...fundingInputs(5), oracleInput(genesis, 0, 6_000_000n, T), oracleInput(genesis, 1, 3_000_000n, T)])
  sequencer.drainTxs()
  return sequencer
}

function withdraw(trader: number, fields: Partial<WithdrawMessage> = {}, options: { signer?: number; time?: bigint } = {}): WithdrawInput {
  const message = { accountIndex: 2n + BigInt(trader), amount: 5n * USDC, to: 0xb0bn, storageId: 1n, validUntil: T + 60n, ...fields }
  return { kind: 'withdraw', time: options.time ?? T, tx: signWithdraw(message, traderKey(options.signer ?? trader).privateKey, genesis.domain) }
}

function transfer(trader: number, fields: Partial<TransferMessage> = {}, options: { signer?: number; time?: bigint } = {}): TransferInput {
  const message = { fromIndex: 2n + BigInt(trader), toIndex: 8n, amount: 5n * USDC, targetMode: 0, storageId: 1n, validUntil: T + 60n, ...fields }
  return { kind: 'transfer', time: options.time ?? T, tx: signTransfer(message, traderKey(options.signer ?? trader).privateKey, genesis.domain) }
}

function limit(trader: number, fields: { isBuy: boolean; size: bigint; price: bigint; storageId: bigint }): OrderInput {
  const order = signOrder(
    { accountIndex: 2n + BigInt(trader), market: 0, isBuy: fields.isBuy, reduceOnly: false, size: fields.size, limitPrice: fields.price, storageId: fields.storageId, expiry: T + 3_600n },
    traderKey(trader).privateKey,
    genesis.domain,
  )
  return { kind: 'order', time: T, order, orderType: 'limit', timeInForce: 'GTC', postOnly: false, selfTradePrevention: 'expireMaker', clientOrderId: undefined }
}

function apply(sequencer: Sequencer, input: SequencerInput): SequencerEvent[] {
  return applyInputs(sequencer, [input])
}

/** The state machine's own code for the spend on the core's current state (full checks, signature included). */
function stateMachineCode(sequencer: Sequencer, input: WithdrawInput | TransferInput): string {
  const verdict = prepareTx(cloneState(sequencer.state), input.tx, { batchTimestamp: input.time, domain: genesis.domain })
  return verdict.accepted ? 'accepted' : verdict.error.code
}

/** Applies a spend the core must refuse with `code`, exactly as the state machine does, changing nothing. */
function expectRefused(sequencer: Sequencer, input: WithdrawInput | TransferInput, code: string): SequencerEvent {
  expect(stateMachineCode(sequencer, input)).toBe(code)
  const before = Buffer.from(sequencer.snapshot())
  const events = apply(sequencer, input)
  expect(events).toEqual([expect.objectContaining({ type: input.kind === 'withdraw' ? 'withdrawRejected' : 'transferRejected', code })])
  // Nothing but the applied seq and chain head moved: no tx queued, no slot consumed, no balance changed.
  const after = JSON.parse(Buffer.from(sequencer.snapshot()).toString()) as Record<string, unknown>
  const was = JSON.parse(before.toString()) as Record<string, unknown>
  expect({ ...after, lastSeq: null, lastHash: null }).toEqual({ ...was, lastSeq: null, lastHash: null })
  return events[0]!
}

describe('spend input codec', () => {
  it('behavior: a withdraw and a transfer survive the codec as kinds 8 and 9, and encode(decode(bytes)) is bytes', () => {
    for (const [input, kind] of [[withdraw(0), 8], [transfer(1, { targetMode: 2 }), 9]] as const) {
      const encoded = encodeInput(input)
      expect(encoded.kind).toBe(kind)
      expect(encoded.kind).toBe(INPUT_KIND[input.kind])
      expect(decodeInput(encoded.kind, encoded.payload)).toEqual(input)
      expect(Buffer.from(encodeInput(decodeInput(encoded.kind, encoded.payload)).payload).equals(Buffer.from(encoded.payload))).toBe(true)
    }
  })

  it('behavior: the withdraw and transfer payloads are exactly the documented layouts', () => {
    const w = withdraw(0, { to: 0xb0bn, storageId: 7n })
    const s = w.tx.signature
    expect(new TextDecoder().decode(encodeInput(w).payload)).toBe(
      `{"v":1,"time":"${T}","accountIndex":"2","amount":"5000000","to":"2827","storageId":"7","validUntil":"${T + 60n}","signature":{"R8x":"${s.R8.x}","R8y":"${s.R8.y}","S":"${s.S}"}}`,
    )
    const t = transfer(0, { toIndex: 9n, targetMode: 1 })
    const ts = t.tx.signature
    expect(new TextDecoder().decode(encodeInput(t).payload)).toBe(
      `{"v":1,"time":"${T}","fromIndex":"2","toIndex":"9","amount":"5000000","targetMode":1,"storageId":"1","validUntil":"${T + 60n}","signature":{"R8x":"${ts.R8.x}","R8y":"${ts.R8.y}","S":"${ts.S}"}}`,
    )
  })

  it('error: a non-canonical or mistyped spend payload does not decode', () => {
    const w = new TextDecoder().decode(encodeInput(withdraw(0)).payload)
    const t = new TextDecoder().decode(encodeInput(transfer(0)).payload)
    const bad: [number, string][] = [
      [8, w.replace('"amount":"5000000"', '"amount":"05000000"')],
      [8, w.replace('"amount":"5000000"', '"amount":"-5000000"')],
      [8, w.replace('"amount":"5000000"', '"amount":5000000')],
      [8, w.replace('"to":"2827"', '"to":"0xb0b"')],
      [8, w.replace('"v":1,"time"', '"time"').replace(`"time":"${T}"`, `"time":"${T}","v":1`)],
      [8, w.replace('"validUntil"', '"extra":1,"validUntil"')],
      [8, w.replace(/,"signature":\{[^}]*\}/, '')],
      [8, w.replace('"v":1', '"v":2')],
      [8, w.replace('{"v"', '{ "v"')],
      [8, t],
      [9, t.replace('"targetMode":0', '"targetMode":"0"')],
      [9, t.replace('"targetMode":0', '"targetMode":-1')],
      [9, t.replace('"targetMode":0', '"targetMode":0.5')],
      [9, t.replace('"fromIndex":"2","toIndex":"8"', '"toIndex":"8","fromIndex":"2"')],
      [9, w],
    ]
    for (const [kind, text] of bad) {
      expect(() => decodeInput(kind, new TextEncoder().encode(text)), text).toThrow(expect.objectContaining({ code: 'INPUT_PAYLOAD_INVALID' }))
    }
  })
})

describe('Sequencer withdraw', () => {
  it('behavior: an accepted withdraw debits the collateral, consumes its slot and is queued for the batcher', () => {
    const sequencer = started()
    const input = withdraw(0, { amount: 250n * USDC, storageId: 3n })
    expect(stateMachineCode(sequencer, input)).toBe('accepted')
    const events = apply(sequencer, input)
    expect(events).toEqual([{ type: 'withdrawAccepted', accountIndex: 2n, storageId: 3n, amount: 250n * USDC, to: 0xb0bn, collateral: 1_000_000n * USDC - 250n * USDC }])
    expect(sequencer.account(2n)!.collateral).toBe(1_000_000n * USDC - 250n * USDC)
    expect(readOrderSlot(sequencer.account(2n)!, 3n)).toEqual({ storageId: 3n, filled: 0n })
    expect(sequencer.drainTxs()).toEqual([{ seq: sequencer.lastSeq, time: T, tx: input.tx }])
  })

  it('behavior: the same signed withdraw sent twice executes once; the second is STORAGE_ID_USED', () => {
    const sequencer = started()
    const input = withdraw(0)
    apply(sequencer, input)
    const refused = expectRefused(sequencer, input, 'STORAGE_ID_USED')
    expect(refused).toMatchObject({ accountIndex: 2n, storageId: 1n, details: { accountIndex: 2n, storageId: 1n, slotStorageId: 1n } })
    expect(sequencer.account(2n)!.collateral).toBe(1_000_000n * USDC - 5n * USDC)
    expect(sequencer.drainTxs()).toHaveLength(1)
  })

  it('error: a lower storage id in the same slot is STORAGE_ID_USED', () => {
    const sequencer = started()
    // orderDepth 2 → 16 slots: 1 and 17 share slot 1.
    apply(sequencer, withdraw(0, { storageId: 17n }))
    expectRefused(sequencer, withdraw(0, { storageId: 1n }), 'STORAGE_ID_USED')
  })

  it('error: more than the free collateral is INSUFFICIENT_MARGIN, with the equity and the margin it needs', () => {
    const sequencer = started()
    // Trader 4 ($100) buys 100 lots at $6: $600 of notional needs $60 of initial margin, so about $40 is free.
    apply(sequencer, limit(0, { isBuy: false, size: 100n, price: 6_000_000n, storageId: 1n }))
    apply(sequencer, limit(4, { isBuy: true, size: 100n, price: 6_000_000n, storageId: 1n }))
    expect(sequencer.account(6n)!.positions[0]!.size).toBe(100n)
    const refused = expectRefused(sequencer, withdraw(4, { amount: 50n * USDC, storageId: 2n }), 'INSUFFICIENT_MARGIN')
    expect(refused.type === 'withdrawRejected' && refused.details).toMatchObject({ accountIndex: 6n, requiredMargin: 60n * USDC })
    // Without a position, equity may not go below zero either.
    expectRefused(sequencer, withdraw(3, { amount: 1_000_001n * USDC, storageId: 2n }), 'INSUFFICIENT_MARGIN')
    expect(apply(sequencer, withdraw(4, { amount: 30n * USDC, storageId: 2n }))).toEqual([expect.objectContaining({ type: 'withdrawAccepted' })])
  })

  it('error: each rule refuses with the state machine code and changes nothing', () => {
    const sequencer = started()
    expectRefused(sequencer, withdraw(0, { validUntil: T - 1n }), 'ORDER_EXPIRED')
    expectRefused(sequencer, withdraw(0, {}, { signer: 1 }), 'BAD_SIGNATURE')
    expectRefused(sequencer, withdraw(0, { amount: 0n }), 'WITHDRAWAL_AMOUNT_OUT_OF_RANGE')
    expectRefused(sequencer, withdraw(0, { amount: 1n << 63n }), 'WITHDRAWAL_AMOUNT_OUT_OF_RANGE')
    expectRefused(sequencer, withdraw(0, { to: 1n << 160n }), 'ADDRESS_OUT_OF_RANGE')
    expectRefused(sequencer, withdraw(0, { storageId: 1n << 32n }), 'STORAGE_ID_OUT_OF_RANGE')
    expectRefused(sequencer, withdraw(0, { accountIndex: 1n }), 'SYSTEM_ACCOUNT_NOT_ALLOWED')
    expectRefused(sequencer, withdraw(0, { accountIndex: 7n }), 'ACCOUNT_NOT_FOUND')
  })

  it('error: with a position held, a stale oracle refuses the withdraw (ORACLE_STALE); without one it does not matter', () => {
    const sequencer = started()
    apply(sequencer, limit(0, { isBuy: false, size: 10n, price: 6_000_000n, storageId: 1n }))
    apply(sequencer, limit(1, { isBuy: true, size: 10n, price: 6_000_000n, storageId: 1n }))
    const late = T + 61n
    expectRefused(sequencer, withdraw(1, { storageId: 2n, validUntil: late }, { time: late }), 'ORACLE_STALE')
    expect(apply(sequencer, withdraw(2, { storageId: 2n, validUntil: late }, { time: late }))).toEqual([expect.objectContaining({ type: 'withdrawAccepted' })])
  })
})

describe('Sequencer withdraw and order slots', () => {
  it('error: a storage id a resting order holds is STORAGE_ID_USED although its L2 slot is still empty; the order keeps resting', () => {
    const sequencer = started()
    apply(sequencer, limit(0, { isBuy: true, size: 2n, price: 5_999_990n, storageId: 5n }))
    const input = withdraw(0, { storageId: 5n })
    // The state machine alone would take it (the order never filled, so the L2 slot is empty) and the order could
    // then still fill with the same id: the core counts the ids it accepted.
    expect(stateMachineCode(sequencer, input)).toBe('accepted')
    const events = apply(sequencer, input)
    expect(events).toEqual([expect.objectContaining({ type: 'withdrawRejected', code: 'STORAGE_ID_USED', details: { accountIndex: 2n, storageId: 5n, slotStorageId: 5n } })])
    expect(sequencer.liveOrder(2n, 5n)?.remaining).toBe(2n)
    expect(sequencer.drainTxs()).toEqual([])
  })

  it('behavior: a withdraw with a higher id in a resting order slot cancels the order (cancel-by-overwrite); the order id is then stale', () => {
    const sequencer = started()
    apply(sequencer, limit(0, { isBuy: false, size: 10n, price: 6_000_000n, storageId: 6n }))
    apply(sequencer, limit(1, { isBuy: true, size: 4n, price: 6_000_000n, storageId: 1n }))
    expect(readOrderSlot(sequencer.account(2n)!, 6n)).toEqual({ storageId: 6n, filled: 4n })
    // 22 shares slot 6 with the partly filled order: once the withdraw consumes it, the rest could never fill on L2.
    const events = apply(sequencer, withdraw(0, { storageId: 22n }))
    expect(events).toEqual([
      expect.objectContaining({ type: 'orderCancelled', accountIndex: 2n, storageId: 6n, remaining: 6n }),
      expect.objectContaining({ type: 'withdrawAccepted', storageId: 22n }),
    ])
    expect(sequencer.liveOrder(2n, 6n)).toBeUndefined()
    expect(sequencer.engine(0).depth('sell')).toEqual([])
    expect(readOrderSlot(sequencer.account(2n)!, 6n)).toEqual({ storageId: 22n, filled: 0n })
    // An order may not take the withdraw's id or a lower one of the slot; a higher one is fine.
    expect(apply(sequencer, limit(0, { isBuy: false, size: 1n, price: 6_000_100n, storageId: 22n }))).toEqual([expect.objectContaining({ type: 'orderRejected', code: 'STORAGE_ID_NOT_FRESH' })])
    expect(apply(sequencer, limit(0, { isBuy: false, size: 1n, price: 6_000_100n, storageId: 38n }))).toContainEqual(expect.objectContaining({ type: 'orderRested' }))
  })
})

describe('Sequencer transfer', () => {
  it('behavior: a transfer to an empty L2-range index creates an account of the same owner and key, then credits it', () => {
    const sequencer = started()
    const created = apply(sequencer, transfer(1, { toIndex: 9n, targetMode: 2, amount: 1_000n * USDC, storageId: 4n }))
    expect(created).toEqual([
      { type: 'transferAccepted', fromIndex: 3n, toIndex: 9n, storageId: 4n, amount: 1_000n * USDC, targetMode: 2, created: true, fromCollateral: 999_000n * USDC, toCollateral: 1_000n * USDC },
    ])
    const source = sequencer.account(3n)!
    expect(sequencer.account(9n)).toMatchObject({ owner: source.owner, publicKey: source.publicKey, mode: 2, collateral: 1_000n * USDC })
    const topUp = apply(sequencer, transfer(1, { toIndex: 9n, targetMode: 2, amount: 1n * USDC, storageId: 5n }))
    expect(topUp).toEqual([expect.objectContaining({ type: 'transferAccepted', created: false, toCollateral: 1_001n * USDC })])
    expect(sequencer.drainTxs().map((queued) => queued.tx.type)).toEqual(['transfer', 'transfer'])
  })

  it('error: the target rules refuse with the state machine codes: another owner, another mode, the L1 range, itself', () => {
    const sequencer = started()
    apply(sequencer, transfer(1, { toIndex: 9n, targetMode: 0, storageId: 1n }))
    expectRefused(sequencer, transfer(0, { toIndex: 3n, storageId: 1n }), 'TRANSFER_OWNER_MISMATCH')
    expectRefused(sequencer, transfer(0, { toIndex: 9n, storageId: 1n }), 'TRANSFER_OWNER_MISMATCH')
    expectRefused(sequencer, transfer(1, { toIndex: 9n, targetMode: 1, storageId: 2n }), 'TRANSFER_TARGET_MODE_MISMATCH')
    expectRefused(sequencer, transfer(0, { toIndex: 7n, storageId: 1n }), 'TRANSFER_TARGET_INDEX_INVALID')
    expectRefused(sequencer, transfer(0, { toIndex: 2n, storageId: 1n }), 'SAME_ACCOUNT')
    expectRefused(sequencer, transfer(0, { toIndex: 10n, targetMode: 3, storageId: 1n }), 'MARGIN_MODE_OUT_OF_RANGE')
  })

  it('error: the source rules are the withdraw rules: margin, slot, signature, validity', () => {
    const sequencer = started()
    expectRefused(sequencer, transfer(4, { amount: 101n * USDC }), 'INSUFFICIENT_MARGIN')
    expectRefused(sequencer, transfer(0, {}, { signer: 2 }), 'BAD_SIGNATURE')
    expectRefused(sequencer, transfer(0, { validUntil: T - 1n }), 'ORDER_EXPIRED')
    apply(sequencer, withdraw(0, { storageId: 1n }))
    expectRefused(sequencer, transfer(0, { storageId: 1n }), 'STORAGE_ID_USED')
  })
})

describe('Sequencer spends against the state machine', () => {
  it('behavior: over a mixed workload the core takes a spend exactly when the state machine does, but for ids its orders hold', () => {
    const sequencer = new Sequencer({ genesis })
    const verdicts = new Map<string, number>()
    let heldIds = 0
    for (const input of generateWorkload({ seed: 5, traders: 5, inputs: 1_500, genesis, spends: true })) {
      if (input.kind !== 'withdraw' && input.kind !== 'transfer') {
        apply(sequencer, input)
        continue
      }
      const source = input.tx.type === 'withdraw' ? input.tx.accountIndex : input.tx.fromIndex
      const expected = stateMachineCode(sequencer, input)
      const heldByOrder = sequencer.highestStorageId(source, input.tx.storageId) >= input.tx.storageId
      const verdict = apply(sequencer, input).find((event) => event.type.startsWith(input.kind))!
      const actual = verdict.type.endsWith('Accepted') ? 'accepted' : (verdict as { code: string }).code
      // The one difference: an id the core already accepted for an order is used though the L2 slot does not show it,
      // so the slot check (before signature, validity and margin) refuses what the state machine takes or refuses later.
      if (expected !== actual) {
        expect([expected, actual, heldByOrder]).toEqual([expected, 'STORAGE_ID_USED', true])
        heldIds++
      }
      verdicts.set(actual, (verdicts.get(actual) ?? 0) + 1)
    }
    expect(heldIds).toBeGreaterThan(0)
    expect(verdicts.get('accepted')).toBeGreaterThan(20)
    expect([...verdicts.keys()].length).toBeGreaterThan(4)
  })
})
