/**
 * The circuit witness builder: turns the reference state machine's output for a batch (`applyBatch(…, { witness:
 * true })`: per-tx leaf witnesses, the credit's two writes, the pubdata) into the input of
 * `BatchStateTransition` (circuits/batch.circom). It never re-derives state: every value comes from the state
 * machine's witnesses (the circuit's hints — a penalty, a backstopped collateral, a cover — are read off its leaf
 * writes), so a batch the state machine rejects never reaches the prover.
 *
 * The account cache (circuits/lib/AccountCache.circom): every account a slot side opens becomes one of K entries,
 * in increasing index order, valued as before its first write and after its last; the rest are padded with other
 * indices from the top of the index range, left unchanged. Slots select entries one-hot; the write-back paths are
 * computed on a copy of the tree, entry after entry.
 *
 * `buildBatchWitness(state, txs, context)` runs the batch on a copy of `state` and throws, before any proving:
 * BATCH_TX_REJECTED when the state machine rejects one of the txs (a rejected tx cannot be proven).
 */
import { BaseError } from '../../sdk/errors.ts'
import { recordChunks } from '../../sdk/protocol/pubdata.ts'
import { TX_TYPE_CODE, type PublicKey, type SignedOrder, type Tx } from '../../sdk/protocol/types.ts'
import { applyBatch, type ApplyBatchOptions, type ApplyBatchReturnType, type TxWitness } from '../../sdk/state/batch.ts'
import { cloneState, type ExchangeState } from '../../sdk/state/state.ts'
import { StateTree, type AccountPreimage, type AccountWitness, type LeafWitness, type OrderSlotWitness } from '../../sdk/state/stateTree.ts'
import type { TxContext } from '../../sdk/state/txEffect.ts'
import { orderHash, oraclePriceHash, transferHash, withdrawHash } from '../../sdk/protocol/hashing.ts'
import { cachedDomainHash } from '../../sdk/state/signatures.ts'
import { buildSignatureInput, DISABLED_SIGNATURE, type SignatureInput } from './signatureWitness.ts'

export class BatchTxRejectedError extends BaseError {
  static readonly code = 'BATCH_TX_REJECTED' as const
  override readonly name = 'CircuitWitness.BatchTxRejectedError'
  constructor(txIndex: number, cause: BaseError) {
    super(BatchTxRejectedError.code, `tx ${txIndex} is rejected by the state machine (${cause.code}): it cannot be proven`, {
      details: { txIndex, rejection: cause.code },
      cause,
    })
  }
}

export class WitnessShapeError extends BaseError {
  static readonly code = 'CIRCUIT_WITNESS_SHAPE' as const
  override readonly name = 'CircuitWitness.WitnessShapeError'
  constructor(reason: string, details: Record<string, unknown> = {}) {
    super(WitnessShapeError.code, `state machine witness does not have the expected shape: ${reason}`, { details })
  }
}

type Pair<T> = [T, T]
type Siblings = bigint[][]

/** One slot's inputs (field elements as bigint; negative values are mapped mod p when serialised). */
export type SlotInput = {
  txType: bigint
  market: bigint
  size: bigint
  price: bigint
  amount: bigint
  timestamp: bigint
  ratePpm: bigint
  address: bigint
  takerIsBuy: bigint
  isNewAccount: bigint
  isNewTarget: bigint
  accountIndex: Pair<bigint>
  /** Whether each side opens an account (then `accountIndex` names its cache entry). Not a circuit input. */
  opened: Pair<boolean>
  publicKey: Pair<Pair<bigint>>
  owner: Pair<bigint>
  collateral: Pair<bigint>
  mode: Pair<bigint>
  positionSize: Pair<bigint[]>
  fundingIndexAtLastSettle: Pair<bigint[]>
  ordersRoot: Pair<bigint>
  orderSize: Pair<bigint>
  limitPrice: Pair<bigint>
  expiry: Pair<bigint>
  reduceOnly: Pair<bigint>
  storageId: Pair<bigint>
  oldSlotStorageId: Pair<bigint>
  oldSlotFilled: Pair<bigint>
  slotSiblings: Pair<Siblings>
  signatures: Pair<SignatureInput>
}

export type BatchWitness = {
  readonly result: ApplyBatchReturnType
  /** The state before the batch (a copy). */
  readonly stateBefore: ExchangeState
  /** The state after the batch (a copy; the caller's state is untouched). */
  readonly state: ExchangeState
  /** snarkjs input object for BatchStateTransition (values as bigint; serialise with toCircuitInput). */
  readonly input: Record<string, unknown>
}

