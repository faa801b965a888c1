/**
 * Matching benchmark: one seeded workload (default 1,000,000 operations: about 60 % limit, 30 % cancel, 10 % market
 * orders, the book held around 2000 resting orders; see sequencer/matching/workload.ts) replayed through zkperp's MatchingEngine and, in the same run,
 * through the npm order books nodejs-order-book and limit-order-book, each through its real public API.
 *
 * For each engine, on a fresh book each time:
 *   1. warm-up: the whole stream, 3 times or for 10 s, whichever ends first (JIT), results discarded;
 *   2. throughput: every operation, timed as one batch (hrtime around the whole loop), 5 passes or as many as
 *      fit in 20 s, the median pass reported → ops/s;
 *   3. latency: every operation again, with every 4th one timed on its own by process.hrtime.bigint(); the
 *      timer's own cost (median of empty intervals, printed) is subtracted → p50 / p99 / p99.9 in ns;
 *   4. heap: one more pass; with the book still alive, garbage is collected and the heap it retains over a
 *      baseline taken with no book at all is measured (V8 heap + ArrayBuffers, so typed arrays count) → heapMB.
 *      Forced collections come only here: a book dying in a forced GC makes V8 drop the code optimised for it.
 * Inputs are converted to each engine's native request form before timing where the API takes plain data
 * (zkperp's bigint OrderRequest objects; nodejs-order-book's option objects); limit-order-book mutates the order
 * objects it is given, so its LimitOrder/MarketOrder objects are constructed inside the timed loop.
 * Fills are counted from each engine's own fill reports: zkperp's sink receives every fill with all its fields;
 * for the peers, makers touched per result (nodejs-order-book: `done` and `partial` minus the taker;
 * limit-order-book: `makers`). zkperp prevents self-trades (1000 accounts, expire-maker) and the peers do not, so
 * fill counts differ by the rare self-crossing.
 *
 * Usage: npm run bench:matching [-- --json] [-- --ops N] [-- --seed S] [-- --book ORDERS]
 *        [-- --engines zkperp,nodejs-order-book,limit-order-book]
 */
import { availableParallelism, loadavg } from 'node:os'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createRequire } from 'node:module'
import { MatchingEngine } from '../sequencer/matching/matchingEngine.ts'
import type { MatchingError } from '../sequencer/matching/errors.ts'
import type { CancelReason, MatchingEventSink, OrderRequest, Side } from '../sequencer/matching/types.ts'
import { generateWorkload, OPERATION_CANCEL, OPERATION_LIMIT, type Workload } from '../sequencer/matching/workload.ts'

const require = createRequire(import.meta.url)

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

const argv = process.argv.slice(2)
const json = argv.includes('--json')
const OPERATIONS = Number(option('--ops') ?? 1_000_000)
const SEED = Number(option('--seed') ?? 0x2a7e)
const ENGINES = (option('--engines') ?? 'zkperp,nodejs-order-book,limit-order-book').split(',')
const BOOK = Number(option('--book') ?? 2000)
const WARM_UP_PASSES = 3
const WARM_UP_MS = 10_000
const MEASURED_PASSES = 5
const MEASURE_MS = 20_000
const SAMPLE_EVERY = 4

function option(name: string): string | undefined {
  const index = argv.indexOf(name)
  return index === -1 ? undefined : argv[index + 1]
}

function log(line: string): void {
  if (!json) console.log(line)
}

type Result = {
  engine: string
  opsPerSec: number
  p50Ns: number
  p99Ns: number
  p999Ns: number
  fills: number
  heapMB: number
}


/** One engine under test. Each writes its own loops so no call site is shared (and made megamorphic) across engines. */
type Adapter = {
  name: string
  /** A fresh, empty book. */
  reset(): void
  /** Drop the book (for the heap baseline). */
  release(): void
  /** Operations [0, count), untimed. */
  runAll(count: number): void
  /** Operations [0, count), timing every SAMPLE_EVERY-th into `samples` (raw ns); returns samples written. */
  runSampled(count: number, samples: Float64Array): number
  fills(): number
}

