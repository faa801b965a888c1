/**
 * Cross-implementation test vectors, built from the sdk itself and committed as JSON under
 * `sdk/protocol/vectors/` (written by `scripts/generate-vectors.ts`; a test fails when the files differ from a fresh
 * build). The circuit and the contract check their own hashing, signature and pubdata code against them.
 *
 * Conventions: every integer is a decimal string (signed values keep their sign; their field element is given
 * next to them as `<name>Field`), every byte string is 0x-prefixed lowercase hex, booleans are JSON booleans.
 * Keys are stable; new vectors are added, never renamed.
 *
 * hashes.json
 *   poseidon[n-1]        { inputs: [n decimals], output }           n = 1..16, inputs 1..n
 *   poseidonLarge[n-1]   { inputs, output }                           inputs p−1, p−2, …
 *   domain               { chainId, rollupAddress, hash }
 *   order                { accountIndex, market, isBuy, reduceOnly, flags, size, limitPrice, storageId, expiry, domainHash, hash }
 *   withdraw             { accountIndex, amount, to, storageId, validUntil, domainHash, hash }
 *   transfer             { fromIndex, toIndex, amount, targetMode, storageId, validUntil, domainHash, hash }
 *   oraclePrice          { market, price, timestamp, domainHash, hash }
 *   emptyRoots           [E0, …, E12]
 *   slot                 { storageId, filled, slotIndex, leaf }
 *   positions            { sizes[M], fundingIndicesAtLastSettle[M], fundingIndicesAtLastSettleField[M], words[M], hash }
 *   markets[m]           { imfBps … openInterestCap (the 13 numeric parameters), oracleKeyX, oracleKeyY, oracleKeyHash,
 *                          paramsHash, oraclePrice, oracleTime, fundingIndex, fundingIndexField, lastFundingTime,
 *                          openInterest, leaf }
 *   marketsHash          H(markets[0].leaf, …)
 *   account              { index, publicKeyX, publicKeyY, owner, collateral, collateralField, mode, positionsHash,
 *                          ordersRoot, leaf }
 *   systemAccountLeaf    the leaf of accounts 0 and 1 (key (0, 1), owner 0, cross, flat positions, empty orders)
 *   accountsTree         { depth, index, leaf, siblings[depth·3] (bottom level first), pathDigits[depth], root }
 *   stateRoot            { accountsRoot, marketsHash, root }
 *
 * signatures.json
 *   privateKey (hex), publicKeyX, publicKeyY
 *   cases[i] { name, expectedCode (null = valid), point ('A' | 'R8' | null), chainId, rollupAddress, domainHash,
 *              accountIndex, market, flags, size, limitPrice, storageId, expiry, message,
 *              publicKeyX, publicKeyY, R8x, R8y, S }
 *   messages.withdraw    { accountIndex, amount, to, storageId, validUntil, message, R8x, R8y, S }   valid, same key
 *   messages.transfer    { fromIndex, toIndex, amount, targetMode, storageId, validUntil, message, R8x, R8y, S }
 *   messages.oraclePrice { market, price, timestamp, message, R8x, R8y, S }
 *
 * pubdata.json
 *   records.<type>       { type, typeCode, chunks, <fields as in PubdataRecord; publicKey as publicKeyX/publicKeyY>, bytes }
 *   batch                { batchSlots, types[], oldStateRoot, newStateRoot, batchTimestamp, pubdata (N·32 bytes),
 *                          calldata (trailing noop chunks dropped), commitment }
 *   l1Batch              a batch the contract can accept from genesis: { accountDepth, markets, batchSlots, types[],
 *                          records[] (as records.<type>), queue[] (the L1 calls, in order, that queue its priority
 *                          records), credits[] { to, amount } (what the walker must credit), deposited, withdrawn,
 *                          oldStateRoot, newStateRoot, batchTimestamp, pubdata, calldata, commitment }
 *     queue[i]           { call: 'depositNewAccount' | 'depositTo' | 'requestForcedWithdrawal', caller, accountIndex,
 *                          amount, and for depositNewAccount owner, publicKeyX, publicKeyY, mode; for deposits the
 *                          exact record the contract queues (record) }
 *                          The records are shaped like a real history (indices in queue order from 2, a transfer into
 *                          the L2-created range, withdrawn ≤ requested, a last withdraw whose all-zero second chunk
 *                          the calldata omits); the roots are stand-ins, not a state machine run.
 */
