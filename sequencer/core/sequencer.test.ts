import { hash as nodeHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signOrder } from '../../sdk/protocol/signing.ts'
import type { SignedOrder } from '../../sdk/protocol/types.ts'
import { applyTx } from '../../sdk/state/applyTx.ts'
import { createGenesisState } from '../../sdk/state/state.ts'
import { decodeInput, encodeInput, type OrderInput, type SequencerInput } from './inputCodec.ts'
import { Sequencer, serializeSequencerEvents, type SequencerEvent } from './sequencer.ts'
import { GENESIS_TIME, fundingInputs, generateWorkload, oracleInput, testGenesis, traderKey } from './testWorkload.ts'

const genesis = testGenesis()
const T = GENESIS_TIME

function fakeHash(seq: bigint): Uint8Array {
  return nodeHash('sha256', seq.toString(), 'buffer')
}

function run(sequencer: Sequencer, inputs: readonly SequencerInput[]): SequencerEvent[] {
  const events: SequencerEvent[] = []
  for (const input of inputs) {
    const seq = sequencer.lastSeq + 1n
    events.push(...sequencer.apply({ seq, hash: fakeHash(seq), input }).events)
  }
  return events
}

function limit(trader: number, parameters: { isBuy: boolean; size: bigint; price: bigint; storageId: bigint; market?: number; reduceOnly?: boolean }, extra: Partial<OrderInput> = {}): OrderInput {
  const order: SignedOrder = signOrder(
    {
      accountIndex: 2n + BigInt(trader),
      market: parameters.market ?? 0,
      isBuy: parameters.isBuy,
      reduceOnly: parameters.reduceOnly ?? false,
      size: parameters.size,
      limitPrice: parameters.price,
      storageId: parameters.storageId,
      expiry: T + 3_600n,
    },
    traderKey(trader).privateKey,
    genesis.domain,
  )
  return { kind: 'order', time: T, order, orderType: 'limit', timeInForce: 'GTC', postOnly: false, selfTradePrevention: 'expireMaker', clientOrderId: undefined, ...extra }
}

function started(traders = 5): Sequencer {
  const sequencer = new Sequencer({ genesis })
  run(sequencer, [...fundingInputs(traders), oracleInput(genesis, 0, 6_000_000n, T), oracleInput(genesis, 1, 3_000_000n, T)])
  sequencer.drainTxs()
  return sequencer
}

