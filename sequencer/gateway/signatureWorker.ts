/** Piscina worker: batch-verifies EdDSA-Poseidon signatures and returns the indices of the invalid ones. */
import { verifyPoseidonBatch, type SignedMessage } from '../../sdk/crypto/eddsa.ts'

export default function verifyBatch({ items }: { items: SignedMessage[] }): number[] {
  return verifyPoseidonBatch(items).invalidIndices
}