function zeros(length: number): bigint[] {
  return Array.from({ length }, () => 0n)
}

function zeroSiblings(depth: number): Siblings {
  return Array.from({ length: depth }, () => [0n, 0n, 0n])
}

function emptySlot(orderDepth: number, markets: number): SlotInput {
  return {
    txType: 0n, market: 0n, size: 0n, price: 0n, amount: 0n, timestamp: 0n, ratePpm: 0n, address: 0n, takerIsBuy: 0n, isNewAccount: 0n, isNewTarget: 0n,
    accountIndex: [0n, 0n],
    opened: [false, false],
    publicKey: [[0n, 0n], [0n, 0n]],
    owner: [0n, 0n], collateral: [0n, 0n], mode: [0n, 0n],
    positionSize: [zeros(markets), zeros(markets)],
    fundingIndexAtLastSettle: [zeros(markets), zeros(markets)],
    ordersRoot: [0n, 0n], orderSize: [0n, 0n], limitPrice: [0n, 0n], expiry: [0n, 0n], reduceOnly: [0n, 0n],
    storageId: [0n, 0n], oldSlotStorageId: [0n, 0n], oldSlotFilled: [0n, 0n],
    slotSiblings: [zeroSiblings(orderDepth), zeroSiblings(orderDepth)],
    signatures: [DISABLED_SIGNATURE, DISABLED_SIGNATURE],
  }
}

function siblingsOf(witness: { siblingsBefore: bigint[][] }): Siblings {
  return witness.siblingsBefore.map((level) => [level[0] ?? 0n, level[1] ?? 0n, level[2] ?? 0n])
}

function setAccount(slot: SlotInput, side: 0 | 1, witness: AccountWitness, preimage: AccountPreimage): void {
  slot.accountIndex[side] = witness.accountIndex
  slot.opened[side] = true
  slot.publicKey[side] = [preimage.publicKey.x, preimage.publicKey.y]
  slot.owner[side] = preimage.owner
  slot.collateral[side] = preimage.collateral
  slot.mode[side] = BigInt(preimage.mode)
  slot.positionSize[side] = preimage.positions.map((position) => position.size)
  slot.fundingIndexAtLastSettle[side] = preimage.positions.map((position) => position.fundingIndexAtLastSettle)
  slot.ordersRoot[side] = preimage.ordersRoot
}

function expectLeaf<T extends LeafWitness['tree']>(leaves: readonly LeafWitness[], index: number, tree: T, txIndex: number): Extract<LeafWitness, { tree: T }> {
  const leaf = leaves[index]
  if (leaf === undefined || leaf.tree !== tree) throw new WitnessShapeError(`leaf ${index} of tx ${txIndex} is not a ${tree} write`, { txIndex, index, tree })
  return leaf as Extract<LeafWitness, { tree: T }>
}

function setOrderSlot(slot: SlotInput, side: 0 | 1, witness: OrderSlotWitness): void {
  slot.oldSlotStorageId[side] = witness.oldSlot.storageId
  slot.oldSlotFilled[side] = witness.oldSlot.filled
  slot.slotSiblings[side] = siblingsOf(witness)
}

function setOrder(slot: SlotInput, side: 0 | 1, order: SignedOrder, publicKey: PublicKey, domain: bigint): void {
  slot.orderSize[side] = order.size
  slot.limitPrice[side] = order.limitPrice
  slot.expiry[side] = order.expiry
  slot.reduceOnly[side] = order.reduceOnly ? 1n : 0n
  slot.storageId[side] = order.storageId
  slot.signatures[side] = buildSignatureInput(orderHash(order, domain), order.signature, publicKey)
}

function existingAccount(witness: AccountWitness, txIndex: number): AccountPreimage {
  if (witness.before === null) throw new WitnessShapeError('a write to an empty leaf where an account must exist', { txIndex, accountIndex: witness.accountIndex })
  return witness.before
}

/** Whether the write grew the account's position in `market` (it bought). */
function isBuying(witness: AccountWitness, before: AccountPreimage, market: number): boolean {
  return witness.after.positions[market]!.size > before.positions[market]!.size
}

/** The collateral after funding settlement: every write settles at the current indices, which `after` records. */
function settledCollateral(witness: AccountWitness, before: AccountPreimage): bigint {
  let collateral = before.collateral
  before.positions.forEach((position, m) => {
    collateral -= position.size * (witness.after.positions[m]!.fundingIndexAtLastSettle - position.fundingIndexAtLastSettle)
  })
  return collateral
}