// ─── zkperp ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** Receives every event with all its fields and keeps the last fill's, so nothing can be optimised away. */
class CountingSink implements MatchingEventSink {
  fills = 0
  events = 0
  lastPrice = 0n
  lastSize = 0n
  lastMaker = 0n
  accepted(): void {
    this.events++
  }
  fill(
    _takerAccount: number,
    _takerOrderId: bigint,
    _makerAccount: number,
    makerOrderId: bigint,
    price: bigint,
    size: bigint,
    _takerSide: Side,
  ): void {
    this.fills++
    this.lastPrice = price
    this.lastSize = size
    this.lastMaker = makerOrderId
  }
  rested(): void {
    this.events++
  }
  cancelled(_account: number, _orderId: bigint, remaining: bigint, _reason: CancelReason): void {
    this.events++
    this.lastSize = remaining
  }
  rejected(_account: number, _orderId: bigint, _error: MatchingError): void {
    this.events++
  }
}

function zkperpAdapter(workload: Workload): Adapter {
  const requests: (OrderRequest | undefined)[] = []
  const cancelIds: bigint[] = []
  for (let index = 0; index < workload.count; index++) {
    const kind = workload.kind[index]!
    const side: Side = workload.side[index] === 0 ? 'buy' : 'sell'
    const account = workload.account[index]!
    const orderId = BigInt(workload.orderId[index]!)
    const size = BigInt(workload.size[index]!)
    if (kind === OPERATION_CANCEL) {
      requests.push(undefined)
      cancelIds.push(orderId)
    } else {
      cancelIds.push(0n)
      requests.push(
        kind === OPERATION_LIMIT
          ? { type: 'limit', account, orderId, side, price: BigInt(workload.price[index]!), size }
          : { type: 'market', account, orderId, side, size },
      )
    }
  }
  const accounts = workload.account
  let sink = new CountingSink()
  let book: MatchingEngine | undefined
  return {
    name: 'zkperp',
    reset() {
      sink = new CountingSink()
      book = new MatchingEngine({ market: 0, tickSize: 1n, sink, initialCapacity: 4096 })
    },
    release() {
      book = undefined
    },
    runAll(count) {
      const engine = book!
      const now = 0n
      for (let index = 0; index < count; index++) {
        const request = requests[index]
        if (request === undefined) engine.cancel(accounts[index]!, cancelIds[index]!)
        else engine.submit(request, now)
      }
    },
    runSampled(count, samples) {
      const engine = book!
      const now = 0n
      let written = 0
      for (let index = 0; index < count; index++) {
        const request = requests[index]
        if (index % SAMPLE_EVERY === 0) {
          const start = process.hrtime.bigint()
          if (request === undefined) engine.cancel(accounts[index]!, cancelIds[index]!)
          else engine.submit(request, now)
          samples[written++] = Number(process.hrtime.bigint() - start)
        } else if (request === undefined) engine.cancel(accounts[index]!, cancelIds[index]!)
        else engine.submit(request, now)
      }
      return written
    },
    fills: () => sink.fills,
  }
}

// ─── nodejs-order-book ───────────────────────────────────────────────────────────────────────────────────────────

type NodeOrderBookResult = { done: { id: string }[]; partial: { id: string } | null }
type NodeOrderBook = {
  limit(options: { id: string; side: 'buy' | 'sell'; size: number; price: number }): NodeOrderBookResult
  market(options: { id: string; side: 'buy' | 'sell'; size: number }): NodeOrderBookResult
  cancel(id: string): unknown
}

function nodejsOrderBookAdapter(workload: Workload): Adapter {
  const { OrderBook } = require('nodejs-order-book') as { OrderBook: new () => NodeOrderBook }
  type Options = { id: string; side: 'buy' | 'sell'; size: number; price: number }
  const options: Options[] = []
  const ids: string[] = []
  for (let index = 0; index < workload.count; index++) {
    const id = String(workload.orderId[index]!)
    ids.push(id)
    options.push({
      id,
      side: workload.side[index] === 0 ? 'buy' : 'sell',
      size: workload.size[index]!,
      price: workload.price[index]!,
    })
  }
  const kinds = workload.kind
  let book: NodeOrderBook | undefined
  let fills = 0
  // Makers in a result: `done` and `partial`, minus the taker itself (in `done` when fully filled).
  const count = (result: NodeOrderBookResult, takerId: string): void => {
    const done = result.done
    for (let index = 0; index < done.length; index++) if (done[index]!.id !== takerId) fills++
    if (result.partial !== null && result.partial.id !== takerId) fills++
  }
  const step = (index: number): void => {
    const kind = kinds[index]
    const current = book!
    if (kind === OPERATION_CANCEL) current.cancel(ids[index]!)
    else if (kind === OPERATION_LIMIT) count(current.limit(options[index]!), ids[index]!)
    else {
      const { id, side, size } = options[index]!
      count(current.market({ id, side, size }), id)
    }
  }
  return {
    name: 'nodejs-order-book',
    reset() {
      book = new OrderBook()
      fills = 0
    },
    release() {
      book = undefined
    },
    runAll(total) {
      for (let index = 0; index < total; index++) step(index)
    },
    runSampled(total, samples) {
      let written = 0
      for (let index = 0; index < total; index++) {
        if (index % SAMPLE_EVERY === 0) {
          const start = process.hrtime.bigint()
          step(index)
          samples[written++] = Number(process.hrtime.bigint() - start)
        } else step(index)
      }
      return written
    },
    fills: () => fills,
  }
}

