import { createHash, type Hash } from 'node:crypto'
import type { MatchingError } from '../errors.ts'
import type { MatchingEngine } from '../matchingEngine.ts'
import type { CancelReason, MatchingEventSink, Side } from '../types.ts'
import { OPERATION_CANCEL, OPERATION_LIMIT, type Workload } from '../workload.ts'

/**
 * A sink that folds every event, with all its fields, into one SHA-256: a fingerprint of a long event stream
 * that needs no list of millions of event objects. One line per event; bigints in decimal, `undefined` as `-`.
 */
export class EventDigestSink implements MatchingEventSink {
  readonly #hash: Hash = createHash('sha256')
  events = 0

  accepted(account: number, orderId: bigint, side: Side, price: bigint | undefined, size: bigint): void {
    this.#line(`a ${account} ${orderId} ${side} ${price ?? '-'} ${size}`)
  }

  fill(
    takerAccount: number,
    takerOrderId: bigint,
    makerAccount: number,
    makerOrderId: bigint,
    price: bigint,
    size: bigint,
    takerSide: Side,
  ): void {
    this.#line(`f ${takerAccount} ${takerOrderId} ${makerAccount} ${makerOrderId} ${price} ${size} ${takerSide}`)
  }

  rested(account: number, orderId: bigint, side: Side, price: bigint, remaining: bigint): void {
    this.#line(`r ${account} ${orderId} ${side} ${price} ${remaining}`)
  }

  cancelled(account: number, orderId: bigint, remaining: bigint, reason: CancelReason): void {
    this.#line(`c ${account} ${orderId} ${remaining} ${reason}`)
  }

  rejected(account: number, orderId: bigint, error: MatchingError): void {
    const details = JSON.stringify(error.details, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    )
    this.#line(`x ${account} ${orderId} ${error.code} ${details}`)
  }

  digest(): string {
    return this.#hash.digest('hex')
  }

  #line(line: string): void {
    this.events++
    this.#hash.update(line)
    this.#hash.update('\n')
  }
}

/** Replays a workload (see workload.ts) through an engine exactly as `npm run bench:matching` does, at time 0. */
export function replayWorkload(engine: MatchingEngine, workload: Workload): void {
  for (let index = 0; index < workload.count; index++) {
    const account = workload.account[index]!
    const orderId = BigInt(workload.orderId[index]!)
    const kind = workload.kind[index]!
    if (kind === OPERATION_CANCEL) {
      engine.cancel(account, orderId)
      continue
    }
    const side: Side = workload.side[index] === 0 ? 'buy' : 'sell'
    const size = BigInt(workload.size[index]!)
    engine.submit(
      kind === OPERATION_LIMIT
        ? { type: 'limit', account, orderId, side, price: BigInt(workload.price[index]!), size }
        : { type: 'market', account, orderId, side, size },
      0n,
    )
  }
}

/** SHA-256 over a workload's arrays, so a change to the generated stream shows apart from a change in matching. */
export function workloadDigest(workload: Workload): string {
  const hash = createHash('sha256')
  const { kind, side, price, size, account, orderId } = workload
  for (const array of [kind, side, price, size, account, orderId]) {
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength))
  }
  return hash.digest('hex')
}

/** SHA-256 over the engine's snapshot (every resting order, in acceptance order) as canonical JSON. */
export function bookDigest(engine: MatchingEngine): string {
  const json = JSON.stringify(engine.snapshot(), (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value === undefined ? null : value,
  )
  return createHash('sha256').update(json).digest('hex')
}
