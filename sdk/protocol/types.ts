/**
 * The plain-data vocabulary of zkperp: state, markets and transactions, exactly as docs/protocol.md defines them.
 * Every amount, size, price, index and field element is a bigint; small enumerations and tree indices that are
 * structurally bounded (market index < 16, digits) are numbers.
 */

export type Point = { readonly x: bigint; readonly y: bigint }
export type PublicKey = Point
export type Signature = { readonly R8: Point; readonly S: bigint }

/** `0` = cross margin; `1 + m` = isolated to market m. */
export type MarginMode = number

export type CircuitSizes = {
  /** Quaternary levels of the accounts tree (4^depth leaves). */
  readonly accountDepth: number
  /** Quaternary levels of each account's order-slot tree. */
  readonly orderDepth: number
  /** Markets per state (M). */
  readonly markets: number
  /** Transaction slots per batch (N). */
  readonly batchSlots: number
  /** Distinct accounts the slots of one batch may touch (K, the circuit's account cache). */
  readonly batchAccounts: number
}

export type Domain = { readonly chainId: bigint; readonly rollupAddress: `0x${string}` }

export type MarketParameters = {
  readonly imfBps: bigint
  readonly mmfBps: bigint
  readonly liquidationFractionBps: bigint
  readonly liquidationBandBps: bigint
  readonly liquidationPenaltyBps: bigint
  readonly fullLiquidationBps: bigint
  readonly backstopBps: bigint
  readonly takerFeeBps: bigint
  readonly makerFeeBps: bigint
  readonly fundingClampPpm: bigint
  readonly fundingIntervalSeconds: bigint
  readonly maxOracleAgeSeconds: bigint
  readonly openInterestCap: bigint
  readonly oracleKey: PublicKey
}

/** Off-circuit metadata the engine and UIs use. */
export type MarketMetadata = {
  readonly symbol: string
  readonly tickSize: bigint
  /** Base-asset units per lot (display only). */
  readonly lotSize: bigint
}

export type MarketState = {
  oraclePrice: bigint
  oracleTime: bigint
  fundingIndex: bigint
  lastFundingTime: bigint
  openInterest: bigint
  readonly parameters: MarketParameters
}

export type Position = { size: bigint; fundingIndexAtLastSettle: bigint }

export type OrderSlot = { storageId: bigint; filled: bigint }

export type Account = {
  readonly publicKey: PublicKey
  readonly owner: bigint
  collateral: bigint
  readonly mode: MarginMode
  /** Exactly M entries. */
  positions: Position[]
  /** Sparse: slot index → slot. Absent = empty (0, 0). */
  orderSlots: Map<bigint, OrderSlot>
}

export const ORDER_FLAG_BUY = 1n
export const ORDER_FLAG_REDUCE_ONLY = 2n

/** What a trader signs (docs/protocol.md §3). Engine-only flags live outside. */
export type Order = {
  readonly accountIndex: bigint
  readonly market: number
  readonly isBuy: boolean
  readonly reduceOnly: boolean
  readonly size: bigint
  readonly limitPrice: bigint
  readonly storageId: bigint
  readonly expiry: bigint
}

export type SignedOrder = Order & { readonly signature: Signature }

export type NoopTx = { readonly type: 'noop' }

export type DepositTx = {
  readonly type: 'deposit'
  readonly accountIndex: bigint
  readonly amount: bigint
  /** For a new account: the L1 owner; for a top-up: the L1 depositor (recorded, not stored in state). */
  readonly owner: bigint
  /** Present only when the deposit creates the account. */
  readonly create?: { readonly publicKey: PublicKey; readonly mode: MarginMode }
}

export type TradeTx = {
  readonly type: 'trade'
  readonly taker: SignedOrder
  readonly maker: SignedOrder
  /** Lots filled (> 0). */
  readonly size: bigint
  /** Fill price: the maker's limit price. */
  readonly price: bigint
}

export type WithdrawTx = {
  readonly type: 'withdraw'
  readonly accountIndex: bigint
  readonly amount: bigint
  readonly to: bigint
  readonly storageId: bigint
  readonly validUntil: bigint
  readonly signature: Signature
}

