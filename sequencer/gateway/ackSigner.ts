/**
 * Signs acks by group: every ack requested in one event-loop turn (in practice the inputs that one synced log write
 * made durable, which resolve together) becomes a leaf of one Merkle tree, and the sequencer key signs its root once
 * (`ackRootDigest`, secp256k1). Each ack carries its proof, so it verifies alone (`recoverAckSigner`) and on L1 with
 * `ecrecover` and OpenZeppelin's `MerkleProof.processProof`. The digest layout is documented in
 * sdk/client/messages.ts.
 */
import { performance } from 'node:perf_hooks'
import type { Hex } from 'viem'
import { sign } from 'viem/accounts'
import { buildAckGroup, type Ack } from '../../sdk/client/messages.ts'
import type { Domain } from '../../sdk/protocol/types.ts'

export type UnsignedAck = Omit<Ack, 'proof' | 'signature'>

export type AckSignerOptions = {
  readonly domain: Domain
  readonly privateKey: Hex
  /** Most acks under one signature (default 1024: proofs of at most 10 hashes). */
  readonly maxGroup?: number
}

export type AckSignerStats = { acks: number; groups: number; busyMs: number }

type Pending = { ack: UnsignedAck; resolve: (ack: Ack) => void; reject: (error: unknown) => void }

export class AckSigner {
  readonly #domain: Domain
  readonly #privateKey: Hex
  readonly #maxGroup: number
  #queue: Pending[] = []
  #scheduled = false
  readonly stats: AckSignerStats = { acks: 0, groups: 0, busyMs: 0 }

  constructor(options: AckSignerOptions) {
    this.#domain = options.domain
    this.#privateKey = options.privateKey
    this.#maxGroup = Math.max(1, options.maxGroup ?? 1024)
  }

  /** Resolves with the ack, its proof and its group's signature, after this turn's group is signed. */
  sign(ack: UnsignedAck): Promise<Ack> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ack, resolve, reject })
      if (this.#scheduled) return
      this.#scheduled = true
      // setImmediate, not a microtask: all the acks of this turn (one log group's continuations) join the group.
      setImmediate(() => {
        this.#scheduled = false
        const queue = this.#queue
        this.#queue = []
        for (let start = 0; start < queue.length; start += this.#maxGroup) {
          void this.#signGroup(queue.slice(start, start + this.#maxGroup))
        }
      })
    })
  }

  async #signGroup(group: readonly Pending[]): Promise<void> {
    const started = performance.now()
    try {
      const { digest, proofs } = buildAckGroup(
        this.#domain,
        group.map(({ ack }) => ({ seq: BigInt(ack.seq), chainHead: ack.chainHead, kind: ack.kind, messageHash: ack.messageHash })),
      )
      const signature = await sign({ hash: digest, privateKey: this.#privateKey, to: 'hex' })
      this.stats.acks += group.length
      this.stats.groups++
      this.stats.busyMs += performance.now() - started
      group.forEach((pending, index) => pending.resolve({ ...pending.ack, proof: proofs[index]!, signature }))
    } catch (error) {
      for (const pending of group) pending.reject(error)
    }
  }
}