function fillSlot(slot: SlotInput, witness: TxWitness, context: TxContext, before: ExchangeState): void {
  const { tx, record, leaves, txIndex } = witness
  slot.txType = BigInt(TX_TYPE_CODE[record.type])
  const domain = cachedDomainHash(context.domain)
  switch (record.type) {
    case 'noop':
      return
    case 'deposit':
    case 'depositNew': {
      const account = expectLeaf(leaves, 0, 'account', txIndex)
      slot.amount = record.amount
      if (record.type === 'deposit') {
        if (account.before === null) throw new WitnessShapeError('top-up of an empty leaf', { txIndex })
        setAccount(slot, 0, account, account.before)
        slot.address = record.depositor
      } else {
        // The opened preimage of a new account is its fresh state with collateral 0 (the leaf before is empty).
        setAccount(slot, 0, account, { ...account.after, collateral: 0n })
        slot.isNewAccount = 1n
        slot.address = record.owner
      }
      return
    }
    case 'trade': {
      if (tx.type !== 'trade') throw new WitnessShapeError('trade record without a trade tx', { txIndex })
      const takerSlot = expectLeaf(leaves, 0, 'orderSlot', txIndex)
      const taker = expectLeaf(leaves, 1, 'account', txIndex)
      const makerSlot = expectLeaf(leaves, 2, 'orderSlot', txIndex)
      const maker = expectLeaf(leaves, 3, 'account', txIndex)
      if (taker.before === null || maker.before === null) throw new WitnessShapeError('trade side without a leaf', { txIndex })
      slot.market = BigInt(record.market)
      slot.size = record.size
      slot.price = record.price
      slot.takerIsBuy = record.takerIsBuy ? 1n : 0n
      setAccount(slot, 0, taker, taker.before)
      setAccount(slot, 1, maker, maker.before)
      setOrderSlot(slot, 0, takerSlot)
      setOrderSlot(slot, 1, makerSlot)
      setOrder(slot, 0, tx.taker, taker.before.publicKey, domain)
      setOrder(slot, 1, tx.maker, maker.before.publicKey, domain)
      return
    }
    case 'liquidation': {
      // Side 0 closes toward zero against the maker (side 1); the penalty (the slot's `amount` hint) is what the
      // account lost beyond the close: settled collateral + close cash − collateral after.
      if (tx.type !== 'liquidation') throw new WitnessShapeError('liquidation record without its tx', { txIndex })
      const account = expectLeaf(leaves, 0, 'account', txIndex)
      const makerSlot = expectLeaf(leaves, 1, 'orderSlot', txIndex)
      const maker = expectLeaf(leaves, 2, 'account', txIndex)
      const liquidated = existingAccount(account, txIndex)
      const buys = isBuying(account, liquidated, record.market)
      const signedSize = buys ? record.size : -record.size
      slot.market = BigInt(record.market)
      slot.size = record.size
      slot.price = record.price
      slot.takerIsBuy = buys ? 1n : 0n
      slot.amount = settledCollateral(account, liquidated) - signedSize * record.price - account.after.collateral
      setAccount(slot, 0, account, liquidated)
      setAccount(slot, 1, maker, existingAccount(maker, txIndex))
      setOrderSlot(slot, 1, makerSlot)
      setOrder(slot, 1, tx.maker, existingAccount(maker, txIndex).publicKey, domain)
      return
    }
    case 'backstop': {
      // The account's settled collateral (the `amount` hint: what left it) and positions move to the insurance fund.
      const account = expectLeaf(leaves, 0, 'account', txIndex)
      const insurance = expectLeaf(leaves, 1, 'account', txIndex)
      const backstopped = existingAccount(account, txIndex)
      slot.amount = settledCollateral(account, backstopped) - account.after.collateral
      setAccount(slot, 0, account, backstopped)
      setAccount(slot, 1, insurance, existingAccount(insurance, txIndex))
      return
    }
    case 'autoDeleverage': {
      // The insurance fund (side 0) and the counterparty close `size` at the oracle price; the cover (the `amount`
      // hint) is what the fund gained beyond the close.
      const insurance = expectLeaf(leaves, 0, 'account', txIndex)
      const counterparty = expectLeaf(leaves, 1, 'account', txIndex)
      const market = expectLeaf(leaves, 2, 'market', txIndex)
      const fund = existingAccount(insurance, txIndex)
      const buys = isBuying(insurance, fund, record.market)
      const signedSize = buys ? record.size : -record.size
      const price = market.before.oraclePrice
      slot.market = BigInt(record.market)
      slot.size = record.size
      slot.price = price
      slot.takerIsBuy = buys ? 1n : 0n
      slot.amount = insurance.after.collateral - settledCollateral(insurance, fund) + signedSize * price
      setAccount(slot, 0, insurance, fund)
      setAccount(slot, 1, counterparty, existingAccount(counterparty, txIndex))
      return
    }
    case 'withdraw':
    case 'transfer': {
      if (tx.type !== record.type) throw new WitnessShapeError(`${record.type} record without its tx`, { txIndex })
      const consumed = expectLeaf(leaves, 0, 'orderSlot', txIndex)
      const source = expectLeaf(leaves, 1, 'account', txIndex)
      if (source.before === null) throw new WitnessShapeError(`${record.type} from an empty leaf`, { txIndex })
      setAccount(slot, 0, source, source.before)
      setOrderSlot(slot, 0, consumed)
      slot.amount = tx.amount
      slot.storageId[0] = tx.storageId
      slot.expiry[0] = tx.validUntil
      if (tx.type === 'withdraw') {
        slot.address = tx.to
        slot.signatures[0] = buildSignatureInput(withdrawHash(tx, domain), tx.signature, source.before.publicKey)
        return
      }
      const target = expectLeaf(leaves, 2, 'account', txIndex)
      if (target.before === null) {
        // A created target: its opened preimage is its fresh state with collateral 0 (the leaf before is empty).
        setAccount(slot, 1, target, { ...target.after, collateral: 0n })
        slot.isNewTarget = 1n
      } else {
        setAccount(slot, 1, target, target.before)
      }
      slot.signatures[0] = buildSignatureInput(transferHash(tx, domain), tx.signature, source.before.publicKey)
      return
    }
    case 'fundingUpdate': {
      // The index delta is computed in the circuit from the rate, the oracle price and the elapsed time.
      slot.market = BigInt(record.market)
      slot.ratePpm = record.ratePpm
      slot.timestamp = record.timestamp
      return
    }
    case 'forcedWithdrawal': {
      slot.amount = record.withdrawn
      slot.address = record.requester
      if (witness.emptyAccount !== undefined) {
        // Nothing is written: the slot proves the leaf is empty (a read) and that nothing was withdrawn.
        if (witness.emptyAccount.leaf !== 0n || leaves.length !== 0) throw new WitnessShapeError('forced withdrawal of an empty index with a leaf or writes', { txIndex })
        slot.accountIndex[0] = witness.emptyAccount.accountIndex
        slot.opened[0] = true
        slot.isNewAccount = 1n
        return
      }
      const account = expectLeaf(leaves, 0, 'account', txIndex)
      if (account.before === null) throw new WitnessShapeError('forced withdrawal of an existing account without its leaf', { txIndex })
      setAccount(slot, 0, account, account.before)
      return
    }
    case 'oracleUpdate': {
      if (tx.type !== 'oracleUpdate') throw new WitnessShapeError('oracle record without an oracle tx', { txIndex })
      slot.market = BigInt(record.market)
      slot.price = record.price
      slot.timestamp = record.timestamp
      const oracleKey = before.markets[record.market]!.parameters.oracleKey
      slot.signatures[0] = buildSignatureInput(oraclePriceHash(tx, domain), tx.signature, oracleKey)
      return
    }
    default: {
      const unhandled: never = record
      throw new WitnessShapeError('a record type without a circuit slot', { txIndex, record: unhandled })
    }
  }
}

