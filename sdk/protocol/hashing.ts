/**
 * Every Poseidon commitment of docs/protocol.md (§2 state, §3 messages), transcribed one function per formula.
 * Signed values (collateral, funding indices) enter as field elements `x mod p`; the packed words of §2.2 and §2.3
 * check their bounds first, since a value outside them would alias another word.
 */
import { poseidon } from '../crypto/poseidon.ts'
import { emptySubtreeRoots } from '../crypto/quaternaryMerkleTree.ts'
import { assertFundingIndex, assertPositionSize, assertStorageId, MAX_SIZE, PRICE_BITS, SIZE_BITS, STORAGE_ID_BITS, TIMESTAMP_BITS } from './bounds.ts'
import {
  AccountIndexOutOfRangeError,
  MarketIndexOutOfRangeError,
  PriceOutOfRangeError,
  SizeOutOfRangeError,
  StorageIdOutOfRangeError,
  TimestampOutOfRangeError,
} from './errors.ts'
import { toFieldElement } from './field.ts'
import {
  ORDER_FLAG_BUY,
  ORDER_FLAG_REDUCE_ONLY,
  type AccountLeaf,
  type Domain,
  type MarketParameters,
  type MarketState,
  type OraclePriceMessage,
  type Order,
  type OrderSlot,
  type Position,
  type PublicKey,
  type TransferMessage,
  type WithdrawMessage,
} from './types.ts'

/** The type tag that starts every signed message (§3), so no message of one kind verifies as another. */
export const MESSAGE_TAG = { order: 1n, withdraw: 2n, transfer: 3n, oraclePrice: 4n } as const

const POSITION_SIZE_OFFSET = 1n << SIZE_BITS
const FUNDING_INDEX_OFFSET = 1n << 63n
const WORD_SHIFT = 64n

/** domain = H(chainId, rollupAddress). */
export function domainHash(domain: Domain): bigint {
  return poseidon([domain.chainId, BigInt(domain.rollupAddress)])
}

/** flags: bit 0 = buy, bit 1 = reduce-only. */
export function orderFlags(order: Pick<Order, 'isBuy' | 'reduceOnly'>): bigint {
  return (order.isBuy ? ORDER_FLAG_BUY : 0n) | (order.reduceOnly ? ORDER_FLAG_REDUCE_ONLY : 0n)
}

/**
 * The order's fields packed into one field element (§3), low bits first: tag (8 bits), flags (2), market (8),
 * accountIndex (24), size (40), limitPrice (48), storageId (32), expiry (32): 194 bits. Each field is checked
 * against its width first (a typed error), since a value past it would alias another order; the circuit
 * range-checks every one of them, so the packing is injective there too.
 */
export function orderWord(order: Order): bigint {
  const checked: readonly [bigint, bigint, (value: bigint, max: bigint) => Error][] = [
    [BigInt(order.market), 8n, (value, max) => new MarketIndexOutOfRangeError(value, { min: 0n, max })],
    [order.accountIndex, 24n, (value, max) => new AccountIndexOutOfRangeError(value, { min: 0n, max })],
    [order.size, SIZE_BITS, (value, max) => new SizeOutOfRangeError(value, { min: 0n, max })],
    [order.limitPrice, PRICE_BITS, (value, max) => new PriceOutOfRangeError(value, { min: 0n, max }, 'limit price')],
    [order.storageId, STORAGE_ID_BITS, (value, max) => new StorageIdOutOfRangeError(value, { min: 0n, max })],
    [order.expiry, TIMESTAMP_BITS, (value, max) => new TimestampOutOfRangeError(value, { min: 0n, max }, 'expiry')],
  ]
  // The tag (8 bits) and the two flag bits are in range by construction.
  let word = MESSAGE_TAG.order | (orderFlags(order) << 8n)
  let shift = 10n
  for (const [value, bits, outOfRange] of checked) {
    const max = (1n << bits) - 1n
    if (value < 0n || value > max) throw outOfRange(value, max)
    word |= value << shift
    shift += bits
  }
  return word
}

/** H(domain, orderWord(order)): one Poseidon of two inputs, not nine. `domain` is `domainHash(…)`. */
export function orderHash(order: Order, domain: bigint): bigint {
  return poseidon([domain, orderWord(order)])
}

/** H(2, domain, accountIndex, amount, to, storageId, validUntil). */
export function withdrawHash(message: WithdrawMessage, domain: bigint): bigint {
  return poseidon([
    MESSAGE_TAG.withdraw,
    domain,
    message.accountIndex,
    message.amount,
    message.to,
    message.storageId,
    message.validUntil,
  ])
}

