/**
 * The sequencer's log payloads: what the input log records for each accepted input, and what replay feeds back
 * into `Sequencer.apply`. Canonical, versioned JSON in UTF-8.
 *
 * Record `kind` byte (the input log's one-byte tag) → payload:
 *
 *   1 order     {"v":1,"time":T,"order":{"accountIndex":A,"market":m,"isBuy":b,"reduceOnly":b,"size":S,
 *                "limitPrice":P,"storageId":I,"expiry":E,"signature":{"R8x":X,"R8y":Y,"S":Z}},
 *                "orderType":"limit"|"market","timeInForce":"GTC"|"IOC","postOnly":b,
 *                "selfTradePrevention":"expireTaker"|"expireMaker"|"expireBoth","clientOrderId":C|null}
 *   2 cancel    {"v":1,"time":T,"accountIndex":A,"market":m,"storageId":I}
 *   3 oracle    {"v":1,"time":T,"market":m,"price":P,"timestamp":t,"signature":{…}}
 *   4 deposit   {"v":1,"time":T,"accountIndex":A,"amount":N,"owner":O,"create":{"publicKeyX":X,"publicKeyY":Y,"mode":d}|null}
 *   5 funding   {"v":1,"time":T,"market":m,"ratePpm":R,"timestamp":t}
 *   6 liquidation, one of (the keeper's risk actions, docs/protocol.md §5.8–5.10):
 *               {"v":1,"time":T,"tx":{"type":"liquidation","accountIndex":A,"market":m,"maker":{<signed order as in
 *                1>},"size":S,"price":P,"full":b}}
 *               {"v":1,"time":T,"tx":{"type":"backstop","accountIndex":A}}
 *               {"v":1,"time":T,"tx":{"type":"autoDeleverage","market":m,"counterpartyIndex":C,"size":S}}
 *   7 forced    {"v":1,"time":T,"accountIndex":A,"requester":R,"requestedAmount":N}
 *   8 withdraw  {"v":1,"time":T,"accountIndex":A,"amount":N,"to":O,"storageId":I,"validUntil":U,"signature":{…}}
 *   9 transfer  {"v":1,"time":T,"fromIndex":A,"toIndex":B,"amount":N,"targetMode":d,"storageId":I,"validUntil":U,
 *               "signature":{…}}
 *
 * Every bigint (amounts, sizes, prices, indices, ids, times, field elements) is a decimal string without sign
 * padding or leading zeros (`-` only where the value may be negative: ratePpm); `market`, `mode`, `targetMode` are JSON integers
 * (< 16); booleans are JSON booleans. Keys appear in exactly the order above and nothing else is present, so one
 * input has one encoding: `encode(decode(bytes))` equals `bytes`, and decode rejects anything else
 * (INPUT_PAYLOAD_INVALID). `time` is the unix second the gateway stamped before appending: replay sees the same
 * time the live run saw, so the core never reads a clock. A new layout gets a new `v`.
 */
import type {
  AutoDeleverageTx,
  BackstopTx,
  DepositTx,
  ForcedWithdrawalTx,
  FundingUpdateTx,
  LiquidationTx,
  OracleUpdateTx,
  Signature,
  SignedOrder,
  TransferTx,
  WithdrawTx,
} from '../../sdk/protocol/types.ts'
import type { SelfTradePrevention, TimeInForce } from '../matching/types.ts'
import { InputPayloadInvalidError } from './errors.ts'

export const INPUT_FORMAT_VERSION = 1

export const INPUT_KIND = {
  order: 1,
  cancel: 2,
  oraclePrice: 3,
  deposit: 4,
  fundingUpdate: 5,
  liquidation: 6,
  forcedWithdrawal: 7,
  withdraw: 8,
  transfer: 9,
} as const
export type InputKindName = keyof typeof INPUT_KIND

export type OrderInput = {
  readonly kind: 'order'
  readonly time: bigint
  readonly order: SignedOrder
  /** `market`: the signed limit price is the protection price (worst acceptable), and the order never rests. */
  readonly orderType: 'limit' | 'market'
  readonly timeInForce: TimeInForce
  readonly postOnly: boolean
  readonly selfTradePrevention: SelfTradePrevention
  readonly clientOrderId: string | undefined
}

export type CancelInput = {
  readonly kind: 'cancel'
  readonly time: bigint
  readonly accountIndex: bigint
  readonly market: number
  readonly storageId: bigint
}

