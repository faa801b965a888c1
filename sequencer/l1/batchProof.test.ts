import { afterAll, describe, expect, it } from 'vitest'
import { concatHex, keccak256, numberToHex } from 'viem'
import { prepareBatchArtifacts, readCommittedBatchFixture, verifyBatchProof } from '../../scripts/circuit/batchPipeline.ts'
import { terminateBn128 } from '../../scripts/circuit/vendor.ts'
import { hexToBytes } from '../../sdk/protocol/bytes.ts'
import { batchPublicSignals, computeBatchCommitment, fromSolidityProof, hashStoredBatchInfo, toSolidityProof, type StoredBatchInfo } from './batchProof.ts'

const fixture = readCommittedBatchFixture()
const batchSlots = Number(fixture.sizes.batchSlots)
const genesis: StoredBatchInfo = { batchNumber: 0n, timestamp: fixture.genesis.timestamp, stateRoot: fixture.genesis.stateRoot, commitment: 0n }

function previousOf(index: number): StoredBatchInfo {
  const batch = fixture.batches[index - 1]
  return batch === undefined ? genesis : { batchNumber: batch.batchNumber, timestamp: batch.timestamp, stateRoot: batch.newStateRoot, commitment: batch.commitment }
}

afterAll(async () => {
  await terminateBn128()
})

describe('toSolidityProof', () => {
  it('behavior: the committed proofs (contract order) convert to snarkjs form that snarkjs verifies, and back unchanged', async () => {
    const { vkey } = await prepareBatchArtifacts()
    for (const batch of fixture.batches) {
      const snarkjsProof = fromSolidityProof(batch.proof)
      expect(toSolidityProof(snarkjsProof)).toEqual(batch.proof)
      expect(await verifyBatchProof(vkey, batch.commitment, snarkjsProof)).toBe(true)
    }
  })

  it('behavior: b coordinates are swapped pairwise, a and c are not', () => {
    const proof = toSolidityProof({
      pi_a: ['1', '2', '1'],
      pi_b: [['3', '4'], ['5', '6'], ['1', '0']],
      pi_c: ['7', '8', '1'],
      protocol: 'groth16',
      curve: 'bn128',
    })
    expect(proof).toEqual({ a: [1n, 2n], b: [[4n, 3n], [6n, 5n]], c: [7n, 8n] })
  })
})

describe('computeBatchCommitment', () => {
  it('behavior: equals the circuit\'s public input for trimmed and padded pubdata', () => {
    fixture.batches.forEach((batch, index) => {
      const header = { batchNumber: batch.batchNumber, timestamp: batch.timestamp, newStateRoot: batch.newStateRoot }
      for (const pubdata of [batch.pubdata, batch.paddedPubdata]) {
        const commitment = computeBatchCommitment({ previous: previousOf(index), header, pubdata: hexToBytes(pubdata), batchSlots })
        expect(commitment).toBe(batch.commitment)
        expect(batchPublicSignals({ commitment })).toEqual([batch.commitment.toString()])
      }
    })
  })
})

describe('hashStoredBatchInfo', () => {
  it('behavior: is keccak256 of the four static words abi.encode writes', () => {
    const info = previousOf(1)
    const words = [info.batchNumber, info.timestamp, info.stateRoot, info.commitment].map((value) => numberToHex(value, { size: 32 }))
    expect(hashStoredBatchInfo(info)).toBe(keccak256(concatHex(words)))
  })
})