// ─── limit-order-book ────────────────────────────────────────────────────────────────────────────────────────────

type LimitOrderBookModule = {
  LimitOrderBook: new (options: { symbol: string; priceStep: string; sizeStep: string }) => {
    add(order: object): { makers: unknown[] }
    remove(orderId: string): unknown
  }
  LimitOrder: new (orderId: string, side: 'bid' | 'ask', price: string, size: string) => object
  MarketOrder: new (orderId: string, side: 'bid' | 'ask', size: string) => object
}

function limitOrderBookAdapter(workload: Workload): Adapter {
  const { LimitOrderBook, LimitOrder, MarketOrder } = require('limit-order-book') as LimitOrderBookModule
  const ids: string[] = []
  const prices: string[] = []
  const sizes: string[] = []
  const sides: ('bid' | 'ask')[] = []
  for (let index = 0; index < workload.count; index++) {
    ids.push(String(workload.orderId[index]!))
    prices.push(String(workload.price[index]!))
    sizes.push(String(workload.size[index]!))
    sides.push(workload.side[index] === 0 ? 'bid' : 'ask')
  }
  const kinds = workload.kind
  const create = () => new LimitOrderBook({ symbol: 'BENCH', priceStep: '1', sizeStep: '1' })
  let book: ReturnType<typeof create> | undefined
  let fills = 0
  const step = (index: number): void => {
    const kind = kinds[index]
    const current = book!
    if (kind === OPERATION_CANCEL) current.remove(ids[index]!)
    else if (kind === OPERATION_LIMIT) {
      fills += current.add(new LimitOrder(ids[index]!, sides[index]!, prices[index]!, sizes[index]!)).makers.length
    } else fills += current.add(new MarketOrder(ids[index]!, sides[index]!, sizes[index]!)).makers.length
  }
  return {
    name: 'limit-order-book',
    reset() {
      book = create()
      fills = 0
    },
    release() {
      book = undefined
    },
    runAll(total) {
      for (let index = 0; index < total; index++) step(index)
    },
    runSampled(total, samples) {
      let written = 0
      for (let index = 0; index < total; index++) {
        if (index % SAMPLE_EVERY === 0) {
          const start = process.hrtime.bigint()
          step(index)
          samples[written++] = Number(process.hrtime.bigint() - start)
        } else step(index)
      }
      return written
    },
    fills: () => fills,
  }
}

// ─── Measurement ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Median cost of one timed empty interval with process.hrtime.bigint(), in ns. */
function timerOverheadNs(): number {
  const samples = new Float64Array(200_000)
  for (let index = 0; index < samples.length; index++) {
    const start = process.hrtime.bigint()
    samples[index] = Number(process.hrtime.bigint() - start)
  }
  samples.sort()
  return samples[samples.length >>> 1]!
}

function retainedBytes(): number {
  collectGarbage()
  collectGarbage()
  const usage = process.memoryUsage()
  return usage.heapUsed + usage.arrayBuffers
}

