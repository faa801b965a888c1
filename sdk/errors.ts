/**
 * The one error base of zkperp. Every rejection carries a stable string `code` that reaches API clients
 * unchanged, a short message, the offending values and an optional cause.
 */
export type ErrorDetails = Readonly<Record<string, unknown>>

export type BaseErrorParameters = {
  details?: ErrorDetails
  cause?: unknown
}

export class BaseError extends Error {
  override readonly name: string = 'BaseError'
  readonly code: string
  readonly details: ErrorDetails

  constructor(code: string, message: string, parameters: BaseErrorParameters = {}) {
    super(message, parameters.cause === undefined ? undefined : { cause: parameters.cause })
    this.code = code
    this.details = parameters.details ?? {}
  }

  /** Plain JSON for the wire: bigint values become decimal strings. */
  toJSON(): { code: string; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: toWireValue(this.details) as Record<string, unknown> }
  }
}

function toWireValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (Array.isArray(value)) return value.map(toWireValue)
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toWireValue(item)]))
  }
  return value
}
