import { describe, expect, it } from 'vitest'
import { ClientTransportError, spendOutcome, type RequestResult } from './client.ts'
import type { Ack } from './messages.ts'

const ack = { seq: '9' } as Ack

describe('spendOutcome', () => {
  it('behavior: an ack with an accepted withdraw or transfer is accepted, with its event', () => {
    const event = { type: 'transferAccepted', fromIndex: '2', toIndex: '9', created: true }
    const result: RequestResult = { ok: true, ack, events: [{ type: 'orderCancelled' }, event], duplicate: false }
    expect(spendOutcome(result)).toEqual({ accepted: true, event })
  })

  it('behavior: an ack whose event refuses the spend carries the state machine code and values', () => {
    const result: RequestResult = {
      ok: true,
      ack,
      events: [{ type: 'withdrawRejected', accountIndex: '2', code: 'INSUFFICIENT_MARGIN', details: { equity: '-1', requiredMargin: '0' } }],
      duplicate: false,
    }
    expect(spendOutcome(result)).toEqual({
      accepted: false,
      error: { code: 'INSUFFICIENT_MARGIN', message: 'the sequencer refused the withdrawal', details: { equity: '-1', requiredMargin: '0' } },
    })
  })

  it('behavior: a gateway rejection is passed on as is', () => {
    const error = { code: 'BAD_SIGNATURE', message: 'bad signature', details: {} }
    expect(spendOutcome({ ok: false, error })).toEqual({ accepted: false, error })
  })

  it('error: an ack without a verdict is a transport error', () => {
    expect(() => spendOutcome({ ok: true, ack, events: [], duplicate: false })).toThrow(ClientTransportError)
  })
})
