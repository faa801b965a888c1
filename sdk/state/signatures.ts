/**
 * Signature checks of the state machine: the message hashes of docs/protocol.md §3 (`sdk/protocol/hashing.ts`)
 * verified with EdDSA-Poseidon (`sdk/crypto/eddsa.ts`, which also rejects S ≥ l and off-curve, low-order or
 * out-of-subgroup points). A failure becomes a rejection carrying the crypto layer's typed error (BAD_SIGNATURE, …).
 * `context.signaturesVerified` skips the check: only the sequencer's hot path sets it, after the gateway verified.
 */
import { verifyPoseidon } from '../crypto/eddsa.ts'
import { BaseError } from '../errors.ts'
import { domainHash, orderHash, oraclePriceHash, transferHash, withdrawHash } from '../protocol/hashing.ts'
import type { Domain, OracleUpdateTx, PublicKey, Signature, SignedOrder, TransferTx, WithdrawTx } from '../protocol/types.ts'
import { reject } from './rejection.ts'
import type { TxContext } from './txEffect.ts'

const domainHashes = new WeakMap<Domain, bigint>()

/** `H(chainId, rollupAddress)`, computed once per domain object. */
export function cachedDomainHash(domain: Domain): bigint {
  let hash = domainHashes.get(domain)
  if (hash === undefined) {
    hash = domainHash(domain)
    domainHashes.set(domain, hash)
  }
  return hash
}

function requireSignature(message: bigint, signature: Signature, publicKey: PublicKey): void {
  try {
    verifyPoseidon(message, signature, publicKey)
  } catch (error) {
    if (error instanceof BaseError) reject(error)
    throw error
  }
}

export function requireOrderSignature(order: SignedOrder, publicKey: PublicKey, context: TxContext): void {
  if (context.signaturesVerified === true) return
  requireSignature(orderHash(order, cachedDomainHash(context.domain)), order.signature, publicKey)
}

export function requireWithdrawSignature(tx: WithdrawTx, publicKey: PublicKey, context: TxContext): void {
  if (context.signaturesVerified === true) return
  requireSignature(withdrawHash(tx, cachedDomainHash(context.domain)), tx.signature, publicKey)
}

export function requireTransferSignature(tx: TransferTx, publicKey: PublicKey, context: TxContext): void {
  if (context.signaturesVerified === true) return
  requireSignature(transferHash(tx, cachedDomainHash(context.domain)), tx.signature, publicKey)
}

export function requireOracleSignature(tx: OracleUpdateTx, oracleKey: PublicKey, context: TxContext): void {
  if (context.signaturesVerified === true) return
  requireSignature(oraclePriceHash(tx, cachedDomainHash(context.domain)), tx.signature, oracleKey)
}
