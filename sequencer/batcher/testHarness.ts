/**
 * Test support for the batcher (tests only): a sequencer fed with a workload, a source that records every tx the
 * sequencer queued, temporary batch stores, and a comparison of two stores' bytes.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Genesis } from '../../sdk/protocol/types.ts'
import type { SequencerInput } from '../core/inputCodec.ts'
import { Sequencer, type QueuedTx } from '../core/sequencer.ts'
import { BatchStore } from './batchStore.ts'
import type { TxSource } from './batcher.ts'

export function temporaryDirectory(label: string): string {
  return mkdtempSync(join(tmpdir(), `zkperp-${label}-`))
}

export async function temporaryStore(label = 'batches'): Promise<{ store: BatchStore; path: string }> {
  const path = temporaryDirectory(label)
  return { store: await BatchStore.open(path), path }
}

/** A sequencer applying inputs as seq 1, 2, …; `source` drains it and remembers every tx it handed out. */
export class FedSequencer {
  readonly sequencer: Sequencer
  readonly drained: QueuedTx[] = []
  readonly source: TxSource

  constructor(genesis: Genesis) {
    this.sequencer = new Sequencer({ genesis })
    this.source = {
      drainTxs: () => {
        const txs = this.sequencer.drainTxs()
        this.drained.push(...txs)
        return txs
      },
    }
  }

  apply(input: SequencerInput): void {
    const seq = this.sequencer.lastSeq + 1n
    this.sequencer.apply({ seq, hash: new Uint8Array(32), input })
  }
}

/** Every stored batch's bytes, in order. */
export async function storedBytes(store: BatchStore): Promise<string[]> {
  const out: string[] = []
  for (let number = 1n; ; number++) {
    const bytes = await store.getBytes(number)
    if (bytes === undefined) return out
    out.push(Buffer.from(bytes).toString('hex'))
  }
}
