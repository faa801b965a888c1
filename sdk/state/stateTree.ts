/**
 * The Merkle view of an `ExchangeState` (docs/protocol.md §2), kept off the order path: the state machine answers
 * every margin question from plain memory, and this class turns the state into roots, paths and witnesses when a
 * batch is cut. It holds the accounts tree and one order-slot tree per account that has a non-empty slot, and the
 * cached parameter hash of each market.
 *
 * Two ways to keep it in step with the state:
 * - `sync(state, dirty)`: after txs were applied without witnesses, rehash only the touched slots and accounts
 *   (`setMany`: shared ancestors hashed once).
 * - `recordEffect(state, effect)`: before `commitTxEffect`, read every old leaf and its path, write the new leaf
 *   into the tree and return the witness of each write, in the order the circuit performs them.
 *
 * Witness shape (plain data; the circuit witness builder consumes it without re-deriving state):
 *   LeafWitness =
 *     | { tree: 'orderSlot', accountIndex, slotIndex, oldSlot, newSlot, oldLeaf, newLeaf,
 *         siblingsBefore: bigint[ORDER_DEPTH][3], pathDigits: number[ORDER_DEPTH],
 *         oldOrdersRoot, newOrdersRoot }
 *     | { tree: 'account', accountIndex, before: AccountPreimage | null (empty leaf), after: AccountPreimage,
 *         oldLeaf, newLeaf, siblingsBefore: bigint[ACCOUNT_DEPTH][3], pathDigits: number[ACCOUNT_DEPTH],
 *         oldAccountsRoot, newAccountsRoot }
 *     | { tree: 'market', market, before: MarketPreimage, after: MarketPreimage }
 *   AccountPreimage = { publicKey, owner, collateral, mode, positions (M × {size, fundingIndexAtLastSettle}),
 *                       positionWords, positionsHash, ordersRoot }
 *   MarketPreimage  = { oraclePrice, oracleTime, fundingIndex, lastFundingTime, openInterest, paramsHash, leaf }
 * Siblings are read just before the write (after the earlier writes of the same tx), bottom level first, three
 * per level in child order with the path's own slot removed (`QuaternaryMerkleTree.proof`). An account leaf
 * written after slot writes of the same tx commits to the new orders root; its old leaf to the old one.
 */
import { poseidon } from '../crypto/poseidon.ts'
import { QuaternaryMerkleTree } from '../crypto/quaternaryMerkleTree.ts'
import {
  accountLeafHash,
  emptyOrdersRoot,
  marketLeafHash,
  marketsHashFromLeaves,
  paramsHash,
  positionWord,
  slotLeaf,
  stateRoot,
} from '../protocol/hashing.ts'
import type { Account, CircuitSizes, MarketState, OrderSlot, Position, PublicKey } from '../protocol/types.ts'
import { EMPTY_ORDER_SLOT, readOrderSlot } from './orderSlots.ts'
import type { ExchangeState } from './state.ts'
import type { TxEffect } from './txEffect.ts'

export type AccountPreimage = {
  readonly publicKey: PublicKey
  readonly owner: bigint
  readonly collateral: bigint
  readonly mode: number
  readonly positions: readonly Position[]
  readonly positionWords: readonly bigint[]
  readonly positionsHash: bigint
  readonly ordersRoot: bigint
}

export type MarketPreimage = {
  readonly oraclePrice: bigint
  readonly oracleTime: bigint
  readonly fundingIndex: bigint
  readonly lastFundingTime: bigint
  readonly openInterest: bigint
  readonly paramsHash: bigint
  readonly leaf: bigint
}

export type OrderSlotWitness = {
  readonly tree: 'orderSlot'
  readonly accountIndex: bigint
  readonly slotIndex: bigint
  readonly oldSlot: OrderSlot
  readonly newSlot: OrderSlot
  readonly oldLeaf: bigint
  readonly newLeaf: bigint
  readonly siblingsBefore: bigint[][]
  readonly pathDigits: number[]
  readonly oldOrdersRoot: bigint
  readonly newOrdersRoot: bigint
}

export type AccountWitness = {
  readonly tree: 'account'
  readonly accountIndex: bigint
  readonly before: AccountPreimage | null
  readonly after: AccountPreimage
  readonly oldLeaf: bigint
  readonly newLeaf: bigint
  readonly siblingsBefore: bigint[][]
  readonly pathDigits: number[]
  readonly oldAccountsRoot: bigint
  readonly newAccountsRoot: bigint
}

export type MarketWitness = {
  readonly tree: 'market'
  readonly market: number
  readonly before: MarketPreimage
  readonly after: MarketPreimage
}

