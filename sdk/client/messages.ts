/**
 * The gateway's wire vocabulary, shared by the trader client and the server: signed orders and cancels as JSON
 * (every amount, size, price, id and field element a decimal string), the cancel message hash, and the ack digest
 * the sequencer signs.
 *
 * Cancel (engine-only, never proven, so outside docs/protocol.md §3's table): the account's L2 key signs
 * `H(101, domain, accountIndex, market, storageId)`. Tag 101 keeps it apart from every provable message (1–4).
 *
 * Ack digest (secp256k1, checkable on L1 with `ecrecover(digest, v, r, s)`; no EIP-191 prefix):
 *
 *   digest = keccak256(abi.encodePacked(
 *     "zkperp.ack.v1",      // 13 bytes, ASCII
 *     uint256 chainId,
 *     address rollupAddress,
 *     uint64  seq,           // input-log sequence number of the acknowledged input
 *     bytes32 chainHead,     // input-log hash chain head at seq (= the record's hash)
 *     uint8   kind,          // input kind (1 order, 2 cancel, 3 oracle price)
 *     bytes32 messageHash))  // the Poseidon hash the trader signed (order or cancel hash), big-endian
 *
 * With it a trader proves that the sequencer received this signed message as input `seq` of the chain whose head
 * was `chainHead`; the log record at `seq` hashes to `chainHead` and contains the message.
 */
import { encodePacked, keccak256, recoverAddress, type Hex } from 'viem'
import { poseidon } from '../crypto/poseidon.ts'
import { domainHash } from '../protocol/hashing.ts'
import type { Domain, Signature, SignedOrder } from '../protocol/types.ts'

export const CANCEL_MESSAGE_TAG = 101n
export const ACK_DIGEST_PREFIX = 'zkperp.ack.v1'

export type WireSignature = { R8x: string; R8y: string; S: string }

export type WireOrder = {
  accountIndex: string
  market: number
  side: 'buy' | 'sell'
  reduceOnly: boolean
  size: string
  limitPrice: string
  storageId: string
  expiry: string
  signature: WireSignature
}

export type OrderOptions = {
  orderType?: 'limit' | 'market'
  timeInForce?: 'GTC' | 'IOC'
  postOnly?: boolean
  selfTradePrevention?: 'expireTaker' | 'expireMaker' | 'expireBoth'
  clientOrderId?: string
}

export type CancelMessage = { accountIndex: bigint; market: number; storageId: bigint }

export type Ack = {
  seq: string
  chainHead: Hex
  kind: number
  messageHash: Hex
  /** Unix seconds the gateway stamped on the input. */
  time: string
  /** 65-byte secp256k1 signature over `ackDigest`, `r ‖ s ‖ v`. */
  signature: Hex
}

export function signatureToWire(signature: Signature): WireSignature {
  return { R8x: signature.R8.x.toString(), R8y: signature.R8.y.toString(), S: signature.S.toString() }
}

export function signatureFromWire(wire: WireSignature): Signature {
  return { R8: { x: BigInt(wire.R8x), y: BigInt(wire.R8y) }, S: BigInt(wire.S) }
}

export function orderToWire(order: SignedOrder): WireOrder {
  return {
    accountIndex: order.accountIndex.toString(),
    market: order.market,
    side: order.isBuy ? 'buy' : 'sell',
    reduceOnly: order.reduceOnly,
    size: order.size.toString(),
    limitPrice: order.limitPrice.toString(),
    storageId: order.storageId.toString(),
    expiry: order.expiry.toString(),
    signature: signatureToWire(order.signature),
  }
}

const domainHashes = new WeakMap<Domain, bigint>()

function cachedDomainHash(domain: Domain): bigint {
  let value = domainHashes.get(domain)
  if (value === undefined) {
    value = domainHash(domain)
    domainHashes.set(domain, value)
  }
  return value
}

export function cancelHash(message: CancelMessage, domain: Domain): bigint {
  return poseidon([CANCEL_MESSAGE_TAG, cachedDomainHash(domain), message.accountIndex, BigInt(message.market), message.storageId])
}

export function fieldToBytes32(value: bigint): Hex {
  return `0x${value.toString(16).padStart(64, '0')}`
}

export type AckDigestParameters = { domain: Domain; seq: bigint; chainHead: Hex; kind: number; messageHash: Hex }

export function ackDigest({ domain, seq, chainHead, kind, messageHash }: AckDigestParameters): Hex {
  return keccak256(
    encodePacked(
      ['string', 'uint256', 'address', 'uint64', 'bytes32', 'uint8', 'bytes32'],
      [ACK_DIGEST_PREFIX, domain.chainId, domain.rollupAddress, seq, chainHead, kind, messageHash],
    ),
  )
}

/** The address that signed the ack (compare with the sequencer's published address). */
export async function recoverAckSigner(ack: Ack, domain: Domain): Promise<Hex> {
  const digest = ackDigest({ domain, seq: BigInt(ack.seq), chainHead: ack.chainHead, kind: ack.kind, messageHash: ack.messageHash })
  return recoverAddress({ hash: digest, signature: ack.signature })
}
