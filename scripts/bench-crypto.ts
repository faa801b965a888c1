/**
 * Crypto benchmark: zkperp's EdDSA-Poseidon, Poseidon and quaternary Merkle tree side by side with circomlibjs,
 * in one process and run. Prints a table; `--json` prints only
 *   {"zkperp": {"verifyPerSec": {"single", "batch64"}, "poseidon2PerSec"}, "circomlibjs": {...same, single only}}.
 * Figures are per core (one thread). `--quick` shortens every measurement (for a smoke run). `--kernel` adds the
 * field-kernel breakdown behind the Poseidon figures: the permutation alone (without the bigint conversions at the
 * JS boundary) and one Montgomery multiplication as a kernel call and inlined.
 *
 * The machine's load average is printed with the table: on a shared machine, compare figures only within a run
 * (the circomlibjs column is the control), or pass `--cpu-time` to count this process's CPU time instead of the
 * wall clock, which other processes disturb far less (the process's background threads, such as the compiler and
 * the garbage collector, are counted too).
 *
 * Usage: npm run bench:crypto [-- --json] [-- --quick] [-- --kernel] [-- --cpu-time]
 */
import { loadavg } from 'node:os'
import { sha256 } from '@noble/hashes/sha2.js'
import { loadCircomlibOracle } from '../sdk/crypto/circomlibjsOracle.ts'
import {
  derivePublicKey,
  type SignedMessage,
  signPoseidon,
  verifyPoseidon,
  verifyPoseidonBatch,
} from '../sdk/crypto/eddsa.ts'
import { FIELD_MODULUS } from '../sdk/crypto/field.ts'
import { poseidon } from '../sdk/crypto/poseidon.ts'
import { MontgomeryEmitter } from '../sdk/crypto/montgomeryEmitter.ts'
import { poseidonPermutation } from '../sdk/crypto/poseidonWasm.ts'
import { emptySubtreeRoots, QuaternaryMerkleTree } from '../sdk/crypto/quaternaryMerkleTree.ts'
import { Code, I32 } from '../sdk/crypto/wasmAssembler.ts'
import { allocateSlots, instantiateKernel, instantiateModule, KERNEL, SLOT_BYTES, writeLimbs } from '../sdk/crypto/wasmField.ts'

const json = process.argv.includes('--json')
const quick = process.argv.includes('--quick')
const cpuTime = process.argv.includes('--cpu-time')
const kernel = process.argv.includes('--kernel')
const MIN_MS = quick ? 150 : 1500
const MERKLE_DEPTH = 12 // 4^12 = 2^24 leaves

function log(line: string): void {
  if (!json) console.log(line)
}

/**
 * Operations per second of `run`, which performs `opsPerCall` operations. A warm-up of a third of the time first
 * lets V8 tier the WebAssembly and JS up to optimised code, then it runs at least `minMs`.
 */
function measure(run: (iteration: number) => void, opsPerCall = 1, minMs = MIN_MS): number {
  const warmUntil = performance.now() + minMs / 3
  let call = 0
  do run(call++)
  while (performance.now() < warmUntil)
  // The clock is read once per batch, the batch doubling while it runs under a millisecond: reading CPU time is a
  // system call, too slow to make per call of a fast operation.
  const clock = cpuTime ? () => {
    const used = process.cpuUsage()
    return (used.user + used.system) / 1000
  } : () => performance.now()
  let iterations = 0
  let batch = 1
  const start = clock()
  let elapsed = 0
  do {
    const before = elapsed
    for (let k = 0; k < batch; k++) run(call++)
    iterations += batch
    elapsed = clock() - start
    if (elapsed - before < 1) batch *= 2
  } while (elapsed < minMs)
  return (iterations * opsPerCall * 1000) / elapsed
}

function seeded(label: string, index: number): bigint {
  const bytes = sha256(new TextEncoder().encode(`${label}/${index}`))
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  return value % FIELD_MODULUS
}

function keyBytes(index: number): Uint8Array {
  return sha256(new TextEncoder().encode(`bench-key/${index}`))
}