/** Pubdata bytes as bits, most significant bit of each byte first (SHA-256's order), one row per chunk. */
export function pubdataBits(pubdata: Uint8Array, chunks: number): number[][] {
  return Array.from({ length: chunks }, (_, chunk) =>
    Array.from({ length: 256 }, (_, bit) => (pubdata[chunk * 32 + (bit >> 3)]! >> (7 - (bit & 7))) & 1),
  )
}

/**
 * Runs the batch on a copy of `state` with witnesses and builds the circuit input. Throws BATCH_TX_REJECTED (typed,
 * before any proving). `state` is not modified. `options.prepare` substitutes the tx rule (soundness tests only).
 */
export function buildBatchWitness(
  state: ExchangeState,
  txs: readonly Tx[],
  context: TxContext,
  options: Pick<ApplyBatchOptions, 'prepare'> = {},
): BatchWitness {
  const before = cloneState(state)
  const working = cloneState(state)
  const { orderDepth, markets, batchSlots } = state.sizes
  const treeBefore = StateTree.fromState(before)
  const accountsRoot = treeBefore.accountsRoot()
  const result = applyBatch(working, txs, context, { ...options, witness: true })
  result.results.forEach((outcome, txIndex) => {
    if (!outcome.accepted) throw new BatchTxRejectedError(txIndex, outcome.error)
  })
  const slots: SlotInput[] = Array.from({ length: batchSlots }, () => emptySlot(orderDepth, markets))
  let next = 0
  for (const witness of result.witnesses ?? []) {
    const slot = slots[next]
    if (slot === undefined) throw new WitnessShapeError('more records than slots', { batchSlots })
    fillSlot(slot, witness, context, before)
    next += recordChunks(witness.record)
  }
  const credit = result.creditWitness ?? []
  const creditAccounts = [0, 1].map((index) => expectLeaf(credit, index, 'account', -1))
  const creditBefore = creditAccounts.map((witness) => {
    if (witness.before === null) throw new WitnessShapeError('system account missing')
    return witness.before
  })

  const cache = buildAccountCache(before, treeBefore, slots, result.witnesses ?? [], creditAccounts[0]!.oldAccountsRoot)

  const input: Record<string, unknown> = {
    oldStateRoot: result.oldStateRoot,
    newStateRoot: result.newStateRoot,
    batchTimestamp: result.batchTimestamp,
    pubdata: pubdataBits(result.pubdata, batchSlots),
    accountsRoot,
    oraclePrice: before.markets.map((market) => market.oraclePrice),
    oracleTime: before.markets.map((market) => market.oracleTime),
    fundingIndex: before.markets.map((market) => market.fundingIndex),
    lastFundingTime: before.markets.map((market) => market.lastFundingTime),
    openInterest: before.markets.map((market) => market.openInterest),
    marketParameters: before.markets.map(({ parameters: p }) => [
      p.imfBps, p.mmfBps, p.liquidationFractionBps, p.liquidationBandBps, p.liquidationPenaltyBps, p.fullLiquidationBps,
      p.backstopBps, p.takerFeeBps, p.makerFeeBps, p.fundingClampPpm, p.fundingIntervalSeconds, p.maxOracleAgeSeconds,
      p.openInterestCap,
    ]),
    oracleKey: before.markets.map((market) => [market.parameters.oracleKey.x, market.parameters.oracleKey.y]),
    cacheSelect: cacheSelectInput(cache.cacheInitial, slots.map((slot) => slot.accountIndex), slots.map((slot) => slot.opened)),
    ...cache,
    creditSiblings: creditAccounts.map(siblingsOf),
    creditPublicKey: creditBefore.map((account) => [account.publicKey.x, account.publicKey.y]),
    creditOwner: creditBefore.map((account) => account.owner),
    creditCollateral: creditBefore.map((account) => account.collateral),
    creditMode: creditBefore.map((account) => BigInt(account.mode)),
    creditPositionSize: creditBefore.map((account) => account.positions.map((position) => position.size)),
    creditFundingIndexAtLastSettle: creditBefore.map((account) => account.positions.map((position) => position.fundingIndexAtLastSettle)),
    creditOrdersRoot: creditBefore.map((account) => account.ordersRoot),
  }
  const field = <K extends keyof SlotInput>(key: K) => slots.map((slot) => slot[key])
  for (const key of Object.keys(slots[0]!) as (keyof SlotInput)[]) {
    if (key !== 'signatures' && key !== 'opened') input[key] = field(key)
  }
  input.signatureR8 = slots.map((slot) => slot.signatures.map((signature) => signature.R8))
  input.signatureS = slots.map((slot) => slot.signatures.map((signature) => signature.S))
  input.publicKeyRoot = slots.map((slot) => slot.signatures.map((signature) => signature.publicKeyRoot))
  input.signatureR8Root = slots.map((slot) => slot.signatures.map((signature) => signature.R8Root))
  return { result, stateBefore: before, state: working, input }
}