import { derivePublicKey } from '../crypto/eddsa.ts'
import { FIELD_MODULUS } from '../crypto/field.ts'
import { poseidon } from '../crypto/poseidon.ts'
import { emptySubtreeRoots, QuaternaryMerkleTree } from '../crypto/quaternaryMerkleTree.ts'
import { bytesToHex } from './bytes.ts'
import { CIRCUIT_SIZES, exampleGenesis, initialMarketState } from './config.ts'
import { toFieldElement } from './field.ts'
import {
  accountLeafHash,
  domainHash,
  emptyOrdersRoot,
  marketLeafHash,
  marketsHashFromLeaves,
  oracleKeyHash,
  oraclePriceHash,
  orderFlags,
  orderHash,
  paramsHash,
  positionsHash,
  positionWord,
  slotLeaf,
  stateRoot,
  transferHash,
  withdrawHash,
} from './hashing.ts'
import { batchCommitment, encodePubdata, encodeRecord, recordChunks, trimTrailingNoops, type PubdataRecord } from './pubdata.ts'
import { buildSignatureCases, SIGNATURE_CASES_DOMAIN, SIGNATURE_CASES_PRIVATE_KEY } from './signatureCases.ts'
import { signOraclePrice, signTransfer, signWithdraw } from './signing.ts'
import { TX_TYPE_CODE, type Domain, type MarketState, type Order, type Position, type Signature } from './types.ts'

type Json = string | boolean | null | Json[] | { [key: string]: Json }

const decimal = (value: bigint | number): string => value.toString()

export const VECTOR_DOMAIN: Domain = { chainId: 31337n, rollupAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }
const GENESIS_TIME = 1_700_000_000n
const ORACLE_PRIVATE_KEY = new Uint8Array(32).fill(0x0a)
const USER_PRIVATE_KEY = new Uint8Array(32).fill(0x0b)
/** Anvil's first default address, as the owner integer. */
const USER_OWNER = 0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266n
/** Anvil's second default address. */
const OTHER_OWNER = 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n
const OTHER_PRIVATE_KEY = new Uint8Array(32).fill(0x0c)

function poseidonVectors(inputsFor: (count: number) => bigint[]): Json[] {
  return Array.from({ length: 16 }, (_, i) => {
    const inputs = inputsFor(i + 1)
    return { inputs: inputs.map(decimal), output: decimal(poseidon(inputs)) }
  })
}