export type ForcedWithdrawalTx = {
  readonly type: 'forcedWithdrawal'
  readonly accountIndex: bigint
  readonly requester: bigint
  readonly requestedAmount: bigint
}

export type TransferTx = {
  readonly type: 'transfer'
  readonly fromIndex: bigint
  readonly toIndex: bigint
  readonly amount: bigint
  readonly targetMode: MarginMode
  readonly storageId: bigint
  readonly validUntil: bigint
  readonly signature: Signature
}

export type OracleUpdateTx = {
  readonly type: 'oracleUpdate'
  readonly market: number
  readonly price: bigint
  readonly timestamp: bigint
  readonly signature: Signature
}

export type FundingUpdateTx = {
  readonly type: 'fundingUpdate'
  readonly market: number
  readonly ratePpm: bigint
  readonly timestamp: bigint
}

export type LiquidationTx = {
  readonly type: 'liquidation'
  readonly accountIndex: bigint
  readonly market: number
  /** The resting order the position is closed against. */
  readonly maker: SignedOrder
  readonly size: bigint
  readonly price: bigint
  readonly full: boolean
}

export type BackstopTx = { readonly type: 'backstop'; readonly accountIndex: bigint }

export type AutoDeleverageTx = {
  readonly type: 'autoDeleverage'
  readonly market: number
  readonly counterpartyIndex: bigint
  readonly size: bigint
}

export type Tx =
  | NoopTx
  | DepositTx
  | TradeTx
  | WithdrawTx
  | ForcedWithdrawalTx
  | TransferTx
  | OracleUpdateTx
  | FundingUpdateTx
  | LiquidationTx
  | BackstopTx
  | AutoDeleverageTx

export type TxType = Tx['type']

/** Pubdata type bytes (docs/protocol.md §6). */
export const TX_TYPE_CODE = {
  noop: 0,
  deposit: 1,
  depositNew: 2,
  trade: 3,
  withdraw: 4,
  forcedWithdrawal: 5,
  transfer: 6,
  oracleUpdate: 7,
  fundingUpdate: 8,
  liquidation: 9,
  backstop: 10,
  autoDeleverage: 11,
} as const

export const INSURANCE_FUND_INDEX = 0n
export const FEE_ACCOUNT_INDEX = 1n
export const FIRST_USER_ACCOUNT_INDEX = 2n

export const PUBDATA_CHUNK_BYTES = 32

/** One market as the genesis creates it (docs/protocol.md §2.4): parameters are fixed from then on. */
export type GenesisMarket = {
  readonly metadata: MarketMetadata
  readonly parameters: MarketParameters
  /** The oracle price at genesis (quote base units per lot, 0 < price < 2^48). */
  readonly initialPrice: bigint
  /** Unix seconds: the genesis oracle time and the first lastFundingTime. */
  readonly initialTime: bigint
}

/** Everything that fixes the genesis state root: sizes, signing domain and exactly `sizes.markets` markets. */
export type Genesis = {
  readonly sizes: CircuitSizes
  readonly domain: Domain
  readonly markets: readonly GenesisMarket[]
}

/** What an account signs to withdraw (docs/protocol.md §3). */
export type WithdrawMessage = Pick<WithdrawTx, 'accountIndex' | 'amount' | 'to' | 'storageId' | 'validUntil'>

/** What an account signs to transfer to another account of the same owner (§3). */
export type TransferMessage = Pick<TransferTx, 'fromIndex' | 'toIndex' | 'amount' | 'targetMode' | 'storageId' | 'validUntil'>

/** What a market's oracle key signs (§3). */
export type OraclePriceMessage = Pick<OracleUpdateTx, 'market' | 'price' | 'timestamp'>

/** The seven preimage fields of an account leaf (§2.2), with the two sub-roots already computed. */
export type AccountLeaf = {
  readonly publicKey: PublicKey
  readonly owner: bigint
  readonly collateral: bigint
  readonly mode: MarginMode
  readonly positionsHash: bigint
  readonly ordersRoot: bigint
}
