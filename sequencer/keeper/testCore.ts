/**
 * Test support: an in-process sequencer core behind a log of canonical payloads. `append` stamps the current test
 * time, encodes the input with the log codec, decodes the bytes back and applies them: exactly what the gateway and
 * a replay do, minus LevelDB. `replay()` rebuilds a fresh core from the recorded bytes alone.
 */
import { hash as nodeHash } from 'node:crypto'
import pino from 'pino'
import { signOrder } from '../../sdk/protocol/signing.ts'
import type { Genesis } from '../../sdk/protocol/types.ts'
import { decodeInput, encodeInput, type EncodedInput, type SequencerInput } from '../core/inputCodec.ts'
import { Sequencer, type SequencerEvent } from '../core/sequencer.ts'
import { traderKey } from '../core/testWorkload.ts'
import type { KeeperInput } from './keeperView.ts'

export const silentLogger = pino({ level: 'silent' })

export class LoggedCore {
  readonly genesis: Genesis
  readonly sequencer: Sequencer
  readonly records: EncodedInput[] = []
  now: bigint

  constructor(genesis: Genesis, now: bigint) {
    this.genesis = genesis
    this.sequencer = new Sequencer({ genesis })
    this.now = now
  }

  apply(input: SequencerInput): readonly SequencerEvent[] {
    const encoded = encodeInput(input)
    this.records.push(encoded)
    const seq = this.sequencer.lastSeq + 1n
    return this.sequencer.apply({ seq, hash: nodeHash('sha256', seq.toString(), 'buffer'), input: decodeInput(encoded.kind, encoded.payload) }).events
  }

  /** The keeper's append: stamped with the current test time. */
  readonly append = async (input: KeeperInput): Promise<{ events: readonly SequencerEvent[] }> => {
    return { events: this.apply({ ...input, time: this.now } as SequencerInput) }
  }

  limit(trader: number, parameters: { isBuy: boolean; size: bigint; price: bigint; storageId: bigint; market?: number }): readonly SequencerEvent[] {
    const order = signOrder(
      {
        accountIndex: 2n + BigInt(trader),
        market: parameters.market ?? 0,
        isBuy: parameters.isBuy,
        reduceOnly: false,
        size: parameters.size,
        limitPrice: parameters.price,
        storageId: parameters.storageId,
        expiry: this.now + 86_400n,
      },
      traderKey(trader).privateKey,
      this.genesis.domain,
    )
    return this.apply({ kind: 'order', time: this.now, order, orderType: 'limit', timeInForce: 'GTC', postOnly: false, selfTradePrevention: 'expireMaker', clientOrderId: undefined })
  }

  /** A fresh core fed the recorded payload bytes only. */
  replay(): Sequencer {
    const sequencer = new Sequencer({ genesis: this.genesis })
    for (const { kind, payload } of this.records) {
      const seq = sequencer.lastSeq + 1n
      sequencer.apply({ seq, hash: nodeHash('sha256', seq.toString(), 'buffer'), input: decodeInput(kind, payload) })
    }
    return sequencer
  }
}