/** A cache entry as the circuit lays it out (AccountCache.circom): index, isEmpty, key, owner, collateral, mode, sizes, funding indices, orders root. */
export function cacheEntry(accountIndex: bigint, preimage: AccountPreimage | null, markets: number): bigint[] {
  if (preimage === null) return [accountIndex, 1n, ...zeros(5 + 2 * markets + 1)]
  return [
    accountIndex, 0n, preimage.publicKey.x, preimage.publicKey.y, preimage.owner, preimage.collateral, BigInt(preimage.mode),
    ...preimage.positions.map((position) => position.size),
    ...preimage.positions.map((position) => position.fundingIndexAtLastSettle),
    preimage.ordersRoot,
  ]
}

export type AccountCacheInput = { readonly cacheInitial: bigint[][]; readonly cacheSiblings: Siblings[] }
/** The cache's circuit inputs and the accounts root its write-back leaves. */
export type AccountCache = { readonly input: AccountCacheInput; readonly accountsRootAfter: bigint }

/**
 * The K cache entries for the accounts a batch opens, in increasing index order, padded with other indices from the
 * top of the index range (left as they are: empty leaves, or accounts no slot touches), and their write-back paths:
 * entry k's path in `treeBefore` after entries 0 … k−1 are written with `finalLeaf`. `initial(index)` is an opened
 * account's preimage before the batch (null: empty leaf).
 */
