import { describe, expect, it } from 'vitest'
import { MatchingEngine } from './matchingEngine.ts'
import { bookDigest, EventDigestSink, replayWorkload, workloadDigest } from './test/eventDigest.ts'
import { generateWorkload } from './workload.ts'

// Recorded from the engine before the throughput work of issue 7: any optimisation must leave the benchmark's
// stream, every event and the final book, exactly as it was. Update only for an intended change in matching.
const BENCH_WORKLOAD_DIGEST = '558f117f86f59e45c5bf48d863b5238296e7fdb01f8781d434b90a0f344c1e2a'
const BENCH_EVENTS_DIGEST = 'cb000cf810cd86f091f5737298d2e4b7e7941c53cec0a05492eb007d7571e100'
const BENCH_EVENT_COUNT = 1_969_529
const BENCH_BOOK_DIGEST = 'b83b020091bd7dcee8ab15e255199b86734f38803f7bccd2cf906fda5543931d'

describe('bench:matching workload', () => {
  // The default `npm run bench:matching` stream (scripts/bench-matching.ts): 1,000,000 operations, seed 0x2a7e.
  const workload = generateWorkload({ operations: 1_000_000, seed: 0x2a7e, targetBookSize: 2000 })

  it('behavior: the seeded stream and the events the engine emits for it are unchanged', () => {
    expect(workloadDigest(workload)).toBe(BENCH_WORKLOAD_DIGEST)
    const sink = new EventDigestSink()
    const engine = new MatchingEngine({ market: 0, tickSize: 1n, sink, initialCapacity: 4096 })
    replayWorkload(engine, workload)
    expect(sink.events).toBe(BENCH_EVENT_COUNT)
    expect(sink.digest()).toBe(BENCH_EVENTS_DIGEST)
    expect(bookDigest(engine)).toBe(BENCH_BOOK_DIGEST)
  })
})