export function buildHashVectors(): Json {
  const poseidonSmall = poseidonVectors((count) => Array.from({ length: count }, (_, i) => BigInt(i + 1)))
  const poseidonLarge = poseidonVectors((count) => Array.from({ length: count }, (_, i) => FIELD_MODULUS - 1n - BigInt(i)))
  const domainValue = domainHash(VECTOR_DOMAIN)
  const order: Order = {
    accountIndex: 2n,
    market: 1,
    isBuy: false,
    reduceOnly: true,
    size: 1_234n,
    limitPrice: 3_000_010n,
    storageId: 4_294_967_295n,
    expiry: 1_700_003_600n,
  }
  const withdraw = { accountIndex: 2n, amount: 9_223_372_036_854_775_807n, to: USER_OWNER, storageId: 77n, validUntil: 4_294_967_295n }
  const transfer = { fromIndex: 2n, toIndex: 15n, amount: 500_000_000n, targetMode: 2, storageId: 78n, validUntil: 1_700_000_600n }
  const oracle = { market: 0, price: 281_474_976_710_655n, timestamp: 1_700_000_030n }

  const sizes = CIRCUIT_SIZES.test
  const oracleKey = derivePublicKey(ORACLE_PRIVATE_KEY)
  const genesis = exampleGenesis({ sizes, domain: VECTOR_DOMAIN, oracleKey, timestamp: GENESIS_TIME })
  const markets: MarketState[] = genesis.markets.map(initialMarketState)
  markets[0] = { ...markets[0]!, fundingIndex: -1_234n, lastFundingTime: GENESIS_TIME + 3_600n, openInterest: 5n, oracleTime: GENESIS_TIME + 3_600n }
  markets[1] = { ...markets[1]!, fundingIndex: 987n, openInterest: 2n, oraclePrice: 3_100_000n }
  const marketLeaves = markets.map((market) => marketLeafHash(market))
  const marketsHashValue = marketsHashFromLeaves(marketLeaves)

  const positions: Position[] = [
    { size: 5n, fundingIndexAtLastSettle: -1_234n },
    { size: -2n, fundingIndexAtLastSettle: 987n },
  ]
  const slot = { storageId: 42n, filled: 100n }
  const slotIndex = slot.storageId % 4n ** BigInt(sizes.orderDepth)
  const orders = new QuaternaryMerkleTree(sizes.orderDepth)
  orders.set(slotIndex, slotLeaf(slot))
  const userKey = derivePublicKey(USER_PRIVATE_KEY)
  const account = {
    publicKey: userKey,
    owner: USER_OWNER,
    collateral: -3_000_000n,
    mode: 0,
    positionsHash: positionsHash(positions),
    ordersRoot: orders.root(),
  }
  const accountLeaf = accountLeafHash(account)
  const systemLeaf = accountLeafHash({
    publicKey: { x: 0n, y: 1n },
    owner: 0n,
    collateral: 0n,
    mode: 0,
    positionsHash: positionsHash(markets.map(() => ({ size: 0n, fundingIndexAtLastSettle: 0n }))),
    ordersRoot: emptyOrdersRoot(sizes.orderDepth),
  })
  const accounts = new QuaternaryMerkleTree(sizes.accountDepth)
  accounts.setMany([
    [0n, systemLeaf],
    [1n, systemLeaf],
    [2n, accountLeaf],
  ])
  const proof = accounts.proof(2n)

  return {
    poseidon: poseidonSmall,
    poseidonLarge,
    domain: { chainId: decimal(VECTOR_DOMAIN.chainId), rollupAddress: VECTOR_DOMAIN.rollupAddress, hash: decimal(domainValue) },
    order: {
      accountIndex: decimal(order.accountIndex),
      market: decimal(order.market),
      isBuy: order.isBuy,
      reduceOnly: order.reduceOnly,
      flags: decimal(orderFlags(order)),
      size: decimal(order.size),
      limitPrice: decimal(order.limitPrice),
      storageId: decimal(order.storageId),
      expiry: decimal(order.expiry),
      domainHash: decimal(domainValue),
      hash: decimal(orderHash(order, domainValue)),
    },
    withdraw: {
      accountIndex: decimal(withdraw.accountIndex),
      amount: decimal(withdraw.amount),
      to: decimal(withdraw.to),
      storageId: decimal(withdraw.storageId),
      validUntil: decimal(withdraw.validUntil),
      domainHash: decimal(domainValue),
      hash: decimal(withdrawHash(withdraw, domainValue)),
    },
    transfer: {
      fromIndex: decimal(transfer.fromIndex),
      toIndex: decimal(transfer.toIndex),
      amount: decimal(transfer.amount),
      targetMode: decimal(transfer.targetMode),
      storageId: decimal(transfer.storageId),
      validUntil: decimal(transfer.validUntil),
      domainHash: decimal(domainValue),
      hash: decimal(transferHash(transfer, domainValue)),
    },
    oraclePrice: {
      market: decimal(oracle.market),
      price: decimal(oracle.price),
      timestamp: decimal(oracle.timestamp),
      domainHash: decimal(domainValue),
      hash: decimal(oraclePriceHash(oracle, domainValue)),
    },
    emptyRoots: emptySubtreeRoots(12).map(decimal),
    slot: { storageId: decimal(slot.storageId), filled: decimal(slot.filled), slotIndex: decimal(slotIndex), leaf: decimal(slotLeaf(slot)) },
    positions: {
      sizes: positions.map((position) => decimal(position.size)),
      fundingIndicesAtLastSettle: positions.map((position) => decimal(position.fundingIndexAtLastSettle)),
      fundingIndicesAtLastSettleField: positions.map((position) => decimal(toFieldElement(position.fundingIndexAtLastSettle))),
      words: positions.map((position) => decimal(positionWord(position))),
      hash: decimal(account.positionsHash),
    },
    markets: markets.map((market, index) => {
      const { oracleKey: key, ...numeric } = market.parameters
      return {
        ...Object.fromEntries(Object.entries(numeric).map(([name, value]) => [name, decimal(value)])),
        oracleKeyX: decimal(key.x),
        oracleKeyY: decimal(key.y),
        oracleKeyHash: decimal(oracleKeyHash(key)),
        paramsHash: decimal(paramsHash(market.parameters)),
        oraclePrice: decimal(market.oraclePrice),
        oracleTime: decimal(market.oracleTime),
        fundingIndex: decimal(market.fundingIndex),
        fundingIndexField: decimal(toFieldElement(market.fundingIndex)),
        lastFundingTime: decimal(market.lastFundingTime),
        openInterest: decimal(market.openInterest),
        leaf: decimal(marketLeaves[index]!),
      }
    }),
    marketsHash: decimal(marketsHashValue),
    account: {
      index: '2',
      publicKeyX: decimal(userKey.x),
      publicKeyY: decimal(userKey.y),
      owner: decimal(account.owner),
      collateral: decimal(account.collateral),
      collateralField: decimal(toFieldElement(account.collateral)),
      mode: decimal(account.mode),
      positionsHash: decimal(account.positionsHash),
      ordersRoot: decimal(account.ordersRoot),
      leaf: decimal(accountLeaf),
    },
    systemAccountLeaf: decimal(systemLeaf),
    accountsTree: {
      depth: decimal(sizes.accountDepth),
      index: '2',
      leaf: decimal(proof.leaf),
      siblings: proof.siblings.flat().map(decimal),
      pathDigits: proof.pathDigits.map(decimal),
      root: decimal(accounts.root()),
    },
    stateRoot: {
      accountsRoot: decimal(accounts.root()),
      marketsHash: decimal(marketsHashValue),
      root: decimal(stateRoot(accounts.root(), marketsHashValue)),
    },
  }
}