export type OraclePriceInput = { readonly kind: 'oraclePrice'; readonly time: bigint; readonly tx: OracleUpdateTx }
export type DepositInput = { readonly kind: 'deposit'; readonly time: bigint; readonly tx: DepositTx }
export type FundingUpdateInput = { readonly kind: 'fundingUpdate'; readonly time: bigint; readonly tx: FundingUpdateTx }

/** A keeper risk action: a tiered liquidation against a live resting order, a backstop takeover, or an ADL step. */
export type RiskTx = LiquidationTx | BackstopTx | AutoDeleverageTx
export type LiquidationInput = { readonly kind: 'liquidation'; readonly time: bigint; readonly tx: RiskTx }
/** A forced withdrawal an owner queued on L1 (a priority op, like a deposit): the chain watcher sends it. */
export type ForcedWithdrawalInput = { readonly kind: 'forcedWithdrawal'; readonly time: bigint; readonly tx: ForcedWithdrawalTx }

/** An L2 withdrawal the account's key signed (docs/protocol.md §5.3): a trader's request, through the gateway. */
export type WithdrawInput = { readonly kind: 'withdraw'; readonly time: bigint; readonly tx: WithdrawTx }
/** A transfer between two accounts of one owner, signed by the source's key (§5.4). */
export type TransferInput = { readonly kind: 'transfer'; readonly time: bigint; readonly tx: TransferTx }

export type SequencerInput =
  | OrderInput
  | CancelInput
  | OraclePriceInput
  | DepositInput
  | FundingUpdateInput
  | LiquidationInput
  | ForcedWithdrawalInput
  | WithdrawInput
  | TransferInput

/** The inputs that come from ZkPerp's L1 priority queue, one per queued op, in priority-index order. */
export function isPriorityInput(input: SequencerInput): input is DepositInput | ForcedWithdrawalInput {
  return input.kind === 'deposit' || input.kind === 'forcedWithdrawal'
}

export type EncodedInput = { kind: number; payload: Uint8Array }

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

function signatureJson(signature: Signature) {
  return { R8x: signature.R8.x.toString(), R8y: signature.R8.y.toString(), S: signature.S.toString() }
}

function signedOrderJson(o: SignedOrder) {
  return {
    accountIndex: o.accountIndex.toString(),
    market: o.market,
    isBuy: o.isBuy,
    reduceOnly: o.reduceOnly,
    size: o.size.toString(),
    limitPrice: o.limitPrice.toString(),
    storageId: o.storageId.toString(),
    expiry: o.expiry.toString(),
    signature: signatureJson(o.signature),
  }
}

function riskTxJson(tx: RiskTx): Record<string, unknown> {
  switch (tx.type) {
    case 'liquidation':
      return {
        type: tx.type,
        accountIndex: tx.accountIndex.toString(),
        market: tx.market,
        maker: signedOrderJson(tx.maker),
        size: tx.size.toString(),
        price: tx.price.toString(),
        full: tx.full,
      }
    case 'backstop':
      return { type: tx.type, accountIndex: tx.accountIndex.toString() }
    case 'autoDeleverage':
      return { type: tx.type, market: tx.market, counterpartyIndex: tx.counterpartyIndex.toString(), size: tx.size.toString() }
  }
}