function measure(adapter: Adapter, count: number, overheadNs: number): Result {
  // Warm-up: whole passes on fresh books until WARM_UP_PASSES are done or WARM_UP_MS has passed (slow peers).
  const warmUpStart = performance.now()
  for (let pass = 0; pass < WARM_UP_PASSES && performance.now() - warmUpStart < WARM_UP_MS; pass++) {
    adapter.reset()
    adapter.runAll(count)
  }

  // Throughput: up to MEASURED_PASSES passes (fewer for slow engines), the median pass reported.
  // No forced collection near these passes: when a book dies in a forced GC, V8 throws away the code optimised
  // against it ("weak objects" deopts) and the next pass starts cold.
  const passes: number[] = []
  let fills = 0
  const measureStart = performance.now()
  do {
    adapter.reset()
    const start = process.hrtime.bigint()
    adapter.runAll(count)
    passes.push(Number(process.hrtime.bigint() - start))
    fills = adapter.fills()
  } while (passes.length < MEASURED_PASSES && performance.now() - measureStart < MEASURE_MS)
  passes.sort((a, b) => a - b)
  const elapsedNs = passes[(passes.length - 1) >>> 1]!

  adapter.reset()
  const samples = new Float64Array(Math.ceil(count / SAMPLE_EVERY))
  const written = adapter.runSampled(count, samples)
  const latencies = samples.subarray(0, written).sort()
  const percentile = (fraction: number): number =>
    Math.max(0, latencies[Math.min(written - 1, Math.floor(written * fraction))]! - overheadNs)

  // Heap, last: the book a whole pass leaves behind, over a baseline with no book at all.
  adapter.release()
  const baseline = retainedBytes()
  adapter.reset()
  adapter.runAll(count)
  const heapMB = Math.max(0, retainedBytes() - baseline) / 2 ** 20
  adapter.release()
  return {
    engine: adapter.name,
    opsPerSec: Math.round((count * 1e9) / elapsedNs),
    p50Ns: Math.round(percentile(0.5)),
    p99Ns: Math.round(percentile(0.99)),
    p999Ns: Math.round(percentile(0.999)),
    fills,
    heapMB: Math.round(heapMB * 100) / 100,
  }
}

function main(): void {
  log(
    `zkperp matching benchmark (node ${process.version}, one thread, seed ${SEED}; ` +
      `load average ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores at start)`,
  )
  const generationStart = performance.now()
  const workload = generateWorkload({ operations: OPERATIONS, seed: SEED, targetBookSize: BOOK })
  const counts = [0, 0, 0]
  for (let index = 0; index < workload.count; index++) counts[workload.kind[index]!]!++
  log(
    `workload: ${OPERATIONS.toLocaleString('en-US')} operations = ${counts[0]} limit, ${counts[1]} cancel, ` +
      `${counts[2]} market; book ${workload.meanBookSize} orders on average, ${workload.finalBookSize} at the end ` +
      `(generated in ${Math.round(performance.now() - generationStart)} ms)`,
  )
  const overheadNs = timerOverheadNs()
  log(`latency: every ${SAMPLE_EVERY}th operation timed alone; timer overhead ${overheadNs} ns subtracted`)

  const factories: Record<string, (workload: Workload) => Adapter> = {
    zkperp: zkperpAdapter,
    'nodejs-order-book': nodejsOrderBookAdapter,
    'limit-order-book': limitOrderBookAdapter,
  }
  const results: Result[] = []
  for (const name of ENGINES) {
    const factory = factories[name]
    if (factory === undefined) throw new Error(`unknown engine ${name}; known: ${Object.keys(factories).join(', ')}`)
    const adapter = factory(workload)
    const result = measure(adapter, OPERATIONS, overheadNs)
    results.push(result)
    log(`  ${name}: done`)
  }

  if (json) {
    console.log(JSON.stringify({ ops: OPERATIONS, results }))
    return
  }
  const header = ['engine', 'ops/s', 'p50 ns', 'p99 ns', 'p99.9 ns', 'fills', 'heap MB']
  const rows = results.map((result) => [
    result.engine,
    result.opsPerSec.toLocaleString('en-US'),
    String(result.p50Ns),
    String(result.p99Ns),
    String(result.p999Ns),
    result.fills.toLocaleString('en-US'),
    result.heapMB.toFixed(2),
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)))
  const format = (row: string[]): string =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')
  log('')
  // The benchmark's own thread accounts for about 1 of the load average.
  const load = loadavg()[0]!
  const busy = load > 1.5 ? ': other work was running, figures are diluted' : ' (about 1 is this benchmark)'
  log(`load average ${load.toFixed(2)} at the end${busy}`)
  log(format(header))
  for (const row of rows) log(format(row))
  const ours = results.find((result) => result.engine === 'zkperp')
  if (ours !== undefined) {
    log('')
    for (const peer of results.filter((result) => result !== ours)) {
      log(
        `zkperp / ${peer.engine}: ${(ours.opsPerSec / peer.opsPerSec).toFixed(1)}× ops/s, ` +
          `${(peer.p99Ns / Math.max(1, ours.p99Ns)).toFixed(1)}× lower p99`,
      )
    }
  }
}

main()
