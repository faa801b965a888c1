/**
 * One real proof end to end: sequencer inputs (deposits, an oracle price, two crossing orders) → the batcher →
 * the prover pool (piscina worker, snarkjs Groth16 on the `test` batch circuit) → verified against the vkey.
 */
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prepareBatchArtifacts, verifyBatchProof } from '../../scripts/circuit/batchPipeline.ts'
import type { Groth16VerificationKey } from '../../scripts/smoke/snarkjs.ts'
import { signOrder } from '../../sdk/protocol/signing.ts'
import type { Order } from '../../sdk/protocol/types.ts'
import type { CircuitArtifactPaths } from '../../prover/proofJob.ts'
import { ProverPool } from '../../prover/proverPool.ts'
import type { OrderInput } from '../core/inputCodec.ts'
import { fundingInputs, GENESIS_TIME, oracleInput, testGenesis, traderKey } from '../core/testWorkload.ts'
import type { BuiltBatch } from './batchBuild.ts'
import { BatchStore } from './batchStore.ts'
import { openBatcher } from './batcher.ts'
import { proveBatch } from './batchProving.ts'
import { FedSequencer, temporaryDirectory } from './testHarness.ts'

const genesis = testGenesis()
let circuit: CircuitArtifactPaths
let vkey: Groth16VerificationKey
let pool: ProverPool

beforeAll(async () => {
  const artifacts = await prepareBatchArtifacts()
  circuit = { wasmPath: artifacts.circuit.wasmPath, zkeyPath: artifacts.setup.zkeyPath, vkeyPath: artifacts.setup.vkeyPath }
  vkey = JSON.parse(await readFile(artifacts.setup.vkeyPath, 'utf8')) as Groth16VerificationKey
  pool = new ProverPool({ workers: 1, timeoutMs: 300_000, retry: { maxAttempts: 1 } })
})

afterAll(async () => {
  await pool.close()
})

function orderInput(trader: number, order: Omit<Order, 'accountIndex' | 'market' | 'reduceOnly'>, time: bigint): OrderInput {
  const signed = signOrder({ accountIndex: 2n + BigInt(trader), market: 0, reduceOnly: false, ...order }, traderKey(trader).privateKey, genesis.domain)
  return { kind: 'order', time, order: signed, orderType: 'limit', timeInForce: 'GTC', postOnly: false, selfTradePrevention: 'expireMaker', clientOrderId: undefined }
}

describe('batcher → prover pool', () => {
  it('behavior: a batch with an oracle update and a trade is proven by the pool and verifies against the vkey', async () => {
    const store = await BatchStore.open(temporaryDirectory('batch-proof'))
    const fed = new FedSequencer(genesis)
    const batches: BuiltBatch[] = []
    const { batcher } = await openBatcher({
      genesis, genesisTimestamp: GENESIS_TIME, store, source: fed.source, circuit, maxWaitMs: Number.POSITIVE_INFINITY,
      onBatch: (batch) => { batches.push(batch) },
    })
    const time = GENESIS_TIME + 30n
    const price = 6_000_000n
    for (const input of [
      ...fundingInputs(2),
      oracleInput(genesis, 0, price, time),
      orderInput(1, { isBuy: false, size: 3n, limitPrice: price, storageId: 1n, expiry: time + 600n }, time),
      orderInput(0, { isBuy: true, size: 2n, limitPrice: price, storageId: 1n, expiry: time + 600n }, time),
    ]) {
      fed.apply(input)
      await batcher.poll()
    }
    await batcher.flush()
    await batcher.close()
    await store.close()
    expect(batches.map((batch) => batch.records.map((record) => record.type))).toEqual([['depositNew', 'depositNew'], ['oracleUpdate', 'trade']])
    const batch = batches[1]!
    expect(batch.timestamp).toBe(time)

    const { proof } = await proveBatch(pool, batch)
    expect(proof.verified).toBe(true)
    expect(proof.publicSignals).toEqual([batch.commitment.toString()])
    expect(await verifyBatchProof(vkey, batch.commitment, proof.proof)).toBe(true)
    // The proof is bound to this batch: another commitment does not verify.
    expect(await verifyBatchProof(vkey, batches[0]!.commitment, proof.proof)).toBe(false)
  }, 300_000)
})