async function main(): Promise<void> {
  const circomlib = await loadCircomlibOracle()
  const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')
  const mode = `${quick ? ', quick' : ''}${cpuTime ? ', per CPU-second' : ''}`
  log(`zkperp crypto benchmark (node ${process.version}, one thread${mode}; load average ${load()})`)

  // Signed orders: 1024 messages from 64 traders (a trader's key is subgroup-checked once, then cached).
  const TRADERS = 64
  const ORDERS = 1024
  const privateKeys = Array.from({ length: TRADERS }, (_, i) => keyBytes(i))
  const publicKeys = privateKeys.map(derivePublicKey)
  const orders: SignedMessage[] = Array.from({ length: ORDERS }, (_, i) => {
    const message = seeded('message', i)
    return { message, signature: signPoseidon(privateKeys[i % TRADERS]!, message), publicKey: publicKeys[i % TRADERS]! }
  })
  const order = (i: number) => orders[i % ORDERS]!

  const rows: [string, number, number | undefined][] = []
  const row = (name: string, ours: number, theirs?: number) => {
    rows.push([name, ours, theirs])
    log(`${name.padEnd(34)} ${fmt(ours).padStart(12)} ${theirs === undefined ? '' : fmt(theirs).padStart(12)}`)
  }
  log(`${'operation (per second)'.padEnd(34)} ${'zkperp'.padStart(12)} ${'circomlibjs'.padStart(12)}`)

  const verifySingle = measure((i) => {
    const { message, signature, publicKey } = order(i)
    verifyPoseidon(message, signature, publicKey)
  })
  const circomlibVerify = measure((i) => {
    const { message, signature, publicKey } = order(i)
    if (!circomlib.verifyPoseidon(message, signature, publicKey)) throw new Error('circomlibjs rejected')
  }, 1, Math.min(MIN_MS, 1000))
  row('verify, single', verifySingle, circomlibVerify)

  const batchRates: Record<number, number> = {}
  for (const size of [1, 16, 64, 256]) {
    batchRates[size] = measure(
      (i) => {
        const start = (i * size) % ORDERS
        const batch = orders.slice(start, start + size)
        while (batch.length < size) batch.push(...orders.slice(0, size - batch.length))
        if (!verifyPoseidonBatch(batch).valid) throw new Error('batch rejected')
      },
      size,
    )
    row(`verify, batch of ${size}`, batchRates[size]!)
  }

  const signRate = measure((i) => void signPoseidon(privateKeys[i % TRADERS]!, seeded('sign', i % 97)))
  const circomlibSign = measure(
    (i) => void circomlib.signPoseidon(privateKeys[i % TRADERS]!, seeded('sign', i % 97)),
    1,
    Math.min(MIN_MS, 1000),
  )
  row('sign', signRate, circomlibSign)

  const poseidonRates: Record<number, [number, number]> = {}
  for (const width of [2, 4, 5]) {
    const inputs = Array.from({ length: 256 }, (_, i) => Array.from({ length: width }, (_, j) => seeded(`p${width}`, i * 16 + j)))
    const ours = measure((i) => void poseidon(inputs[i & 255]!))
    const theirs = measure((i) => void circomlib.poseidon(inputs[i & 255]!))
    poseidonRates[width] = [ours, theirs]
    row(`poseidon, ${width} inputs`, ours, theirs)
  }

  // Merkle: a 2^24-leaf quaternary tree pre-filled with 4096 leaves, then single-leaf updates at random indices.
  const tree = new QuaternaryMerkleTree(MERKLE_DEPTH)
  const leafCount = 4n ** BigInt(MERKLE_DEPTH)
  tree.setMany(Array.from({ length: 4096 }, (_, i) => [seeded('leaf-index', i) % leafCount, seeded('leaf', i)] as const))
  const merkleOurs = measure((i) => tree.set(seeded('update-index', i % 4096) % leafCount, BigInt(i)))
  const merkleTheirs = measure(circomlibMerkleUpdater(circomlib.poseidon, leafCount), 1, Math.min(MIN_MS, 1000))
  row(`merkle update, depth ${MERKLE_DEPTH} (2^24 leaves)`, merkleOurs, merkleTheirs)
  const batchTree = tree.clone()
  const merkleBatch = measure((i) => {
    batchTree.setMany(Array.from({ length: 256 }, (_, j) => [seeded('batch-index', (i * 256 + j) % 8192) % leafCount, BigInt(j)] as const))
  }, 256)
  row('merkle setMany, 256 random leaves', merkleBatch)

  if (kernel) kernelBreakdown(row)
  log(`load average at the end: ${load()}`)

  if (json) {
    console.log(
      JSON.stringify({
        zkperp: { verifyPerSec: { single: round(verifySingle), batch64: round(batchRates[64]!) }, poseidon2PerSec: round(poseidonRates[2]![0]) },
        circomlibjs: { verifyPerSec: { single: round(circomlibVerify) }, poseidon2PerSec: round(poseidonRates[2]![1]) },
      }),
    )
  }
}

