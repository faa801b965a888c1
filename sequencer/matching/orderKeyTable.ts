/**
 * An open-addressing hash table from a key pair (a: uint32, b: integer in [0, 2^53)) to an int32 value, on typed
 * arrays: no allocation per operation, no iteration order to depend on. Linear probing with backward-shift
 * deletion (no tombstones), load factor at most 1/2, capacity a power of two that doubles when needed.
 *
 * The engine keys live orders by (account, orderId) and account order lists by (account, 0).
 */
export class OrderKeyTable {
  #keyA: Float64Array
  #keyB: Float64Array
  #values: Int32Array
  #mask: number
  #size = 0

  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity < initialCapacity * 2) capacity *= 2
    this.#keyA = new Float64Array(capacity)
    this.#keyB = new Float64Array(capacity)
    this.#values = new Int32Array(capacity).fill(-1)
    this.#mask = capacity - 1
  }

  get size(): number {
    return this.#size
  }

  /** The value stored for (a, b), or -1. */
  get(a: number, b: number): number {
    const keyA = this.#keyA
    const keyB = this.#keyB
    const values = this.#values
    const mask = this.#mask
    let slot = slotOf(a, b, mask)
    for (;;) {
      const value = values[slot]!
      if (value === -1) return -1
      if (keyA[slot] === a && keyB[slot] === b) return value
      slot = (slot + 1) & mask
    }
  }

  /** Inserts or overwrites; `value` must be ≥ 0. */
  set(a: number, b: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#values.length) this.#grow()
    const keyA = this.#keyA
    const keyB = this.#keyB
    const values = this.#values
    const mask = this.#mask
    let slot = slotOf(a, b, mask)
    for (;;) {
      if (values[slot] === -1) {
        keyA[slot] = a
        keyB[slot] = b
        values[slot] = value
        this.#size++
        return
      }
      if (keyA[slot] === a && keyB[slot] === b) {
        values[slot] = value
        return
      }
      slot = (slot + 1) & mask
    }
  }

  /** Removes (a, b) if present; returns whether it was. */
  delete(a: number, b: number): boolean {
    const keyA = this.#keyA
    const keyB = this.#keyB
    const values = this.#values
    const mask = this.#mask
    let slot = slotOf(a, b, mask)
    for (;;) {
      if (values[slot] === -1) return false
      if (keyA[slot] === a && keyB[slot] === b) break
      slot = (slot + 1) & mask
    }
    // Backward-shift: pull later members of the probe run into the hole unless their home lies after the hole.
    let hole = slot
    let next = (hole + 1) & mask
    while (values[next] !== -1) {
      const home = slotOf(keyA[next]!, keyB[next]!, mask)
      // Move `next` into `hole` when its home is not in the cyclic interval (hole, next].
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        keyA[hole] = keyA[next]!
        keyB[hole] = keyB[next]!
        values[hole] = values[next]!
        hole = next
      }
      next = (next + 1) & mask
    }
    values[hole] = -1
    this.#size--
    return true
  }

  clear(): void {
    this.#values.fill(-1)
    this.#size = 0
  }

  #grow(): void {
    const oldA = this.#keyA
    const oldB = this.#keyB
    const oldValues = this.#values
    const capacity = oldValues.length * 2
    this.#keyA = new Float64Array(capacity)
    this.#keyB = new Float64Array(capacity)
    this.#values = new Int32Array(capacity).fill(-1)
    this.#mask = capacity - 1
    this.#size = 0
    for (let slot = 0; slot < oldValues.length; slot++) {
      const value = oldValues[slot]!
      if (value !== -1) this.set(oldA[slot]!, oldB[slot]!, value)
    }
  }
}

/** Mixes both halves of b with a (murmur3 finaliser constants); exact for b < 2^53. */
function slotOf(a: number, b: number, mask: number): number {
  const low = b >>> 0
  const high = (b / 4294967296) >>> 0
  let hash = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(low, 0xcc9e2d51) ^ Math.imul(high + 0x1b873593, 0x27d4eb2f)
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  hash = Math.imul(hash, 0xc2b2ae35)
  hash ^= hash >>> 16
  return hash & mask
}
