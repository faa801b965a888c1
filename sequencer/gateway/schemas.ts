/**
 * zod schemas of every client → server message. Strict objects (an unknown field is an error), amounts, sizes,
 * prices, ids, times and field elements only as decimal strings of digits (no sign, no fraction, no exponent, no
 * leading zeros), small enumerations as literals. A parse failure becomes SCHEMA_INVALID with every issue's path.
 * Range checks (size > 0, price < 2^48, …) come after, with the sdk's own bound errors.
 */
import { z } from 'zod'
import { SchemaInvalidError } from './errors.ts'

/** Field elements are below 2^254: at most 77 decimal digits. */
const decimal = z.string().regex(/^(0|[1-9][0-9]{0,76})$/, 'expected a decimal string of digits')
const requestId = z.string().min(1).max(64)
const market = z.number().int().min(0).max(15)
/** `0` cross, `1 + m` isolated to market m (m < 16). */
const marginMode = z.number().int().min(0).max(16)
/** An L1 address: 0x and 40 hex digits (either case; the value, not a checksum, is what the key signs). */
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte hex address')

const signature = z.strictObject({ R8x: decimal, R8y: decimal, S: decimal })

export const orderMessageSchema = z.strictObject({
  type: z.literal('order'),
  id: requestId,
  order: z.strictObject({
    accountIndex: decimal,
    market,
    side: z.enum(['buy', 'sell']),
    reduceOnly: z.boolean(),
    size: decimal,
    limitPrice: decimal,
    storageId: decimal,
    expiry: decimal,
    signature,
  }),
  orderType: z.enum(['limit', 'market']).optional(),
  timeInForce: z.enum(['GTC', 'IOC']).optional(),
  postOnly: z.boolean().optional(),
  selfTradePrevention: z.enum(['expireTaker', 'expireMaker', 'expireBoth']).optional(),
  clientOrderId: z.string().regex(/^[A-Za-z0-9_.:-]{1,36}$/, 'expected 1-36 characters of [A-Za-z0-9_.:-]').optional(),
})

export const cancelMessageSchema = z.strictObject({
  type: z.literal('cancel'),
  id: requestId,
  accountIndex: decimal,
  market,
  storageId: decimal,
  signature,
})

export const oraclePriceMessageSchema = z.strictObject({
  type: z.literal('oraclePrice'),
  id: requestId,
  market,
  price: decimal,
  timestamp: decimal,
  signature,
})

/** An L2 withdrawal (docs/protocol.md §5.3): the signed fields, `to` the L1 address the contract credits. */
export const withdrawMessageSchema = z.strictObject({
  type: z.literal('withdraw'),
  id: requestId,
  withdraw: z.strictObject({
    accountIndex: decimal,
    amount: decimal,
    to: address,
    storageId: decimal,
    validUntil: decimal,
    signature,
  }),
})

/** A transfer between two accounts of one owner (§5.4), signed by the source account's key. */
export const transferMessageSchema = z.strictObject({
  type: z.literal('transfer'),
  id: requestId,
  transfer: z.strictObject({
    fromIndex: decimal,
    toIndex: decimal,
    amount: decimal,
    targetMode: marginMode,
    storageId: decimal,
    validUntil: decimal,
    signature,
  }),
})

export const subscribeMessageSchema = z.strictObject({
  type: z.enum(['subscribe', 'unsubscribe']),
  id: requestId,
  stream: z.string().regex(/^(book|trades):[0-9]{1,2}$|^account:[0-9]{1,8}$/, 'expected book:<market>, trades:<market> or account:<index>'),
})

export const pingMessageSchema = z.strictObject({ type: z.literal('ping'), id: requestId })

export const clientMessageSchema = z.discriminatedUnion('type', [
  orderMessageSchema,
  cancelMessageSchema,
  oraclePriceMessageSchema,
  withdrawMessageSchema,
  transferMessageSchema,
  subscribeMessageSchema,
  pingMessageSchema,
])

export type OrderMessage = z.infer<typeof orderMessageSchema>
export type CancelMessageWire = z.infer<typeof cancelMessageSchema>
export type OraclePriceMessageWire = z.infer<typeof oraclePriceMessageSchema>
export type WithdrawMessageWire = z.infer<typeof withdrawMessageSchema>
export type TransferMessageWire = z.infer<typeof transferMessageSchema>
export type SubscribeMessage = z.infer<typeof subscribeMessageSchema>
export type ClientMessage = z.infer<typeof clientMessageSchema>

export function parseClientMessage(value: unknown): ClientMessage {
  const result = clientMessageSchema.safeParse(value)
  if (result.success) return result.data
  throw new SchemaInvalidError(
    result.error.issues.slice(0, 8).map((issue) => ({ path: issue.path.map(String).join('.'), code: issue.code, message: issue.message })),
  )
}

/** The request id of a message that failed later checks, if it has a usable one (for correlating the error). */
export function requestIdOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const id = (value as { id?: unknown }).id
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined
}
