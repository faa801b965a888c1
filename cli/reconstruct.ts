/**
 * `zkperp reconstruct`: rebuild the whole state from L1 calldata alone. Reads every landed batch's `submitBatch`
 * calldata, replays its pubdata from genesis through the sdk state machine (`replayBatch`), checks the root after
 * every batch against the root L1 accepted, and finally that the contract's stored batch hash commits to the
 * reconstructed root. Any difference is a typed error naming the batch.
 */
import { type Address, type Chain, type Hex, type PublicClient, type Transport, encodeAbiParameters, keccak256, parseAbiParameters } from 'viem'
import type { Genesis } from '../sdk/protocol/types.ts'
import { replayBatch } from '../sdk/state/replayPubdata.ts'
import { createGenesisState, type ExchangeState } from '../sdk/state/state.ts'
import { StateTree } from '../sdk/state/stateTree.ts'
import { GenesisMismatchError, L1HistoryError, ReconstructionMismatchError } from './errors.ts'
import { genesisStateRoot } from './genesisFile.ts'
import { type L1History, type StoredBatchInfo, readL1History, storedBatchToAbi } from './l1History.ts'
import { ZK_PERP_ABI } from './zkPerpAbi.ts'

export type ReconstructParameters = {
  readonly publicClient: PublicClient<Transport, Chain>
  readonly zkPerp: Address
  readonly fromBlock: bigint
  /** The genesis the contract was deployed with (checked against its genesis root). */
  readonly genesis: Genesis
}

export type AccountSummary = {
  readonly index: bigint
  readonly owner: bigint
  readonly collateral: bigint
  readonly mode: number
  /** Funding settled at the current indices, positions at the current oracle prices. */
  readonly equity: bigint
  readonly positions: readonly { readonly market: number; readonly size: bigint }[]
}

export type ReconstructReturnType = {
  readonly history: L1History
  readonly state: ExchangeState
  readonly tree: StateTree
  readonly stateRoot: bigint
  readonly batches: number
  readonly accounts: readonly AccountSummary[]
  readonly markets: readonly { readonly market: number; readonly oraclePrice: bigint; readonly fundingIndex: bigint; readonly openInterest: bigint }[]
}

/** `keccak256(abi.encode(StoredBatchInfo))`: what ZkPerp stores as `lastBatchHash`. */
export function storedBatchHash(info: StoredBatchInfo): Hex {
  const abi = storedBatchToAbi(info)
  return keccak256(encodeAbiParameters(parseAbiParameters('(uint64, uint64, bytes32, uint256)'), [[abi.batchNumber, abi.timestamp, abi.stateRoot, abi.commitment]]))
}

/** `collateral − Σ size·(fundingIndex − settled) + Σ size·oraclePrice`: what an exit values the account at. */
export function accountEquity(state: ExchangeState, index: bigint): bigint {
  const account = state.accounts.get(index)
  if (account === undefined) return 0n
  return account.positions.reduce((equity, position, market) => {
    const marketState = state.markets[market]!
    return equity + position.size * marketState.oraclePrice - position.size * (marketState.fundingIndex - position.fundingIndexAtLastSettle)
  }, account.collateral)
}

export async function reconstruct({ publicClient, zkPerp, fromBlock, genesis }: ReconstructParameters): Promise<ReconstructReturnType> {
  const history = await readL1History({ publicClient, zkPerp, fromBlock })
  const computedGenesisRoot = genesisStateRoot(genesis)
  if (computedGenesisRoot !== history.genesis.stateRoot) throw new GenesisMismatchError(computedGenesisRoot, history.genesis.stateRoot)

  const state = createGenesisState(genesis)
  for (const [position, batch] of history.batches.entries()) {
    replayBatch(state, { batchTimestamp: batch.timestamp, pubdata: batch.pubdata }, genesis.domain, position)
    // Per batch, so a mismatch names the first batch whose pubdata does not lead to its root.
    const root = StateTree.fromState(state).stateRoot(state)
    if (root !== batch.newStateRoot) throw new ReconstructionMismatchError(batch.batchNumber, root, batch.newStateRoot)
  }
  const tree = StateTree.fromState(state)
  const stateRoot = tree.stateRoot(state)
  const last = history.lastBatch
  if (stateRoot !== last.stateRoot) throw new ReconstructionMismatchError(last.batchNumber, stateRoot, last.stateRoot)

  // The contract keeps only the hash of the last stored batch: it must commit to the root we reached.
  const onChainHash = await publicClient.readContract({ address: zkPerp, abi: ZK_PERP_ABI, functionName: 'lastBatchHash' })
  const reconstructedHash = storedBatchHash({ ...last, stateRoot })
  if (onChainHash.toLowerCase() !== reconstructedHash.toLowerCase()) {
    throw new L1HistoryError('the contract stores another last batch than the events lead to (a batch landed after the scan?)', {
      onChainHash,
      reconstructedHash,
      lastBatchNumber: last.batchNumber,
    })
  }

  const accounts: AccountSummary[] = [...state.accounts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([index, account]) => ({
      index,
      owner: account.owner,
      collateral: account.collateral,
      mode: account.mode,
      equity: accountEquity(state, index),
      positions: account.positions.flatMap((position, market) => (position.size === 0n ? [] : [{ market, size: position.size }])),
    }))
  const markets = state.markets.map((market, index) => ({
    market: index,
    oraclePrice: market.oraclePrice,
    fundingIndex: market.fundingIndex,
    openInterest: market.openInterest,
  }))
  return { history, state, tree, stateRoot, batches: history.batches.length, accounts, markets }
}