/** The canonical JSON object of an input (bigints as decimal strings), before `JSON.stringify`. */
export function inputToJson(input: SequencerInput): Record<string, unknown> {
  const time = input.time.toString()
  switch (input.kind) {
    case 'order': {
      const o = input.order
      return {
        v: INPUT_FORMAT_VERSION,
        time,
        order: signedOrderJson(o),
        orderType: input.orderType,
        timeInForce: input.timeInForce,
        postOnly: input.postOnly,
        selfTradePrevention: input.selfTradePrevention,
        clientOrderId: input.clientOrderId ?? null,
      }
    }
    case 'cancel':
      return {
        v: INPUT_FORMAT_VERSION,
        time,
        accountIndex: input.accountIndex.toString(),
        market: input.market,
        storageId: input.storageId.toString(),
      }
    case 'oraclePrice':
      return {
        v: INPUT_FORMAT_VERSION,
        time,
        market: input.tx.market,
        price: input.tx.price.toString(),
        timestamp: input.tx.timestamp.toString(),
        signature: signatureJson(input.tx.signature),
      }
    case 'deposit': {
      const { tx } = input
      return {
        v: INPUT_FORMAT_VERSION,
        time,
        accountIndex: tx.accountIndex.toString(),
        amount: tx.amount.toString(),
        owner: tx.owner.toString(),
        create:
          tx.create === undefined
            ? null
            : { publicKeyX: tx.create.publicKey.x.toString(), publicKeyY: tx.create.publicKey.y.toString(), mode: tx.create.mode },
      }
    }
    case 'fundingUpdate':
      return {
        v: INPUT_FORMAT_VERSION,
        time,
        market: input.tx.market,
        ratePpm: input.tx.ratePpm.toString(),
        timestamp: input.tx.timestamp.toString(),
      }
    case 'liquidation':
      return { v: INPUT_FORMAT_VERSION, time, tx: riskTxJson(input.tx) }
    case 'forcedWithdrawal':
      return {
        v: INPUT_FORMAT_VERSION,
        time,
        accountIndex: input.tx.accountIndex.toString(),
        requester: input.tx.requester.toString(),
        requestedAmount: input.tx.requestedAmount.toString(),
      }
    case 'withdraw':
      return {
        v: INPUT_FORMAT_VERSION,
        time,
        accountIndex: input.tx.accountIndex.toString(),
        amount: input.tx.amount.toString(),
        to: input.tx.to.toString(),
        storageId: input.tx.storageId.toString(),
        validUntil: input.tx.validUntil.toString(),
        signature: signatureJson(input.tx.signature),
      }
    case 'transfer':
      return {
        v: INPUT_FORMAT_VERSION,
        time,
        fromIndex: input.tx.fromIndex.toString(),
        toIndex: input.tx.toIndex.toString(),
        amount: input.tx.amount.toString(),
        targetMode: input.tx.targetMode,
        storageId: input.tx.storageId.toString(),
        validUntil: input.tx.validUntil.toString(),
        signature: signatureJson(input.tx.signature),
      }
  }
}

export function encodeInput(input: SequencerInput): EncodedInput {
  return { kind: INPUT_KIND[input.kind], payload: encoder.encode(JSON.stringify(inputToJson(input))) }
}

// ─── Decoding ──────────────────────────────────────────────────────────────────────────────────────────────────

const UNSIGNED_DECIMAL = /^(0|[1-9][0-9]*)$/
const SIGNED_DECIMAL = /^(0|-?[1-9][0-9]*)$/
/** Longest decimal accepted: field elements are < 2^254 (77 digits). */
const MAX_DECIMAL_DIGITS = 78

type Json = Record<string, unknown>

function fail(reason: string, details: Record<string, unknown> = {}): never {
  throw new InputPayloadInvalidError(reason, details)
}

function object(value: unknown, keys: readonly string[], where: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(`${where} is not an object`)
  const actual = Object.keys(value)
  if (actual.length !== keys.length || actual.some((key, index) => key !== keys[index])) {
    fail(`${where} keys differ from the canonical layout`, { expected: keys, actual })
  }
  return value as Json
}

function unsigned(value: unknown, where: string): bigint {
  if (typeof value !== 'string' || value.length > MAX_DECIMAL_DIGITS || !UNSIGNED_DECIMAL.test(value)) {
    fail(`${where} is not an unsigned decimal string`, { value })
  }
  return BigInt(value)
}

function signed(value: unknown, where: string): bigint {
  if (typeof value !== 'string' || value.length > MAX_DECIMAL_DIGITS || !SIGNED_DECIMAL.test(value)) {
    fail(`${where} is not a decimal string`, { value })
  }
  return BigInt(value)
}

function smallInteger(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) fail(`${where} is not a small integer`, { value })
  return value
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') fail(`${where} is not a boolean`, { value })
  return value
}

function oneOf<T extends string>(value: unknown, options: readonly T[], where: string): T {
  if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) fail(`${where} is not one of ${options.join(', ')}`, { value })
  return value as T
}

function signature(value: unknown): Signature {
  const json = object(value, ['R8x', 'R8y', 'S'], 'signature')
  return { R8: { x: unsigned(json.R8x, 'R8x'), y: unsigned(json.R8y, 'R8y') }, S: unsigned(json.S, 'S') }
}

