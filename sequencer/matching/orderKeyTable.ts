/**
 * An open-addressing hash table from a key pair (a: uint32, b: integer in [0, 2^53)) to an int32 value, on typed
 * arrays: no allocation per operation, no iteration order to depend on. Linear probing with backward-shift
 * deletion (no tombstones), load factor at most 1/2, capacity a power of two that doubles when needed.
 *
 * The engine keys live orders by (account, orderId) and account order lists by (account, 0).
 */
export class OrderKeyTable {
  // Slot i is [a, b, value] at 3i … 3i+2, interleaved so one probe touches one cache line; value -1 = empty.
  #slots: Float64Array
  #mask: number
  #size = 0

  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity < initialCapacity * 2) capacity *= 2
    this.#slots = emptySlots(capacity)
    this.#mask = capacity - 1
  }

  get size(): number {
    return this.#size
  }

  /** The value stored for (a, b), or -1. */
  get(a: number, b: number): number {
    const slots = this.#slots
    const mask = this.#mask
    let slot = slotOf(a, b, mask)
    for (;;) {
      const base = slot * 3
      const value = slots[base + 2]!
      if (value === -1) return -1
      if (slots[base] === a && slots[base + 1] === b) return value
      slot = (slot + 1) & mask
    }
  }

  /** Inserts or overwrites; `value` must be ≥ 0. */
  set(a: number, b: number, value: number): void {
    if ((this.#size + 1) * 2 > this.#mask + 1) this.#grow()
    const slots = this.#slots
    const mask = this.#mask
    let slot = slotOf(a, b, mask)
    for (;;) {
      const base = slot * 3
      if (slots[base + 2] === -1) {
        slots[base] = a
        slots[base + 1] = b
        slots[base + 2] = value
        this.#size++
        return
      }
      if (slots[base] === a && slots[base + 1] === b) {
        slots[base + 2] = value
        return
      }
      slot = (slot + 1) & mask
    }
  }

  /** Removes (a, b) if present; returns whether it was. */
  delete(a: number, b: number): boolean {
    const slots = this.#slots
    const mask = this.#mask
    let slot = slotOf(a, b, mask)
    for (;;) {
      const base = slot * 3
      if (slots[base + 2] === -1) return false
      if (slots[base] === a && slots[base + 1] === b) break
      slot = (slot + 1) & mask
    }
    // Backward-shift: pull later members of the probe run into the hole unless their home lies after the hole.
    let hole = slot
    let next = (hole + 1) & mask
    while (slots[next * 3 + 2] !== -1) {
      const nextBase = next * 3
      const home = slotOf(slots[nextBase]!, slots[nextBase + 1]!, mask)
      // Move `next` into `hole` when its home is not in the cyclic interval (hole, next].
      if (((next - home) & mask) >= ((next - hole) & mask)) {
        const holeBase = hole * 3
        slots[holeBase] = slots[nextBase]!
        slots[holeBase + 1] = slots[nextBase + 1]!
        slots[holeBase + 2] = slots[nextBase + 2]!
        hole = next
      }
      next = (next + 1) & mask
    }
    slots[hole * 3 + 2] = -1
    this.#size--
    return true
  }

  clear(): void {
    this.#slots = emptySlots(this.#mask + 1)
    this.#size = 0
  }

  #grow(): void {
    const old = this.#slots
    const capacity = (this.#mask + 1) * 2
    this.#slots = emptySlots(capacity)
    this.#mask = capacity - 1
    this.#size = 0
    for (let base = 0; base < old.length; base += 3) {
      const value = old[base + 2]!
      if (value !== -1) this.set(old[base]!, old[base + 1]!, value)
    }
  }
}

function emptySlots(capacity: number): Float64Array {
  const slots = new Float64Array(capacity * 3)
  for (let base = 2; base < slots.length; base += 3) slots[base] = -1
  return slots
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