/**
 * Where a Poseidon hash goes: the permutation alone (inputs already in WebAssembly memory), and the cost of one
 * Montgomery multiplication, as the slot kernel's `mul` (a call on memory slots, reduced output) and as the
 * inline code `MontgomeryEmitter` generates (a chain of dependent multiplications on locals, lazy output).
 */
function kernelBreakdown(row: (name: string, ours: number, theirs?: number) => void): void {
  for (const width of [2, 4, 5]) {
    const permute = poseidonPermutation(width)
    row(`poseidon ${width}, permutation only`, measure(() => permute()))
  }
  const CHAIN = 256
  const slots = allocateSlots(2)
  writeLimbs(slots, seeded('kernel-a', 0))
  writeLimbs(slots + SLOT_BYTES, seeded('kernel-b', 0))
  const calls = new Code(0)
  for (let i = 0; i < CHAIN; i++) calls.call3(KERNEL.mul, slots, slots, slots + SLOT_BYTES)
  const kernelChain = instantiateKernel([{ name: 'chain', code: calls }])['chain'] as () => void
  row('field mul, kernel call (per op)', measure(() => kernelChain(), CHAIN))
  const inline = new Code(1)
  const field = new MontgomeryEmitter(inline)
  const counter = inline.local(I32)
  // the chained value stays below 2r (lazy reduction), the other factor below r
  const value = field.loadSlot(0, 0, 2n * FIELD_MODULUS)
  const other = field.loadSlot(0, SLOT_BYTES, FIELD_MODULUS - 1n)
  inline.i32(CHAIN).set(counter)
  inline.countdown(counter, () => {
    const product = field.multiply(value, other)
    product.limbs.forEach((limb, i) => inline.get(limb).set(value.limbs[i]!))
  })
  field.storeSlot(0, 0, value)
  const inlineChain = instantiateModule([{ name: 'chain', code: inline, params: [I32] }])['chain'] as (at: number) => void
  row('field mul, inline (per op)', measure(() => inlineChain(slots), CHAIN))
}

/** The same sparse path update as QuaternaryMerkleTree.set, hashing with circomlibjs. */
function circomlibMerkleUpdater(hash: (inputs: readonly bigint[]) => bigint, leafCount: bigint) {
  const empty = emptySubtreeRoots(MERKLE_DEPTH)
  const levels = Array.from({ length: MERKLE_DEPTH + 1 }, () => new Map<bigint, bigint>())
  const node = (level: number, index: bigint) => levels[level]!.get(index) ?? empty[level]!
  return (i: number) => {
    let index = seeded('update-index', i % 4096) % leafCount
    levels[0]!.set(index, BigInt(i))
    for (let level = 1; level <= MERKLE_DEPTH; level++) {
      index >>= 2n
      const first = index * 4n
      levels[level]!.set(index, hash([node(level - 1, first), node(level - 1, first + 1n), node(level - 1, first + 2n), node(level - 1, first + 3n)]))
    }
  }
}

function round(value: number): number {
  return Math.round(value)
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

await main()
