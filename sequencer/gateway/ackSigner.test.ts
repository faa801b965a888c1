import { keccak256, type Hex } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { recoverAckSigner } from '../../sdk/client/messages.ts'
import { AckSigner, type UnsignedAck } from './ackSigner.ts'

const domain = { chainId: 31_337n, rollupAddress: '0x00000000000000000000000000000000000000aa' } as const
const privateKey = keccak256('0x5eed')
const address = privateKeyToAddress(privateKey)

function unsigned(seq: number): UnsignedAck {
  const chainHead: Hex = keccak256(`0x${seq.toString(16).padStart(8, '0')}`)
  return { seq: seq.toString(), chainHead, kind: 1, messageHash: keccak256(chainHead), time: '1700000000' }
}

describe('AckSigner', () => {
  it('behavior: acks requested in one turn share one signature, and each verifies alone through its proof', async () => {
    const signer = new AckSigner({ domain, privateKey })
    const acks = await Promise.all(Array.from({ length: 37 }, (_, i) => signer.sign(unsigned(i + 1))))
    expect(signer.stats).toMatchObject({ acks: 37, groups: 1 })
    expect(new Set(acks.map((ack) => ack.signature)).size).toBe(1)
    for (const [i, ack] of acks.entries()) {
      expect(ack).toMatchObject(unsigned(i + 1))
      expect(await recoverAckSigner(ack, domain)).toBe(address)
    }
  })

  it('behavior: acks of different turns are different groups; a group of one has an empty proof', async () => {
    const signer = new AckSigner({ domain, privateKey })
    const first = await signer.sign(unsigned(1))
    const second = await signer.sign(unsigned(2))
    expect(signer.stats.groups).toBe(2)
    expect(first.proof).toEqual([])
    expect(await recoverAckSigner(second, domain)).toBe(address)
  })

  it('behavior: a group larger than maxGroup is cut into several signatures', async () => {
    const signer = new AckSigner({ domain, privateKey, maxGroup: 4 })
    const acks = await Promise.all(Array.from({ length: 10 }, (_, i) => signer.sign(unsigned(i + 1))))
    expect(signer.stats.groups).toBe(3)
    for (const ack of acks) expect(await recoverAckSigner(ack, domain)).toBe(address)
  })

  it('error: an ack moved to another seq, or given a neighbour’s proof, no longer recovers the sequencer', async () => {
    const signer = new AckSigner({ domain, privateKey })
    const acks = await Promise.all(Array.from({ length: 8 }, (_, i) => signer.sign(unsigned(i + 1))))
    expect(await recoverAckSigner({ ...acks[2]!, seq: '4' }, domain)).not.toBe(address)
    expect(await recoverAckSigner({ ...acks[2]!, proof: acks[3]!.proof }, domain)).not.toBe(address)
  })
})
