/**
 * `zkperp order`, `cancel`, `positions`, `withdraw --l2` and `transfer`: the trader's side of the gateway, through the
 * sdk WebSocket client. Orders, cancels, withdrawals and transfers are signed with the L2 key derived from the wallet
 * (docs/protocol.md §3), never sent in the clear.
 */
import type { Ack } from '../sdk/client/messages.ts'
import { spendOutcome, ZkPerpClient, type RequestResult } from '../sdk/client/client.ts'
import type { Domain, Order, TransferMessage, WithdrawMessage } from '../sdk/protocol/types.ts'
import { GatewayRejectedError } from './errors.ts'

export type GatewayParameters = {
  /** ws://host:port of the gateway. */
  readonly url: string
  /** The signing domain the gateway checks signatures against. */
  readonly domain: Domain
  /** Per-request timeout (default 10 s). */
  readonly timeoutMs?: number
}

async function withClient<T>(gateway: GatewayParameters, run: (client: ZkPerpClient) => Promise<T>): Promise<T> {
  const client = await ZkPerpClient.connect({ url: gateway.url, domain: gateway.domain, ...(gateway.timeoutMs === undefined ? {} : { timeoutMs: gateway.timeoutMs }) })
  try {
    return await run(client)
  } finally {
    await client.close()
  }
}

export type PlaceOrderParameters = {
  readonly order: Order
  readonly l2PrivateKey: Uint8Array
  readonly timeInForce?: 'GTC' | 'IOC'
  readonly postOnly?: boolean
  readonly clientOrderId?: string
}

export type PlaceOrderReturnType = { readonly ack: Ack; readonly events: readonly Record<string, unknown>[]; readonly duplicate: boolean }

/** Sign and place; a gateway rejection is a GatewayRejectedError carrying the gateway's code. */
export function placeOrder(gateway: GatewayParameters, parameters: PlaceOrderParameters): Promise<PlaceOrderReturnType> {
  return withClient(gateway, async (client) => {
    const result = await client.signAndPlace({
      order: parameters.order,
      privateKey: parameters.l2PrivateKey,
      ...(parameters.timeInForce === undefined ? {} : { timeInForce: parameters.timeInForce }),
      ...(parameters.postOnly === undefined ? {} : { postOnly: parameters.postOnly }),
      ...(parameters.clientOrderId === undefined ? {} : { clientOrderId: parameters.clientOrderId }),
    })
    if (!result.ok) throw new GatewayRejectedError('order', result.error)
    return { ack: result.ack, events: result.events, duplicate: result.duplicate }
  })
}

export type CancelOrderParameters = {
  readonly accountIndex: bigint
  readonly market: number
  readonly storageId: bigint
  readonly l2PrivateKey: Uint8Array
}

export function cancelOrder(gateway: GatewayParameters, parameters: CancelOrderParameters): Promise<PlaceOrderReturnType> {
  return withClient(gateway, async (client) => {
    const result = await client.cancelOrder({
      accountIndex: parameters.accountIndex,
      market: parameters.market,
      storageId: parameters.storageId,
      privateKey: parameters.l2PrivateKey,
    })
    if (!result.ok) throw new GatewayRejectedError('cancel', result.error)
    return { ack: result.ack, events: result.events, duplicate: result.duplicate }
  })
}

/** The gateway's account snapshot: collateral, mode, positions and open orders (decimal strings as served). */
export function accountPositions(gateway: GatewayParameters, accountIndex: bigint): Promise<Record<string, unknown>> {
  return withClient(gateway, async (client) => {
    try {
      return await client.getAccount(accountIndex)
    } catch (cause) {
      const body = (cause as { cause?: unknown }).cause as { code?: string; message?: string; details?: Record<string, unknown> } | undefined
      if (body?.code !== undefined) throw new GatewayRejectedError('positions', { code: body.code, message: body.message ?? '', details: body.details ?? {} })
      throw cause
    }
  })
}

export type SpendReturnType = {
  readonly ack: Ack
  /** The core's `withdrawAccepted` / `transferAccepted` event (amounts as decimal strings, as served). */
  readonly event: Record<string, unknown>
}

/** The ack and the accepted event; a rejection by the gateway or by the core is a GatewayRejectedError with its code. */
function acceptedSpend(action: string, result: RequestResult): SpendReturnType {
  if (!result.ok) throw new GatewayRejectedError(action, result.error)
  const outcome = spendOutcome(result)
  if (!outcome.accepted) throw new GatewayRejectedError(action, outcome.error)
  return { ack: result.ack, event: outcome.event }
}

/** Sign an L2 withdrawal and send it; the contract credits `to` once the batch holding it is proven. */
export function requestWithdrawal(gateway: GatewayParameters, parameters: { readonly withdraw: WithdrawMessage; readonly l2PrivateKey: Uint8Array }): Promise<SpendReturnType> {
  return withClient(gateway, async (client) => acceptedSpend('withdraw', await client.withdraw({ ...parameters.withdraw, privateKey: parameters.l2PrivateKey })))
}

/** Sign a transfer from one account of the owner to another (or to a new one) and send it. */
export function transferCollateral(gateway: GatewayParameters, parameters: { readonly transfer: TransferMessage; readonly l2PrivateKey: Uint8Array }): Promise<SpendReturnType> {
  return withClient(gateway, async (client) => acceptedSpend('transfer', await client.transfer({ ...parameters.transfer, privateKey: parameters.l2PrivateKey })))
}
