/**
 * The gateway's wire vocabulary, shared by the trader client and the server: signed orders, cancels, withdrawals
 * and transfers as JSON (every amount, size, price, id and field element a decimal string; an L1 address as 0x hex),
 * the cancel message hash, and the ack digest the sequencer signs.
 *
 * Cancel (engine-only, never proven, so outside docs/protocol.md §3's table): the account's L2 key signs
 * `H(101, domain, accountIndex, market, storageId)`. Tag 101 keeps it apart from every provable message (1–4).
 *
 * Acks are signed per group: the sequencer signs one secp256k1 digest over the Merkle root of every ack it sends
 * together (the inputs one synced log write made durable), and each ack carries its Merkle proof. One signature
 * per group instead of one per input, and each ack still proves on its own, on L1 too, what the sequencer received.
 *
 *   leaf = keccak256(abi.encodePacked(
 *     "zkperp.ack.v1",      // 13 bytes, ASCII
 *     uint256 chainId,
 *     address rollupAddress,
 *     uint64  seq,           // input-log sequence number of the acknowledged input
 *     bytes32 chainHead,     // input-log hash chain head at seq (= the record's hash)
 *     uint8   kind,          // input kind (1 order, 2 cancel, 3 oracle price, 8 withdraw, 9 transfer)
 *     bytes32 messageHash))  // the Poseidon hash the trader signed (order, cancel, withdraw or transfer), big-endian
 *
 *   root = the group's leaves in seq order, folded pairwise with keccak256(min(a, b) ‖ max(a, b)); the last node of
 *          an odd level moves up unpaired. A group of one has root = leaf and an empty proof.
 *          (OpenZeppelin `MerkleProof.processProof(proof, leaf)` folds exactly this way.)
 *
 *   digest = keccak256(abi.encodePacked(
 *     "zkperp.acks.v2",     // 14 bytes, ASCII
 *     uint256 chainId,
 *     address rollupAddress,
 *     bytes32 root))
 *
 *   ack.signature = secp256k1 over digest, r ‖ s ‖ v, no EIP-191 prefix: `ecrecover(digest, v, r, s)` on L1.
 *
 * With an ack a trader proves that the sequencer received this signed message as input `seq` of the chain whose
 * head was then `chainHead` (the log record at `seq` hashes to `chainHead` and contains the message). A leaf is the
 * keccak of 138 bytes and an inner node the keccak of 64, so no inner node can pass for an ack. The order of inputs
 * is carried by `seq` inside each leaf, not by the position in the tree. The signature of a group is shared by its
 * acks; a re-sent ack (same client order id) is signed again, as a group of one.
  */
import { keccak_256 } from '@noble/hashes/sha3.js'
import { recoverAddress, type Hex } from 'viem'
import { poseidon } from '../crypto/poseidon.ts'
import { domainHash } from '../protocol/hashing.ts'
import type { Domain, Signature, SignedOrder, TransferTx, WithdrawTx } from '../protocol/types.ts'

export const CANCEL_MESSAGE_TAG = 101n
export const ACK_DIGEST_PREFIX = 'zkperp.ack.v1'
export const ACK_ROOT_PREFIX = 'zkperp.acks.v2'

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

export type WireWithdraw = {
  accountIndex: string
  amount: string
  /** The L1 address the contract credits once the batch is proven. */
  to: `0x${string}`
  storageId: string
  validUntil: string
  signature: WireSignature
}

