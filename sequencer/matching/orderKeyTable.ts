/**
 * An open-addressing hash table from a key pair (a: uint32, b: integer in [0, 2^53)) to an int32 value, on typed
 * arrays: no allocation per operation, no iteration order to depend on. Linear probing with backward-shift
 * deletion (no tombstones), load factor at most 1/2, capacity a power of two that doubles when needed.
 *
 * The engine keys live orders by (account, orderId), and the ends of large-index accounts' order lists by
 * (account, 0 or 1).
 */
export class OrderKeyTable {
  // Slot i is 16 bytes, [b: float64][value: int32][a: uint32], read through three views of one (16-byte aligned)
  // buffer: four slots share a cache line and none straddles two, and the table is 2/3 the size of three doubles a
  // slot, so its probes miss the cache less. Float index 2i is b; int index 4i + 2 the value (-1 = empty), 4i + 3 a.
  #keysB: Float64Array
  #values: Int32Array
  #keysA: Uint32Array
  #mask: number
  #size = 0

  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity < initialCapacity * 2) capacity *= 2
    this.#mask = capacity - 1
    this.#keysB = new Float64Array(0)
    this.#values = new Int32Array(0)
    this.#keysA = new Uint32Array(0)
    this.#allocate(capacity)
  }

  get size(): number {
    return this.#size
  }

  /** The value stored for (a, b), or -1. */
  get(a: number, b: number): number {
    const keysB = this.#keysB
    const values = this.#values
    const keysA = this.#keysA
    const mask = this.#mask
    let slot = slotOf(a, b, mask)
    for (;;) {
      const value = values[slot * 4 + 2]!
      if (value === -1) return -1
      if (keysB[slot * 2] === b && keysA[slot * 4 + 3] === a) return value
      slot = (slot + 1) & mask
    }
  }

  /** Inserts or overwrites; `value` must be ≥ 0. */
  set(a: number, b: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#mask + 1) this.#grow()
    const keysB = this.#keysB
    const values = this.#values
    const keysA = this.#keysA
    const mask = this.#mask
    let slot = slotOf(a, b, mask)
    for (;;) {
      if (values[slot * 4 + 2] === -1) {
        keysB[slot * 2] = b
        keysA[slot * 4 + 3] = a
        values[slot * 4 + 2] = value
        this.#size++
        return
      }
      if (keysB[slot * 2] === b && keysA[slot * 4 + 3] === a) {
        values[slot * 4 + 2] = value
        return
      }
      slot = (slot + 1) & mask
    }
  }

  /** Removes (a, b) if present; returns whether it was. */
  delete(a: number, b: number): boolean {
    const keysB = this.#keysB
    const values = this.#values
    const keysA = this.#keysA
    const mask = this.#mask
    let slot = slotOf(a, b, mask)
    for (;;) {
      if (values[slot * 4 + 2] === -1) return false
      if (keysB[slot * 2] === b && keysA[slot * 4 + 3] === a) break
      slot = (slot + 1) & mask
    }
    // Backward-shift: pull later members of the probe run into the hole unless their home lies after the hole.
    let hole = slot
    let next = (hole + 1) & mask
    while (values[next * 4 + 2] !== -1) {
      const home = slotOf(keysA[next * 4 + 3]!, keysB[next * 2]!, mask)
      // Move `next` into `hole` when its home is not in the cyclic interval (hole, next].
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        keysB[hole * 2] = keysB[next * 2]!
        keysA[hole * 4 + 3] = keysA[next * 4 + 3]!
        values[hole * 4 + 2] = values[next * 4 + 2]!
        hole = next
      }
      next = (next + 1) & mask
    }
    values[hole * 4 + 2] = -1
    this.#size--
    return true
  }

  clear(): void {
    this.#allocate(this.#mask + 1)
    this.#size = 0
  }

  #allocate(capacity: number): void {
    const buffer = new ArrayBuffer(capacity * 16)
    this.#keysB = new Float64Array(buffer)
    this.#values = new Int32Array(buffer)
    this.#keysA = new Uint32Array(buffer)
    for (let slot = 0; slot < capacity; slot++) this.#values[slot * 4 + 2] = -1
  }

  #grow(): void {
    const keysB = this.#keysB
    const values = this.#values
    const keysA = this.#keysA
    const capacity = (this.#mask + 1) * 2
    this.#allocate(capacity)
    this.#mask = capacity - 1
    this.#size = 0
    for (let slot = 0; slot < values.length / 4; slot++) {
      const value = values[slot * 4 + 2]!
      if (value !== -1) this.set(keysA[slot * 4 + 3]!, keysB[slot * 2]!, value)
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
