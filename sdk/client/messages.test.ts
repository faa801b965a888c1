import fc from 'fast-check'
import { encodePacked, keccak256, concat, recoverAddress, type Hex } from 'viem'
import { privateKeyToAddress, sign } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import {
  ACK_DIGEST_PREFIX,
  addressToWire,
  ACK_ROOT_PREFIX,
  ackDigest,
  ackRootDigest,
  buildAckGroup,
  buildAckTree,
  hashAckNodes,
  processAckProof,
  recoverAckSigner,
  transferToWire,
  withdrawToWire,
  type Ack,
} from './messages.ts'

const domain = { chainId: 31_337n, rollupAddress: '0x00000000000000000000000000000000000000aa' } as const
const privateKey = keccak256('0x01')
const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => `0x${Buffer.from(bytes).toString('hex')}` as Hex)

/** Reference Merkle root: the same fold written recursively over hex with viem (pairs, odd one moves up). */
function referenceRoot(leaves: readonly Hex[]): Hex {
  if (leaves.length === 1) return leaves[0]!
  const next: Hex[] = []
  for (let i = 0; i < leaves.length; i += 2) {
    const [a, b] = [leaves[i]!, leaves[i + 1]]
    if (b === undefined) next.push(a)
    else next.push(BigInt(a) < BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a])))
  }
  return referenceRoot(next)
}

function leafOf(seq: bigint): Hex {
  return ackDigest({ domain, seq, chainHead: keccak256(`0x${seq.toString(16).padStart(2, '0')}`), kind: 1, messageHash: keccak256('0x02') })
}

describe('ackDigest', () => {
  it('behavior: equals keccak256(abi.encodePacked(prefix, chainId, rollupAddress, uint64 seq, chainHead, uint8 kind, messageHash))', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), hex32, fc.integer({ min: 0, max: 255 }), hex32, (seq, chainHead, kind, messageHash) => {
        const expected = keccak256(
          encodePacked(
            ['string', 'uint256', 'address', 'uint64', 'bytes32', 'uint8', 'bytes32'],
            [ACK_DIGEST_PREFIX, domain.chainId, domain.rollupAddress, seq, chainHead, kind, messageHash],
          ),
        )
        expect(ackDigest({ domain, seq, chainHead, kind, messageHash })).toBe(expected)
      }),
      { numRuns: 50 },
    )
  })

  it('behavior: the root digest is keccak256(abi.encodePacked("zkperp.acks.v2", chainId, rollupAddress, root))', () => {
    fc.assert(
      fc.property(hex32, (root) => {
        const expected = keccak256(encodePacked(['string', 'uint256', 'address', 'bytes32'], [ACK_ROOT_PREFIX, domain.chainId, domain.rollupAddress, root]))
        expect(ackRootDigest({ domain, root })).toBe(expected)
      }),
      { numRuns: 20 },
    )
  })

  it('error: a seq beyond uint64 or a short hash is refused', () => {
    expect(() => ackDigest({ domain, seq: 1n << 64n, chainHead: keccak256('0x01'), kind: 1, messageHash: keccak256('0x02') })).toThrow(RangeError)
    expect(() => ackDigest({ domain, seq: 1n, chainHead: '0x01', kind: 1, messageHash: keccak256('0x02') })).toThrow(RangeError)
  })
})

describe('buildAckTree', () => {
  it('behavior: every leaf’s proof folds to the root, which equals the reference fold, for groups of 1..40', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = Array.from({ length: size }, (_, i) => leafOf(BigInt(i + 1)))
      const { root, proofs } = buildAckTree(leaves)
      expect(root).toBe(referenceRoot(leaves))
      leaves.forEach((leaf, i) => expect(processAckProof(leaf, proofs[i]!)).toBe(root))
      expect(Math.max(...proofs.map((proof) => proof.length))).toBe(Math.ceil(Math.log2(size)))
    }
  })

  it('behavior: a group of one has an empty proof and its leaf as root', () => {
    const leaf = leafOf(7n)
    expect(buildAckTree([leaf])).toEqual({ root: leaf, proofs: [[]] })
  })

  it('behavior: a leaf with another leaf’s proof, or a tampered proof node, misses the root', () => {
    const leaves = Array.from({ length: 9 }, (_, i) => leafOf(BigInt(i + 1)))
    const { root, proofs } = buildAckTree(leaves)
    expect(processAckProof(leaves[0]!, proofs[1]!)).not.toBe(root)
    const tampered = [...proofs[4]!]
    tampered[0] = hashAckNodes(tampered[0]!, tampered[0]!)
    expect(processAckProof(leaves[4]!, tampered)).not.toBe(root)
  })

  it('error: an empty group is refused', () => {
    expect(() => buildAckTree([])).toThrow(RangeError)
  })
})