export type LeafWitness = OrderSlotWitness | AccountWitness | MarketWitness

/** An account leaf read without a write (an empty leaf has `leaf` = 0). */
export type AccountReadWitness = {
  readonly accountIndex: bigint
  readonly leaf: bigint
  readonly siblings: bigint[][]
  readonly pathDigits: number[]
  readonly accountsRoot: bigint
}

/** Per account: the slot indices written since the last sync (empty set: only the account leaf changed). */
export type DirtySet = Map<bigint, Set<bigint>>

export function markDirty(dirty: DirtySet, effect: TxEffect): void {
  for (const write of effect.writes) {
    if (write.kind === 'market') continue
    let slots = dirty.get(write.accountIndex)
    if (slots === undefined) {
      slots = new Set()
      dirty.set(write.accountIndex, slots)
    }
    if (write.kind === 'orderSlot') slots.add(write.slotIndex)
  }
}

export class StateTree {
  readonly sizes: CircuitSizes
  private accounts: QuaternaryMerkleTree
  private orderTrees: Map<bigint, QuaternaryMerkleTree>
  private readonly emptyOrders: bigint
  private paramsHashes: bigint[]

  private constructor(sizes: CircuitSizes, paramsHashes: bigint[]) {
    this.sizes = sizes
    this.accounts = new QuaternaryMerkleTree(sizes.accountDepth)
    this.orderTrees = new Map()
    this.emptyOrders = emptyOrdersRoot(sizes.orderDepth)
    this.paramsHashes = paramsHashes
  }

  /** Hash the whole state once (genesis, snapshot load, replay). */
  static fromState(state: ExchangeState): StateTree {
    const tree = new StateTree(
      state.sizes,
      state.markets.map((market) => paramsHash(market.parameters)),
    )
    const dirty: DirtySet = new Map()
    for (const [index, account] of state.accounts) dirty.set(index, new Set(account.orderSlots.keys()))
    tree.sync(state, dirty)
    return tree
  }

  /** An independent copy (O(1): the Merkle trees share nodes copy-on-write). */
  clone(): StateTree {
    const copy = new StateTree(this.sizes, this.paramsHashes)
    copy.accounts = this.accounts.clone()
    copy.orderTrees = new Map([...this.orderTrees].map(([index, tree]) => [index, tree.clone()]))
    return copy
  }

  accountsRoot(): bigint {
    return this.accounts.root()
  }

  ordersRoot(accountIndex: bigint): bigint {
    return this.orderTrees.get(accountIndex)?.root() ?? this.emptyOrders
  }

  marketPreimage(market: MarketState, index: number): MarketPreimage {
    const parametersHash = this.paramsHashes[index]!
    return {
      oraclePrice: market.oraclePrice,
      oracleTime: market.oracleTime,
      fundingIndex: market.fundingIndex,
      lastFundingTime: market.lastFundingTime,
      openInterest: market.openInterest,
      paramsHash: parametersHash,
      leaf: marketLeafHash(market, parametersHash),
    }
  }

  marketsHash(markets: readonly MarketState[]): bigint {
    return marketsHashFromLeaves(markets.map((market, index) => marketLeafHash(market, this.paramsHashes[index]!)))
  }

  /** `H(accountsRoot, marketsHash)`; the tree must be in sync with `state`'s accounts. */
  stateRoot(state: ExchangeState): bigint {
    return stateRoot(this.accounts.root(), this.marketsHash(state.markets))
  }

  accountPreimage(account: Account, ordersRoot: bigint): AccountPreimage {
    const positionWords = account.positions.map(positionWord)
    return {
      publicKey: account.publicKey,
      owner: account.owner,
      collateral: account.collateral,
      mode: account.mode,
      positions: account.positions.map((position) => ({ ...position })),
      positionWords,
      positionsHash: positionsHashFromWords(positionWords),
      ordersRoot,
    }
  }

  accountLeaf(account: Account, ordersRoot: bigint): bigint {
    return accountLeafHash({
      publicKey: account.publicKey,
      owner: account.owner,
      collateral: account.collateral,
      mode: account.mode,
      positionsHash: positionsHashFromWords(account.positions.map(positionWord)),
      ordersRoot,
    })
  }

  /** Rehash the dirty slots and accounts from `state` (which already holds the new values). */
  sync(state: ExchangeState, dirty: DirtySet): void {
    const leaves: [bigint, bigint][] = []
    for (const [accountIndex, slots] of dirty) {
      const account = state.accounts.get(accountIndex)
      if (account === undefined) continue
      if (slots.size > 0) {
        const orders = this.orderTree(accountIndex)
        orders.setMany([...slots].map((slotIndex) => [slotIndex, slotLeaf(readOrderSlot(account, slotIndex))] as const))
      }
      leaves.push([accountIndex, this.accountLeaf(account, this.ordersRoot(accountIndex))])
    }
    this.accounts.setMany(leaves)
  }

