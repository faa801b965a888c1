/**
 * `zkperp exit`: the exodus exit built from L1 data alone. Reconstructs the last proven state, then assembles what
 * `ZkPerp.exit` checks: the stored last batch, the account leaf's preimage (key, owner, collateral, mode, all M
 * positions, orders root), all M market preimages and the quaternary Merkle path of the account against the proven
 * accounts root. The path is cross-checked locally (it must reach the proven state root) before anything is sent.
 */
import type { Address, Hex } from 'viem'
import { computeQuaternaryRoot, QuaternaryMerkleTree } from '../sdk/crypto/quaternaryMerkleTree.ts'
import { stateRoot as hashStateRoot } from '../sdk/protocol/hashing.ts'
import { FIRST_USER_ACCOUNT_INDEX } from '../sdk/protocol/types.ts'
import { ExitAccountError, L1HistoryError } from './errors.ts'
import { type StoredBatchInfo, storedBatchToAbi } from './l1History.ts'
import { accountEquity, type ReconstructReturnType } from './reconstruct.ts'

export type ExitCallArguments = readonly [
  lastBatch: { batchNumber: bigint; timestamp: bigint; stateRoot: Hex; commitment: bigint },
  accountIndex: number,
  account: {
    publicKeyX: bigint
    publicKeyY: bigint
    owner: Address
    collateral: bigint
    mode: bigint
    positions: { size: bigint; fundingIndexAtLastSettle: bigint }[]
    ordersRoot: bigint
  },
  markets: { oraclePrice: bigint; oracleTime: bigint; fundingIndex: bigint; lastFundingTime: bigint; openInterest: bigint; paramsHash: bigint }[],
  siblings: (readonly [bigint, bigint, bigint])[],
]

export type BuildExitCallReturnType = {
  readonly args: ExitCallArguments
  readonly owner: Address
  /** What the contract will value the account at (it pays max(0, equity), capped by the free balance). */
  readonly equity: bigint
  readonly lastBatch: StoredBatchInfo
}

/** The `exit` arguments for one account of a reconstructed state. */
export function buildExitCall(reconstructed: Pick<ReconstructReturnType, 'state' | 'tree' | 'history'>, accountIndex: bigint): BuildExitCallReturnType {
  const { state, tree, history } = reconstructed
  const account = state.accounts.get(accountIndex)
  if (account === undefined) throw new ExitAccountError(accountIndex, 'does not exist in the last proven state')
  if (accountIndex < FIRST_USER_ACCOUNT_INDEX || account.owner === 0n) throw new ExitAccountError(accountIndex, 'is a system account; it cannot exit')

  // The accounts tree with the same leaves the StateTree hashed: its root must be the proven one.
  const accounts = new QuaternaryMerkleTree(state.sizes.accountDepth)
  accounts.setMany([...state.accounts.entries()].map(([index, each]) => [index, tree.accountLeaf(each, tree.ordersRoot(index))] as const))
  if (accounts.root() !== tree.accountsRoot()) throw new L1HistoryError('accounts tree rebuilt for the exit path differs from the state tree')
  const proof = accounts.proof(accountIndex)
  const marketsHash = tree.marketsHash(state.markets)
  const provenRoot = history.lastBatch.stateRoot
  if (hashStateRoot(computeQuaternaryRoot(proof), marketsHash) !== provenRoot) {
    throw new L1HistoryError('the exit path does not reach the last proven root', { accountIndex, provenRoot })
  }

  const owner = `0x${account.owner.toString(16).padStart(40, '0')}` as Address
  const args: ExitCallArguments = [
    storedBatchToAbi(history.lastBatch),
    Number(accountIndex),
    {
      publicKeyX: account.publicKey.x,
      publicKeyY: account.publicKey.y,
      owner,
      collateral: account.collateral,
      mode: BigInt(account.mode),
      positions: account.positions.map((position) => ({ size: position.size, fundingIndexAtLastSettle: position.fundingIndexAtLastSettle })),
      ordersRoot: tree.ordersRoot(accountIndex),
    },
    state.markets.map((market, index) => {
      const preimage = tree.marketPreimage(market, index)
      return {
        oraclePrice: preimage.oraclePrice,
        oracleTime: preimage.oracleTime,
        fundingIndex: preimage.fundingIndex,
        lastFundingTime: preimage.lastFundingTime,
        openInterest: preimage.openInterest,
        paramsHash: preimage.paramsHash,
      }
    }),
    proof.siblings.map((level) => [level[0]!, level[1]!, level[2]!] as const),
  ]
  return { args, owner, equity: accountEquity(state, accountIndex), lastBatch: history.lastBatch }
}
