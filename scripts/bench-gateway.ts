/**
 * bench:gateway — WebSocket clients on loopback send pre-signed orders end to end (schema, order hash + signature
 * check, synced log append, matching + pre-trade risk, group-signed ack). For each worker count it prints accepted
 * orders/s, ack latency p50/p99 as the clients see it, signature checks (how many in batch equations, group sizes,
 * checks per second of verifier CPU), ack groups (acks per secp256k1 signature), CPU used, and where the main
 * thread's CPU goes (sampled with the inspector's profiler, by component).
 *
 *   npm run bench:gateway -- [--orders 3000] [--warmup 1000] [--clients 8] [--inflight 16] [--workers 0,1,2] [--no-profile]
 *
 * Each run first sends `--warmup` orders through the same clients, uncounted, so that JIT tier-up, the signature
 * workers' start and their WebAssembly compilation are not in the figures.
 *
 * The clients run in this process (they share its main thread with the gateway); their CPU is shown apart. The
 * machine is shared: figures are measured under load when the load average is above the core count.
 */
import { Session } from 'node:inspector/promises'
import { cpus, loadavg } from 'node:os'
import { performance } from 'node:perf_hooks'
import { ZkPerpClient } from '../sdk/client/client.ts'
import { CIRCUIT_SIZES } from '../sdk/protocol/config.ts'
import { signOrder } from '../sdk/protocol/signing.ts'
import type { SignedOrder } from '../sdk/protocol/types.ts'
import { GENESIS_TIME, traderKey } from '../sequencer/core/testWorkload.ts'
import { startTestGateway } from '../sequencer/gateway/testGateway.ts'

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? process.argv[index + 1]! : fallback
}

const ORDERS = Number(flag('orders', '3000'))
const WARMUP = Number(flag('warmup', '1000'))
const CLIENTS = Number(flag('clients', '8'))
const INFLIGHT = Number(flag('inflight', '16'))
const WORKER_COUNTS = flag('workers', '0,1,2').split(',').map(Number)
const PROFILE = !process.argv.includes('--no-profile')

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

// ─── Where the main thread's CPU goes ─────────────────────────────────────────────────────────────────────────