function signatureJson(message: bigint, signature: Signature): Record<string, Json> {
  return { message: decimal(message), R8x: decimal(signature.R8.x), R8y: decimal(signature.R8.y), S: decimal(signature.S) }
}

export function buildSignatureVectors(): Json {
  const publicKey = derivePublicKey(SIGNATURE_CASES_PRIVATE_KEY)
  const domain = SIGNATURE_CASES_DOMAIN
  const domainValue = domainHash(domain)
  const withdraw = signWithdraw(
    { accountIndex: 7n, amount: 1_000_000n, to: USER_OWNER, storageId: 43n, validUntil: 1_700_000_600n },
    SIGNATURE_CASES_PRIVATE_KEY,
    domain,
  )
  const transfer = signTransfer(
    { fromIndex: 7n, toIndex: 8n, amount: 2_000_000n, targetMode: 1, storageId: 44n, validUntil: 1_700_000_600n },
    SIGNATURE_CASES_PRIVATE_KEY,
    domain,
  )
  const oracle = signOraclePrice({ market: 1, price: 3_000_000n, timestamp: 1_700_000_030n }, SIGNATURE_CASES_PRIVATE_KEY, domain)
  return {
    privateKey: bytesToHex(SIGNATURE_CASES_PRIVATE_KEY),
    publicKeyX: decimal(publicKey.x),
    publicKeyY: decimal(publicKey.y),
    cases: buildSignatureCases().map((testCase) => {
      const domainValue = domainHash(testCase.domain)
      const { order } = testCase
      return {
        name: testCase.name,
        expectedCode: testCase.expectedCode,
        point: testCase.point,
        chainId: decimal(testCase.domain.chainId),
        rollupAddress: testCase.domain.rollupAddress,
        domainHash: decimal(domainValue),
        accountIndex: decimal(order.accountIndex),
        market: decimal(order.market),
        flags: decimal(orderFlags(order)),
        size: decimal(order.size),
        limitPrice: decimal(order.limitPrice),
        storageId: decimal(order.storageId),
        expiry: decimal(order.expiry),
        message: decimal(orderHash(order, domainValue)),
        publicKeyX: decimal(testCase.publicKey.x),
        publicKeyY: decimal(testCase.publicKey.y),
        R8x: decimal(testCase.signature.R8.x),
        R8y: decimal(testCase.signature.R8.y),
        S: decimal(testCase.signature.S),
      }
    }),
    messages: {
      withdraw: {
        accountIndex: decimal(withdraw.accountIndex),
        amount: decimal(withdraw.amount),
        to: decimal(withdraw.to),
        storageId: decimal(withdraw.storageId),
        validUntil: decimal(withdraw.validUntil),
        ...signatureJson(withdrawHash(withdraw, domainValue), withdraw.signature),
      },
      transfer: {
        fromIndex: decimal(transfer.fromIndex),
        toIndex: decimal(transfer.toIndex),
        amount: decimal(transfer.amount),
        targetMode: decimal(transfer.targetMode),
        storageId: decimal(transfer.storageId),
        validUntil: decimal(transfer.validUntil),
        ...signatureJson(transferHash(transfer, domainValue), transfer.signature),
      },
      oraclePrice: {
        market: decimal(oracle.market),
        price: decimal(oracle.price),
        timestamp: decimal(oracle.timestamp),
        ...signatureJson(oraclePriceHash(oracle, domainValue), oracle.signature),
      },
    },
  }
}

