/**
 * Compiles, sets up (dev, insecure), proves and verifies one batch circuit at the `bench` tree sizes (2^24
 * accounts, 2^12 order slots, 8 markets) with N slots, on a real batch of trades, and prints where the time and
 * memory go. It answers "what is the largest batch this machine compiles and proves" (circom --O2 runs out of
 * WebAssembly memory near 0.9 M constraints; circuits/constraints.json has the per-slot cost).
 *
 *   tsx scripts/circuit/measureBenchBatch.ts --slots 12 [--accounts K] [--json]
 */
import { Command } from 'commander'
import { batchCircuitSpec } from '../../circuits/configs.ts'
import { toCircuitInput } from '../../circuits/test/circuitHarness.ts'
import { buildBatchWitness } from '../../circuits/witness/batchWitness.ts'
import { CIRCUIT_SIZES } from '../../sdk/protocol/config.ts'
import type { Tx } from '../../sdk/protocol/types.ts'
import { depositNewTx, GENESIS_TIME, oracleTx, order, testContext, testKey, testState } from '../../sdk/state/testFixtures.ts'
import { loadSnarkjs, type Groth16VerificationKey } from '../smoke/snarkjs.ts'
import { buildCircuit } from './buildCircuit.ts'
import { devSetup } from './devSetup.ts'
import { terminateBn128 } from './vendor.ts'

const options = new Command()
  .name('measure-bench-batch')
  .requiredOption('--slots <n>', 'batch slots N', (value) => Number.parseInt(value, 10))
  .option('--accounts <k>', 'account cache entries K (default: the bench config\'s)', (value) => Number.parseInt(value, 10))
  .option('--json', 'print one JSON line')
  .parse()
  .opts<{ slots: number; accounts?: number; json?: boolean }>()

const log = (line: string) => {
  if (options.json !== true) console.log(line)
}
const seconds = (since: number) => Math.round(performance.now() - since) / 1000
let peakRssMB = 0
const sampler = setInterval(() => {
  peakRssMB = Math.max(peakRssMB, Math.round(process.memoryUsage().rss / 2 ** 20))
}, 200)

const sizes = { ...CIRCUIT_SIZES.bench, batchSlots: options.slots, batchAccounts: options.accounts ?? CIRCUIT_SIZES.bench.batchAccounts }
const spec = batchCircuitSpec(`batch_bench_${options.slots}_${sizes.batchAccounts}`, sizes)
log(`compiling ${spec.name} (N = ${options.slots}, K = ${sizes.batchAccounts}, depths ${sizes.accountDepth}/${sizes.orderDepth}, M = ${sizes.markets}) …`)
let started = performance.now()
const circuit = await buildCircuit(spec, { log })
const compileSeconds = circuit.cached ? null : seconds(started)
log(`  ${circuit.constraints} constraints`)

started = performance.now()
const setup = await devSetup(circuit, { log })
const setupSeconds = setup.cached ? null : seconds(started)

// Two traders deposit in one batch; the measured batch is an oracle update then N − 1 trades between them.
const alice = testKey('alice')
const bob = testKey('bob')
const T1 = GENESIS_TIME + 10n
const T2 = GENESIS_TIME + 20n
// One new-account deposit (two chunks) per batch fits every N ≥ 2.
const aliceFunded = buildBatchWitness(testState(sizes), [depositNewTx(2n, 10n ** 12n, alice, 0xa1n)], testContext(T1)).state
const funded = buildBatchWitness(aliceFunded, [depositNewTx(3n, 10n ** 12n, bob, 0xb0n)], testContext(T1)).state
const price = funded.markets[0]!.oraclePrice
const txs: Tx[] = [oracleTx(0, price, T2)]
for (let i = 1; i < options.slots; i++) {
  const isBuy = i % 2 === 1
  const taker = order({ accountIndex: 2n, market: 0, isBuy, size: 10n, limitPrice: price, storageId: BigInt(i) }, alice)
  const maker = order({ accountIndex: 3n, market: 0, isBuy: !isBuy, size: 10n, limitPrice: price, storageId: BigInt(i) }, bob)
  txs.push({ type: 'trade', taker, maker, size: 10n, price })
}
started = performance.now()
const batch = buildBatchWitness(funded, txs, testContext(T2))
const witnessBuildSeconds = seconds(started)

const snarkjs = await loadSnarkjs()
started = performance.now()
const { proof, publicSignals } = await snarkjs.groth16.fullProve(toCircuitInput(batch.input) as Record<string, unknown>, circuit.wasmPath, setup.zkeyPath)
const proveSeconds = seconds(started)
if (publicSignals[0] !== batch.result.commitment.toString()) throw new Error('the proof commits to another batch')
started = performance.now()
const valid = await snarkjs.groth16.verify(setup.vkey as Groth16VerificationKey, publicSignals, proof)
const verifySeconds = seconds(started)
clearInterval(sampler)
await terminateBn128()

const result = {
  slots: options.slots,
  accounts: sizes.batchAccounts,
  constraints: circuit.constraints,
  compileSeconds,
  setupSeconds,
  witnessBuildSeconds,
  proveSeconds,
  verifySeconds,
  valid,
  peakRssMB,
  constraintsPerSecond: Math.round(circuit.constraints / proveSeconds),
}
if (options.json === true) console.log(JSON.stringify(result))
else console.table(result)
process.exit(valid ? 0 : 1)
