/**
 * Test support for the state machine (imported by tests and the bench only): deterministic keys, a genesis on the
 * example markets, signing helpers for every signed message, and shorthands that build txs.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { derivePublicKey, signPoseidon } from '../crypto/eddsa.ts'
import { CIRCUIT_SIZES, exampleGenesis } from '../protocol/config.ts'
import { orderHash, oraclePriceHash, transferHash, withdrawHash } from '../protocol/hashing.ts'
import type {
  CircuitSizes,
  DepositTx,
  Domain,
  Genesis,
  Order,
  OracleUpdateTx,
  PublicKey,
  Signature,
  SignedOrder,
  TradeTx,
  TransferTx,
  WithdrawTx,
} from '../protocol/types.ts'
import { cachedDomainHash } from './signatures.ts'
import { createGenesisState, type ExchangeState } from './state.ts'
import type { TxContext } from './txEffect.ts'

export const TEST_DOMAIN: Domain = { chainId: 31_337n, rollupAddress: '0x00000000000000000000000000000000000000aa' }
export const GENESIS_TIME = 1_700_000_000n

export type TestKey = { privateKey: Uint8Array; publicKey: PublicKey }

const keyCache = new Map<string, TestKey>()

export function testKey(label: string): TestKey {
  let key = keyCache.get(label)
  if (key === undefined) {
    const privateKey = sha256(new TextEncoder().encode(`zkperp test key ${label}`))
    key = { privateKey, publicKey: derivePublicKey(privateKey) }
    keyCache.set(label, key)
  }
  return key
}

export const ORACLE_KEY = testKey('oracle')

export function testGenesis(sizes: CircuitSizes = CIRCUIT_SIZES.test): Genesis {
  return exampleGenesis({ sizes, domain: TEST_DOMAIN, oracleKey: ORACLE_KEY.publicKey, timestamp: GENESIS_TIME })
}

export function testState(sizes: CircuitSizes = CIRCUIT_SIZES.test): ExchangeState {
  return createGenesisState(testGenesis(sizes))
}

export function testContext(batchTimestamp: bigint = GENESIS_TIME, signaturesVerified = false): TxContext {
  return signaturesVerified ? { batchTimestamp, domain: TEST_DOMAIN, signaturesVerified } : { batchTimestamp, domain: TEST_DOMAIN }
}

/** A signature that verifies nothing: for paths run with `signaturesVerified: true`. */
export const UNSIGNED: Signature = { R8: { x: 0n, y: 1n }, S: 0n }

export function signOrder(order: Order, key: TestKey | undefined): SignedOrder {
  const signature = key === undefined ? UNSIGNED : signPoseidon(key.privateKey, orderHash(order, cachedDomainHash(TEST_DOMAIN)))
  return { ...order, signature }
}

export function withdrawTx(parameters: Omit<WithdrawTx, 'type' | 'signature'>, key: TestKey | undefined): WithdrawTx {
  const signature =
    key === undefined ? UNSIGNED : signPoseidon(key.privateKey, withdrawHash(parameters, cachedDomainHash(TEST_DOMAIN)))
  return { type: 'withdraw', ...parameters, signature }
}

export function transferTx(parameters: Omit<TransferTx, 'type' | 'signature'>, key: TestKey | undefined): TransferTx {
  const signature =
    key === undefined ? UNSIGNED : signPoseidon(key.privateKey, transferHash(parameters, cachedDomainHash(TEST_DOMAIN)))
  return { type: 'transfer', ...parameters, signature }
}

export function oracleTx(market: number, price: bigint, timestamp: bigint, key: TestKey | undefined = ORACLE_KEY): OracleUpdateTx {
  const message = { market, price, timestamp }
  const signature = key === undefined ? UNSIGNED : signPoseidon(key.privateKey, oraclePriceHash(message, cachedDomainHash(TEST_DOMAIN)))
  return { type: 'oracleUpdate', ...message, signature }
}

export function depositNewTx(accountIndex: bigint, amount: bigint, key: TestKey, owner = 0xa11cen, mode = 0): DepositTx {
  return { type: 'deposit', accountIndex, amount, owner, create: { publicKey: key.publicKey, mode } }
}

export function depositTx(accountIndex: bigint, amount: bigint, depositor = 0xd0n): DepositTx {
  return { type: 'deposit', accountIndex, amount, owner: depositor }
}

export type OrderParameters = {
  accountIndex: bigint
  market?: number
  isBuy: boolean
  size: bigint
  limitPrice: bigint
  storageId: bigint
  reduceOnly?: boolean
  expiry?: bigint
}

export function order(parameters: OrderParameters, key: TestKey | undefined): SignedOrder {
  return signOrder(
    {
      accountIndex: parameters.accountIndex,
      market: parameters.market ?? 0,
      isBuy: parameters.isBuy,
      reduceOnly: parameters.reduceOnly ?? false,
      size: parameters.size,
      limitPrice: parameters.limitPrice,
      storageId: parameters.storageId,
      expiry: parameters.expiry ?? GENESIS_TIME + 86_400n,
    },
    key,
  )
}

/** A trade filling `size` at the maker's limit price. */
export function tradeTx(taker: SignedOrder, maker: SignedOrder, size: bigint): TradeTx {
  return { type: 'trade', taker, maker, size, price: maker.limitPrice }
}