export function accountCacheInput(
  before: ExchangeState,
  treeBefore: StateTree,
  opened: ReadonlySet<bigint>,
  initial: (index: bigint) => AccountPreimage | null,
  finalLeaf: (index: bigint) => bigint,
): AccountCache {
  const { accountDepth, markets, batchAccounts } = before.sizes
  if (opened.size > batchAccounts) throw new WitnessShapeError(`the batch opens ${opened.size} accounts, the cache holds ${batchAccounts}`, { accounts: opened.size, batchAccounts })
  const indices = [...opened]
  for (let index = 4n ** BigInt(accountDepth) - 1n; indices.length < batchAccounts; index -= 1n) {
    if (index < 0n) throw new WitnessShapeError('the account cache is larger than the accounts tree', { batchAccounts })
    if (!opened.has(index)) indices.push(index)
  }
  indices.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const untouched = (index: bigint): AccountPreimage | null => {
    const account = before.accounts.get(index)
    return account === undefined ? null : treeBefore.accountPreimage(account, treeBefore.ordersRoot(index))
  }
  const tree = treeBefore.clone()
  const cacheSiblings = indices.map((index) => {
    const leaf = opened.has(index) ? finalLeaf(index) : tree.accountRead(index).leaf
    return siblingsOf({ siblingsBefore: tree.accountWrite(index, leaf).siblings })
  })
  const cacheInitial = indices.map((index) => cacheEntry(index, opened.has(index) ? initial(index) : untouched(index), markets))
  return { input: { cacheInitial, cacheSiblings }, accountsRootAfter: tree.accountsRoot() }
}

/** Per slot and side, the one-hot selection of the side's entry (all zero for a side that opens no account). */
export function cacheSelectInput(cacheInitial: readonly bigint[][], accountIndex: readonly (readonly bigint[])[], opened: readonly (readonly boolean[])[]): bigint[][][] {
  return accountIndex.map((pair, slot) => pair.map((index, side) => cacheInitial.map((entry) => (opened[slot]![side] && entry[0] === index ? 1n : 0n))))
}

/** The accounts the slots open, and the cache built from the state machine's leaf writes (checked against the root after the slots). */
function buildAccountCache(
  before: ExchangeState,
  treeBefore: StateTree,
  slots: readonly SlotInput[],
  witnesses: readonly TxWitness[],
  rootAfterSlots: bigint,
): AccountCacheInput {
  const opened = new Set<bigint>()
  for (const slot of slots) {
    for (const side of [0, 1] as const) if (slot.opened[side]) opened.add(slot.accountIndex[side])
  }
  const initial = new Map<bigint, AccountPreimage | null>()
  const finalLeaf = new Map<bigint, bigint>()
  for (const leaf of witnesses.flatMap((witness) => witness.leaves)) {
    if (leaf.tree !== 'account') continue
    if (!initial.has(leaf.accountIndex)) initial.set(leaf.accountIndex, leaf.before)
    finalLeaf.set(leaf.accountIndex, leaf.newLeaf)
  }
  // An account only read (a forced withdrawal of an empty index) stays empty.
  const cache = accountCacheInput(before, treeBefore, opened, (index) => initial.get(index) ?? null, (index) => finalLeaf.get(index) ?? 0n)
  if (cache.accountsRootAfter !== rootAfterSlots) throw new WitnessShapeError('the account cache does not write back to the accounts root after the slots')
  return cache.input
}