/** One record of every type, at or near the top of each field's range where that matters. */
export function vectorRecords(): PubdataRecord[] {
  const publicKey = derivePublicKey(USER_PRIVATE_KEY)
  return [
    { type: 'noop' },
    { type: 'deposit', accountIndex: 2n, amount: 72_057_594_037_927_935n, depositor: USER_OWNER },
    { type: 'depositNew', accountIndex: 16_777_215n, amount: 1_000_000_000n, owner: USER_OWNER, mode: 2, publicKey },
    {
      type: 'trade',
      market: 1,
      takerIsBuy: true,
      takerIndex: 2n,
      makerIndex: 16_777_215n,
      size: 1_099_511_627_775n,
      price: 281_474_976_710_655n,
      takerStorageId: 4_294_967_295n,
      makerStorageId: 7n,
    },
    { type: 'withdraw', accountIndex: 2n, amount: 9_223_372_036_854_775_807n, to: USER_OWNER, storageId: 4_294_967_295n },
    {
      type: 'forcedWithdrawal',
      accountIndex: 3n,
      withdrawn: 0n,
      requester: 0xffffffffffffffffffffffffffffffffffffffffn,
      requestedAmount: 9_223_372_036_854_775_807n,
    },
    { type: 'transfer', targetMode: 1, fromIndex: 2n, toIndex: 9n, amount: 123_456_789n, storageId: 5n },
    { type: 'oracleUpdate', market: 0, price: 6_000_010n, timestamp: 4_294_967_295n },
    { type: 'fundingUpdate', market: 1, ratePpm: -750n, timestamp: 1_700_003_600n },
    {
      type: 'liquidation',
      market: 0,
      full: true,
      accountIndex: 4n,
      makerIndex: 5n,
      size: 10n,
      price: 5_900_000n,
      makerStorageId: 11n,
    },
    { type: 'backstop', accountIndex: 6n },
    { type: 'autoDeleverage', market: 1, counterpartyIndex: 7n, size: 3n },
  ]
}

