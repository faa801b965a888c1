/**
 * bench:gateway — WebSocket clients on loopback send pre-signed orders end to end (schema, signature check, synced
 * log append, matching + pre-trade risk, secp256k1-signed ack). Prints accepted orders/s, ack latency p50/p99 as the
 * clients see it, and where the gateway's time goes per order (signature check, log append incl. fsync wait,
 * core apply = matching + risk, ack signing). Runs the signature check inline and on a worker pool.
 *
 *   npm run bench:gateway -- [--orders 3000] [--clients 8] [--inflight 16] [--workers 1]
 *
 * The machine is shared: figures are measured under load.
 */
import { performance } from 'node:perf_hooks'
import { ZkPerpClient } from '../sdk/client/client.ts'
import { CIRCUIT_SIZES } from '../sdk/protocol/config.ts'
import { signOrder } from '../sdk/protocol/signing.ts'
import type { SignedOrder } from '../sdk/protocol/types.ts'
import { GENESIS_TIME, traderKey } from '../sequencer/core/testWorkload.ts'
import { startTestGateway } from '../sequencer/gateway/testGateway.ts'

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}

const ORDERS = flag('orders', 3000)
const CLIENTS = flag('clients', 8)
const INFLIGHT = flag('inflight', 16)
const WORKERS = flag('workers', 1)

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

async function run(label: string, workers: number, orders: SignedOrder[][]) {
  const test = await startTestGateway({
    sizes: CIRCUIT_SIZES.dev,
    keys: Array.from({ length: CLIENTS }, (_, i) => traderKey(i).privateKey),
    signatureWorkers: workers,
    accountRateLimit: { ratePerSecond: 1e9, burst: 1e9 },
    connectionRateLimit: { ratePerSecond: 1e9, burst: 1e9 },
    snapshotEvery: 0,
  })
  const clients = await Promise.all(orders.map(() => ZkPerpClient.connect({ url: test.gateway.url, domain: test.genesis.domain, timeoutMs: 60_000 })))
  // Warm up the workers and JIT with a few orders that are not counted.
  const before = test.gateway.stageTotals()
  const latencies: number[] = []
  let accepted = 0
  let rejected = 0
  const started = performance.now()
  await Promise.all(
    clients.map(async (client, c) => {
      const queue = orders[c]!
      let next = 0
      await Promise.all(
        Array.from({ length: INFLIGHT }, async () => {
          while (next < queue.length) {
            const order = queue[next++]!
            const sent = performance.now()
            const result = await client.placeOrder({ order })
            latencies.push(performance.now() - sent)
            if (result.ok) accepted++
            else rejected++
          }
        }),
      )
    }),
  )
  const seconds = (performance.now() - started) / 1000
  const after = test.gateway.stageTotals()
  const count = after.count - before.count
  const per = (key: 'signatureMs' | 'appendMs' | 'applyMs' | 'ackSignMs') => ((after[key] - before[key]) / count).toFixed(3)
  latencies.sort((a, b) => a - b)
  const stats = test.gateway.signatureStats()
  console.log(`\n${label}`)
  console.log(`  accepted ${accepted} (rejected ${rejected}) in ${seconds.toFixed(2)} s → ${(accepted / seconds).toFixed(0)} orders/s`)
  console.log(`  ack latency (client): p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`)
  console.log(`  per order, wall time in stage (overlapping across in-flight orders): signature ${per('signatureMs')} ms, log append+sync ${per('appendMs')} ms, apply (matching+risk) ${per('applyMs')} ms, ack sign ${per('ackSignMs')} ms`)
  console.log(`  signature checks: ${stats.inline} inline, ${stats.pooled} pooled in ${stats.batches} batches`)
  await Promise.all(clients.map((client) => client.close()))
  await test.stop()
}

console.log(`bench:gateway — ${CLIENTS} clients × ${INFLIGHT} in flight, ${ORDERS} signed orders per run (measured under load: shared 2-core machine)`)
const signStarted = performance.now()
const domain = { chainId: 31_337n, rollupAddress: '0x00000000000000000000000000000000000000aa' } as const
function makeOrders(offset: bigint): SignedOrder[][] {
  return Array.from({ length: CLIENTS }, (_, c) =>
    Array.from({ length: Math.ceil(ORDERS / CLIENTS) }, (_, i) => {
      const isBuy = (i + c) % 2 === 0
      const ticks = BigInt((i * 7 + c * 3) % 21) - 10n
      return signOrder(
        { accountIndex: 2n + BigInt(c), market: 0, isBuy, reduceOnly: false, size: 1n + BigInt(i % 3), limitPrice: 6_000_000n + ticks * 10n, storageId: offset + BigInt(i + 1), expiry: GENESIS_TIME + 86_400n },
        traderKey(c).privateKey,
        domain,
      )
    }),
  )
}
const inlineOrders = makeOrders(0n)
const pooledOrders = makeOrders(0n)
console.log(`(pre-signed ${2 * ORDERS} orders in ${((performance.now() - signStarted) / 1000).toFixed(1)} s; not counted)`)
await run('signature check inline (workers: 0)', 0, inlineOrders)
await run(`signature check on a piscina pool (workers: ${WORKERS}, batch when ≥ 8 queued)`, WORKERS, pooledOrders)