describe('recoverAckSigner', () => {
  async function signedGroup(size: number): Promise<Ack[]> {
    const fields = Array.from({ length: size }, (_, i) => ({ seq: BigInt(i + 10), chainHead: keccak256(`0x${(i + 10).toString(16).padStart(2, '0')}`), kind: 1, messageHash: keccak256('0x03') }))
    const { digest, proofs } = buildAckGroup(domain, fields)
    const signature = await sign({ hash: digest, privateKey, to: 'hex' })
    return fields.map((field, i) => ({ ...field, seq: field.seq.toString(), time: '0', proof: proofs[i]!, signature }))
  }

  it('behavior: every ack of a group recovers the one signer, as ecrecover(digest(root(leaf, proof))) would on L1', async () => {
    const acks = await signedGroup(13)
    for (const ack of acks) {
      expect(await recoverAckSigner(ack, domain)).toBe(privateKeyToAddress(privateKey))
      const root = processAckProof(ackDigest({ domain, seq: BigInt(ack.seq), chainHead: ack.chainHead, kind: ack.kind, messageHash: ack.messageHash }), ack.proof)
      expect(await recoverAddress({ hash: ackRootDigest({ domain, root }), signature: ack.signature })).toBe(privateKeyToAddress(privateKey))
    }
  })

  it('behavior: changing seq, chain head, kind, message hash or the domain recovers another address', async () => {
    const [ack] = await signedGroup(5)
    const signer = privateKeyToAddress(privateKey)
    expect(await recoverAckSigner({ ...ack!, seq: '11' }, domain)).not.toBe(signer)
    expect(await recoverAckSigner({ ...ack!, chainHead: keccak256('0x99') }, domain)).not.toBe(signer)
    expect(await recoverAckSigner({ ...ack!, kind: 2 }, domain)).not.toBe(signer)
    expect(await recoverAckSigner({ ...ack!, messageHash: keccak256('0x04') }, domain)).not.toBe(signer)
    expect(await recoverAckSigner(ack!, { ...domain, chainId: 1n })).not.toBe(signer)
  })
})

describe('withdrawToWire and transferToWire', () => {
  const signature = { R8: { x: 1n, y: 2n }, S: 3n }

  it('default: every amount and id a decimal string, the recipient 0x and 40 lowercase hex digits', () => {
    const tx = { type: 'withdraw', accountIndex: 2n, amount: 12_500_000n, to: 0xab_cdn, storageId: 7n, validUntil: 1_700_000_000n, signature } as const
    expect(withdrawToWire(tx)).toEqual({
      accountIndex: '2',
      amount: '12500000',
      to: '0x000000000000000000000000000000000000abcd',
      storageId: '7',
      validUntil: '1700000000',
      signature: { R8x: '1', R8y: '2', S: '3' },
    })
    const transfer = { type: 'transfer', fromIndex: 2n, toIndex: 9n, amount: 1n, targetMode: 1, storageId: 8n, validUntil: 5n, signature } as const
    expect(transferToWire(transfer)).toEqual({ fromIndex: '2', toIndex: '9', amount: '1', targetMode: 1, storageId: '8', validUntil: '5', signature: { R8x: '1', R8y: '2', S: '3' } })
  })

  it('error: a recipient that is not a 160-bit value is refused before anything is sent', () => {
    expect(addressToWire((1n << 160n) - 1n)).toBe(`0x${'f'.repeat(40)}`)
    expect(() => addressToWire(1n << 160n)).toThrow(RangeError)
    expect(() => addressToWire(-1n)).toThrow(RangeError)
  })
})