const ORDER_KEYS = ['v', 'time', 'order', 'orderType', 'timeInForce', 'postOnly', 'selfTradePrevention', 'clientOrderId'] as const
const SIGNED_ORDER_KEYS = ['accountIndex', 'market', 'isBuy', 'reduceOnly', 'size', 'limitPrice', 'storageId', 'expiry', 'signature'] as const
const CANCEL_KEYS = ['v', 'time', 'accountIndex', 'market', 'storageId'] as const
const ORACLE_KEYS = ['v', 'time', 'market', 'price', 'timestamp', 'signature'] as const
const DEPOSIT_KEYS = ['v', 'time', 'accountIndex', 'amount', 'owner', 'create'] as const
const FUNDING_KEYS = ['v', 'time', 'market', 'ratePpm', 'timestamp'] as const
const LIQUIDATION_KEYS = ['v', 'time', 'tx'] as const
const FORCED_WITHDRAWAL_KEYS = ['v', 'time', 'accountIndex', 'requester', 'requestedAmount'] as const
const WITHDRAW_KEYS = ['v', 'time', 'accountIndex', 'amount', 'to', 'storageId', 'validUntil', 'signature'] as const
const TRANSFER_KEYS = ['v', 'time', 'fromIndex', 'toIndex', 'amount', 'targetMode', 'storageId', 'validUntil', 'signature'] as const
const RISK_TX_KEYS = {
  liquidation: ['type', 'accountIndex', 'market', 'maker', 'size', 'price', 'full'],
  backstop: ['type', 'accountIndex'],
  autoDeleverage: ['type', 'market', 'counterpartyIndex', 'size'],
} as const

function signedOrder(value: unknown): SignedOrder {
  const o = object(value, SIGNED_ORDER_KEYS, 'order')
  return {
    accountIndex: unsigned(o.accountIndex, 'accountIndex'),
    market: smallInteger(o.market, 'market'),
    isBuy: boolean(o.isBuy, 'isBuy'),
    reduceOnly: boolean(o.reduceOnly, 'reduceOnly'),
    size: unsigned(o.size, 'size'),
    limitPrice: unsigned(o.limitPrice, 'limitPrice'),
    storageId: unsigned(o.storageId, 'storageId'),
    expiry: unsigned(o.expiry, 'expiry'),
    signature: signature(o.signature),
  }
}

function riskTx(value: unknown): RiskTx {
  const type = value !== null && typeof value === 'object' ? (value as Json).type : undefined
  const kind = oneOf(type, ['liquidation', 'backstop', 'autoDeleverage'], 'tx.type')
  const json = object(value, RISK_TX_KEYS[kind], `${kind} tx`)
  switch (kind) {
    case 'liquidation':
      return {
        type: 'liquidation',
        accountIndex: unsigned(json.accountIndex, 'accountIndex'),
        market: smallInteger(json.market, 'market'),
        maker: signedOrder(json.maker),
        size: unsigned(json.size, 'size'),
        price: unsigned(json.price, 'price'),
        full: boolean(json.full, 'full'),
      }
    case 'backstop':
      return { type: 'backstop', accountIndex: unsigned(json.accountIndex, 'accountIndex') }
    case 'autoDeleverage':
      return {
        type: 'autoDeleverage',
        market: smallInteger(json.market, 'market'),
        counterpartyIndex: unsigned(json.counterpartyIndex, 'counterpartyIndex'),
        size: unsigned(json.size, 'size'),
      }
  }
}

/** Strict inverse of `encodeInput`: anything but a canonical payload of a known kind is INPUT_PAYLOAD_INVALID. */
export function decodeInput(kind: number, payload: Uint8Array): SequencerInput {
  let parsed: unknown
  try {
    parsed = JSON.parse(decoder.decode(payload))
  } catch (cause) {
    fail('not UTF-8 JSON', { cause: String(cause) })
  }
  const input = decodeJson(kind, parsed)
  // Canonical: the one encoding of this input is exactly these bytes (rules out duplicate keys, spacing, escapes).
  const again = encodeInput(input).payload
  if (again.length !== payload.length || !again.every((byte, index) => byte === payload[index])) fail('not canonical')
  return input
}

