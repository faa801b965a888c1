import { describe, expect, it } from 'vitest'
import { signOrder } from '../../sdk/protocol/signing.ts'
import { decodeInput, encodeInput, INPUT_KIND, type LiquidationInput } from './inputCodec.ts'
import { Sequencer } from './sequencer.ts'
import { applyInputs, GENESIS_TIME, fundingInputs, testGenesis, traderKey } from './testWorkload.ts'

const genesis = testGenesis()
const T = GENESIS_TIME

const maker = signOrder(
  { accountIndex: 3n, market: 0, isBuy: true, reduceOnly: false, size: 100n, limitPrice: 5_590_000n, storageId: 1n, expiry: T + 86_400n },
  traderKey(1).privateKey,
  genesis.domain,
)

const riskInputs: LiquidationInput[] = [
  { kind: 'liquidation', time: T, tx: { type: 'liquidation', accountIndex: 6n, market: 0, maker, size: 38n, price: 5_590_000n, full: false } },
  { kind: 'liquidation', time: T + 1n, tx: { type: 'backstop', accountIndex: 6n } },
  { kind: 'liquidation', time: T + 2n, tx: { type: 'autoDeleverage', market: 1, counterpartyIndex: 2n, size: 150n } },
]


describe('liquidation input codec', () => {
  it('behavior: each risk tx survives the codec as kind 6, and encode(decode(bytes)) is bytes', () => {
    for (const input of riskInputs) {
      const { kind, payload } = encodeInput(input)
      expect(kind).toBe(INPUT_KIND.liquidation)
      expect(kind).toBe(6)
      expect(decodeInput(kind, payload)).toEqual(input)
      const again = encodeInput(decodeInput(kind, payload)).payload
      expect(Buffer.from(again).equals(Buffer.from(payload))).toBe(true)
    }
  })

  it('behavior: the backstop payload is exactly the documented layout', () => {
    const text = new TextDecoder().decode(encodeInput(riskInputs[1]!).payload)
    expect(text).toBe(`{"v":1,"time":"${T + 1n}","tx":{"type":"backstop","accountIndex":"6"}}`)
  })

  it('error: a non-canonical or mistyped risk payload does not decode', () => {
    const texts = riskInputs.map((input) => new TextDecoder().decode(encodeInput(input).payload))
    const bad = [
      texts[0]!.replace('"full":false', '"full":0'),
      texts[0]!.replace('"size":"38"', '"size":"038"'),
      texts[1]!.replace('"type":"backstop"', '"type":"rescue"'),
      texts[1]!.replace('"accountIndex":"6"}', '"accountIndex":"6","extra":1}'),
      texts[2]!.replace('{"type":"autoDeleverage","market":1', '{"market":1,"type":"autoDeleverage"'),
      texts[2]!.replace('"size":"150"', '"size":"-150"'),
      texts[2]!.replace('"v":1', '"v":2'),
    ]
    for (const text of bad) {
      expect(() => decodeInput(INPUT_KIND.liquidation, new TextEncoder().encode(text))).toThrow(expect.objectContaining({ code: 'INPUT_PAYLOAD_INVALID' }))
    }
  })
})

describe('Sequencer liquidation input', () => {
  function started(): Sequencer {
    const sequencer = new Sequencer({ genesis })
    applyInputs(sequencer, fundingInputs(5))
    return sequencer
  }

  it('error: a maker order that is not live is refused with LIQUIDATION_MAKER_NOT_LIVE; nothing is queued', () => {
    const sequencer = started()
    sequencer.drainTxs()
    const events = applyInputs(sequencer, [riskInputs[0]!])
    expect(events).toEqual([expect.objectContaining({ type: 'txRejected', txType: 'liquidation', code: 'LIQUIDATION_MAKER_NOT_LIVE' })])
    expect(sequencer.pendingTxs()).toEqual([])
  })

  it('error: a live maker order with a different signature is refused (no forged liquidity)', () => {
    const sequencer = started()
    applyInputs(sequencer, [{ kind: 'order', time: T, order: maker, orderType: 'limit', timeInForce: 'GTC', postOnly: false, selfTradePrevention: 'expireMaker', clientOrderId: undefined }])
    const forged = { ...maker, signature: { ...maker.signature, S: maker.signature.S + 1n } }
    const tx = { ...riskInputs[0]!.tx, maker: forged } as LiquidationInput['tx']
    const events = applyInputs(sequencer, [{ kind: 'liquidation', time: T, tx }])
    expect(events).toEqual([expect.objectContaining({ type: 'txRejected', code: 'LIQUIDATION_MAKER_NOT_LIVE' })])
    expect(sequencer.liveOrder(3n, 1n)?.remaining).toBe(100n)
  })

  it('error: the sdk state machine judges each risk tx (NO_POSITION, BACKSTOP_NOT_ALLOWED, INSURANCE_FUND_SOLVENT); the maker order is untouched', () => {
    const sequencer = started()
    applyInputs(sequencer, [{ kind: 'order', time: T, order: maker, orderType: 'limit', timeInForce: 'GTC', postOnly: false, selfTradePrevention: 'expireMaker', clientOrderId: undefined }])
    sequencer.drainTxs()
    // Account 4 holds no position and the insurance fund is solvent.
    const events = applyInputs(sequencer, [{ kind: 'liquidation', time: T, tx: { type: 'liquidation', accountIndex: 4n, market: 0, maker, size: 1n, price: 5_590_000n, full: false } }])
    expect(events).toEqual([expect.objectContaining({ type: 'txRejected', code: 'NO_POSITION' })])
    const backstop = applyInputs(sequencer, [{ kind: 'liquidation', time: T, tx: { type: 'backstop', accountIndex: 4n } }])
    expect(backstop).toEqual([expect.objectContaining({ type: 'txRejected', txType: 'backstop', code: 'BACKSTOP_NOT_ALLOWED' })])
    const adl = applyInputs(sequencer, [{ kind: 'liquidation', time: T, tx: { type: 'autoDeleverage', market: 0, counterpartyIndex: 2n, size: 1n } }])
    expect(adl).toEqual([expect.objectContaining({ type: 'txRejected', txType: 'autoDeleverage', code: 'INSURANCE_FUND_SOLVENT' })])
    expect(sequencer.liveOrder(3n, 1n)?.remaining).toBe(100n)
    expect(sequencer.pendingTxs()).toEqual([])
  })
})
