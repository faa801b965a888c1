/**
 * Signing and verifying the four L2 messages of docs/protocol.md §3 with the crypto layer's EdDSA-Poseidon.
 * Verification throws the crypto layer's typed errors unchanged (POINT_NOT_ON_CURVE, LOW_ORDER_POINT,
 * POINT_NOT_IN_SUBGROUP, SIGNATURE_S_OUT_OF_RANGE, BAD_SIGNATURE, …); a signature made for another domain, another
 * key or another field value is BAD_SIGNATURE.
 */
import { signPoseidon, verifyPoseidon, type SignedMessage } from '../crypto/eddsa.ts'
import { domainHash, oraclePriceHash, orderHash, transferHash, withdrawHash } from './hashing.ts'
import type {
  Domain,
  OraclePriceMessage,
  OracleUpdateTx,
  Order,
  PublicKey,
  Signature,
  SignedOrder,
  TransferMessage,
  TransferTx,
  WithdrawMessage,
  WithdrawTx,
} from './types.ts'

/** domainHash per Domain object: a gateway verifies every order under one domain. */
const domainHashes = new WeakMap<Domain, bigint>()

function hashDomain(domain: Domain): bigint {
  let value = domainHashes.get(domain)
  if (value === undefined) {
    value = domainHash(domain)
    domainHashes.set(domain, value)
  }
  return value
}

type Signed = { readonly signature: Signature }

function orderFields(order: Order): Order {
  const { accountIndex, market, isBuy, reduceOnly, size, limitPrice, storageId, expiry } = order
  return { accountIndex, market, isBuy, reduceOnly, size, limitPrice, storageId, expiry }
}

export function signOrder(order: Order, privateKey: Uint8Array, domain: Domain): SignedOrder {
  const fields = orderFields(order)
  return { ...fields, signature: signPoseidon(privateKey, orderHash(fields, hashDomain(domain))) }
}

export function verifyOrderSignature(order: Order & Signed, publicKey: PublicKey, domain: Domain): void {
  verifyPoseidon(orderHash(order, hashDomain(domain)), order.signature, publicKey)
}

export function signWithdraw(message: WithdrawMessage, privateKey: Uint8Array, domain: Domain): WithdrawTx {
  const { accountIndex, amount, to, storageId, validUntil } = message
  const fields = { accountIndex, amount, to, storageId, validUntil }
  return { type: 'withdraw', ...fields, signature: signPoseidon(privateKey, withdrawHash(fields, hashDomain(domain))) }
}

export function verifyWithdrawSignature(message: WithdrawMessage & Signed, publicKey: PublicKey, domain: Domain): void {
  verifyPoseidon(withdrawHash(message, hashDomain(domain)), message.signature, publicKey)
}

export function signTransfer(message: TransferMessage, privateKey: Uint8Array, domain: Domain): TransferTx {
  const { fromIndex, toIndex, amount, targetMode, storageId, validUntil } = message
  const fields = { fromIndex, toIndex, amount, targetMode, storageId, validUntil }
  return { type: 'transfer', ...fields, signature: signPoseidon(privateKey, transferHash(fields, hashDomain(domain))) }
}

export function verifyTransferSignature(message: TransferMessage & Signed, publicKey: PublicKey, domain: Domain): void {
  verifyPoseidon(transferHash(message, hashDomain(domain)), message.signature, publicKey)
}

export function signOraclePrice(message: OraclePriceMessage, privateKey: Uint8Array, domain: Domain): OracleUpdateTx {
  const { market, price, timestamp } = message
  const fields = { market, price, timestamp }
  return { type: 'oracleUpdate', ...fields, signature: signPoseidon(privateKey, oraclePriceHash(fields, hashDomain(domain))) }
}

export function verifyOraclePriceSignature(message: OraclePriceMessage & Signed, publicKey: PublicKey, domain: Domain): void {
  verifyPoseidon(oraclePriceHash(message, hashDomain(domain)), message.signature, publicKey)
}

/** The (message, signature, key) triple of a signed order, for `verifyPoseidonBatch` in the gateway. */
export function orderSignedMessage(order: Order & Signed, publicKey: PublicKey, domain: Domain): SignedMessage {
  return { message: orderHash(order, hashDomain(domain)), signature: order.signature, publicKey }
}
