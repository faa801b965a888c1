/**
 * Proofs finish in any order; L1 takes them in batch order. `InOrderDelivery` buffers results and hands them to
 * `deliver` strictly by batch number, without gaps: batch n+1 waits until batch n has been delivered. A second
 * result for a batch that was already delivered or is buffered is refused (exactly one proof per batch).
 */
import { DuplicateProofError } from './errors.ts'

export type InOrderDeliveryParameters<T> = {
  /** The first batch number to deliver. */
  readonly nextBatchNumber: bigint
  /** Called once per batch, in batch order. */
  readonly deliver: (result: T) => void
}

export class InOrderDelivery<T extends { readonly batchNumber: bigint; readonly jobId: string }> {
  readonly #deliver: (result: T) => void
  readonly #buffered = new Map<bigint, T>()
  #next: bigint

  constructor(parameters: InOrderDeliveryParameters<T>) {
    this.#next = parameters.nextBatchNumber
    this.#deliver = parameters.deliver
  }

  /** The batch number `deliver` waits for. */
  get nextBatchNumber(): bigint {
    return this.#next
  }

  /** Results held back behind a missing batch. */
  get buffered(): number {
    return this.#buffered.size
  }

  /** Adds a result and delivers every result now contiguous with the last delivered one. */
  push(result: T): void {
    if (result.batchNumber < this.#next || this.#buffered.has(result.batchNumber)) {
      throw new DuplicateProofError(result.batchNumber, result.jobId)
    }
    this.#buffered.set(result.batchNumber, result)
    for (let ready = this.#buffered.get(this.#next); ready !== undefined; ready = this.#buffered.get(this.#next)) {
      this.#buffered.delete(this.#next)
      this.#next++
      this.#deliver(ready)
    }
  }
}
