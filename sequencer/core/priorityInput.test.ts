import { describe, expect, it } from 'vitest'
import { decodeInput, encodeInput, INPUT_KIND, type ForcedWithdrawalInput } from './inputCodec.ts'
import { Sequencer } from './sequencer.ts'
import { applyInputs, GENESIS_TIME, fundingInputs, oracleInput, testGenesis } from './testWorkload.ts'

const genesis = testGenesis()
const T = GENESIS_TIME

const forced: ForcedWithdrawalInput = {
  kind: 'forcedWithdrawal',
  time: T + 5n,
  tx: { type: 'forcedWithdrawal', accountIndex: 2n, requester: 0xa11ce0n, requestedAmount: 250_000_000n },
}


describe('L1 priority inputs', () => {
  it('behavior: a forced withdrawal survives the codec as kind 7 with exactly the documented layout', () => {
    const { kind, payload } = encodeInput(forced)
    expect(kind).toBe(INPUT_KIND.forcedWithdrawal)
    expect(kind).toBe(7)
    expect(new TextDecoder().decode(payload)).toBe(`{"v":1,"time":"${T + 5n}","accountIndex":"2","requester":"${0xa11ce0n}","requestedAmount":"250000000"}`)
    expect(decodeInput(kind, payload)).toEqual(forced)
  })

  it('error: a mistyped or reordered forced-withdrawal payload does not decode', () => {
    const text = new TextDecoder().decode(encodeInput(forced).payload)
    for (const bad of [
      text.replace('"requestedAmount":"250000000"', '"requestedAmount":"-1"'),
      text.replace('"accountIndex":"2","requester"', '"requester":"1","accountIndex":"2","x"'),
      text.replace('"v":1', '"v":2'),
      text.replace('}', ',"extra":0}'),
    ]) {
      expect(() => decodeInput(INPUT_KIND.forcedWithdrawal, new TextEncoder().encode(bad))).toThrow(expect.objectContaining({ code: 'INPUT_PAYLOAD_INVALID' }))
    }
  })

  it('behavior: the core queues the forced withdrawal as a tx and counts deposits and forced withdrawals as priority inputs, never oracle prices', () => {
    const sequencer = new Sequencer({ genesis })
    applyInputs(sequencer, [...fundingInputs(2), oracleInput(genesis, 0, 6_000_000n, T + 1n)])
    expect(sequencer.priorityInputs).toBe(2n)
    const events = applyInputs(sequencer, [forced])
    expect(events).toEqual([{ type: 'txApplied', txType: 'forcedWithdrawal' }])
    expect(sequencer.priorityInputs).toBe(3n)
    expect(sequencer.pendingTxs().at(-1)).toEqual({ seq: 4n, time: T + 5n, tx: forced.tx })
    // Never more than the free collateral, never a failed batch: 250 USDC of a 10^6 USDC account leaves.
    expect(sequencer.account(2n)!.collateral).toBe(1_000_000_000_000n - 250_000_000n)
  })

  it('behavior: the priority count survives a snapshot and restore', () => {
    const sequencer = new Sequencer({ genesis })
    applyInputs(sequencer, [...fundingInputs(3), forced])
    const restored = Sequencer.restore({ genesis }, sequencer.snapshot())
    expect(restored.priorityInputs).toBe(4n)
    expect(Buffer.from(restored.snapshot()).equals(Buffer.from(sequencer.snapshot()))).toBe(true)
  })
})