function recordJson(record: PubdataRecord): Json {
  const fields: Record<string, Json> = { type: record.type, typeCode: decimal(TX_TYPE_CODE[record.type]), chunks: decimal(recordChunks(record)) }
  for (const [name, value] of Object.entries(record)) {
    if (name === 'type') continue
    if (typeof value === 'object' && value !== null) {
      fields[`${name}X`] = decimal((value as { x: bigint }).x)
      fields[`${name}Y`] = decimal((value as { y: bigint }).y)
    } else {
      fields[name] = typeof value === 'boolean' ? value : decimal(value as bigint | number)
    }
  }
  fields.bytes = bytesToHex(encodeRecord(record))
  return fields
}

export function buildPubdataVectors(): Json {
  const records = vectorRecords()
  const batchSlots = CIRCUIT_SIZES.dev.batchSlots
  const batchRecords = records.filter((record) => record.type !== 'noop')
  const pubdata = encodePubdata(batchRecords, batchSlots)
  const oldStateRoot = poseidon([1n])
  const newStateRoot = poseidon([2n])
  const batchTimestamp = 1_700_003_600n
  return {
    records: Object.fromEntries(records.map((record) => [record.type, recordJson(record)])),
    batch: {
      batchSlots: decimal(batchSlots),
      types: batchRecords.map((record) => record.type),
      oldStateRoot: decimal(oldStateRoot),
      newStateRoot: decimal(newStateRoot),
      batchTimestamp: decimal(batchTimestamp),
      pubdata: bytesToHex(pubdata),
      calldata: bytesToHex(trimTrailingNoops(pubdata)),
      commitment: decimal(batchCommitment({ oldStateRoot, newStateRoot, batchTimestamp, pubdata })),
    },
    l1Batch: buildL1Batch(),
  }
}

type QueueCall =
  | { readonly call: 'depositNewAccount'; readonly caller: bigint; readonly record: PubdataRecord & { type: 'depositNew' } }
  | { readonly call: 'depositTo'; readonly caller: bigint; readonly record: PubdataRecord & { type: 'deposit' } }
  | { readonly call: 'requestForcedWithdrawal'; readonly caller: bigint; readonly record: PubdataRecord & { type: 'forcedWithdrawal' } }

function queueJson(entry: QueueCall): Json {
  const { call, caller, record } = entry
  switch (entry.call) {
    case 'depositNewAccount': {
      const { publicKey, owner, mode } = entry.record
      return {
        call,
        caller: decimal(caller),
        accountIndex: decimal(record.accountIndex),
        amount: decimal(entry.record.amount),
        owner: decimal(owner),
        publicKeyX: decimal(publicKey.x),
        publicKeyY: decimal(publicKey.y),
        mode: decimal(mode),
        record: bytesToHex(encodeRecord(record)),
      }
    }
    case 'depositTo':
      return { call, caller: decimal(caller), accountIndex: decimal(record.accountIndex), amount: decimal(entry.record.amount), record: bytesToHex(encodeRecord(record)) }
    case 'requestForcedWithdrawal':
      return { call, caller: decimal(caller), accountIndex: decimal(record.accountIndex), amount: decimal(entry.record.requestedAmount) }
  }
}