type ProfileNode = { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Component of a stack: the first frame from the leaf up that one of these rules claims. */
const COMPONENTS: [string, (name: string, url: string) => boolean][] = [
  ['signature checks + order hash', (name, url) => url.includes('signatureVerifier') || url.includes('sdk/crypto/') || name === 'checkGroup'],
  ['ack signing (Merkle + secp256k1)', (_, url) => url.includes('ackSigner') || url.includes('/viem/') || url.includes('@noble/curves') || url.includes('sdk/client/messages')],
  ['bench clients (load generator)', (_, url) => url.includes('sdk/client/client.ts') || url.includes('scripts/bench-gateway')],
  ['input log (encode, sha256 chain, LevelDB)', (_, url) => url.includes('sequencer/inputLog') || url.includes('level') || url.includes('core/inputCodec')],
  ['core apply (matching + risk)', (_, url) => url.includes('sequencer/core') || url.includes('sequencer/matching') || url.includes('sdk/state')],
  ['parse (strict JSON + zod)', (_, url) => url.includes('gateway/strictJson') || url.includes('gateway/schemas') || url.includes('/zod/')],
  ['gateway (checks, replies, events)', (_, url) => url.includes('sequencer/gateway') || url.includes('sdk/protocol')],
  ['WebSocket + HTTP (both ends)', (_, url) => url.includes('/ws/') || url.startsWith('node:net') || url.startsWith('node:internal/stream')],
  ['garbage collection', (name) => name === '(garbage collector)'],
  ['idle', (name) => name === '(idle)'],
]

function componentTimes(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const memo = new Map<number, string>()
  const componentOf = (id: number): string => {
    const known = memo.get(id)
    if (known !== undefined) return known
    let current: number | undefined = id
    let found = 'other (runtime, microtasks, timers)'
    while (current !== undefined) {
      const { functionName, url } = byId.get(current)!.callFrame
      const rule = COMPONENTS.find(([, matches]) => matches(functionName, url))
      if (rule !== undefined) {
        found = rule[0]
        break
      }
      current = parent.get(current)
    }
    memo.set(id, found)
    return found
  }
  const times = new Map<string, number>()
  profile.samples.forEach((sample, i) => {
    const component = componentOf(sample)
    times.set(component, (times.get(component) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000)
  })
  return times
}

// ─── One run ─────────────────────────────────────────────────────────────────────────────────────────────────

function makeOrders(): SignedOrder[][] {
  const domain = { chainId: 31_337n, rollupAddress: '0x00000000000000000000000000000000000000aa' } as const
  return Array.from({ length: CLIENTS }, (_, c) =>
    Array.from({ length: Math.ceil((WARMUP + ORDERS) / CLIENTS) }, (_, i) => {
      const isBuy = (i + c) % 2 === 0
      const ticks = BigInt((i * 7 + c * 3) % 21) - 10n
      return signOrder(
        { accountIndex: 2n + BigInt(c), market: 0, isBuy, reduceOnly: false, size: 1n + BigInt(i % 3), limitPrice: 6_000_000n + ticks * 10n, storageId: BigInt(i + 1), expiry: GENESIS_TIME + 86_400n },
        traderKey(c).privateKey,
        domain,
      )
    }),
  )
}

type SendResult = { latencies: number[]; accepted: number; rejected: number }

/** Every client sends its queue with INFLIGHT orders outstanding; latencies as the clients see them. */
async function send(clients: ZkPerpClient[], queues: SignedOrder[][]): Promise<SendResult> {
  const result: SendResult = { latencies: [], accepted: 0, rejected: 0 }
  await Promise.all(
    clients.map(async (client, c) => {
      const queue = queues[c]!
      let next = 0
      await Promise.all(
        Array.from({ length: INFLIGHT }, async () => {
          while (next < queue.length) {
            const order = queue[next++]!
            const sent = performance.now()
            const reply = await client.placeOrder({ order })
            result.latencies.push(performance.now() - sent)
            if (reply.ok) result.accepted++
            else result.rejected++
          }
        }),
      )
    }),
  )
  return result
}

async function run(workers: number, orders: SignedOrder[][]) {
  const test = await startTestGateway({
    sizes: CIRCUIT_SIZES.dev,
    keys: Array.from({ length: CLIENTS }, (_, i) => traderKey(i).privateKey),
    signatureWorkers: workers,
    accountRateLimit: { ratePerSecond: 1e9, burst: 1e9 },
    connectionRateLimit: { ratePerSecond: 1e9, burst: 1e9 },
    snapshotEvery: 0,
  })
  const clients = await Promise.all(orders.map(() => ZkPerpClient.connect({ url: test.gateway.url, domain: test.genesis.domain, timeoutMs: 60_000 })))
  const warmupPerClient = Math.ceil(WARMUP / CLIENTS)
  await send(clients, orders.map((queue) => queue.slice(0, warmupPerClient)))
  const session = new Session()
  if (PROFILE) {
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 250 })
    await session.post('Profiler.start')
  }
  const signatures0 = test.gateway.signatureStats()
  const acks0 = test.gateway.ackStats()
  const cpu0 = process.cpuUsage()
  const loop0 = performance.eventLoopUtilization()
  const started = performance.now()
  const { latencies, accepted, rejected } = await send(clients, orders.map((queue) => queue.slice(warmupPerClient)))
  const wallMs = performance.now() - started
  const cpu = process.cpuUsage(cpu0)
  const loop = performance.eventLoopUtilization(loop0)
  const profile = PROFILE ? ((await session.post('Profiler.stop')) as { profile: Profile }).profile : undefined
  session.disconnect()
  const signatures1 = test.gateway.signatureStats()
  const acks1 = test.gateway.ackStats()
  const checks = signatures1.checks - signatures0.checks
  const batched = signatures1.batched - signatures0.batched
  const verifyMs = signatures1.busyMs - signatures0.busyMs
  const groups = signatures1.poolGroups - signatures0.poolGroups
  const ackCount = acks1.acks - acks0.acks
  const ackGroups = acks1.groups - acks0.groups
  latencies.sort((a, b) => a - b)

  const seconds = wallMs / 1000
  console.log(`\nsignature checks ${workers === 0 ? 'on the main thread (workers: 0)' : `on a piscina pool (workers: ${workers})`}`)
  console.log(`  accepted ${accepted} (rejected ${rejected}) in ${seconds.toFixed(2)} s → ${(accepted / seconds).toFixed(0)} orders/s`)
  console.log(`  ack latency (client): p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`)
  console.log(
    `  signature checks: ${checks} (${((100 * batched) / Math.max(1, checks)).toFixed(0)} % in batch equations${groups > 0 ? `, ${groups} pool groups of ${(checks / groups).toFixed(1)} on average` : ''}); ` +
      `${(checks / seconds).toFixed(0)} checks/s wall, ${((1000 * checks) / Math.max(1e-9, verifyMs)).toFixed(0)} checks/s per busy core (hash + verify ${(verifyMs / Math.max(1, checks)).toFixed(3)} ms each)`,
  )
  console.log(`  acks: ${ackCount} in ${ackGroups} signed groups (${(ackCount / Math.max(1, ackGroups)).toFixed(1)} acks per secp256k1 signature)`)
  console.log(
    `  CPU: process ${((cpu.user + cpu.system) / 1000 / wallMs).toFixed(2)} cores (main thread busy ${(100 * loop.utilization).toFixed(0)} %, signature workers ${workers === 0 ? '—' : `${((100 * verifyMs) / wallMs / workers).toFixed(0)} % each`})`,
  )
  if (profile !== undefined) {
    const times = componentTimes(profile)
    const total = [...times.values()].reduce((sum, value) => sum + value, 0)
    console.log(`  main thread CPU by component (sampled; per accepted order):`)
    for (const [component, ms] of [...times.entries()].sort((a, b) => b[1] - a[1])) {
      console.log(`    ${((100 * ms) / total).toFixed(1).padStart(5)} %  ${((1000 * ms) / Math.max(1, accepted)).toFixed(0).padStart(5)} µs  ${component}`)
    }
  }
  await Promise.all(clients.map((client) => client.close()))
  await test.stop()
}

const load = loadavg()[0]!
console.log(
  `bench:gateway — ${CLIENTS} clients × ${INFLIGHT} in flight, ${ORDERS} signed orders per run, ${cpus().length} cores, ` +
    `load average ${load.toFixed(2)}${load > 1 ? ' (measured under load: shared machine)' : ''}`,
)
for (const workers of WORKER_COUNTS) {
  const signStarted = performance.now()
  const orders = makeOrders()
  console.log(`\n(pre-signed ${WARMUP} + ${ORDERS} orders in ${((performance.now() - signStarted) / 1000).toFixed(1)} s; not counted)`)
  await run(workers, orders)
}