/** H(3, domain, fromIndex, toIndex, amount, targetMode, storageId, validUntil). */
export function transferHash(message: TransferMessage, domain: bigint): bigint {
  return poseidon([
    MESSAGE_TAG.transfer,
    domain,
    message.fromIndex,
    message.toIndex,
    message.amount,
    BigInt(message.targetMode),
    message.storageId,
    message.validUntil,
  ])
}

/** H(4, domain, market, price, timestamp). */
export function oraclePriceHash(message: OraclePriceMessage, domain: bigint): bigint {
  return poseidon([MESSAGE_TAG.oraclePrice, domain, BigInt(message.market), message.price, message.timestamp])
}

/** word = (size + 2^40)·2^64 + (fundingIndexAtLastSettle + 2^63). Checks |size| < 2^40, |index| < 2^63. */
export function positionWord(position: Position): bigint {
  assertPositionSize(position.size)
  assertFundingIndex(position.fundingIndexAtLastSettle, 'fundingIndexAtLastSettle')
  return ((position.size + POSITION_SIZE_OFFSET) << WORD_SHIFT) + (position.fundingIndexAtLastSettle + FUNDING_INDEX_OFFSET)
}

/** H(word_0, …, word_{M−1}) over exactly the M positions of an account. */
export function positionsHash(positions: readonly Position[]): bigint {
  return poseidon(positions.map(positionWord))
}

/** storageId·2^40 + filled (an empty slot (0, 0) is 0). Checks storageId < 2^32 and 0 ≤ filled < 2^40. */
export function slotLeaf(slot: OrderSlot): bigint {
  assertStorageId(slot.storageId)
  if (slot.filled < 0n || slot.filled > MAX_SIZE) throw new SizeOutOfRangeError(slot.filled, { min: 0n, max: MAX_SIZE }, 'filled')
  return (slot.storageId << SIZE_BITS) + slot.filled
}

/** The root of an order-slot tree with every slot empty. */
export function emptyOrdersRoot(orderDepth: number): bigint {
  return emptySubtreeRoots(orderDepth)[orderDepth]!
}

/** H(publicKeyX, publicKeyY, owner, collateral, mode, positionsHash, ordersRoot). A missing account is the tree's 0. */
export function accountLeafHash(leaf: AccountLeaf): bigint {
  return poseidon([
    leaf.publicKey.x,
    leaf.publicKey.y,
    leaf.owner,
    toFieldElement(leaf.collateral),
    BigInt(leaf.mode),
    leaf.positionsHash,
    leaf.ordersRoot,
  ])
}

/** H(oracleKeyX, oracleKeyY). */
export function oracleKeyHash(oracleKey: PublicKey): bigint {
  return poseidon([oracleKey.x, oracleKey.y])
}

/** The 14-input hash of a market's fixed parameters, oracle key last. */
export function paramsHash(parameters: MarketParameters): bigint {
  return poseidon([
    parameters.imfBps,
    parameters.mmfBps,
    parameters.liquidationFractionBps,
    parameters.liquidationBandBps,
    parameters.liquidationPenaltyBps,
    parameters.fullLiquidationBps,
    parameters.backstopBps,
    parameters.takerFeeBps,
    parameters.makerFeeBps,
    parameters.fundingClampPpm,
    parameters.fundingIntervalSeconds,
    parameters.maxOracleAgeSeconds,
    parameters.openInterestCap,
    oracleKeyHash(parameters.oracleKey),
  ])
}

/**
 * H(oraclePrice, oracleTime, fundingIndex, lastFundingTime, openInterest, paramsHash). Parameters never change
 * after genesis, so a caller may pass their hash once computed.
 */
export function marketLeafHash(market: MarketState, parametersHash: bigint = paramsHash(market.parameters)): bigint {
  return poseidon([
    market.oraclePrice,
    market.oracleTime,
    toFieldElement(market.fundingIndex),
    market.lastFundingTime,
    market.openInterest,
    parametersHash,
  ])
}

/** H(marketLeaf_0, …, marketLeaf_{M−1}) from the leaves. */
export function marketsHashFromLeaves(leaves: readonly bigint[]): bigint {
  return poseidon(leaves)
}

/** H(marketLeaf_0, …, marketLeaf_{M−1}) over exactly the M markets. */
export function marketsHash(markets: readonly MarketState[]): bigint {
  return marketsHashFromLeaves(markets.map((market) => marketLeafHash(market)))
}

/** stateRoot = H(accountsRoot, marketsHash). */
export function stateRoot(accountsRoot: bigint, marketsHashValue: bigint): bigint {
  return poseidon([accountsRoot, marketsHashValue])
}