/** A batch from genesis whose priority records a contract on the dev sizes queues through its real entry points. */
export function buildL1Batch(): Json {
  const sizes = CIRCUIT_SIZES.dev
  const userKey = derivePublicKey(USER_PRIVATE_KEY)
  const otherKey = derivePublicKey(OTHER_PRIVATE_KEY)
  const firstL2Index = 1n << BigInt(2 * sizes.accountDepth - 1)
  const alice = { type: 'depositNew', accountIndex: 2n, amount: 1_000_000_000n, owner: USER_OWNER, mode: 2, publicKey: userKey } as const
  const bob = { type: 'depositNew', accountIndex: 3n, amount: 500_000_000n, owner: OTHER_OWNER, mode: 0, publicKey: otherKey } as const
  const topUp = { type: 'deposit', accountIndex: 2n, amount: 250_000_000n, depositor: OTHER_OWNER } as const
  const bobExit = { type: 'forcedWithdrawal', accountIndex: 3n, withdrawn: 50_000_000n, requester: OTHER_OWNER, requestedAmount: 80_000_000n } as const
  const strangerExit = { type: 'forcedWithdrawal', accountIndex: 2n, withdrawn: 0n, requester: OTHER_OWNER, requestedAmount: 1_000n } as const
  const records: PubdataRecord[] = [
    alice,
    bob,
    topUp,
    {
      type: 'trade',
      market: 1,
      takerIsBuy: true,
      takerIndex: 2n,
      makerIndex: 3n,
      size: 10n,
      price: 3_000_000n,
      takerStorageId: 1n,
      makerStorageId: 1n,
    },
    bobExit,
    { type: 'transfer', targetMode: 0, fromIndex: 2n, toIndex: firstL2Index, amount: 1_000_000n, storageId: 2n },
    strangerExit,
    { type: 'oracleUpdate', market: 0, price: 6_000_010n, timestamp: 1_700_003_590n },
    // A storage id whose top byte is the top-up type: a walker that read this second chunk as a record would fail.
    { type: 'withdraw', accountIndex: 3n, amount: 20_000_000n, to: OTHER_OWNER, storageId: 0x01000003n },
    // Storage id 0: the record's second chunk is all zero, and the calldata omits it like a noop.
    { type: 'withdraw', accountIndex: 2n, amount: 100_000_000n, to: USER_OWNER, storageId: 0n },
  ]
  const queue: QueueCall[] = [
    { call: 'depositNewAccount', caller: USER_OWNER, record: alice },
    { call: 'depositNewAccount', caller: OTHER_OWNER, record: bob },
    { call: 'depositTo', caller: OTHER_OWNER, record: topUp },
    { call: 'requestForcedWithdrawal', caller: OTHER_OWNER, record: bobExit },
    { call: 'requestForcedWithdrawal', caller: OTHER_OWNER, record: strangerExit },
  ]
  const credits = new Map<bigint, bigint>()
  let deposited = 0n
  let withdrawn = 0n
  for (const record of records) {
    if (record.type === 'deposit' || record.type === 'depositNew') deposited += record.amount
    const credit =
      record.type === 'withdraw' ? ([record.to, record.amount] as const)
      : record.type === 'forcedWithdrawal' ? ([record.requester, record.withdrawn] as const)
      : undefined
    if (credit === undefined || credit[1] === 0n) continue
    credits.set(credit[0], (credits.get(credit[0]) ?? 0n) + credit[1])
    withdrawn += credit[1]
  }
  const pubdata = encodePubdata(records, sizes.batchSlots)
  const oldStateRoot = poseidon([3n])
  const newStateRoot = poseidon([4n])
  const batchTimestamp = 1_700_003_600n
  return {
    accountDepth: decimal(sizes.accountDepth),
    markets: decimal(sizes.markets),
    batchSlots: decimal(sizes.batchSlots),
    types: records.map((record) => record.type),
    records: records.map(recordJson),
    queue: queue.map(queueJson),
    credits: [...credits].map(([to, amount]) => ({ to: decimal(to), amount: decimal(amount) })),
    deposited: decimal(deposited),
    withdrawn: decimal(withdrawn),
    oldStateRoot: decimal(oldStateRoot),
    newStateRoot: decimal(newStateRoot),
    batchTimestamp: decimal(batchTimestamp),
    pubdata: bytesToHex(pubdata),
    calldata: bytesToHex(trimTrailingNoops(pubdata)),
    commitment: decimal(batchCommitment({ oldStateRoot, newStateRoot, batchTimestamp, pubdata })),
  }
}

export const VECTOR_FILES = {
  'hashes.json': buildHashVectors,
  'signatures.json': buildSignatureVectors,
  'pubdata.json': buildPubdataVectors,
} as const

export function serializeVectors(value: Json): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