describe('Sequencer', () => {
  it('behavior: crossing orders fill at the maker price and become a provable trade tx', () => {
    const sequencer = started()
    run(sequencer, [limit(0, { isBuy: false, size: 5n, price: 6_000_010n, storageId: 1n })])
    const events = run(sequencer, [limit(1, { isBuy: true, size: 3n, price: 6_000_050n, storageId: 1n })])
    const fill = events.find((event) => event.type === 'fill')
    expect(fill).toMatchObject({ type: 'fill', takerIndex: 3n, makerIndex: 2n, price: 6_000_010n, size: 3n, takerIsBuy: true })
    expect(sequencer.liveOrder(2n, 1n)?.remaining).toBe(2n)
    expect(sequencer.account(3n)!.positions[0]!.size).toBe(3n)
    const txs = sequencer.drainTxs()
    expect(txs.map((queued) => queued.tx.type)).toEqual(['trade'])
  })

  it('behavior: every queued tx is accepted by the sdk state machine with full signature checks, reaching the same state', () => {
    const inputs = generateWorkload({ seed: 7, traders: 6, inputs: 600, spends: true })
    const sequencer = new Sequencer({ genesis })
    const events = run(sequencer, inputs)
    expect(events.filter((event) => event.type === 'fill').length).toBeGreaterThan(20)
    // Spends of every outcome happened: taken, and refused for several reasons.
    expect(events.filter((event) => event.type === 'withdrawAccepted' || event.type === 'transferAccepted').length).toBeGreaterThan(5)
    const refusals = new Set(events.flatMap((event) => (event.type === 'withdrawRejected' || event.type === 'transferRejected' ? [event.code] : [])))
    expect(refusals.size).toBeGreaterThan(3)
    const reference = createGenesisState(genesis)
    for (const { tx, time } of sequencer.drainTxs()) {
      const result = applyTx(reference, tx, { batchTimestamp: time, domain: genesis.domain })
      expect(result.accepted ? 'accepted' : result.error.code).toBe('accepted')
    }
    expect([...reference.accounts.entries()]).toEqual([...sequencer.state.accounts.entries()])
    expect(reference.markets).toEqual(sequencer.state.markets)
  })

  it('behavior: the same signed order sent twice executes once', () => {
    const sequencer = started()
    const order = limit(0, { isBuy: true, size: 2n, price: 5_999_990n, storageId: 4n })
    run(sequencer, [order])
    const again = run(sequencer, [order])
    expect(again).toEqual([expect.objectContaining({ type: 'orderRejected', code: 'STORAGE_ID_NOT_FRESH' })])
    expect(sequencer.engine(0).orderCount).toBe(1)
  })

  it('behavior: a higher storage id in a live order slot cancels the older order (cancel-by-overwrite)', () => {
    const sequencer = started()
    run(sequencer, [limit(0, { isBuy: true, size: 2n, price: 5_999_990n, storageId: 1n })])
    // orderDepth 2 → 16 slots: 17 shares slot 1.
    const events = run(sequencer, [limit(0, { isBuy: true, size: 2n, price: 5_999_980n, storageId: 17n })])
    expect(events[0]).toMatchObject({ type: 'orderCancelled', storageId: 1n, reason: 'user' })
    expect(sequencer.liveOrder(2n, 1n)).toBeUndefined()
    expect(sequencer.liveOrder(2n, 17n)?.remaining).toBe(2n)
  })

  it('error: an order that could not pass initial margin is rejected at entry', () => {
    const sequencer = started()
    // Trader 4 holds $100; 200 lots at $6 (6,000,000 units) are $1,200 of notional and need $120 of initial margin.
    const events = run(sequencer, [limit(4, { isBuy: true, size: 200n, price: 6_000_000n, storageId: 1n })])
    expect(events).toEqual([expect.objectContaining({ type: 'orderRejected', code: 'INSUFFICIENT_MARGIN' })])
  })

  it('error: a fill that would break the maker margin is refused before it is emitted; the maker is cancelled', () => {
    const sequencer = started()
    // Trader 4 ($100) rests two sells of 100 lots ($600 notional, $60 margin each): each passes the entry check
    // alone, but once the first fills, the second would need $120 of margin.
    run(sequencer, [limit(4, { isBuy: false, size: 100n, price: 6_000_000n, storageId: 1n })])
    run(sequencer, [limit(4, { isBuy: false, size: 100n, price: 6_000_000n, storageId: 2n })])
    const events = run(sequencer, [limit(0, { isBuy: true, size: 200n, price: 6_000_000n, storageId: 1n })])
    expect(events.filter((event) => event.type === 'fill')).toHaveLength(1)
    const refused = events.filter((event) => event.type === 'fillRefused')
    expect(refused.length).toBeGreaterThan(0)
    expect(refused[0]).toMatchObject({ code: 'INSUFFICIENT_MARGIN', makerIndex: 6n })
    expect(events).toContainEqual(expect.objectContaining({ type: 'orderCancelled', accountIndex: 6n, reason: 'notAdmitted' }))
    expect(sequencer.drainTxs()).toHaveLength(1)
    expect(sequencer.liveOrder(6n, 2n)).toBeUndefined()
  })

  it('error: an order with a stale oracle is rejected (new orders halt)', () => {
    const sequencer = started()
    const events = run(sequencer, [limit(0, { isBuy: true, size: 1n, price: 5_999_990n, storageId: 1n }, { time: T + 61n })])
    expect(events).toEqual([expect.objectContaining({ type: 'orderRejected', code: 'ORACLE_STALE' })])
  })

  it('error: a cancel of an order that is not live is rejected', () => {
    const sequencer = started()
    const events = run(sequencer, [{ kind: 'cancel', time: T, accountIndex: 2n, market: 0, storageId: 99n }])
    expect(events).toEqual([expect.objectContaining({ type: 'orderRejected', code: 'ORDER_NOT_LIVE' })])
  })

  it('error: inputs must come in log order', () => {
    const sequencer = new Sequencer({ genesis })
    expect(() => sequencer.apply({ seq: 2n, hash: fakeHash(2n), input: fundingInputs(1)[0]! })).toThrow(/out of log order/)
  })

  it('behavior: replay is deterministic, and snapshot + restore + the rest equals the uninterrupted run', () => {
    const inputs = generateWorkload({ seed: 11, traders: 8, inputs: 800, spends: true })
    expect(inputs.some((input) => input.kind === 'withdraw') && inputs.some((input) => input.kind === 'transfer')).toBe(true)
    const first = new Sequencer({ genesis })
    const second = new Sequencer({ genesis })
    const eventsFirst = serializeSequencerEvents(run(first, inputs))
    const eventsSecond = serializeSequencerEvents(run(second, inputs))
    expect(eventsSecond).toBe(eventsFirst)
    expect(Buffer.from(second.snapshot()).equals(Buffer.from(first.snapshot()))).toBe(true)

    const cut = 437
    const partial = new Sequencer({ genesis })
    const before = run(partial, inputs.slice(0, cut))
    const restored = Sequencer.restore({ genesis }, partial.snapshot())
    expect(Buffer.from(restored.snapshot()).equals(Buffer.from(partial.snapshot()))).toBe(true)
    const after = run(restored, inputs.slice(cut))
    expect(serializeSequencerEvents([...before, ...after])).toBe(eventsFirst)
    expect(Buffer.from(restored.snapshot()).equals(Buffer.from(first.snapshot()))).toBe(true)
  })

  it('behavior: every input survives the log codec unchanged', () => {
    for (const input of generateWorkload({ seed: 3, traders: 4, inputs: 200, spends: true })) {
      const { kind, payload } = encodeInput(input)
      expect(decodeInput(kind, payload)).toEqual(input)
    }
  })

  it('error: a non-canonical payload does not decode', () => {
    const { kind, payload } = encodeInput(fundingInputs(1)[0]!)
    const text = new TextDecoder().decode(payload)
    for (const bad of [text.replace('{', '{ '), text.replace('"v":1', '"v":2'), text.replace('"amount":"', '"amount":"0'), `${text}x`]) {
      expect(() => decodeInput(kind, new TextEncoder().encode(bad))).toThrow(expect.objectContaining({ code: 'INPUT_PAYLOAD_INVALID' }))
    }
  })
})
