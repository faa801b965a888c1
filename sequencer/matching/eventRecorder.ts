import type { MatchingError } from './errors.ts'
import type { CancelReason, MatchingEvent, MatchingEventSink, Side } from './types.ts'

/** A sink that keeps every event as a plain `MatchingEvent` object, in order (tests, replay, journals). */
export class MatchingEventRecorder implements MatchingEventSink {
  readonly events: MatchingEvent[] = []

  accepted(account: number, orderId: bigint, side: Side, price: bigint | undefined, size: bigint): void {
    this.events.push({ type: 'accepted', account, orderId, side, price, size })
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
    this.events.push({ type: 'fill', takerAccount, takerOrderId, makerAccount, makerOrderId, price, size, takerSide })
  }

  rested(account: number, orderId: bigint, side: Side, price: bigint, remaining: bigint): void {
    this.events.push({ type: 'rested', account, orderId, side, price, remaining })
  }

  cancelled(account: number, orderId: bigint, remaining: bigint, reason: CancelReason): void {
    this.events.push({ type: 'cancelled', account, orderId, remaining, reason })
  }

  rejected(account: number, orderId: bigint, error: MatchingError): void {
    this.events.push({ type: 'rejected', account, orderId, code: error.code, details: error.details })
  }

  /** Returns the events recorded so far and starts a new list. */
  take(): MatchingEvent[] {
    return this.events.splice(0, this.events.length)
  }
}

/**
 * Canonical bytes of an event list: JSON with bigints as decimal strings and `undefined` as null, fields in the
 * order the events were built. Two runs are byte-identical exactly when these strings are equal.
 */
export function serializeMatchingEvents(events: readonly MatchingEvent[]): string {
  return JSON.stringify(events, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value === undefined ? null : value,
  )
}