export type WireTransfer = {
  fromIndex: string
  toIndex: string
  amount: string
  targetMode: number
  storageId: string
  validUntil: string
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
  /** Sibling hashes from this ack's leaf (`ackDigest`) up to its group's root (`ackRoot`). */
  proof: Hex[]
  /** 65-byte secp256k1 signature over `ackRootDigest` of the group's root, `r ‖ s ‖ v`. */
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

/** A 160-bit L1 address as 0x and 40 lowercase hex digits. */
export function addressToWire(address: bigint): `0x${string}` {
  if (address < 0n || address >= 1n << 160n) throw new RangeError('address: expected a 160-bit value')
  return `0x${address.toString(16).padStart(40, '0')}`
}

export function withdrawToWire(tx: WithdrawTx): WireWithdraw {
  return {
    accountIndex: tx.accountIndex.toString(),
    amount: tx.amount.toString(),
    to: addressToWire(tx.to),
    storageId: tx.storageId.toString(),
    validUntil: tx.validUntil.toString(),
    signature: signatureToWire(tx.signature),
  }
}

export function transferToWire(tx: TransferTx): WireTransfer {
  return {
    fromIndex: tx.fromIndex.toString(),
    toIndex: tx.toIndex.toString(),
    amount: tx.amount.toString(),
    targetMode: tx.targetMode,
    storageId: tx.storageId.toString(),
    validUntil: tx.validUntil.toString(),
    signature: signatureToWire(tx.signature),
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

const ACK_LEAF_PREFIX_BYTES = new TextEncoder().encode(ACK_DIGEST_PREFIX)
const ACK_ROOT_PREFIX_BYTES = new TextEncoder().encode(ACK_ROOT_PREFIX)
const UINT64_MAX = (1n << 64n) - 1n

function hexToBytes(hex: string, length: number, what: string): Uint8Array {
  if (hex.length !== 2 + 2 * length || !/^0x[0-9a-fA-F]*$/.test(hex)) throw new RangeError(`${what}: expected ${length} bytes of hex`)
  return Buffer.from(hex.slice(2), 'hex')
}

function bytesToHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`
}

function writeUint(out: Uint8Array, offset: number, value: bigint, length: number): void {
  let rest = value
  for (let i = offset + length - 1; i >= offset; i--, rest >>= 8n) out[i] = Number(rest & 0xffn)
}

/** `chainId ‖ rollupAddress` as packed (32 + 20 bytes), cached per domain object. */
const packedDomains = new WeakMap<Domain, Uint8Array>()
function packedDomain(domain: Domain): Uint8Array {
  let packed = packedDomains.get(domain)
  if (packed === undefined) {
    if (domain.chainId < 0n || domain.chainId >= 1n << 256n) throw new RangeError('chainId: expected a uint256')
    packed = new Uint8Array(52)
    writeUint(packed, 0, domain.chainId, 32)
    packed.set(hexToBytes(domain.rollupAddress, 20, 'rollupAddress'), 32)
    packedDomains.set(domain, packed)
  }
  return packed
}

/** The leaf bytes: keccak256(abi.encodePacked("zkperp.ack.v1", chainId, rollupAddress, seq, chainHead, kind, messageHash)). */
function ackLeafBytes({ domain, seq, chainHead, kind, messageHash }: AckDigestParameters): Uint8Array {
  if (seq < 0n || seq > UINT64_MAX) throw new RangeError('seq: expected a uint64')
  if (!Number.isInteger(kind) || kind < 0 || kind > 255) throw new RangeError('kind: expected a uint8')
  const prefix = ACK_LEAF_PREFIX_BYTES.length
  const packed = new Uint8Array(prefix + 52 + 8 + 32 + 1 + 32)
  packed.set(ACK_LEAF_PREFIX_BYTES, 0)
  packed.set(packedDomain(domain), prefix)
  writeUint(packed, prefix + 52, seq, 8)
  packed.set(hexToBytes(chainHead, 32, 'chainHead'), prefix + 60)
  packed[prefix + 92] = kind
  packed.set(hexToBytes(messageHash, 32, 'messageHash'), prefix + 93)
  return keccak_256(packed)
}

/** An ack's leaf (see the layout above). */
export function ackDigest(parameters: AckDigestParameters): Hex {
  return bytesToHex(ackLeafBytes(parameters))
}

function rootDigestBytes(domain: Domain, root: Uint8Array): Uint8Array {
  const prefix = ACK_ROOT_PREFIX_BYTES.length
  const packed = new Uint8Array(prefix + 52 + 32)
  packed.set(ACK_ROOT_PREFIX_BYTES, 0)
  packed.set(packedDomain(domain), prefix)
  packed.set(root, prefix + 52)
  return keccak_256(packed)
}

/** The digest the sequencer signs for a group of acks whose Merkle root is `root`. */
export function ackRootDigest({ domain, root }: { domain: Domain; root: Hex }): Hex {
  return bytesToHex(rootDigestBytes(domain, hexToBytes(root, 32, 'root')))
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}

const pair = new Uint8Array(64)
function hashNodeBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const [low, high] = compareBytes(a, b) <= 0 ? [a, b] : [b, a]
  pair.set(low, 0)
  pair.set(high, 32)
  return keccak_256(pair)
}

/** keccak256 of the two nodes in ascending order (OpenZeppelin `Hashes.commutativeKeccak256`). */
export function hashAckNodes(a: Hex, b: Hex): Hex {
  return bytesToHex(hashNodeBytes(hexToBytes(a, 32, 'node'), hexToBytes(b, 32, 'node')))
}

/** The root a leaf and its proof fold to. */
export function processAckProof(leaf: Hex, proof: readonly Hex[]): Hex {
  let node = hexToBytes(leaf, 32, 'leaf')
  for (const sibling of proof) node = hashNodeBytes(node, hexToBytes(sibling, 32, 'proof node'))
  return bytesToHex(node)
}

export type AckTreeReturnType = { root: Hex; proofs: Hex[][] }

/** The root of a group's leaves (in seq order) and each leaf's proof. Throws on an empty group. */
export function buildAckTree(leaves: readonly Hex[]): AckTreeReturnType {
  const tree = buildAckTreeBytes(leaves.map((leaf) => hexToBytes(leaf, 32, 'leaf')))
  return { root: bytesToHex(tree.root), proofs: tree.proofs.map((proof) => proof.map(bytesToHex)) }
}

function buildAckTreeBytes(leaves: readonly Uint8Array[]): { root: Uint8Array; proofs: Uint8Array[][] } {
  if (leaves.length === 0) throw new RangeError('an ack group has at least one ack')
  const proofs: Uint8Array[][] = leaves.map(() => [])
  let level: Uint8Array[] = [...leaves]
  // Node i of a level covers leaves [i·width, (i + 1)·width).
  for (let width = 1; level.length > 1; width *= 2) {
    const next: Uint8Array[] = []
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 === level.length) {
        next.push(level[i]!) // odd one out moves up unpaired
        continue
      }
      const left = level[i]!
      const right = level[i + 1]!
      const end = Math.min(leaves.length, (i + 2) * width)
      for (let leaf = i * width; leaf < (i + 1) * width; leaf++) proofs[leaf]!.push(right)
      for (let leaf = (i + 1) * width; leaf < end; leaf++) proofs[leaf]!.push(left)
      next.push(hashNodeBytes(left, right))
    }
    level = next
  }
  return { root: level[0]!, proofs }
}

/**
 * Leaves, root, proofs and the digest to sign for a group of acks in one pass over bytes (the gateway's hot path;
 * hex only at the end).
 */
export function buildAckGroup(domain: Domain, acks: readonly Omit<AckDigestParameters, 'domain'>[]): { digest: Hex; proofs: Hex[][] } {
  const tree = buildAckTreeBytes(acks.map((ack) => ackLeafBytes({ domain, ...ack })))
  return { digest: bytesToHex(rootDigestBytes(domain, tree.root)), proofs: tree.proofs.map((proof) => proof.map(bytesToHex)) }
}

/** The leaf of an ack: its `ackDigest`. */
export function ackLeaf(ack: Ack, domain: Domain): Hex {
  return ackDigest({ domain, seq: BigInt(ack.seq), chainHead: ack.chainHead, kind: ack.kind, messageHash: ack.messageHash })
}

/** The address that signed the ack's group (compare with the sequencer's published address). */
export async function recoverAckSigner(ack: Ack, domain: Domain): Promise<Hex> {
  const root = processAckProof(ackLeaf(ack, domain), ack.proof)
  return recoverAddress({ hash: ackRootDigest({ domain, root }), signature: ack.signature })
}