  /**
   * Call with the state *before* `commitTxEffect(state, effect)`: writes each new leaf into the trees and returns
   * the witness of every write, in order.
   */
  recordEffect(state: ExchangeState, effect: TxEffect): LeafWitness[] {
    const witnesses: LeafWitness[] = []
    for (const write of effect.writes) {
      switch (write.kind) {
        case 'orderSlot': {
          const orders = this.orderTree(write.accountIndex)
          const proof = orders.proof(write.slotIndex)
          const oldSlot = { ...(state.accounts.get(write.accountIndex)?.orderSlots.get(write.slotIndex) ?? EMPTY_ORDER_SLOT) }
          const oldOrdersRoot = orders.root()
          const newLeaf = slotLeaf(write.slot)
          orders.set(write.slotIndex, newLeaf)
          witnesses.push({
            tree: 'orderSlot',
            accountIndex: write.accountIndex,
            slotIndex: write.slotIndex,
            oldSlot,
            newSlot: { ...write.slot },
            oldLeaf: proof.leaf,
            newLeaf,
            siblingsBefore: proof.siblings,
            pathDigits: proof.pathDigits,
            oldOrdersRoot,
            newOrdersRoot: orders.root(),
          })
          break
        }
        case 'account': {
          const oldAccount = write.created ? undefined : state.accounts.get(write.accountIndex)
          const proof = this.accounts.proof(write.accountIndex)
          const oldAccountsRoot = this.accounts.root()
          // The old leaf committed to the orders root before this tx's slot writes.
          const before = oldAccount === undefined ? null : this.accountPreimage(oldAccount, this.committedOrdersRoot(witnesses, write.accountIndex))
          const after = this.accountPreimage(write.account, this.ordersRoot(write.accountIndex))
          const newLeaf = this.accountLeaf(write.account, after.ordersRoot)
          this.accounts.set(write.accountIndex, newLeaf)
          witnesses.push({
            tree: 'account',
            accountIndex: write.accountIndex,
            before,
            after,
            oldLeaf: proof.leaf,
            newLeaf,
            siblingsBefore: proof.siblings,
            pathDigits: proof.pathDigits,
            oldAccountsRoot,
            newAccountsRoot: this.accounts.root(),
          })
          break
        }
        case 'market':
          witnesses.push({
            tree: 'market',
            market: write.market,
            before: this.marketPreimage(state.markets[write.market]!, write.market),
            after: this.marketPreimage(write.marketState, write.market),
          })
          break
      }
    }
    return witnesses
  }

  /** A read of an account leaf with its path (no write): how a forced withdrawal proves an index is empty. */
  accountRead(accountIndex: bigint): AccountReadWitness {
    const proof = this.accounts.proof(accountIndex)
    return { accountIndex, leaf: proof.leaf, siblings: proof.siblings, pathDigits: proof.pathDigits, accountsRoot: this.accounts.root() }
  }

  /**
   * Overwrite an account leaf, returning its path before the write: the circuit witness's write-back of the batch
   * account cache, which writes each touched account's final leaf once. Leaves `sync` state behind: use a clone.
   */
  accountWrite(accountIndex: bigint, leaf: bigint): AccountReadWitness {
    const read = this.accountRead(accountIndex)
    this.accounts.set(accountIndex, leaf)
    return read
  }

  /** The orders root an account's current leaf commits to: before the first slot write of this tx, if any. */
  private committedOrdersRoot(witnesses: readonly LeafWitness[], accountIndex: bigint): bigint {
    const first = witnesses.find((witness) => witness.tree === 'orderSlot' && witness.accountIndex === accountIndex)
    return first === undefined ? this.ordersRoot(accountIndex) : (first as OrderSlotWitness).oldOrdersRoot
  }

  private orderTree(accountIndex: bigint): QuaternaryMerkleTree {
    let tree = this.orderTrees.get(accountIndex)
    if (tree === undefined) {
      tree = new QuaternaryMerkleTree(this.sizes.orderDepth)
      this.orderTrees.set(accountIndex, tree)
    }
    return tree
  }
}

/** `positionsHash = H(word_0, …, word_{M−1})`, as `hashing.ts`'s `positionsHash`, from words already computed. */
function positionsHashFromWords(words: readonly bigint[]): bigint {
  return poseidon(words)
}
