/**
 * How the state machine says no. Validators call `reject(error)`; `applyTx` catches exactly these and returns the
 * typed error as a rejection. Anything else thrown inside a tx (a broken invariant, a bug) propagates unchanged,
 * so a bug is never mistaken for a rejection.
 */
import type { BaseError } from '../errors.ts'
import { ValueOutOfRangeError } from '../protocol/errors.ts'

export class Rejection {
  constructor(readonly error: BaseError) {}
}

export function reject(error: BaseError): never {
  throw new Rejection(error)
}

/** Run a §1 bound assertion of `sdk/protocol/bounds.ts`; its typed `*_OUT_OF_RANGE` error becomes the rejection. */
export function requireInBounds(check: () => void): void {
  try {
    check()
  } catch (error) {
    if (error instanceof ValueOutOfRangeError) reject(error)
    throw error
  }
}