function decodeJson(kind: number, parsed: unknown): SequencerInput {
  const versionOf = (json: Json) => {
    if (json.v !== INPUT_FORMAT_VERSION) fail('unknown version', { v: json.v })
  }
  switch (kind) {
    case INPUT_KIND.order: {
      const json = object(parsed, ORDER_KEYS, 'order input')
      versionOf(json)
      const clientOrderId = json.clientOrderId
      if (clientOrderId !== null && typeof clientOrderId !== 'string') fail('clientOrderId is not a string or null')
      return {
        kind: 'order',
        time: unsigned(json.time, 'time'),
        order: signedOrder(json.order),
        orderType: oneOf(json.orderType, ['limit', 'market'], 'orderType'),
        timeInForce: oneOf(json.timeInForce, ['GTC', 'IOC'], 'timeInForce'),
        postOnly: boolean(json.postOnly, 'postOnly'),
        selfTradePrevention: oneOf(json.selfTradePrevention, ['expireTaker', 'expireMaker', 'expireBoth'], 'selfTradePrevention'),
        clientOrderId: clientOrderId ?? undefined,
      }
    }
    case INPUT_KIND.cancel: {
      const json = object(parsed, CANCEL_KEYS, 'cancel input')
      versionOf(json)
      return {
        kind: 'cancel',
        time: unsigned(json.time, 'time'),
        accountIndex: unsigned(json.accountIndex, 'accountIndex'),
        market: smallInteger(json.market, 'market'),
        storageId: unsigned(json.storageId, 'storageId'),
      }
    }
    case INPUT_KIND.oraclePrice: {
      const json = object(parsed, ORACLE_KEYS, 'oracle input')
      versionOf(json)
      return {
        kind: 'oraclePrice',
        time: unsigned(json.time, 'time'),
        tx: {
          type: 'oracleUpdate',
          market: smallInteger(json.market, 'market'),
          price: unsigned(json.price, 'price'),
          timestamp: unsigned(json.timestamp, 'timestamp'),
          signature: signature(json.signature),
        },
      }
    }
    case INPUT_KIND.deposit: {
      const json = object(parsed, DEPOSIT_KEYS, 'deposit input')
      versionOf(json)
      const base = {
        type: 'deposit' as const,
        accountIndex: unsigned(json.accountIndex, 'accountIndex'),
        amount: unsigned(json.amount, 'amount'),
        owner: unsigned(json.owner, 'owner'),
      }
      if (json.create === null) return { kind: 'deposit', time: unsigned(json.time, 'time'), tx: base }
      const create = object(json.create, ['publicKeyX', 'publicKeyY', 'mode'], 'create')
      return {
        kind: 'deposit',
        time: unsigned(json.time, 'time'),
        tx: {
          ...base,
          create: {
            publicKey: { x: unsigned(create.publicKeyX, 'publicKeyX'), y: unsigned(create.publicKeyY, 'publicKeyY') },
            mode: smallInteger(create.mode, 'mode'),
          },
        },
      }
    }
    case INPUT_KIND.fundingUpdate: {
      const json = object(parsed, FUNDING_KEYS, 'funding input')
      versionOf(json)
      return {
        kind: 'fundingUpdate',
        time: unsigned(json.time, 'time'),
        tx: {
          type: 'fundingUpdate',
          market: smallInteger(json.market, 'market'),
          ratePpm: signed(json.ratePpm, 'ratePpm'),
          timestamp: unsigned(json.timestamp, 'timestamp'),
        },
      }
    }
    case INPUT_KIND.liquidation: {
      const json = object(parsed, LIQUIDATION_KEYS, 'liquidation input')
      versionOf(json)
      return { kind: 'liquidation', time: unsigned(json.time, 'time'), tx: riskTx(json.tx) }
    }
    case INPUT_KIND.forcedWithdrawal: {
      const json = object(parsed, FORCED_WITHDRAWAL_KEYS, 'forced withdrawal input')
      versionOf(json)
      return {
        kind: 'forcedWithdrawal',
        time: unsigned(json.time, 'time'),
        tx: {
          type: 'forcedWithdrawal',
          accountIndex: unsigned(json.accountIndex, 'accountIndex'),
          requester: unsigned(json.requester, 'requester'),
          requestedAmount: unsigned(json.requestedAmount, 'requestedAmount'),
        },
      }
    }
    case INPUT_KIND.withdraw: {
      const json = object(parsed, WITHDRAW_KEYS, 'withdraw input')
      versionOf(json)
      return {
        kind: 'withdraw',
        time: unsigned(json.time, 'time'),
        tx: {
          type: 'withdraw',
          accountIndex: unsigned(json.accountIndex, 'accountIndex'),
          amount: unsigned(json.amount, 'amount'),
          to: unsigned(json.to, 'to'),
          storageId: unsigned(json.storageId, 'storageId'),
          validUntil: unsigned(json.validUntil, 'validUntil'),
          signature: signature(json.signature),
        },
      }
    }
    case INPUT_KIND.transfer: {
      const json = object(parsed, TRANSFER_KEYS, 'transfer input')
      versionOf(json)
      return {
        kind: 'transfer',
        time: unsigned(json.time, 'time'),
        tx: {
          type: 'transfer',
          fromIndex: unsigned(json.fromIndex, 'fromIndex'),
          toIndex: unsigned(json.toIndex, 'toIndex'),
          amount: unsigned(json.amount, 'amount'),
          targetMode: smallInteger(json.targetMode, 'targetMode'),
          storageId: unsigned(json.storageId, 'storageId'),
          validUntil: unsigned(json.validUntil, 'validUntil'),
          signature: signature(json.signature),
        },
      }
    }
    default:
      fail('unknown kind', { kind })
  }
}
