/**
 * Signed withdrawals and transfers from the sequencer through the batcher: cut into batches with the real witness
 * builder (signatures re-verified), the witnesses accepted by the compiled `test` batch circuit, and the pubdata
 * alone enough to rebuild the batcher's root (what `zkperp reconstruct` does from L1).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { circuitConfigs } from '../../circuits/configs.ts'
import { loadTestCircuit, type TestCircuit } from '../../circuits/test/circuitHarness.ts'
import { signOrder, signTransfer, signWithdraw } from '../../sdk/protocol/signing.ts'
import type { TransferMessage, WithdrawMessage } from '../../sdk/protocol/types.ts'
import { replayPubdata } from '../../sdk/state/replayPubdata.ts'
import type { OrderInput, SequencerInput } from '../core/inputCodec.ts'
import { fundingInputs, GENESIS_TIME, oracleInput, testGenesis, traderKey } from '../core/testWorkload.ts'
import type { BuiltBatch } from './batchBuild.ts'
import { openBatcher } from './batcher.ts'
import { FedSequencer, temporaryStore } from './testHarness.ts'

const genesis = testGenesis()
const time = GENESIS_TIME + 30n
const USDC = 1_000_000n
let circuit: TestCircuit

beforeAll(async () => {
  circuit = await loadTestCircuit(circuitConfigs.test!)
}, 900_000)

function withdraw(trader: number, fields: Pick<WithdrawMessage, 'amount' | 'storageId'>): SequencerInput {
  const message = { accountIndex: 2n + BigInt(trader), to: 0xb0b0n + BigInt(trader), validUntil: time + 600n, ...fields }
  return { kind: 'withdraw', time, tx: signWithdraw(message, traderKey(trader).privateKey, genesis.domain) }
}

function transfer(trader: number, fields: Pick<TransferMessage, 'toIndex' | 'amount' | 'targetMode' | 'storageId'>): SequencerInput {
  const message = { fromIndex: 2n + BigInt(trader), validUntil: time + 600n, ...fields }
  return { kind: 'transfer', time, tx: signTransfer(message, traderKey(trader).privateKey, genesis.domain) }
}

function order(trader: number, isBuy: boolean, size: bigint, storageId: bigint): OrderInput {
  const signed = signOrder(
    { accountIndex: 2n + BigInt(trader), market: 0, isBuy, reduceOnly: false, size, limitPrice: 6_000_000n, storageId, expiry: time + 600n },
    traderKey(trader).privateKey,
    genesis.domain,
  )
  return { kind: 'order', time, order: signed, orderType: 'limit', timeInForce: 'GTC', postOnly: false, selfTradePrevention: 'expireMaker', clientOrderId: undefined }
}

describe('batcher with withdrawals and transfers', () => {
  it('behavior: signed withdraws and transfers are cut into batches the batch circuit accepts, and the pubdata rebuilds the root', async () => {
    const { store } = await temporaryStore('batch-spend')
    const fed = new FedSequencer(genesis)
    const handed: BuiltBatch[] = []
    // Signatures are verified again while building, as the node does.
    const { batcher } = await openBatcher({
      genesis, genesisTimestamp: GENESIS_TIME, store, source: fed.source, circuit: 'batch', maxWaitMs: Number.POSITIVE_INFINITY,
      onBatch: (batch) => { handed.push(batch) },
    })
    const duplicate = withdraw(0, { amount: 100n * USDC, storageId: 2n })
    const inputs: SequencerInput[] = [
      ...fundingInputs(3),
      oracleInput(genesis, 0, 6_000_000n, time),
      // A position for trader 0, so its withdrawal is margin-checked against a held market.
      order(1, false, 50n, 1n),
      order(0, true, 50n, 1n),
      duplicate,
      duplicate,
      transfer(1, { toIndex: 9n, amount: 2_000n * USDC, targetMode: 1, storageId: 2n }),
      transfer(1, { toIndex: 9n, amount: 500n * USDC, targetMode: 1, storageId: 3n }),
      withdraw(2, { amount: 7n * USDC, storageId: 1n }),
      transfer(2, { toIndex: 10n, amount: 1n * USDC, targetMode: 0, storageId: 2n }),
    ]
    for (const input of inputs) {
      fed.apply(input)
      await batcher.poll()
    }
    await batcher.flush()
    await batcher.close()
    await store.close()

    const types = handed.flatMap((batch) => batch.records.map((record) => record.type))
    // The replayed withdraw was refused by the core and never queued.
    expect(types.filter((type) => type === 'withdraw')).toHaveLength(2)
    expect(types.filter((type) => type === 'transfer')).toHaveLength(3)
    expect(handed.flatMap((batch) => batch.txs.map(({ seq, time: t, tx }) => ({ seq, time: t, tx })))).toEqual(fed.drained)
    expect(fed.sequencer.account(9n)).toMatchObject({ collateral: 2_500n * USDC, mode: 1, owner: fed.sequencer.account(3n)!.owner })

    for (const batch of handed.filter((each) => each.records.some((record) => record.type === 'withdraw' || record.type === 'transfer'))) {
      const witness = await circuit.calculateWitness(batch.proofJob.input)
      expect(await circuit.satisfies(witness)).toBe(true)
      expect(circuit.read(witness, /^main\.commitment$/)).toBe(batch.commitment)
    }
    const replayed = replayPubdata(genesis, handed.map((batch) => ({ batchTimestamp: batch.timestamp, pubdata: batch.calldata })))
    expect(replayed.stateRoot).toBe(handed.at(-1)!.newStateRoot)
    expect(replayed.state.accounts.get(2n)!.collateral).toBe(fed.sequencer.account(2n)!.collateral)
  }, 600_000)
})
